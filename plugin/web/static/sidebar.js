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

  // The verification as the view reads it: the decision, the case it read, and the customer.
  function modelOf(verification) {
    var decision = verification.decision || verification;
    var kase = verification.case || { ticket: {}, billing: {} };
    var billing = kase.billing || {};
    var invoices = byId(billing.invoices), payments = byId(billing.payments);
    var customer = verification.customer || kase.customer || {};
    var unverified = Boolean(customer.id && customer.matched_by && customer.matched_by !== "email");
    return {
      raw: verification, decision: decision, invoices: invoices, payments: payments,
      invoicesInQuestion: (decision.invoices || []).map(function (id) { return invoices[id] || { id: id }; }),
      customer: customer, requester: (kase.ticket || {}).requester || {},
      creditCap: verification.credit_cap || null,
      credits: verification.credits || [],
      unverified: unverified,
      approvalReason: unverified ? "the customer's identity is not verified" : "the credit is above the tier's cap"
    };
  }

  function load(lang) {
    var query = lang ? "?lang=" + encodeURIComponent(lang) : "";
    return api("GET", ticketPath("/verification" + query)).catch(function (error) {
      // A ticket nobody verified yet (no trigger fired): verify it now, once.
      if (!/not (been )?verified|no verification|HTTP 404/i.test(error.message)) { throw error; }
      return api("POST", ticketPath("/verify"), lang ? { lang: lang } : {});
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
