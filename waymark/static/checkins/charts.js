/* Charts for check-ins (craving, mood, sleep; safety answers and days of use marked) and the withdrawal log, drawn with
 * the vendored Chart.js from data the page embeds with json_script. Without JavaScript the
 * page shows a summary and a table instead; the chart boxes stay hidden. */
(function () {
  "use strict";

  if (!window.Chart) { return; }
  
  function data(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-source"));
    return source ? JSON.parse(source.textContent) : null;
  }

  // A configuration built on the server (checkins/charts.py): straight segments, one y axis.
  function config(canvas, built) {
    // A marker's tooltip names the day's event, not the height it is drawn at.
    built.options.plugins.tooltip = { callbacks: {
      // A point that carries its own time (the withdrawal log) is titled by it.
      title: function (items) {
        var raw = items.length ? items[0].raw : null;
        return raw && raw.at ? raw.at : (items.length ? items[0].label : "");
      },
      label: function (context) {
      return context.dataset.showLine === false ? context.dataset.label
        : context.dataset.label + ": " + context.formattedValue;
    } } };
    return new window.Chart(canvas, built);
  }

  var draw = { wellbeing: config, config: config };
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    if (canvas.getAttribute("data-drawn")) { return; }  // a record panel loaded later runs this again
    var series = data(canvas);
    var kind = draw[canvas.getAttribute("data-chart")];
    if (!series || !kind) { return; }
    canvas.parentNode.hidden = false;
    kind(canvas, series);
    canvas.setAttribute("data-drawn", "true");
  });
})();
