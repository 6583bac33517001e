// The setup chat: the server's setup assistant interview (POST /api/setup/sessions, then
// one POST .../answer per reply), as a conversation. The session id is kept, so closing
// the panel mid-interview loses nothing.
import { h, number } from "./dom.js";

export function setupChat(root, context) {
  let turn = null;

  const log = h("div", { class: "chat", "aria-live": "polite" });
  const form = h("div", { class: "reply" });
  root.replaceChildren(
    h("p", { class: "muted" }, "The assistant asks about your product and proposes a tracking plan; approving deploys it."),
    log,
    form,
  );
  form.append(h("p", { class: "muted" }, "Connect to your server (Connection, above) to start."));

  const say = (who, ...content) => {
    const bubble = h("div", { class: `bubble ${who}` }, ...content);
    log.append(bubble);
    bubble.scrollIntoView({ block: "end" });
    return bubble;
  };
  const storageKey = () => `setup:${context.server().url}:${context.server().projectId}`;

  async function send(text, shown) {
    say("user", shown === undefined ? text || "(skip)" : shown);
    form.replaceChildren(h("p", { class: "muted" }, "…"));
    try {
      show(await context.server().call("POST", `/api/setup/sessions/${turn.session_id}/answer`, { answer: text }));
    } catch (error) {
      say("assistant error", error.message);
      ask(turn.question);
    }
  }

  async function start() {
    log.replaceChildren();
    form.replaceChildren(h("p", { class: "muted" }, "…"));
    try {
      show(await context.server().call("POST", "/api/setup/sessions"));
    } catch (error) {
      say("assistant error", error.message);
      offerStart();
    }
  }

  function offerStart(label = "Start the interview") {
    form.replaceChildren(h("button", { type: "button", class: "primary", id: "setup-start", onclick: start }, label));
  }

  function show(next) {
    turn = next;
    chrome.storage.local.set({ [storageKey()]: turn.session_id });
    const q = turn.question;
    if (q.note) say("assistant note", q.note);
    if (turn.deployed) {
      context.planChanged(turn.deployed.version);
      const changes = turn.deployed.changes || [];
      say(
        "assistant done",
        h("strong", {}, `Deployed as tracking plan version ${turn.deployed.version}.`),
        h("details", {}, h("summary", {}, `${changes.length} changes`), h("ul", {}, changes.map((c) => h("li", {}, c)))),
      );
    }
    if (q.kind === "review") {
      // Only the latest proposal stays open; earlier ones fold away.
      for (const earlier of log.querySelectorAll(".review:not(.earlier)")) {
        earlier.classList.add("earlier");
        earlier.replaceWith(h("details", {}, h("summary", { class: "muted" }, "Earlier proposal"), earlier.cloneNode(true)));
      }
      say("assistant", review(q.preview, turn.replaces));
    }
    if (q.kind === "done") {
      if (!turn.deployed) say("assistant", q.text);
      chrome.storage.local.remove(storageKey());
      offerStart("Start a new interview");
      return;
    }
    const hint = !q.hint ? null : q.kind === "review"
      ? h("details", {}, h("summary", {}, "What you can say"), h("p", { class: "hint" }, q.hint))
      : h("p", { class: "hint" }, q.hint);
    say("assistant", h("p", {}, q.text), hint);
    ask(q);
  }

  function ask(q) {
    const input = h("input", { type: "text", id: "setup-answer", "aria-label": "Your answer", autocomplete: "off" });
    const submit = (event) => {
      event.preventDefault();
      send(input.value.trim());
    };
    if (q.kind === "choice") {
      form.replaceChildren(
        h("div", { class: "options" }, q.options.map(([value, label]) => h("button", { type: "button", onclick: () => send(value, label) }, label))),
        h("form", { class: "row", onsubmit: submit }, input, h("button", { type: "submit" }, "Send")),
      );
    } else if (q.kind === "multi") {
      const boxes = q.options.map(([value, label]) => ({ value, label, box: h("input", { type: "checkbox", value }) }));
      const choose = (event) => {
        event.preventDefault();
        const picked = boxes.filter((b) => b.box.checked);
        const typed = input.value.trim();
        const answer = [...picked.map((b) => b.value), ...(typed ? [typed] : [])].join(", ");
        send(answer, [...picked.map((b) => b.label), ...(typed ? [typed] : [])].join(", ") || "(none)");
      };
      form.replaceChildren(
        h("form", { class: "multi", onsubmit: choose },
          h("div", { class: "checks" }, boxes.map((b) => h("label", {}, b.box, " ", b.label))),
          h("div", { class: "row" },
            h("button", { type: "button", onclick: () => boxes.forEach((b) => (b.box.checked = true)) }, "All"),
            input,
            h("button", { type: "submit", class: "primary" }, "Continue"))),
      );
      input.placeholder = "your own, comma-separated";
    } else if (q.kind === "review") {
      input.placeholder = "rename X to Y, drop Y, add property Z to W…";
      form.replaceChildren(
        h("form", { class: "row", onsubmit: submit }, input, h("button", { type: "submit" }, "Change")),
        h("button", { type: "button", class: "primary", id: "setup-approve", onclick: () => send("approve", "Approve and deploy") }, "Approve and deploy"),
      );
    } else {
      form.replaceChildren(
        h("form", { class: "row", onsubmit: submit }, input,
          h("button", { type: "submit", class: "primary" }, "Continue"),
          h("button", { type: "button", onclick: () => send("") }, "Skip")),
      );
    }
    input.focus();
  }

  async function resume() {
    const saved = (await chrome.storage.local.get(storageKey()))[storageKey()];
    if (!saved) return offerStart();
    try {
      const restored = await context.server().call("GET", `/api/setup/sessions/${saved}`);
      if (restored.history.length) {
        say("assistant note", `Resuming your interview: ${restored.history.map(([, a]) => a || "(skip)").join(" · ")}`);
      }
      show(restored);
    } catch (error) {
      chrome.storage.local.remove(storageKey());
      offerStart();
    }
  }

  return {
    connected() {
      log.replaceChildren();
      resume();
    },
  };
}

