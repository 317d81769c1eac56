// Draws every chart whose figure the page carries as JSON; the table next to it holds the
// same figures for readers without scripts or charts.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("figure.chart").forEach(function (figure) {
    var data = figure.querySelector("script[type='application/json']");
    var target = figure.querySelector(".plot");
    if (!data || !target || typeof Plotly === "undefined") { return; }
    var spec = JSON.parse(data.textContent);
    Plotly.newPlot(target, spec.data, spec.layout, {displaylogo: false, responsive: true});
  });
});
