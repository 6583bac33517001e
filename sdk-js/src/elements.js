// The element chain of an auto-captured interaction, shared by the tracking script and the
// Chrome extension's picker (so a labeled element is described exactly as its clicks are):
// PostHog's $elements_chain, a short stable selector, and what must never be captured.

const TEXT_MAX = 255;
const CHAIN_DEPTH = 8;
const CARD = /\b(?:\d[ -]?){13,19}\b/;
const NATIONAL_ID = /\b\d{3}-?\d{2}-?\d{4}\b/;
const SECRET_NAME = /pass|secret|token|card|cc-|cvc|cvv|ssn|iban/i;
const INTERACTIVE = /^(a|button|input|select|textarea|label|summary)$/;

export function blocked(el) {
  for (let e = el; e && e.nodeType == 1; e = e.parentElement) {
    if (e.hasAttribute("data-bh-no-capture")) return true;
  }
  return false;
}

export function sensitive(el) {
  const type = (el.getAttribute("type") || "").toLowerCase();
  if (type == "password" || type == "hidden") return true;
  const name = (el.getAttribute("name") || "") + " " + (el.id || "") + " " + (el.getAttribute("autocomplete") || "");
  return /^(input|textarea|select)$/.test(tag(el)) && SECRET_NAME.test(name);
}

function tag(el) {
  return el.tagName.toLowerCase();
}

function safeText(el) {
  if (/^(input|textarea|select)$/.test(tag(el))) return "";
  const text = (el.innerText || el.textContent || "").replace(/\s+/g, " ").trim().slice(0, TEXT_MAX);
  return CARD.test(text) || NATIONAL_ID.test(text) ? "" : text;
}

function quote(value) {
  return String(value).replace(/"/g, '\\"');
}

// PostHog's elements_chain: the clicked element first, classes sorted, attributes sorted.
export function chain(target) {
  const parts = [];
  for (let el = target; el && el.nodeType == 1 && tag(el) != "html" && parts.length < CHAIN_DEPTH; el = el.parentElement) {
    const attrs = {};
    const parent = el.parentElement;
    if (parent) {
      const siblings = Array.from(parent.children);
      attrs["nth-child"] = siblings.indexOf(el) + 1;
      attrs["nth-of-type"] = siblings.filter((s) => s.tagName == el.tagName).indexOf(el) + 1;
    }
    if (el == target) {
      const text = safeText(el);
      if (text) attrs.text = text;
    }
    for (const attr of Array.from(el.attributes)) {
      const name = attr.name;
      if (name == "value" || name.startsWith("on") || name == "style") continue;
      if (/^(id|class|href|name|type|role|title|aria-label)$/.test(name) || name.startsWith("data-")) {
        attrs["attr__" + name] = attr.value.slice(0, TEXT_MAX);
      }
    }
    if (el.id) attrs.attr_id = el.id;
    if (el.getAttribute("href")) attrs.href = el.getAttribute("href").slice(0, 2048);
    const classes = Array.from(el.classList)
      .sort()
      .map((c) => "." + c.replace(/"/g, ""))
      .join("");
    const pairs = Object.keys(attrs)
      .sort()
      .map((k) => k + '="' + quote(attrs[k]) + '"')
      .join("");
    parts.push(tag(el) + classes + ":" + pairs);
  }
  return parts.join(";");
}

// A short CSS selector for the element that survives re-renders: the nearest id that is not
// generated, else tags with their hand-written classes, at most three levels. Actions match
// it against the chain server-side.
const GENERATED = /\d{3,}|^css-|^sc-|^jsx-|^_|[^\w-]/;
export function selector(el) {
  const parts = [];
  for (let e = el; e && e.nodeType == 1 && tag(e) != "body" && parts.length < 3; e = e.parentElement) {
    if (e.id && !GENERATED.test(e.id)) {
      parts.unshift(tag(e) + "#" + e.id);
      break;
    }
    const classes = Array.from(e.classList).filter((c) => !GENERATED.test(c)).sort().slice(0, 3);
    parts.unshift(tag(e) + classes.map((c) => "." + c).join(""));
  }
  return parts.join(" > ");
}

export function interactive(target) {
  for (let el = target; el && el.nodeType == 1; el = el.parentElement) {
    const t = tag(el);
    if (INTERACTIVE.test(t) || el.getAttribute("role") == "button" || el.hasAttribute("data-bh-capture")) return el;
    if (t == "body") return null;
  }
  return null;
}

