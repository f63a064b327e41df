/* Draws every chart on the page from its JSON spec: <div data-chart="ID"> + <script id="ID" type="application/json">
   {"option": <ECharts option>, "links": [url per data point]}. A click on a data point opens the list behind it. */
(function () {
  "use strict";
  var grouped = function (p) { return Number(p.value).toLocaleString("en-US"); };
  /* JSON cannot carry functions: the formatter name "thousands" stands for 12,484-style numbers. */
  function formatters(option) {
    (option.series || []).forEach(function (s) {
      if (s.label && s.label.formatter === "thousands") { s.label.formatter = grouped; }
    });
    return option;
  }
  function draw() {
    if (typeof echarts === "undefined") { return; }
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.dataset.chart);
      if (!source) { return; }
      var spec = JSON.parse(source.textContent);
      /* the height comes as data, not as a style attribute, which the Content-Security-Policy refuses */
      if (el.dataset.height) { el.style.height = el.dataset.height + "px"; }
      var chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(formatters(spec.option));
      if (spec.links && spec.links.length) {
        chart.on("click", function (p) {
          var url = spec.links[p.dataIndex];
          if (url) { window.location.href = url; }
        });
      }
      window.addEventListener("resize", function () { chart.resize(); });
      el.dataset.drawn = "1";
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
