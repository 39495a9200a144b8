/* nearzero dashboard: charts from JSON embedded in the page (no inline scripts, no CDN). */
(function () {
  "use strict";

  function data(id) {
    var node = document.getElementById(id + "-data");
    return node ? JSON.parse(node.textContent) : null;
  }

  function categories(el, d) {
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 40, right: 20, top: 40, bottom: 60 },
      xAxis: { type: "category", data: d.categories, axisLabel: { interval: 0, rotate: 30 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: d.labels.met, type: "bar", stack: "n", data: d.met, itemStyle: { color: "#2e7d32" } },
        { name: d.labels.not_met, type: "bar", stack: "n", data: d.not_met, itemStyle: { color: "#c62828" } },
        { name: d.labels.no_data, type: "bar", stack: "n", data: d.no_data || [], itemStyle: { color: "#78849e" } }
      ]
    });
    return chart;
  }

  function trend(el, d) {
    var chart = echarts.init(el);
    var series = d.series.map(function (s, i) {
      var target = d.targets[i] && d.targets[i].value;
      var out = { name: s.name, type: "line", data: s.data, connectNulls: true, symbolSize: 8 };
      if (target !== null && target !== undefined) {
        out.markLine = {
          symbol: "none",
          lineStyle: { type: "dashed", color: "#c62828" },
          label: { formatter: d.targetLabel + " " + target.toLocaleString() },
          data: [{ yAxis: target }]
        };
      }
      return out;
    });
    if (d.projection) {
      var proj = d.years.map(function (y) { return y === d.projection.year ? d.projection.value : null; });
      series.push({ name: d.projectionLabel, type: "scatter", data: proj, symbol: "diamond", symbolSize: 12,
                    itemStyle: { color: "#ef6c00" } });
    }
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 70, right: 30, top: 40, bottom: 30 },
      xAxis: { type: "category", data: d.years.map(String) },
      yAxis: { type: "value", name: d.unit, scale: true },
      series: series
    });
    return chart;
  }

  function scenario(el, d) {
    var chart = echarts.init(el);
    var s = d.series;
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 70, right: 30, top: 40, bottom: 30 },
      xAxis: { type: "category", data: d.years },
      yAxis: { type: "value", name: d.unit, scale: true },
      series: [
        { name: d.labels.recorded, type: "line", data: s.recorded, symbolSize: 8, itemStyle: { color: "#1f2933" } },
        { name: d.labels.bau, type: "line", data: s.bau, connectNulls: true, lineStyle: { type: "dashed" },
          itemStyle: { color: "#78849e" } },
        { name: d.labels.with_projects, type: "line", data: s.withProjects, connectNulls: true,
          itemStyle: { color: "#2e7d32" } },
        { name: d.labels.target_allowed, type: "scatter", data: s.target, symbol: "diamond", symbolSize: 14,
          itemStyle: { color: "#c62828" } }
      ]
    });
    return chart;
  }

  /* GHG inventory: stacked bars by sector and gas, sector → gas Sankey, trend, MC ranges. */
  function invSectors(el, d) {
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 70, right: 20, top: 40, bottom: 40 },
      xAxis: { type: "category", data: d.sectors, axisLabel: { interval: 0 } },
      yAxis: { type: "value", name: d.unit },
      series: d.series.map(function (s) { return { name: s.name, type: "bar", stack: "gas", barMaxWidth: 80, data: s.data }; })
    });
    return chart;
  }

  function invSankey(el, d) {
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "item" },
      series: [{ type: "sankey", data: d.nodes, links: d.links, left: 10, right: 60, top: 10, bottom: 10,
                 emphasis: { focus: "adjacency" }, lineStyle: { color: "gradient", opacity: 0.4 },
                 label: { fontSize: 12 } }]
    });
    return chart;
  }

  function invTrend(el, d) {
    var chart = echarts.init(el);
    var series = d.series.map(function (s) { return { name: s.name, type: "bar", stack: "sector", barMaxWidth: 80, data: s.data }; });
    series.push({ name: d.total.name, type: "line", data: d.total.data, symbolSize: 8, itemStyle: { color: "#1f2933" } });
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 70, right: 20, top: 60, bottom: 30 },
      xAxis: { type: "category", data: d.years },
      yAxis: { type: "value", name: d.unit },
      series: series
    });
    return chart;
  }

  function invRanges(el, d) {
    var chart = echarts.init(el);
    var width = d.high.map(function (h, i) { return h - d.low[i]; });
    chart.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0, data: [d.rangeLabel, d.meanLabel] },
      grid: { left: 200, right: 30, top: 40, bottom: 30 },
      yAxis: { type: "category", data: d.labels, inverse: true },
      xAxis: { type: "value", name: d.unit, scale: true },
      series: [
        { type: "bar", stack: "r", data: d.low, itemStyle: { color: "transparent" }, tooltip: { show: false },
          emphasis: { disabled: true } },
        { name: d.rangeLabel, type: "bar", stack: "r", data: width, itemStyle: { color: "#90a4ae" } },
        { name: d.meanLabel, type: "scatter", data: d.mean, symbol: "diamond", symbolSize: 10,
          itemStyle: { color: "#c62828" } }
      ]
    });
    return chart;
  }

  var draw = { categories: categories, trend: trend, scenario: scenario, invSectors: invSectors,
               invSankey: invSankey, invTrend: invTrend, invRanges: invRanges };
  var charts = [];
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var d = data(el.id);
    if (d && window.echarts) { charts.push(draw[el.getAttribute("data-chart")](el, d)); el.setAttribute("data-ready", "1"); }
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });

  document.querySelectorAll("select[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
})();

