// Every [data-chart] element is an ECharts chart whose option is the attribute's JSON (the page wrote it).
document.addEventListener("DOMContentLoaded", () => {
  if (typeof echarts === "undefined") return;
  for (const element of document.querySelectorAll("[data-chart]")) {
    const chart = echarts.init(element);
    chart.setOption(JSON.parse(element.dataset.chart));
    window.addEventListener("resize", () => chart.resize());
  }
});
