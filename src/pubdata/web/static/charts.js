// Every element with a data-chart attribute holds an ECharts option as JSON (built by the page's server code);
// draw it once echarts.min.js has loaded, and redraw on resize.
document.addEventListener("DOMContentLoaded", function () {
  if (typeof echarts === "undefined") return;
  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var chart = echarts.init(element, null, { renderer: "svg" });
    chart.setOption(JSON.parse(element.dataset.chart));
    window.addEventListener("resize", function () { chart.resize(); });
  });
});
