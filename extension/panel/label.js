// Visual labeling: pick an element on the page, see how often it was already clicked, name
// it and save it as an action (a virtual event) of the tracking plan. The picker builds
// the element chain with the tracking script's own code; the server proposes the selector
// and name (POST /api/actions/suggest), counts the history (POST /api/actions/preview) and
// deploys the plan's next version (POST /api/plan/actions).
import { bars, h, number } from "./dom.js";

export function labeler(root, context) {
  let picking = false;
  let picked = null;
  let timer = 0;
  let counted = 0;
  let asked = 0; // the latest count asked for: older answers are dropped
  let saving = false;

  const pick = h("button", { type: "button", class: "primary", id: "label-pick", onclick: () => (picking ? cancel() : start()) }, "Pick an element");
  const status = h("p", { class: "muted", id: "label-status", "aria-live": "polite" }, "Pick an element on the page to see how often it was clicked, then name it.");
  const name = h("input", { id: "label-name", required: true, autocomplete: "off", spellcheck: "false" });
  const selector = h("input", { id: "label-selector", required: true, autocomplete: "off", spellcheck: "false" });
  const useText = h("input", { type: "checkbox", id: "label-use-text" });
  const text = h("input", { id: "label-text", autocomplete: "off" });
  const onPage = h("input", { type: "checkbox", id: "label-on-page" });
  const url = h("input", { id: "label-url", autocomplete: "off", spellcheck: "false" });
  const description = h("input", { id: "label-description", autocomplete: "off", placeholder: "what this click means (optional)" });
  const count = h("div", { class: "count", id: "label-count", "aria-live": "polite" });
  const message = h("p", { id: "label-message", role: "alert" });
  const save = h("button", { type: "submit", class: "primary", id: "label-save" }, "Save as event");
  const form = h("form", { class: "label-form", hidden: true, onsubmit: submit },
    h("label", {}, "Name ", name),
    h("label", {}, "Selector ", selector),
    h("label", { class: "check" }, useText, " Only when its text is ", text),
    h("label", { class: "check" }, onPage, " Only on pages matching ", url),
    h("label", {}, "Description ", description),
    count,
    save,
    message,
  );
  const named = h("div", { class: "named", id: "label-named" });
  root.replaceChildren(h("div", { class: "row" }, pick), status, form, named);

  for (const input of [selector, text, url]) input.addEventListener("input", later);
  for (const box of [useText, onPage]) box.addEventListener("change", later);

  chrome.runtime.onMessage.addListener((msg, sender) => {
    if (!msg || !sender.tab || sender.tab.id !== context.tabId()) return;
    if (msg.type === "betterheap:picked") chosen(msg);
    if (msg.type === "betterheap:pick-cancelled") stopped("Cancelled.");
  });

  async function start() {
    if (!context.server()) return stopped("Connect to your server first (Connection, above).");
    const tabId = context.tabId();
    if (tabId === null) return stopped("No page to pick from: open your site in this window.");
    try {
      await chrome.scripting.executeScript({ target: { tabId }, files: ["build/picker.js"] });
    } catch (error) {
      return stopped(`This page cannot be picked from (${error.message}).`);
    }
    picking = true;
    pick.textContent = "Cancel";
    status.textContent = "Click the element on the page. Escape cancels.";
  }

  function cancel() {
    const tabId = context.tabId();
    if (tabId !== null) chrome.tabs.sendMessage(tabId, { type: "betterheap:cancel-pick" }).catch(() => {});
    stopped("Cancelled.");
  }

  function stopped(text) {
    status.className = "muted";
    picking = false;
    pick.textContent = "Pick an element";
    status.textContent = text;
  }

  async function chosen(msg) {
    stopped(`Picked ${msg.selector} on ${msg.page_url}`);
    message.textContent = "";
    message.className = "";
    form.hidden = true;
    if (msg.never_captured) {
      status.textContent = NEVER[msg.never_captured];
      return;
    }
    try {
      const found = await context.server().call("POST", "/api/actions/suggest", { elements_chain: msg.elements_chain, page_url: msg.page_url });
      picked = { ...msg, ...found };
    } catch (error) {
      status.textContent = error.message;
      status.className = "error";
      return;
    }
    status.className = "muted";
    const action = picked.action;
    name.value = action.name;
    selector.value = action.selector || "";
    text.value = action.text || "";
    useText.checked = Boolean(action.text);
    const page = new URL(msg.page_url);
    url.value = `${page.origin}${page.pathname}*`;
    onPage.checked = false;
    description.value = "";
    form.hidden = false;
    if (picked.already_named.length) {
      message.className = "warning";
      message.textContent = `Already counted by ${picked.already_named.join(", ")} in the plan.`;
    }
    refresh();
  }

  function conditions() {
    return {
      selector: selector.value.trim() || null,
      text: useText.checked ? text.value.trim() || null : null,
      url: onPage.checked ? url.value.trim() || null : null,
    };
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  }

  async function refresh() {
    clearTimeout(timer);
    const mine = ++asked;
    count.replaceChildren(h("span", { class: "muted" }, "counting…"));
    save.disabled = true;
    try {
      const found = await context.server().call("POST", "/api/actions/preview", conditions());
      if (mine !== asked) return;
      counted = found.clicks;
      count.replaceChildren(
        h("p", {},
          h("strong", { id: "label-clicks" }, number(found.clicks)), ` clicks by `,
          h("strong", { id: "label-people" }, number(found.people)), ` ${found.people === 1 ? "person" : "people"}`,
          h("span", { class: "muted" }, ` from ${found.from} to ${found.to}`)),
        bars(found.by_day),
      );
      save.disabled = saving;
    } catch (error) {
      if (mine !== asked) return;
      count.replaceChildren(h("p", { class: "error" }, error.message));
    }
  }

  async function submit(event) {
    event.preventDefault();
    if (saving) return;
    saving = true;
    save.disabled = true;
    const action = { name: name.value.trim(), description: description.value.trim(), ...conditions() };
    try {
      await refresh(); // the count shown is the count of exactly what is saved
      const saved = await context.server().call("POST", "/api/plan/actions", action);
      message.className = "success";
      message.textContent =
        `Saved ${saved.action.name} in tracking plan version ${saved.version}. It already counts ${number(counted)} clicks; ` +
        "use it like any event in trends, funnels and retention.";
      context.planChanged(saved.version);
      listNamed();
    } catch (error) {
      fail(error);
    } finally {
      saving = false;
      save.disabled = false;
    }
  }

  function fail(error) {
    message.className = "error";
    message.textContent = error.message;
  }

  // The clicks the plan already names, with how often each happened lately.
  async function listNamed() {
    if (!context.server()) return;
    try {
      const { plan } = await context.server().call("GET", "/api/plan");
      const counts = await Promise.all(
        plan.actions.map((a) => context.server().call("POST", "/api/actions/preview", { selector: a.selector, text: a.text, url: a.url })),
      );
      named.replaceChildren(
        h("h3", {}, `Named clicks in the plan (${plan.actions.length})`),
        plan.actions.length
          ? h("table", {}, h("tbody", {}, plan.actions.map((a, i) =>
              h("tr", { title: [a.selector, a.text && `text "${a.text}"`, a.url].filter(Boolean).join(", ") },
                h("td", {}, h("code", {}, a.name)),
                h("td", { class: "num" }, number(counts[i].clicks)),
                h("td", { class: "muted" }, `clicks, ${counts[i].from} to ${counts[i].to}`)))))
          : h("p", { class: "muted" }, "None yet: pick an element to name its clicks."),
      );
    } catch (error) {
      named.replaceChildren(h("p", { class: "error" }, error.message));
    }
  }

  return {
    connected: listNamed,
    shown: listNamed,
    tabChanged() {
      if (picking) stopped("The page changed: pick again.");
      form.hidden = true;
    },
  };
}

const NEVER = {
  not_interactive:
    "The tracking script does not record clicks on this element: it records links, buttons, form fields, " +
    "[role=button] and elements marked data-bh-capture. Pick the button or link itself, or mark the element.",
  private:
    "The tracking script never records this element (a password, hidden or card field, or inside " +
    "data-bh-no-capture), so no click on it can be counted.",
};
