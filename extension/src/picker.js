// Injected into the page by the panel's "Pick an element": highlights what the pointer is
// over, and on click sends the element's chain -- built by the tracking script's own code,
// so it is described exactly as its auto-captured clicks are -- to the panel. The click
// itself never reaches the page (or its tracking script). Escape cancels.
import { blocked, chain, interactive, selector, sensitive } from "../../sdk-js/src/elements.js";

(() => {
  if (window.__betterheapPicker) return;
  window.__betterheapPicker = true;

  const box = document.createElement("div");
  box.setAttribute("data-bh-no-capture", "");
  box.style.cssText =
    "position:fixed;z-index:2147483647;pointer-events:none;border:2px solid #6d28d9;" +
    "background:rgba(109,40,217,.12);border-radius:3px;display:none;transition:all 40ms";
  const label = document.createElement("div");
  label.style.cssText =
    "position:absolute;left:-2px;top:-24px;font:12px/20px system-ui,sans-serif;color:#fff;" +
    "background:#6d28d9;padding:0 6px;border-radius:3px;white-space:nowrap";
  box.appendChild(label);
  document.documentElement.appendChild(box);

  // The element a click there would be recorded for: the button or link around an icon.
  const target = (el) => (el && el.nodeType == 1 ? interactive(el) || el : null);

  function show(el) {
    if (!el) return (box.style.display = "none");
    const r = el.getBoundingClientRect();
    Object.assign(box.style, {
      display: "block",
      left: r.left - 2 + "px",
      top: r.top - 2 + "px",
      width: r.width + "px",
      height: r.height + "px",
    });
    label.textContent = selector(el);
  }

  function stop(event) {
    event.preventDefault();
    event.stopPropagation();
    event.stopImmediatePropagation();
  }

  function onMove(event) {
    show(target(event.target));
  }

  function onClick(event) {
    stop(event);
    const clicked = event.target.nodeType == 1 ? event.target : event.target.parentElement;
    const el = target(clicked);
    done();
    if (!el) return;
    // The tracking script records clicks on links, buttons, fields, [role=button] and
    // [data-bh-capture] only, never on private elements: no count could match the others.
    const never = !interactive(clicked) ? "not_interactive" : blocked(el) || sensitive(el) ? "private" : null;
    tell({
      type: "betterheap:picked",
      elements_chain: chain(el),
      selector: selector(el),
      page_url: location.href,
      never_captured: never,
    });
  }

  // The panel may have been closed meanwhile: then there is nobody to tell.
  function tell(message) {
    chrome.runtime.sendMessage(message).catch(() => {});
  }

  function onKey(event) {
    if (event.key == "Escape") {
      stop(event);
      done();
      tell({ type: "betterheap:pick-cancelled" });
    }
  }

  const swallow = ["mousedown", "mouseup", "pointerdown", "pointerup", "auxclick", "dblclick", "submit"];
  function done() {
    window.removeEventListener("mousemove", onMove, true);
    window.removeEventListener("click", onClick, true);
    window.removeEventListener("keydown", onKey, true);
    for (const type of swallow) window.removeEventListener(type, stop, true);
    chrome.runtime.onMessage.removeListener(onPanel);
    box.remove();
    window.__betterheapPicker = false;
  }

  function onPanel(message) {
    if (message && message.type == "betterheap:cancel-pick") done();
  }

  window.addEventListener("mousemove", onMove, true);
  window.addEventListener("click", onClick, true);
  window.addEventListener("keydown", onKey, true);
  for (const type of swallow) window.addEventListener(type, stop, true);
  chrome.runtime.onMessage.addListener(onPanel);
})();
