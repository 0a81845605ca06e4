// Draws every <canvas data-chart="ID"> from the JSON in <script id="ID" type="application/json">, which the
// page built from the same rows as the table beside the chart. Series differ by dash, point shape and
// fill pattern as well as colour, and bars carry their numbers, so the charts read without colour.
// Suppressed cells arrive as null and are not drawn.
(function () {
  "use strict";

  const INK = "#1a1a1a";
  const COLOURS = ["#0000bf", "#8a3c00", "#006e2e"];
  const DASHES = [[], [8, 4], [2, 3]];
  const POINTS = ["circle", "rect", "triangle"];
  const BAR_HEIGHT = 30;
  const numbers = new Intl.NumberFormat(document.documentElement.lang || "fi");

  // The first series is solid; the others are striped, so they differ in print and in greyscale too.
  function fill(index, colour) {
    if (index === 0) {
      return colour;
    }
    const size = 8;
    const tile = document.createElement("canvas");
    tile.width = size;
    tile.height = size;
    const context = tile.getContext("2d");
    context.fillStyle = "#fff";
    context.fillRect(0, 0, size, size);
    context.strokeStyle = colour;
    context.lineWidth = 2;
    context.beginPath();
    context.moveTo(0, size);
    context.lineTo(size, 0);
    context.stroke();
    return context.createPattern(tile, "repeat");
  }

  const valueLabels = {
    id: "kaikukantaValueLabels",
    afterDatasetsDraw(chart) {
      if (chart.config.type !== "bar") {
        return;
      }
      const context = chart.ctx;
      const horizontal = chart.options.indexAxis === "y";
      context.save();
      context.fillStyle = INK;
      context.font = "13px Arial, sans-serif";
      chart.data.datasets.forEach((dataset, datasetIndex) => {
        chart.getDatasetMeta(datasetIndex).data.forEach((bar, index) => {
          const value = dataset.data[index];
          if (value === null || value === undefined) {
            return;
          }
          const text = numbers.format(value);
          if (horizontal) {
            context.textAlign = "left";
            context.textBaseline = "middle";
            context.fillText(text, bar.x + 4, bar.y);
          } else {
            context.textAlign = "center";
            context.textBaseline = "bottom";
            context.fillText(text, bar.x, bar.y - 2);
          }
        });
      });
      context.restore();
    },
  };

  function draw(canvas) {
    const source = document.getElementById(canvas.dataset.chart);
    if (!source || typeof Chart === "undefined" || Chart.getChart(canvas)) {
      return;
    }
    const data = JSON.parse(source.textContent);
    const line = data.kind === "line";
    const horizontal = data.kind === "hbar";
    if (horizontal) {
      canvas.parentElement.style.height = `${data.labels.length * BAR_HEIGHT + 60}px`;
    }
    const datasets = data.series.map((series, index) => ({
      label: series.label,
      data: series.values,
      borderColor: COLOURS[index % COLOURS.length],
      backgroundColor: line ? COLOURS[index % COLOURS.length] : fill(index, COLOURS[index % COLOURS.length]),
      borderWidth: line ? 3 : 2,
      borderDash: line ? DASHES[index % DASHES.length] : [],
      pointStyle: POINTS[index % POINTS.length],
      pointRadius: line ? 5 : 0,
      spanGaps: false,
    }));
    const valueAxis = { beginAtZero: true, grace: "12%", ticks: { precision: 0, color: INK } };
    const categoryAxis = { reverse: Boolean(horizontal && data.reverse), ticks: { color: INK } };
    new Chart(canvas, {
      type: line ? "line" : "bar",
      data: { labels: data.labels, datasets },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        layout: { padding: { right: horizontal ? 48 : 8, top: 8 } },
        plugins: {
          legend: { display: datasets.length > 1, labels: { usePointStyle: true, color: INK } },
        },
        scales: horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis },
      },
      plugins: [valueLabels],
    });
  }

  function drawAll(root) {
    root.querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  if (window.htmx) {
    // Also draws the charts of content htmx swaps in (the breakdown picker).
    window.htmx.onLoad(drawAll);
  } else {
    document.addEventListener("DOMContentLoaded", () => drawAll(document));
  }
})();
