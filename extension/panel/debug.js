// The live event debugger: every batch the page sends to an ingestion endpoint (ours, or a
// Segment or PostHog client's), read from the request itself (chrome.webRequest, so beacons
// and other libraries are seen too), with the plan's verdict on each event from
// POST /api/plan/check, which stores nothing.
import { h, number } from "./dom.js";

const SEGMENT = /\/v1\/(batch|track|page|identify|group|alias|screen)\/?$/;
const POSTHOG = /\/(batch|capture|e|i\/v0\/e)\/?$/;
const KEEP = 300;
const VERDICTS = ["clean", "renamed", "flagged", "quarantined", "filtered"];
const FILTERS = {
  bot: "dropped by the plan's filters: a bot, crawler or headless browser (its user agent)",
  internal: "dropped by the plan's filters: internal traffic (an IP, host or flag the plan lists)",
};

export function debuggerView(root, context) {
  let listening = null;
  let paused = false;
  const seen = new Map(); // message id -> its row
  const totals = Object.fromEntries([...VERDICTS, "unchecked"].map((v) => [v, 0]));

  const summary = h("div", { class: "summary", id: "debug-summary" });
  const list = h("ol", { class: "events", id: "debug-events", reversed: true });
  const empty = h("p", { class: "muted", id: "debug-empty" }, "Events the page sends appear here as they leave it, with the plan's verdict on each.");
  const pause = h("button", { type: "button", onclick: () => ((paused = !paused), (pause.textContent = paused ? "Resume" : "Pause")) }, "Pause");
  const clear = h("button", { type: "button", onclick: reset }, "Clear");
  root.replaceChildren(h("div", { class: "row" }, summary, pause, clear), empty, list);
  drawSummary();

  function reset() {
    list.replaceChildren();
    seen.clear();
    for (const key of Object.keys(totals)) totals[key] = 0;
    empty.hidden = false;
    drawSummary();
  }

  function drawSummary() {
    summary.replaceChildren(
      ...[...VERDICTS, "unchecked"]
        .filter((v) => totals[v])
        .map((v) => h("span", { class: `badge ${v}` }, `${v} ${number(totals[v])}`)),
    );
  }

  function listen() {
    if (listening) chrome.webRequest.onBeforeRequest.removeListener(listening);
    listening = null;
    const tabId = context.tabId();
    if (tabId === null) return;
    listening = (details) => {
      if (details.method !== "POST" || paused) return;
      const path = new URL(details.url).pathname;
      const wire = SEGMENT.test(path) ? "segment" : POSTHOG.test(path) ? "posthog" : null;
      if (wire) received(details, wire).catch((error) => console.warn("betterheap debugger:", error));
    };
    chrome.webRequest.onBeforeRequest.addListener(listening, { urls: ["<all_urls>"], tabId }, ["requestBody"]);
  }

  async function received(details, wire) {
    const body = await decode(details);
    if (!body) {
      const what = { event: `(a body the debugger cannot read, sent to ${new URL(details.url).pathname})` };
      show(what, null, "the request body is not JSON, gzip or PostHog's base64 form", details.type === "ping" ? "beacon" : "request");
      return drawSummary();
    }
    const batch = normalize(body, wire, new URL(details.url).pathname, context.server()?.writeKey);
    if (!batch.messages.length) return;
    let verdicts = null;
    let problem = "";
    const server = context.server();
    if (server) {
      try {
        verdicts = await server.call("POST", "/api/plan/check", batch.body, { wire });
      } catch (error) {
        problem = error.message;
      }
    } else {
      problem = "connect to a server to see the plan's verdict";
    }
    const via = details.type === "ping" ? "beacon" : "request";
    batch.messages.forEach((message, index) => show(message, verdicts ? verdicts[index] : null, problem, via));
    drawSummary();
  }

  function show(message, verdict, problem, via) {
    empty.hidden = true;
    // A page sends a message again (a beacon as it goes away, a retry): one row, marked.
    const id = message.messageId || message.uuid;
    const again = id ? seen.get(id) : null;
    if (again && again.isConnected) {
      again.querySelector(".when").textContent += ` · again by ${via}`;
      return;
    }
    const kind = verdict ? verdict.verdict : "unchecked";
    totals[kind] += 1;
    const sent = message.event || message.name || message.type || "(no name)";
    const name = verdict && verdict.event !== verdict.sent_as ? [h("s", {}, verdict.sent_as), " → ", h("code", {}, verdict.event)] : [h("code", {}, sent)];
    const props = message.properties || {};
    if (props.$selector) name.push(h("span", { class: "muted" }, ` ${props.$event_type || "click"} on ${props.$selector}`));
    const why = verdict ? reasons(verdict) : [problem];
    const row = h("li", { class: `event ${kind}`, dataset: { verdict: kind, event: verdict ? verdict.event : sent } },
      h("div", { class: "line" },
        h("span", { class: `badge ${kind}` }, kind),
        h("span", { class: "name" }, ...name),
        h("span", { class: "muted when" }, `${new Date().toLocaleTimeString()} · ${via}`)),
      why.filter(Boolean).length ? h("ul", { class: "why" }, why.filter(Boolean).map((w) => h("li", {}, w))) : null,
      h("details", {}, h("summary", {}, "payload"), h("pre", {}, JSON.stringify(message, null, 2))),
    );
    list.prepend(row);
    if (id) seen.set(id, row);
    while (list.children.length > KEEP) list.lastChild.remove();
    if (seen.size > KEEP * 4) for (const [key, el] of seen) if (!el.isConnected) seen.delete(key);
  }

  return {
    connected: listen,
    tabChanged() {
      reset();
      listen();
    },
  };
}

