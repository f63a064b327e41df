/* The tender's Gantt: <div data-gantt="ID"> + <script id="ID" type="application/json"> with
   {names, bars: [{value: [row, start, end, kind], tip}], links, today, target, labels, lang}
   (kind 0 planned, 1 actual, 2 forecast; dates as YYYY-MM-DD). Drawn with ECharts' custom series: per
   milestone the planned bar above and the actual (or forecast) bar below, a red line for today and a
   green one for the target. A click on a bar opens the milestone's row (or the tender's page). */
(function () {
  "use strict";
  var DAY = 86400000;
  var STYLE = [
    { fill: "#b8c4d6", offset: -0.19 },
    { fill: "#1f5fa8", offset: 0.19 },
    { fill: "rgba(31,95,168,0.22)", stroke: "#1f5fa8", dash: [4, 3], offset: 0.19 }
  ];
  function day(iso) { var p = iso.split("-"); return new Date(+p[0], +p[1] - 1, +p[2]).getTime(); }

  function renderItem(params, api) {
    var row = api.value(0), kind = api.value(3);
    var start = api.coord([api.value(1), row]);
    var end = api.coord([api.value(2) + DAY, row]);
    var band = api.size([0, 1])[1], height = Math.max(band * 0.34, 4);
    var rect = { x: start[0], y: start[1] + STYLE[kind].offset * band - height / 2,
                 width: Math.max(end[0] - start[0], 3), height: height };
    var cs = params.coordSys;
    var shape = echarts.graphic.clipRectByRect(rect, { x: cs.x, y: cs.y, width: cs.width, height: cs.height });
    if (!shape) { return null; }
    var style = { fill: STYLE[kind].fill };
    if (STYLE[kind].stroke) { style.stroke = STYLE[kind].stroke; style.lineDash = STYLE[kind].dash; style.lineWidth = 1; }
    return { type: "rect", transition: ["shape"], shape: shape, style: style };
  }

  function option(spec) {
    var series = [0, 1, 2].map(function (kind) {
      var name = [spec.labels.planned, spec.labels.actual, spec.labels.forecast][kind];
      return {
        type: "custom", name: name, renderItem: renderItem, encode: { x: [1, 2], y: 0 },
        itemStyle: { color: STYLE[kind].fill, borderColor: STYLE[kind].stroke || STYLE[kind].fill,
                     borderType: STYLE[kind].stroke ? "dashed" : "solid", borderWidth: STYLE[kind].stroke ? 1 : 0 },
        data: spec.bars.filter(function (b) { return b.value[3] === kind; }).map(function (b) {
          return { value: [b.value[0], day(b.value[1]), day(b.value[2]), kind], tip: b.tip };
        })
      };
    });
    var today = day(spec.today), target = day(spec.target);
    series[0].markLine = {
      symbol: "none", silent: true,
      label: { formatter: "{b}", position: "insideStartTop", fontSize: 11 },
      data: [
        { name: spec.labels.today + " " + spec.today, xAxis: today, lineStyle: { color: "#b42318", width: 2 } },
        { name: spec.labels.target + " " + spec.target, xAxis: target, lineStyle: { color: "#1b7f3b", width: 2, type: "dashed" } }
      ]
    };
    var all = [today, target];
    spec.bars.forEach(function (b) { all.push(day(b.value[1]), day(b.value[2])); });
    var min = Math.min.apply(null, all), max = Math.max.apply(null, all);
    var en = spec.lang === "en";
    return {
      animation: false,
      tooltip: { trigger: "item", formatter: function (p) { return p.data && p.data.tip ? p.data.tip : ""; } },
      legend: { top: 0 },
      grid: { left: 8, right: 24, top: 40, bottom: 28, containLabel: true },
      xAxis: {
        type: "time", min: min - 4 * DAY, max: max + 6 * DAY, position: "bottom",
        axisLabel: { hideOverlap: true, formatter: en ? { year: "{yyyy}", month: "{MMM}", day: "{d} {MMM}" }
                                                  : { year: "{yyyy}年", month: "{M}月", day: "{M}月{d}日" } },
        splitLine: { show: true, lineStyle: { color: "#eef1f5" } }
      },
      yAxis: { type: "category", data: spec.names, inverse: true, axisTick: { show: false },
               axisLabel: { width: 150, overflow: "truncate" } },
      series: series
    };
  }

  function draw() {
    if (typeof echarts === "undefined") { return; }
    document.querySelectorAll("[data-gantt]").forEach(function (el) {
      if (el.dataset.drawn) { return; }
      var source = document.getElementById(el.dataset.gantt);
      if (!source) { return; }
      var spec = JSON.parse(source.textContent);
      if (el.dataset.height) { el.style.height = el.dataset.height + "px"; }  /* no style attribute: CSP */
      var chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(option(spec));
      chart.on("click", function (p) {
        var url = p.data && spec.links[p.data.value[0]];
        if (url) { window.location.href = url; }
      });
      window.addEventListener("resize", function () { chart.resize(); });
      el.dataset.drawn = "1";
    });
  }
  /* echarts.min.js may be loaded (deferred) after this file: draw once everything has loaded. */
  if (document.readyState === "complete") { draw(); } else { window.addEventListener("load", draw); }
})();
