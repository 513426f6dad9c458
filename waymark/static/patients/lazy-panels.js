// A lazy record panel (patients/panels.py) whose request fails, on the network or with an
// error status, is asked for again after a short wait, up to three tries in all. One that
// still fails stops being "busy" and says so beside its link, which opens the panel on a page
// of its own: a reader is never left waiting on a panel that will not come.
(function () {
  "use strict";
  var TRIES = 3;
  var WAIT_MS = [500, 1500];

  function lazyPanel(event) {
    var elt = event.detail && event.detail.elt;
    return elt && elt.classList && elt.classList.contains("lazy-panel") ? elt : null;
  }

  function failed(event) {
    var panel = lazyPanel(event);
    if (!panel) { return; }
    var tries = Number(panel.getAttribute("data-tries") || "1");
    if (tries < TRIES) {
      panel.setAttribute("data-tries", String(tries + 1));
      window.setTimeout(function () {
        htmx.ajax("GET", panel.getAttribute("hx-get"), { source: panel, target: panel, swap: "outerHTML" });
      }, WAIT_MS[tries - 1]);
      return;
    }
    panel.setAttribute("aria-busy", "false");
    if (!panel.querySelector("[role=status]")) {
      var note = document.createElement("p");
      note.setAttribute("role", "status");
      note.className = "lazy-panel-failed";
      note.textContent = "This part of the record did not load. Use the link to open it, or reload the page.";
      panel.appendChild(note);
    }
  }

  document.addEventListener("htmx:sendError", failed);
  document.addEventListener("htmx:responseError", failed);
})();