// What the plan did, in words: the reason it was held or dropped, its violations, the
// values it converted and the ones it set aside.
function reasons(verdict) {
  const out = [];
  const violations = verdict.violations || [];
  // A quarantine's reason is the kind of its first violation, which is listed anyway.
  if (verdict.reason && !violations.some((v) => v.kind === verdict.reason)) out.push(FILTERS[verdict.reason] || verdict.reason);
  for (const v of violations) out.push(typeof v === "string" ? v : describe(v));
  if (verdict.converted && verdict.converted.length) out.push(`converted: ${verdict.converted.join(", ")}`);
  const aside = Object.keys(verdict.set_aside || {});
  if (aside.length) out.push(`set aside (wrong type): ${aside.join(", ")}`);
  if (verdict.verdict === "renamed") out.push(`renamed from ${verdict.sent_as} by the plan`);
  return out;
}

function describe(violation) {
  const kind = (violation.kind || "").replace(/_/g, " ");
  return [kind, violation.detail || violation.property].filter(Boolean).join(": ") || JSON.stringify(violation);
}

// The request body as JSON: raw bytes (plain or gzip), or PostHog's base64 form field.
async function decode(details) {
  const request = details.requestBody;
  if (!request) return null;
  let text = null;
  if (request.raw && request.raw.length) {
    const chunks = request.raw.filter((part) => part.bytes).map((part) => new Uint8Array(part.bytes));
    const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, at);
      at += chunk.length;
    }
    text = bytes[0] === 0x1f && bytes[1] === 0x8b ? await gunzip(bytes) : new TextDecoder().decode(bytes);
  } else if (request.formData && request.formData.data) {
    text = new TextDecoder().decode(Uint8Array.from(atob(request.formData.data[0]), (c) => c.charCodeAt(0)));
  }
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch (error) {
    return null;
  }
}

async function gunzip(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Response(stream).text();
}

// The body /api/plan/check takes, and the messages in it in order. A Segment client that
// sends its key as Basic auth (invisible here) is checked with the connected project's key.
function normalize(body, wire, path, key) {
  if (wire === "segment") {
    const single = path.match(SEGMENT)[1];
    const messages = single === "batch" ? body.batch || [] : [{ type: single, ...body }];
    const writeKey = body.writeKey || key;
    return { messages, body: { batch: messages, ...(writeKey ? { writeKey } : {}) } };
  }
  const messages = Array.isArray(body) ? body : body.batch || [body];
  const batch = Array.isArray(body) ? { batch: body } : body.batch ? body : { batch: [body] };
  // posthog-js puts its key in each event (api_key, or token among the properties); only a
  // body with none anywhere is checked with the connected project's key.
  const own = body.api_key || messages.some((m) => m && (m.api_key || (m.properties && m.properties.token)));
  return { messages, body: own || !key ? batch : { ...batch, api_key: key } };
}
