// Draws every chart of a page from its inline Vega-Lite spec with the vendored vega-embed,
// on load and after each htmx swap, and marks panels ready (the browser tests and the
// dashboard benchmark wait for every panel's data-state="ready").
(function () {
  "use strict";
  var options = { actions: { export: true, source: false, compiled: false, editor: false }, renderer: "svg" };

  function settle(panel) {
    if (!panel) return;
    var pending = panel.querySelectorAll(".vega:not([data-drawn])").length;
    if (pending === 0 && !panel.querySelector(".loading")) panel.dataset.state = "ready";
  }

  function draw(root) {
    root.querySelectorAll(".vega:not([data-drawn]):not([data-drawing])").forEach(function (el) {
      var source = el.querySelector("script[type='application/json']");
      if (!source) return;
      el.dataset.drawing = "1";
      var spec = JSON.parse(source.textContent);
      vegaEmbed(el, spec, options).then(function () {
        el.dataset.drawn = "1";
        settle(el.closest(".panel"));
      }).catch(function (error) {
        el.textContent = "Could not draw this chart: " + error;
        el.dataset.drawn = "1";
        var panel = el.closest(".panel");
        if (panel) panel.dataset.state = "error";
      });
    });
    root.querySelectorAll(".panel").forEach(settle);
    if (root.classList && root.classList.contains("panel")) settle(root);
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.body.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.elt;
    draw(target);
    settle(target.closest && target.closest(".panel"));
  });
  document.body.addEventListener("htmx:responseError", function (event) {
    var target = event.detail.elt;
    var text = event.detail.xhr.responseText || String(event.detail.xhr.status);
    if (target.tagName === "FORM") {
      // A refused form (a question the chat cannot take, say) keeps what was typed.
      var said = target.querySelector(".form-error") || target.appendChild(document.createElement("p"));
      said.className = "error form-error";
      said.setAttribute("role", "alert");
      said.textContent = text;
      return;
    }
    target.innerHTML = "";
    var p = document.createElement("p");
    p.className = "error";
    p.textContent = "Could not load: " + text;
    target.appendChild(p);
    var panel = target.closest(".panel");
    if (panel) panel.dataset.state = "error";
  });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    var said = event.detail.elt.querySelector && event.detail.elt.querySelector(".form-error");
    if (said && event.detail.successful) said.remove();
  });
  window.betterheapDraw = draw;
})();
