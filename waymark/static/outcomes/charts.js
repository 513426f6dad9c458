/* The outcomes dashboard's charts, drawn with the vendored Chart.js from the data each
 * section embeds with json_script. Every chart has a table beside it with the same numbers
 * (for screen readers, and without JavaScript the chart boxes stay hidden). */
(function () {
  "use strict";

  if (!window.Chart) { return; }
  var COLOURS = ["#1f6f78", "#b3261e", "#6b4fa0", "#b26a00", "#2e7d32", "#455a64"];

  function data(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-source"));
    return source ? JSON.parse(source.textContent) : null;
  }

  function abstinence(canvas, series) {
    function bar(label, values, colour) {
      return { label: label, data: values, backgroundColor: colour, stack: "days" };
    }
    return new window.Chart(canvas, {
      type: "bar",
      data: { labels: series.labels, datasets: [
        bar("Abstinent", series.abstinent, "#2e7d32"),
        bar("With use", series.used, "#b3261e"),
        bar("Unknown (no check-in)", series.unknown, "#9e9e9e")
      ] },
      options: {
        indexAxis: "y", maintainAspectRatio: false, animation: false,
        plugins: { legend: { position: "bottom" } },
        scales: { x: { stacked: true, min: 0, max: 100, title: { display: true, text: "% of observed days" } },
          y: { stacked: true } }
      }
    });
  }

  function survival(canvas, series) {
    var datasets = [];
    series.curves.forEach(function (curve, index) {
      var colour = COLOURS[index % COLOURS.length];
      function points(key) { return curve.points.map(function (p) { return { x: p.x, y: p[key] }; }); }
      datasets.push({ label: curve.label + " (95 % band, low)", data: points("lo"), stepped: true,
        borderWidth: 0, pointRadius: 0, fill: false, backgroundColor: colour + "22" });
      datasets.push({ label: curve.label + " (95 % band)", data: points("hi"), stepped: true,
        borderWidth: 0, pointRadius: 0, fill: "-1", backgroundColor: colour + "22" });
      datasets.push({ label: curve.label, data: points("y"), stepped: true, borderColor: colour,
        backgroundColor: colour, borderWidth: 2, pointRadius: 0, fill: false });
    });
    return new window.Chart(canvas, {
      type: "line", data: { datasets: datasets },
      options: {
        maintainAspectRatio: false, animation: false, parsing: true,
        plugins: { legend: { position: "bottom", labels: { filter: function (item) {
          return item.text.indexOf("95 %") < 0; } } } },
        scales: { x: { type: "linear", min: 0, title: { display: true, text: "Days" } },
          y: { min: 0, max: 1, title: { display: true, text: "Share without a lapse" } } }
      }
    });
  }

  function bam(canvas, series) {
    function line(label, values, colour) {
      return { label: label, data: values, borderColor: colour, backgroundColor: colour, fill: false };
    }
    return new window.Chart(canvas, {
      type: "line",
      data: { labels: series.labels, datasets: [
        line("Use (0–12, lower is better)", series.use, "#b3261e"),
        line("Protective (0–24, higher is better)", series.protective, "#2e7d32")
      ] },
      options: { maintainAspectRatio: false, animation: false,
        plugins: { legend: { position: "bottom" } },
        scales: { y: { min: 0, max: 24, title: { display: true, text: "Mean score" } } } }
    });
  }

  var draw = { abstinence: abstinence, survival: survival, bam: bam };
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var series = data(canvas), kind = draw[canvas.getAttribute("data-chart")];
    if (!series || !kind) { return; }
    canvas.closest("[data-chart-box]").hidden = false;
    kind(canvas, series);
  });
}());
