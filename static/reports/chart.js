// Draws a report's chart from the configuration the page embeds (the same numbers as its table).
(function () {
  var config = document.getElementById("report-chart-config");
  var canvas = document.getElementById("report-chart");
  if (!config || !canvas || typeof Chart === "undefined") { return; }
  var spec = JSON.parse(config.textContent);
  if (spec.data.datasets.some(function (d) { return d.stack; })) {
    spec.options.scales = { x: { stacked: true }, y: { stacked: true, beginAtZero: true } };
  }
  canvas.chart = new Chart(canvas, spec);
  canvas.dataset.ready = "true";
})();
