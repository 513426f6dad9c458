/* Charts for check-ins (craving, mood, sleep, days of use) and the withdrawal log, drawn with
 * the vendored Chart.js from data the page embeds with json_script. Without JavaScript the
 * page shows a summary and a table instead; the chart boxes stay hidden. */
(function () {
  "use strict";

  if (!window.Chart) { return; }
  var BRAND = "#1f6f78", ALERT = "#b3261e", AMBER = "#b26a00", PURPLE = "#6b4fa0";

  function data(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-source"));
    return source ? JSON.parse(source.textContent) : null;
  }

  function line(label, values, color, axis) {
    return { type: "line", label: label, data: values, borderColor: color, backgroundColor: color,
      yAxisID: axis, spanGaps: false, tension: 0.25, pointRadius: 2, borderWidth: 2 };
  }

  function wellbeing(canvas, series) {
    var lapses = series.lapses.map(function (value) { return value ? 10 : null; });
    return new window.Chart(canvas, {
      data: {
        labels: series.labels.map(function (day) { return day.slice(5); }),
        datasets: [
          { type: "bar", label: "Day with use", data: lapses, backgroundColor: "rgba(179,38,30,0.18)",
            borderColor: ALERT, borderWidth: 1, yAxisID: "y", barPercentage: 1, categoryPercentage: 1 },
          line("Craving (0–10)", series.craving, ALERT, "y"),
          line("Sleep (hours)", series.sleep, PURPLE, "y"),
          line("Mood (1–5)", series.mood, BRAND, "mood")
        ]
      },
      options: {
        maintainAspectRatio: false, animation: false, interaction: { mode: "index", intersect: false },
        plugins: {
          legend: { position: "bottom", labels: { boxWidth: 12 } },
          tooltip: { callbacks: { label: function (context) {
            if (context.dataset.type === "bar") {
              return context.raw ? "Use: " + series.lapses[context.dataIndex] : null;
            }
            return context.dataset.label + ": " + context.formattedValue;
          } } }
        },
        scales: {
          y: { min: 0, max: 12, position: "left", title: { display: true, text: "Craving / sleep" } },
          mood: { min: 1, max: 5, position: "right", grid: { drawOnChartArea: false },
            ticks: { stepSize: 1 }, title: { display: true, text: "Mood" } },
          x: { ticks: { maxTicksLimit: 8 } }
        }
      }
    });
  }

  function withdrawal(canvas, series) {
    var points = series.points;
    return new window.Chart(canvas, {
      type: "line",
      data: { datasets: [
        { label: "All symptoms (0–" + series.max_total + ")", borderColor: AMBER, backgroundColor: AMBER,
          data: points.map(function (p) { return { x: p.day, y: p.total, at: p.at }; }), tension: 0.2 },
        { label: "Craving (0–3)", borderColor: ALERT, backgroundColor: ALERT, yAxisID: "craving",
          data: points.map(function (p) { return { x: p.day, y: p.craving, at: p.at }; }), tension: 0.2 }
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

  var draw = { wellbeing: wellbeing, withdrawal: withdrawal };
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var series = data(canvas);
    var kind = draw[canvas.getAttribute("data-chart")];
    if (!series || !kind) { return; }
    canvas.parentNode.hidden = false;
    kind(canvas, series);
    canvas.setAttribute("data-drawn", "true");
  });
})();
