// BetterHeap's browser tracking script: auto-captured page views and interactions, the
// Segment-style API (track, page, identify, alias, group), delivered in batches that
// survive reloads and offline periods. Sends Segment batches to the server's /v1/batch.
//
// Privacy by construction: form values are never read; password and hidden inputs, fields
// that look like card or national-id numbers and anything inside [data-bh-no-capture] are
// never captured; Do-Not-Track and a consent flag are respected.

import { blocked, chain, interactive, selector, sensitive } from "./elements.js";

const VERSION = "0.1.0";
const LIB = { name: "betterheap-js", version: VERSION };
const PREFIX = "bh_";
const SESSION_IDLE_MS = 30 * 60 * 1000;
const FLUSH_MS = 1000;
const BATCH_SIZE = 20;
const MAX_QUEUE = 1000;
const MAX_BACKOFF_MS = 60 * 1000;
const RAGE_CLICKS = 3;
const RAGE_MS = 1000;
const RAGE_PX = 30;

const w = window;
const d = document;
const nav = navigator;

function now() {
  return Date.now();
}

function iso(ms) {
  return new Date(ms).toISOString();
}

function uuid() {
  if (w.crypto && crypto.randomUUID) return crypto.randomUUID();
  return "10000000-1000-4000-8000-100000000000".replace(/[018]/g, (c) =>
    (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16),
  );
}

// --- storage: localStorage, falling back to memory (private modes, disabled storage) ------
const memory = {};
function load(key) {
  try {
    const raw = localStorage.getItem(PREFIX + key);
    return raw == null ? memory[key] : JSON.parse(raw);
  } catch (e) {
    return memory[key];
  }
}
function save(key, value) {
  memory[key] = value;
  try {
    if (value == null) localStorage.removeItem(PREFIX + key);
    else localStorage.setItem(PREFIX + key, JSON.stringify(value));
  } catch (e) {
    /* memory only */
  }
}

// --- state -----------------------------------------------------------------------------------
let config = null;
let queue = [];
let timer = 0;
let backoff = 0;
let sending = false;
let lastUrl = "";
const pending = [];
const clicks = [];

function anonymousId() {
  let id = load("aid");
  if (!id) save("aid", (id = uuid()));
  return id;
}

function sessionId() {
  const t = now();
  let s = load("session");
  if (!s || t - s.last > SESSION_IDLE_MS) s = { id: uuid(), last: t };
  s.last = t;
  save("session", s);
  return s.id;
}

function capturing() {
  if (!config || load("optout")) return false;
  if (config.consent === false && !load("consent")) return false;
  const dnt = nav.doNotTrack == "1" || w.doNotTrack == "1";
  return !(dnt && config.respectDnt !== false);
}

// --- context ---------------------------------------------------------------------------------
function campaign() {
  const out = {};
  const params = new URLSearchParams(location.search);
  for (const key of ["source", "medium", "campaign", "term", "content"]) {
    const value = params.get("utm_" + key);
    if (value) out[key === "campaign" ? "name" : key] = value;
  }
  return out;
}

function page() {
  return {
    url: location.href,
    path: location.pathname,
    search: location.search,
    title: d.title,
    referrer: d.referrer,
  };
}

function message(type, fields) {
  const t = now();
  const msg = Object.assign(
    {
      type,
      messageId: uuid(),
      anonymousId: anonymousId(),
      timestamp: iso(t),
      context: {
        library: LIB,
        page: page(),
        userAgent: nav.userAgent,
        locale: nav.language,
        screen: { width: screen.width, height: screen.height },
        campaign: campaign(),
        sessionId: sessionId(),
      },
    },
    fields,
  );
  const userId = load("uid");
  if (userId != null && msg.userId == null) msg.userId = userId;
  return msg;
}

function enqueue(msg) {
  if (!capturing()) return;
  queue.push(msg);
  if (queue.length > MAX_QUEUE) queue.splice(0, queue.length - MAX_QUEUE);
  save("queue", queue);
  // Page views go at once: a visit often ends right after a navigation.
  if (queue.length >= BATCH_SIZE || msg.type == "page") flush();
  else schedule(FLUSH_MS);
}

// --- delivery --------------------------------------------------------------------------------
function schedule(ms) {
  if (!timer) timer = setTimeout(() => ((timer = 0), flush()), ms);
}

function body(batch) {
  return JSON.stringify({ batch, sentAt: iso(now()), writeKey: config.writeKey });
}

function endpoint() {
  return config.host.replace(/\/$/, "") + "/v1/batch";
}

