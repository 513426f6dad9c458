// The patient timeline chart: check-in series as lines, other events as markers.
(function () {
  "use strict";
  var canvas = document.getElementById("timeline-chart");
  var source = document.getElementById("timeline-data");
  if (!canvas || !source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var palette = ["#1f6f78", "#8a4fff", "#d97706", "#2e7d32", "#b3261e", "#5b6b75"];
  var kinds = { alert: "#b3261e", lapse: "#d97706", transition: "#1d2a33", note: "#5b6b75", questionnaire: "#8a4fff", withdrawal: "#2e7d32" };
  var datasets = Object.keys(data.series).map(function (name, index) {
    return {
      type: "line", label: name.replace(/_/g, " "), data: data.series[name].map(function (p) { return { x: Date.parse(p.x), y: p.y }; }),
      borderColor: palette[index % palette.length], backgroundColor: palette[index % palette.length],
      spanGaps: false, tension: 0.2, pointRadius: 2, yAxisID: / score$/.test(name) ? "y2" : "y"
    };
  });
  var byKind = {};
  data.markers.forEach(function (m) { (byKind[m.kind] = byKind[m.kind] || []).push({ x: Date.parse(m.x), y: 10.5, title: m.title }); });
  Object.keys(byKind).forEach(function (kind) {
    datasets.push({ type: "scatter", label: kind + "s", data: byKind[kind], pointStyle: "triangle", pointRadius: 6,
      backgroundColor: kinds[kind] || "#1d2a33", yAxisID: "y" });
  });
  new Chart(canvas, {
    data: { datasets: datasets },
    options: {
      responsive: true, maintainAspectRatio: false, animation: false,
      scales: { x: { type: "linear", ticks: { callback: function (v) { return new Date(v).toLocaleDateString(undefined, { day: "numeric", month: "short" }); } } },
                y: { min: 0, max: 11, title: { display: true, text: "check-in (0–10)" } },
                y2: { position: "right", min: 0, max: 30, grid: { drawOnChartArea: false },
                      title: { display: true, text: "questionnaire score" } } },
      plugins: { tooltip: { callbacks: { label: function (ctx) { return ctx.raw.title || (ctx.dataset.label + ": " + ctx.raw.y); } } } }
    }
  });
})();