// The proposed plan: its events (with properties, aliases), actions and the questions its
// data answers; and, when it replaces a deployed plan, what approving changes.
function review(preview, replaces) {
  if (!preview) return h("p", {}, "No proposal.");
  return h("div", { class: "review" },
    h("h3", {}, `${preview.title} — ${preview.events.length} events, ${preview.naming} names`),
    h("table", {},
      h("thead", {}, h("tr", {}, h("th", {}, "event"), h("th", {}, "properties"))),
      h("tbody", {}, preview.events.map((event) =>
        h("tr", {},
          h("td", { title: event.description }, h("code", {}, event.name),
            event.aliases.length ? h("div", { class: "muted" }, `also: ${event.aliases.join(", ")}`) : null),
          h("td", {}, event.properties.map((p) =>
            h("span", { class: `prop${p.pii ? " pii" : ""}`, title: `${p.type}${p.required ? ", required" : ""}${p.pii ? ", personal data" : ""}` },
              p.name + (p.required ? "*" : ""))))))),
    ),
    preview.actions.length
      ? h("p", {}, h("strong", {}, "Named clicks: "), preview.actions.map(([name]) => name).join(", "))
      : null,
    preview.questions.length
      ? h("details", {}, h("summary", {}, "Questions this plan answers"), h("ul", {}, preview.questions.map((q) => h("li", {}, q))))
      : null,
    replaces
      ? h("details", { open: replaces.changes.length <= 12 },
          h("summary", {}, `Approving replaces version ${replaces.version}: ${number(replaces.changes.length)} changes`),
          h("ul", {}, replaces.changes.map((c) => h("li", {}, c))))
      : null,
  );
}
