/* Draws questionnaire trajectories with Chart.js: severity bands shaded (a small plugin),
   reliable change / response / remission as marked points. The data come from a
   json_script element; the same values are in a table for screen readers and no-JS. */
(function () {
  "use strict";

  var BAND_FILL = ["rgba(46,125,50,0.10)", "rgba(150,170,40,0.12)", "rgba(224,164,32,0.15)",
                   "rgba(217,112,44,0.15)", "rgba(179,38,30,0.14)"];
  var MARKERS = {
    reliable_improvement: { style: "triangle", colour: "#2e7d32" },
    reliable_deterioration: { style: "rectRot", colour: "#b3261e" },
    response: { style: "star", colour: "#1f6f78" },
    remission: { style: "circle", colour: "#6a1b9a" }
  };

  // Integer scores: band edges sit half-way between one band's max and the next one's min.
  function bandEdges(bands, min, max) {
    var sorted = bands.slice().sort(function (a, b) { return a.min - b.min; });
    return sorted.map(function (band, i) {
      var low = i === 0 ? min : (sorted[i - 1].max + band.min) / 2;
      var high = i === sorted.length - 1 ? max : (band.max + sorted[i + 1].min) / 2;
      return { low: low, high: high, label: band.label, level: band.level };
    });
  }

  var bandsPlugin = {
    id: "waymarkBands",
    beforeDatasetsDraw: function (chart, args, options) {
      var bands = options.bands || [];
      if (!bands.length) { return; }
      var area = chart.chartArea, y = chart.scales.y, ctx = chart.ctx;
      ctx.save();
      bands.forEach(function (band) {
        var top = y.getPixelForValue(band.high), bottom = y.getPixelForValue(band.low);
        ctx.fillStyle = BAND_FILL[Math.min(band.level, 4)];
        ctx.fillRect(area.left, top, area.right - area.left, bottom - top);
        if (bottom - top > 12) {
          ctx.fillStyle = "rgba(29,42,51,0.6)";
          ctx.font = "11px system-ui, sans-serif";
          ctx.textAlign = "right";
          ctx.textBaseline = "top";
          ctx.fillText(band.label, area.right - 4, top + 2);
        }
      });
      ctx.restore();
    }
  };

  function day(t) {
    return new Date(t).toLocaleDateString(undefined, { day: "numeric", month: "short" });
  }

  function draw(holder) {
    if (holder.dataset.drawn || typeof window.Chart === "undefined") { return; }
    var source = document.getElementById(holder.dataset.source);
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    var line = data.points.map(function (p) { return { x: p.t, y: p.y, band: p.band }; });
    var datasets = [{
      label: data.label, data: line, borderColor: "#1f6f78", backgroundColor: "#1f6f78",
      pointRadius: 4, tension: 0, order: 2
    }];
    Object.keys(MARKERS).forEach(function (kind) {
      var hits = data.points.filter(function (p) { return p.markers.indexOf(kind) >= 0; });
      if (!hits.length) { return; }
      datasets.push({
        label: data.markerLabels[kind], type: "scatter", order: 1,
        data: hits.map(function (p) { return { x: p.t, y: p.y }; }),
        pointStyle: MARKERS[kind].style, pointRadius: 9, pointHoverRadius: 10,
        borderColor: MARKERS[kind].colour, backgroundColor: MARKERS[kind].colour, showLine: false
      });
    });
    var xs = line.map(function (p) { return p.x; });
    var pad = 86400000;
    new window.Chart(holder.querySelector("canvas"), {
      type: "line",
      data: { datasets: datasets },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        interaction: { mode: "nearest", intersect: true },
        scales: {
          x: { type: "linear", min: Math.min.apply(null, xs) - pad, max: Math.max.apply(null, xs) + pad,
               ticks: { callback: function (v) { return day(v); }, maxTicksLimit: 6 } },
          y: { min: data.min, max: data.max, title: { display: true, text: data.label } }
        },
        plugins: {
          waymarkBands: { bands: bandEdges(data.bands, data.min, data.max) },
          legend: { display: datasets.length > 1, labels: { usePointStyle: true } },
          tooltip: { callbacks: {
            title: function (items) { return day(items[0].parsed.x); },
            label: function (item) {
              var band = item.raw.band ? " (" + item.raw.band + ")" : "";
              return item.dataset.label + ": " + item.parsed.y + band;
            }
          } }
        }
      },
      plugins: [bandsPlugin]
    });
    holder.hidden = false;
    holder.dataset.drawn = "1";
  }

  function drawAll() {
    document.querySelectorAll("[data-trajectory]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
