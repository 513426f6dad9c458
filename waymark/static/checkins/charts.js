/* Charts for check-ins (craving, mood, sleep; safety answers and days of use marked) and the withdrawal log, drawn with
 * the vendored Chart.js from data the page embeds with json_script. Without JavaScript the
 * page shows a summary and a table instead; the chart boxes stay hidden. */
(function () {
  "use strict";

  if (!window.Chart) { return; }
  var ALERT = "#b3261e", AMBER = "#b26a00";

  function data(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-source"));
    return source ? JSON.parse(source.textContent) : null;
  }

  // A configuration built on the server (checkins/charts.py): straight segments, one y axis.
  function config(canvas, built) {
    // A marker's tooltip names the day's event, not the height it is drawn at.
    built.options.plugins.tooltip = { callbacks: { label: function (context) {
      return context.dataset.showLine === false ? context.dataset.label
        : context.dataset.label + ": " + context.formattedValue;
    } } };
    return new window.Chart(canvas, built);
  }

  function withdrawal(canvas, series) {
    var points = series.points;
    return new window.Chart(canvas, {
      type: "line",
      data: { datasets: [
        { label: "All symptoms (0–" + series.max_total + ")", borderColor: AMBER, backgroundColor: AMBER,
          data: points.map(function (p) { return { x: p.day, y: p.total, at: p.at }; }), tension: 0 },
        { label: "Craving (0–3)", borderColor: ALERT, backgroundColor: ALERT, yAxisID: "craving",
          data: points.map(function (p) { return { x: p.day, y: p.craving, at: p.at }; }), tension: 0 }
      ] },
      options: {
        maintainAspectRatio: false, animation: false, parsing: true,
        plugins: { legend: { position: "bottom" }, tooltip: { callbacks: {
          title: function (items) { return items.length ? items[0].raw.at : ""; } } } },
        scales: {
          x: { type: "linear", min: 1, title: { display: true, text: "Day since admission" }, ticks: { stepSize: 1 } },
          y: { min: 0, max: series.max_total, title: { display: true, text: "All symptoms" } },
          craving: { min: 0, max: 3, position: "right", grid: { drawOnChartArea: false }, ticks: { stepSize: 1 } }
        }
      }
    });
  }

  var draw = { wellbeing: config, withdrawal: withdrawal };
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var series = data(canvas);
    var kind = draw[canvas.getAttribute("data-chart")];
    if (!series || !kind) { return; }
    canvas.parentNode.hidden = false;
    kind(canvas, series);
    canvas.setAttribute("data-drawn", "true");
  });
})();
