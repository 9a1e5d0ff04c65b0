/* Small inline-SVG charts for the dashboard: horizontal bars, one or two series per row.
 *
 * No library and no build step. Every label goes in through textContent / createTextNode,
 * every bar carries a <title> with its exact figure, and each chart has role="img" with a
 * summary; the table beside it is the accessible fallback with the same numbers.
 */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var COLORS = ["#1f73b7", "#ed8f1c", "#038153", "#cc3340"];

  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") { node.textContent = attrs.text; } else { node.setAttribute(name, attrs[name]); }
    });
    (children || []).forEach(function (child) { if (child) { node.appendChild(child); } });
    return node;
  }

  /* chart = {title, series: [names], rows: [{label, values: [number|null], texts: [string]}], max?} */
  function barChart(chart) {
    var rowHeight = 14 * chart.series.length + 10, labelWidth = 132, width = 420, barWidth = width - labelWidth - 100;  // room for "€12,345.00 (12)"
    var height = chart.rows.length * rowHeight + 24;
    var max = chart.max || Math.max.apply(null, chart.rows.reduce(function (all, row) {
      return all.concat(row.values.filter(function (v) { return v !== null; }));
    }, [0])) || 1;
    var summary = chart.title + ": " + chart.rows.map(function (row) {
      return row.label + " " + row.texts.map(function (t, i) { return chart.series[i] + " " + t; }).join(", ");
    }).join("; ");
    var root = svg("svg", { viewBox: "0 0 " + width + " " + height, role: "img", "aria-label": summary, "class": "pv-chart-svg" });
    chart.series.forEach(function (name, i) {
      root.appendChild(svg("rect", { x: labelWidth + i * 130, y: 2, width: 10, height: 10, fill: COLORS[i] }));
      root.appendChild(svg("text", { x: labelWidth + 14 + i * 130, y: 11, "class": "pv-chart-legend" }, name));
    });
    chart.rows.forEach(function (row, r) {
      var top = 22 + r * rowHeight;
      root.appendChild(svg("text", { x: labelWidth - 6, y: top + rowHeight / 2, "text-anchor": "end", "class": "pv-chart-label" }, row.label));
      row.values.forEach(function (value, i) {
        var y = top + i * 14, w = value === null ? 0 : Math.max(1, (value / max) * barWidth);
        var bar = svg("rect", { x: labelWidth, y: y, width: w, height: 11, rx: 2, fill: COLORS[i], "data-value": value === null ? "" : String(value) });
        bar.appendChild(svg("title", {}, row.label + " · " + chart.series[i] + ": " + row.texts[i]));
        root.appendChild(bar);
        root.appendChild(svg("text", { x: labelWidth + w + 4, y: y + 10, "class": "pv-chart-value" }, row.texts[i]));
      });
    });
    return el("figure", { "class": "pv-chart" }, [el("figcaption", { text: chart.title }), root]);
  }

  /* table = {caption, columns: [names], rows: [[cells as text]]} */
  function dataTable(table) {
    var head = el("tr", {}, table.columns.map(function (name) { return el("th", { scope: "col", text: name }); }));
    var body = table.rows.map(function (cells) {
      return el("tr", {}, cells.map(function (cell, i) { return el(i ? "td" : "th", i ? { text: cell } : { scope: "row", text: cell }); }));
    });
    return el("div", { "class": "pv-table-wrap" }, [el("table", { "class": "pv-table" }, [
      el("caption", { text: table.caption }), el("thead", {}, [head]), el("tbody", {}, body)])]);
  }

  window.PayverifyCharts = { barChart: barChart, dataTable: dataTable, el: el };
})();
