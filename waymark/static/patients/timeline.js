// The patient timeline's charts: check-in answers, and questionnaire scores, one axis each.
// Each configuration is built on the server (patients/timeline.py, waymark/charts.py) and
// drawn as it is: straight segments, events marked on the time axis.
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  document.querySelectorAll("canvas.timeline-chart").forEach(function (canvas) {
    var source = document.getElementById(canvas.getAttribute("data-source"));
    if (!source) { return; }
    var config = JSON.parse(source.textContent);
    // A marker's tooltip names the event kind, not the height it is drawn at.
    config.options.plugins.tooltip = { callbacks: { label: function (context) {
      return context.dataset.showLine === false ? context.dataset.label
        : context.dataset.label + ": " + context.formattedValue;
    } } };
    new Chart(canvas, config);
    canvas.setAttribute("data-drawn", "true");
  });
})();