/* Report page: build a document in the background, show its progress, then offer the file. */
(function () {
  "use strict";
  var box = document.querySelector("[data-report-builds]");
  if (!box || !window.fetch) { return; }
  var token = box.querySelector("input[name=csrf_token]").value;

  function show(item, job) {
    var bar = item.querySelector(".progress"), status = item.querySelector(".status");
    bar.hidden = false;
    bar.querySelector("span").style.width = Math.round(100 * job.fraction) + "%";
    item.setAttribute("data-state", job.state);
    if (job.state === "failed") {
      status.textContent = status.getAttribute("data-failed") + "：" + job.error;
    } else if (job.state === "done") {
      status.textContent = status.getAttribute("data-ready") + "（" + job.filename + "）";
    } else {
      status.textContent = status.getAttribute("data-building") + " " +
        Math.round(100 * job.fraction) + "% " + (job.step || "");
    }
  }

  function poll(item, link, url) {
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (job) {
      show(item, job);
      if (job.state === "done") {
        link.href = job.download;
        link.setAttribute("data-built", "1");
        link.removeAttribute("aria-busy");
        window.location.assign(job.download);
      } else if (job.state === "failed") {
        link.removeAttribute("aria-busy");
      } else {
        window.setTimeout(function () { poll(item, link, url); }, 400);
      }
    }).catch(function () { link.removeAttribute("aria-busy"); });
  }

  box.querySelectorAll("a[data-build]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (link.getAttribute("data-built") === "1") { return; }  // the finished file
      event.preventDefault();
      if (link.getAttribute("aria-busy") === "true") { return; }
      link.setAttribute("aria-busy", "true");
      var item = link.closest("[data-kind]");
      var form = new FormData();
      form.append("csrf_token", token);
      form.append("year", box.getAttribute("data-year"));
      form.append("unit", box.getAttribute("data-unit"));
      form.append("format", link.getAttribute("data-build"));
      fetch("/report/jobs", { method: "POST", body: form, credentials: "same-origin" })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (job) { show(item, job); poll(item, link, job.poll); })
        .catch(function () { link.removeAttribute("aria-busy"); window.location.assign(link.href); });
    });
  });
})();

/* Carbon inclusion: credited grams per methodology version and period (stacked bars). */
(function () {
  "use strict";
  document.querySelectorAll("[data-inc-chart]").forEach(function (el) {
    var node = document.getElementById(el.id + "-data");
    if (!node || !window.echarts) { return; }
    var d = JSON.parse(node.textContent);
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 70, right: 20, top: 40, bottom: 30 },
      xAxis: { type: "category", data: d.periods },
      yAxis: { type: "value", name: d.unit },
      series: d.series.map(function (s) { return { name: s.name, type: "bar", stack: "g", data: s.data }; })
    });
    el.setAttribute("data-ready", "1");
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
