/* The sidebar: one API call for the verification, then the agent's one-click actions.
 *
 * GET /api/tickets/{id}/verification?lang=xx (POST /api/tickets/{id}/verify when the ticket was
 * never verified) and POST /api/tickets/{id}/actions/{action}, each with the session token as
 * `Authorization: Bearer`. Rendering is in sidebar-view.js, the hosts in sidebar-host.js.
 */
(function () {
  "use strict";
  var View = window.PayverifyView, Host = window.PayverifyHost, el = View.el;
  var body = document.body;
  var page = { host: body.dataset.host, ticketId: body.dataset.ticketId || "", session: body.dataset.session || "" };
  var state = { host: null, token: null, model: null, lang: null };
  var app = document.getElementById("app");
  var live = document.getElementById("pv-live");

  function api(method, path, payload) {
    var init = { method: method, headers: { "Authorization": "Bearer " + state.token } };
    if (payload !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(payload);
    }
    return fetch(path, init).then(Host.jsonOrThrow);
  }

  function ticketPath(suffix) { return "/api/tickets/" + encodeURIComponent(state.host.ticketId) + suffix; }

  function announce(text, ok) {
    live.textContent = text;
    live.className = "pv-live " + (ok ? "pv-live--ok" : "pv-live--error");
  }

  function byId(list) {
    var out = {};
    (list || []).forEach(function (item) { out[item.id] = item; });
    return out;
  }

  // GET /api/tickets/{id}/verification (plugin/web/summary.py) as the view reads it.
  function modelOf(v) {
    var customer = v.customer || {};
    var invoices = byId(v.invoices), payments = byId(v.payments);
    var credit = v.credit ? Object.assign({}, v.credit, { requires_approval: Boolean(v.credit.needs_approval || v.credit.requires_approval) }) : null;
    var decision = {
      intent: v.intent, language: v.language, tier: customer.tier, verdict: v.verdict, scenario: v.scenario,
      escalate: v.escalate, priority: v.priority, evidence: v.evidence || [], credit: credit, reply: v.reply,
      internal_note: v.internal_note, invoices: (v.invoices || []).map(function (i) { return i.id; }),
      payment_age_days: v.payment_age_days, follow_up_hours: v.follow_up_hours, extracted: v.extracted
    };
    var unverified = customer.identity_verified === false && Boolean(customer.id);
    return {
      raw: v, decision: decision, invoices: invoices, payments: payments,
      invoicesInQuestion: v.invoices || [], customer: customer,
      requester: { name: customer.name, email: customer.email },
      creditCap: v.credit_cap || null, credits: v.credits || [], actions: v.actions || {},
      followUp: v.follow_up, unverified: unverified,
      approvalReason: unverified ? "the customer's identity is not verified" : "the credit is above the tier's cap"
    };
  }

  function load(lang) {
    var query = lang ? "?lang=" + encodeURIComponent(lang) : "";
    return api("GET", ticketPath("/verification" + query)).catch(function (error) {
      // A ticket nobody verified yet (no trigger fired): verify it now, once.
      if (!/has not been verified/i.test(error.message)) { throw error; }
      return api("POST", ticketPath("/verify" + query), {});
    });
  }

  function render(verification) {
    state.model = modelOf(verification);
    state.lang = state.lang || state.model.decision.language;
    var nodes = View.sections(state.model).filter(Boolean);
    nodes.push(window.PayverifyReply.section(state, replyActions()));
    nodes.push(window.PayverifyActions.section(state, run));
    app.replaceChildren.apply(app, nodes);
    app.setAttribute("aria-busy", "false");
    performance.mark("pv-verdict-rendered");
    fit();
  }

  function fit() {
    if (state.host) { state.host.resize(Math.min(Math.max(document.documentElement.scrollHeight, 200), 2000)); }
  }

  function replyActions() {
    return {
      changeLanguage: function (lang) {
        state.lang = lang;
        return load(lang).then(function (verification) {
          state.model = modelOf(verification);
          window.PayverifyReply.show(state);
          announce("Reply preview switched to " + lang + ".", true);
        }).catch(function (error) { announce("Could not load the reply in " + lang + ": " + error.message, false); });
      },
      insert: function () {
        var reply = state.model.decision.reply;
        return state.host.insertReply({ html: window.PayverifyReply.bodyHtml(reply.html), text: reply.text })
          .then(function () { announce("Reply inserted into the editor (" + state.lang + ").", true); })
          .catch(function (error) { announce("Could not insert the reply: " + (error.message || error), false); });
      },
      send: function () { return run("reply", { lang: state.lang }, "Reply sent to the customer."); }
    };
  }

  // One action through the API; the caller disables its button while this runs.
  function run(action, payload, done) {
    return api("POST", ticketPath("/actions/" + action), payload || {}).then(function (result) {
      announce(result && result.already_done ? done + " (it had already been done: nothing was repeated)" : done, true);
      return result;
    }, function (error) {
      announce("Failed: " + error.message, false);
      throw error;
    });
  }

  function fail(error) {
    app.setAttribute("aria-busy", "false");
    app.replaceChildren(el("div", { "class": "c-callout c-callout--error pv-callout", role: "alert" }, [
      el("strong", { "class": "c-callout__title", text: "payverify could not load this ticket" }),
      el("p", { "class": "c-callout__paragraph", text: error.message || String(error) })]));
    fit();
  }

  Host.connect(page).then(function (host) {
    state.host = host;
    return host.session();
  }).then(function (token) {
    state.token = token;
    return load(null);
  }).then(render).catch(fail);
  window.addEventListener("resize", fit);
})();