function flush() {
  if (sending || !queue.length || !config) return;
  const batch = queue.slice(0, 100);
  sending = true;
  fetch(endpoint(), {
    method: "POST",
    body: body(batch),
    headers: { "Content-Type": "text/plain" },
    keepalive: true,
    credentials: "omit",
  })
    .then((answer) => {
      // 4xx other than 429 will not get better by retrying: drop, do not loop forever.
      if (answer.ok || (answer.status >= 400 && answer.status < 500 && answer.status != 429)) {
        const sent = new Set(batch.map((m) => m.messageId));
        queue = queue.filter((m) => !sent.has(m.messageId));
        save("queue", queue);
        backoff = 0;
        return true;
      }
      return false;
    })
    .catch(() => false)
    .then((ok) => {
      sending = false;
      if (ok) {
        if (queue.length) schedule(0);
      } else {
        backoff = Math.min(MAX_BACKOFF_MS, backoff ? backoff * 2 : FLUSH_MS);
        schedule(backoff / 2 + Math.random() * (backoff / 2));
      }
    });
}

function beacon() {
  // The page is going away: hand the queue to the browser. It stays stored too, because a
  // beacon "sent" while offline is lost: the next page sends it again, and the server drops
  // a messageId it already has, so nothing counts twice.
  // A string body goes as text/plain (no CORS preflight), and unlike a Blob its bytes are
  // visible to the extension's debugger.
  if (queue.length && config && nav.sendBeacon) nav.sendBeacon(endpoint(), body(queue.slice(0, 100)));
}

// --- auto-capture ----------------------------------------------------------------------------
function autocapture(kind, target) {
  const el = kind == "submit" ? target : interactive(target);
  if (!el || blocked(el) || sensitive(el)) return;
  track("$autocapture", { $event_type: kind, $elements_chain: chain(el), $selector: selector(el) });
}

function onClick(event) {
  autocapture("click", event.target);
  const t = now();
  clicks.push({ x: event.clientX, y: event.clientY, t });
  while (clicks.length && t - clicks[0].t > RAGE_MS) clicks.shift();
  const near = clicks.filter((c) => Math.abs(c.x - event.clientX) < RAGE_PX && Math.abs(c.y - event.clientY) < RAGE_PX);
  if (near.length >= RAGE_CLICKS && !blocked(event.target)) {
    clicks.length = 0;
    track("$rageclick", { $elements_chain: chain(event.target.nodeType == 1 ? event.target : event.target.parentElement) });
  }
}

function navigated() {
  if (location.href != lastUrl) pageview();
}

function pageview() {
  lastUrl = location.href;
  page_();
}

function watch() {
  d.addEventListener("click", onClick, true);
  d.addEventListener("change", (e) => autocapture("change", e.target), true);
  d.addEventListener("submit", (e) => autocapture("submit", e.target), true);
  for (const method of ["pushState", "replaceState"]) {
    const original = history[method];
    history[method] = function () {
      const out = original.apply(this, arguments);
      navigated();
      return out;
    };
  }
  w.addEventListener("popstate", navigated);
  w.addEventListener("hashchange", navigated);
  w.addEventListener("online", () => ((backoff = 0), flush()));
  w.addEventListener("pagehide", () => {
    track("$pageleave", {});
    beacon();
  });
  d.addEventListener("visibilitychange", () => d.visibilityState == "hidden" && beacon());
}

// --- public API ------------------------------------------------------------------------------
function init(writeKey, options) {
  if (config) return;
  config = Object.assign({ host: "", autocapture: true, capturePageview: true }, options, { writeKey });
  queue = load("queue") || [];
  if (config.autocapture !== false) watch();
  if (config.capturePageview !== false) pageview();
  while (pending.length) api[pending[0][0]].apply(null, pending.shift().slice(1));
  if (queue.length) schedule(0);
}

function track(event, properties) {
  enqueue(message("track", { event, properties: properties || {} }));
}

function page_(name, properties) {
  enqueue(message("page", { name, properties: Object.assign(page(), properties) }));
}

function identify(userId, traits) {
  if (userId != null) save("uid", String(userId));
  enqueue(message("identify", { traits: traits || {} }));
}

function alias(userId, previousId) {
  enqueue(message("alias", { userId: String(userId), previousId: previousId || load("uid") || anonymousId() }));
}

function group(groupId, traits) {
  enqueue(message("group", { groupId: String(groupId), traits: traits || {} }));
}

function reset() {
  save("uid", null);
  save("aid", null);
  save("session", null);
}

function optOut() {
  save("optout", true);
  queue = [];
  save("queue", queue);
}

function optIn() {
  save("optout", null);
  save("consent", true);
}

const api = { init, track, page: page_, identify, alias, group, reset, optOut, optIn, flush, VERSION };

// Calls made through the snippet's stub before this script loaded: replay them in order,
// init first.
const stub = w.betterheap;
w.betterheap = api;
if (Array.isArray(stub)) {
  const calls = stub.slice();
  const first = calls.findIndex((c) => c[0] == "init");
  if (first >= 0) init.apply(null, calls.splice(first, 1)[0].slice(1));
  for (const call of calls) (config ? api[call[0]] : (...a) => pending.push([call[0], ...a])).apply(null, call.slice(1));
}
