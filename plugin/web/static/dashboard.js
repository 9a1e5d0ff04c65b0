/* The KPI dashboard: GET /api/metrics/kpis?since&until, drawn as cards, bar charts and tables.
 *
 * The seed guide's KPIs: auto-resolution and escalation rates, time to first response and to
 * resolution, CSAT, credits issued and reversed; overall and by scenario, tier and language.
 */
(function () {
  "use strict";
  var Charts = window.PayverifyCharts, el = Charts.el;
  var token = document.body.dataset.session || "";
  var root = document.getElementById("pv-kpis"), live = document.getElementById("pv-live");
  var form = document.getElementById("pv-range");
  var DIMENSIONS = [["by_scenario", "By scenario"], ["by_tier", "By tier"], ["by_language", "By language"]];

  function num(value) { return value === null || value === undefined ? null : Number(value); }
  function percent(rate) { return rate === null || rate === undefined ? "—" : (Number(rate) * 100).toFixed(1) + " %"; }
  function duration(seconds) {
    if (seconds === null || seconds === undefined) { return "—"; }
    var s = Number(seconds);
    if (s < 90) { return s.toFixed(0) + " s"; }
    if (s < 5400) { return (s / 60).toFixed(1) + " min"; }
    return (s / 3600).toFixed(1) + " h";
  }
  function csat(f) { return f.csat_average === null || f.csat_average === undefined ? "—" : Number(f.csat_average).toFixed(2) + " / 5"; }
  function money(totals) {
    var parts = Object.keys(totals || {}).sort().map(function (currency) {
      var t = totals[currency];
      var text;
      try { text = new Intl.NumberFormat("en", { style: "currency", currency: currency }).format(t.amount); } catch (e) { text = t.amount + " " + currency; }
      return text + " (" + t.count + ")";
    });
    return parts.length ? parts.join(", ") : "—";
  }
  function currencies(kpis) {
    var seen = {};
    [kpis.overall].forEach(function (f) {
      Object.keys(f.credits_issued || {}).concat(Object.keys(f.credits_reversed || {})).forEach(function (c) { seen[c] = true; });
    });
    return Object.keys(seen).sort();
  }

  function card(label, value, id) {
    return el("div", { "class": "pv-card" }, [el("p", { "class": "pv-card-label", text: label }), el("p", { "class": "pv-card-value", id: id, text: value })]);
  }

  function overall(f) {
    return el("section", { "class": "pv-cards", "aria-label": "Overall" }, [
      card("Tickets verified", String(f.verified), "kpi-verified"),
      card("Auto-resolution rate", percent(f.auto_resolution_rate), "kpi-auto-resolution"),
      card("Escalation rate", percent(f.escalation_rate), "kpi-escalation"),
      card("Time to first response", duration(f.first_response_seconds_avg), "kpi-first-response"),
      card("Time to resolution", duration(f.resolution_seconds_avg), "kpi-resolution"),
      card("CSAT (" + f.csat_responses + " answers)", csat(f), "kpi-csat"),
      card("Credits issued", money(f.credits_issued), "kpi-credits-issued"),
      card("Credits reversed", money(f.credits_reversed), "kpi-credits-reversed")]);
  }

  function dimension(key, title, slices, currencyList) {
    var names = Object.keys(slices || {}).sort();
    if (!names.length) { return el("section", { "class": "pv-dimension" }, [el("h2", { text: title }), el("p", { "class": "pv-muted", text: "No events in this range." })]); }
    function rows(pick) { return names.map(function (n) { return pick(n, slices[n]); }); }
    var charts = [
      Charts.barChart({ title: "Auto-resolution and escalation", series: ["auto-resolved", "escalated"], max: 1,
        rows: rows(function (n, f) { return { label: n, values: [num(f.auto_resolution_rate), num(f.escalation_rate)], texts: [percent(f.auto_resolution_rate), percent(f.escalation_rate)] }; }) }),
      Charts.barChart({ title: "Time to first response and to resolution", series: ["first response", "resolution"],
        rows: rows(function (n, f) { return { label: n, values: [num(f.first_response_seconds_avg), num(f.resolution_seconds_avg)], texts: [duration(f.first_response_seconds_avg), duration(f.resolution_seconds_avg)] }; }) }),
      Charts.barChart({ title: "CSAT (1-5)", series: ["average"], max: 5,
        rows: rows(function (n, f) { return { label: n, values: [num(f.csat_average)], texts: [csat(f)] }; }) })
    ];
    currencyList.forEach(function (currency) {
      charts.push(Charts.barChart({ title: "Credits in " + currency, series: ["issued", "reversed"],
        rows: rows(function (n, f) {
          var issued = (f.credits_issued || {})[currency], reversed = (f.credits_reversed || {})[currency];
          var sub = function (t) { var o = {}; if (t) { o[currency] = t; } return money(o); };
          return { label: n, values: [issued ? num(issued.amount) : null, reversed ? num(reversed.amount) : null], texts: [sub(issued), sub(reversed)] };
        }) }));
    });
    var table = Charts.dataTable({ caption: title + ": all figures", columns: [title.replace("By ", ""), "verified", "auto-resolution", "escalation", "first response", "resolution", "CSAT", "credits issued", "credits reversed"],
      rows: rows(function (n, f) { return [n, String(f.verified), percent(f.auto_resolution_rate), percent(f.escalation_rate), duration(f.first_response_seconds_avg), duration(f.resolution_seconds_avg), csat(f), money(f.credits_issued), money(f.credits_reversed)]; }) });
    return el("section", { "class": "pv-dimension", id: "pv-" + key, "aria-labelledby": "pv-h-" + key },
      [el("h2", { id: "pv-h-" + key, text: title }), el("div", { "class": "pv-chart-grid" }, charts), table]);
  }

  function query() {
    var params = new URLSearchParams();
    var since = form.elements.since.value, until = form.elements.until.value;
    // Whole days in UTC: until is inclusive for the reader, exclusive for the API.
    if (since) { params.set("since", since + "T00:00:00Z"); }
    if (until) { params.set("until", new Date(Date.parse(until + "T00:00:00Z") + 86400000).toISOString().replace(".000", "")); }
    var text = params.toString();
    return text ? "?" + text : "";
  }

  function load() {
    root.setAttribute("aria-busy", "true");
    var headers = token ? { "Authorization": "Bearer " + token } : {};
    return fetch("/api/metrics/kpis" + query(), { headers: headers }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok) { throw new Error(body.error || ("HTTP " + response.status)); }
        return body;
      });
    }).then(function (kpis) {
      var list = currencies(kpis);
      root.replaceChildren.apply(root, [overall(kpis.overall)].concat(DIMENSIONS.map(function (d) { return dimension(d[0], d[1], kpis[d[0]], list); })));
      live.textContent = kpis.overall.verified + " tickets verified in this range.";
      live.className = "pv-live pv-live--ok";
      performance.mark("pv-dashboard-rendered");
    }).catch(function (error) {
      live.textContent = "Could not load the KPIs: " + error.message;
      live.className = "pv-live pv-live--error";
    }).then(function () { root.setAttribute("aria-busy", "false"); });
  }

  form.addEventListener("submit", function (event) { event.preventDefault(); load(); });
  form.querySelectorAll("[data-days]").forEach(function (button) {
    button.addEventListener("click", function () {
      var days = Number(button.dataset.days);
      form.elements.until.value = days ? new Date().toISOString().slice(0, 10) : "";
      form.elements.since.value = days ? new Date(Date.now() - (days - 1) * 86400000).toISOString().slice(0, 10) : "";
      load();
    });
  });
  load();
})();
