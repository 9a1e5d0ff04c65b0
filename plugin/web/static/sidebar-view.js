/* The sidebar's read-only view: customer, invoices, payments, verdict and why, scenario, credit.
 *
 * Customer text is data: every value goes into the DOM through textContent (el() below), never
 * through innerHTML. The reply preview, which is HTML escaped by the server, is rendered by
 * sidebar.js in a sandboxed iframe, never inline.
 */
(function () {
  "use strict";

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") { node.textContent = attrs.text; } else { node.setAttribute(name, attrs[name]); }
    });
    (children || []).forEach(function (child) {
      if (child !== null && child !== undefined) {
        node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
      }
    });
    return node;
  }

  // Amounts are decimal strings: Intl formats the string itself, so no float rounding happens.
  function money(amount, currency, locale) {
    if (amount === null || amount === undefined) { return "—"; }
    try {
      return new Intl.NumberFormat(locale || "en", { style: "currency", currency: currency }).format(amount);
    } catch (e) {
      return amount + " " + (currency || "");
    }
  }

  function day(iso) {
    if (!iso) { return "an unknown date"; }
    var d = new Date(iso);
    if (isNaN(d.getTime())) { return String(iso); }
    return new Intl.DateTimeFormat("en", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" }).format(d);
  }

  var METHODS = { card: "card", bank_transfer: "bank transfer", sepa_debit: "SEPA debit",
    ach_debit: "ACH debit", paypal: "PayPal", other: "other" };
  var MATCHED = {
    email: "by the requester's email address",
    invoice_ref: "only by an invoice number quoted in the ticket",
    transaction_id: "only by a transaction id quoted in the ticket"
  };
  var WHY = {
    linked: "it is linked to the invoice",
    transaction_id: "the customer quoted its id",
    reference: "the customer quoted its reference",
    amount: "same amount and currency, not linked to another invoice"
  };
  var VERDICTS = {
    paid: ["Paid", "green"], payment_found_unapplied: ["Payment found, not applied", "blue"],
    processing: ["Processing", "blue"], failed: ["Payment failed", "red"],
    partial: ["Partially paid", "yellow"], refunded: ["Refunded", "red"],
    disputed: ["Disputed", "red"], not_found: ["Payment not found", "yellow"]
  };
  var SCENARIOS = {
    RECENT_PAYMENT: "Recent payment", OLD_PAYMENT: "Old payment (escalated)",
    MULTIPLE_INVOICES: "Several invoices", RECURRING_ISSUE: "Recurring issue",
    PARTIAL_PAYMENT: "Partial payment", VIP_CUSTOMER: "VIP customer"
  };

  function invoiceName(inv) { return inv ? (inv.number || inv.id) : "the invoice"; }

  // Why the engine decided what it did, in plain words, from the evidence it kept (POLICY §6-7).
  function explain(model) {
    var d = model.decision, ev = d.evidence || [], first = ev[0];
    var pay = first ? model.payments[first.payment] : null;
    var inv = first ? model.invoices[first.invoice] : model.invoicesInQuestion[0];
    var what = pay ? (METHODS[pay.method] || pay.method) + " payment of " + money(pay.amount, pay.currency) +
      " on " + day(pay.created) + " (" + pay.id + ")" : "The matching payment";
    var because = first ? " — matched because " + (WHY[first.why] || first.why) + "." : ".";
    var names = model.invoicesInQuestion.map(invoiceName).join(", ") || "no invoice";
    switch (d.verdict) {
      case "paid": return "Every invoice in question (" + names + ") is already paid: nothing is owed.";
      case "payment_found_unapplied": return "A succeeded " + what + " pays " + invoiceName(inv) +
        ", but the invoice does not count it yet" + because;
      case "processing": return "A " + what + " is still processing for " + invoiceName(inv) + because;
      case "failed": return "The " + what + " for " + invoiceName(inv) + " failed" + because;
      case "refunded": return "The " + what + " for " + invoiceName(inv) + " was refunded" + because;
      case "disputed": return "The " + what + " for " + invoiceName(inv) + " is disputed (chargeback)" + because;
      case "partial": return invoiceName(inv) + ": " + money(inv && inv.amount_paid, inv && inv.currency) +
        " received of " + money(inv && inv.amount_due, inv && inv.currency) + "; the rest is still open.";
      case "not_found": return "No payment for " + names + " was found: none is linked to it, none carries " +
        "an id or reference the customer quoted, and none has its exact amount.";
      default: return "This ticket is not a payment claim; nothing to verify.";
    }
  }

  function claim(extracted) {
    if (!extracted) { return null; }
    var parts = [];
    (extracted.amounts || []).forEach(function (a) { parts.push(a.currency ? money(a.amount, a.currency) : a.amount); });
    if (extracted.payment_method) { parts.push("by " + (METHODS[extracted.payment_method] || extracted.payment_method)); }
    if (extracted.payment_date) { parts.push("on " + day(extracted.payment_date)); }
    if ((extracted.transaction_ids || []).length) { parts.push("ref. " + extracted.transaction_ids.join(", ")); }
    return parts.length ? "The customer says they paid " + parts.join(" ") + "." : null;
  }

  function tag(text, color) { return el("span", { "class": "c-tag c-tag--pill c-tag--" + color, text: text }); }

  function section(title, id, children) {
    return el("section", { "class": "pv-section", "aria-labelledby": id }, [el("h2", { id: id, text: title })].concat(children));
  }

  function customerSection(model) {
    var c = model.customer, requester = model.requester;
    var rows = [
      el("p", { "class": "pv-name" }, [el("bdi", { text: requester.name || c.name || "Unknown customer" }), " ",
        tag(model.decision.tier || "STANDARD", model.decision.tier === "VIP" || model.decision.tier === "ENTERPRISE" ? "kale" : "grey")]),
      el("p", { "class": "pv-muted", text: requester.email || c.email || "" }),
      el("p", { "class": "pv-muted", text: c.id ? "Billing customer " + c.id + ", matched " + (MATCHED[c.matched_by] || c.matched_by) + "." : "No billing customer found." })
    ];
    if (model.unverified) {
      rows.push(el("div", { "class": "c-callout c-callout--warning pv-callout", role: "note" }, [
        el("strong", { "class": "c-callout__title", text: "Identity not verified" }),
        el("p", { "class": "c-callout__paragraph", text: "The requester's email is not the billing customer's: they may be quoting someone else's invoice. Credits need approval." })
      ]));
    }
    return section("Customer", "pv-h-customer", rows);
  }

  function invoicesSection(model) {
    var items = model.invoicesInQuestion.map(function (inv) {
      return el("li", {}, [el("strong", { text: invoiceName(inv) }), " · " + inv.status + " · " +
        money(inv.amount_due, inv.currency) + (Number(inv.amount_paid) > 0 ? " (" + money(inv.amount_paid, inv.currency) + " paid)" : "") +
        (inv.due_date ? " · due " + day(inv.due_date) : "")]);
    });
    return section("Invoices in question", "pv-h-invoices", [items.length ? el("ul", { "class": "pv-list" }, items) : el("p", { "class": "pv-muted", text: "None." })]);
  }

  function paymentsSection(model) {
    var items = (model.decision.evidence || []).map(function (ev) {
      var p = model.payments[ev.payment] || { id: ev.payment };
      return el("li", {}, [el("strong", { text: p.amount ? money(p.amount, p.currency) : ev.payment }), " · " + ev.status +
        " · " + (METHODS[p.method] || p.method || "") + " · " + day(p.created), el("br"),
        el("span", { "class": "pv-muted", text: p.id + " → " + invoiceName(model.invoices[ev.invoice]) + " (" + (WHY[ev.why] || ev.why) + ")" + (ev.applied ? ", applied" : "") })]);
    });
    var said = claim(model.decision.extracted);
    return section("Payments found", "pv-h-payments", [
      items.length ? el("ul", { "class": "pv-list" }, items) : el("p", { "class": "pv-muted", text: "No matching payment in billing." }),
      said ? el("p", { "class": "pv-muted", text: said }) : null]);
  }

  function verdictSection(model) {
    var d = model.decision, label = VERDICTS[d.verdict] || ["Not a payment claim", "grey"];
    var facts = [];
    if (d.scenario) { facts.push(SCENARIOS[d.scenario] || d.scenario); }
    if (d.payment_age_days !== null && d.payment_age_days !== undefined) { facts.push("paid " + d.payment_age_days + " days ago"); }
    facts.push("priority " + d.priority);
    if (d.follow_up_hours) { facts.push("follow-up in " + d.follow_up_hours + " h"); }
    if (model.followUp) { facts.push("follow-up " + day(model.followUp.due_at)); }
    return section("Verdict", "pv-h-verdict", [
      el("p", { id: "pv-verdict" }, [tag(label[0], label[1]), d.escalate ? " " : null, d.escalate ? tag("Escalate", "red") : null]),
      el("p", { id: "pv-why", text: explain(model) }),
      el("p", { id: "pv-scenario", "class": "pv-muted", text: facts.join(" · ") })]);
  }

  function creditSection(model) {
    var credit = model.decision.credit;
    if (!credit) { return null; }
    var lines = [el("p", { id: "pv-credit-amount" }, [el("strong", { text: money(credit.amount, credit.currency) }), " temporary credit while the payment is traced"])];
    if (model.creditCap) { lines.push(el("p", { "class": "pv-muted", text: "Cap for " + model.decision.tier + ": " + money(model.creditCap.amount, model.creditCap.currency || credit.currency) })); }
    lines.push(el("p", { "class": credit.requires_approval ? "pv-warn" : "pv-muted", text: credit.requires_approval ? "Approval needed: " + model.approvalReason + "." : "No approval needed." }));
    return section("Credit proposal", "pv-h-credit", lines);
  }

  window.PayverifyView = {
    el: el, money: money, day: day, invoiceName: invoiceName, explain: explain,
    sections: function (model) {
      return [verdictSection(model), customerSection(model), invoicesSection(model), paymentsSection(model), creditSection(model)];
    }
  };
})();
