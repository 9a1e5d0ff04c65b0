/* The agent's actions: note, credit (confirm; approval when needed), apply the found payment,
 * mark paid out of band, pause dunning, escalate. Each is one POST /api/tickets/{id}/actions/X.
 */
(function () {
  "use strict";
  var View = window.PayverifyView, Reply = window.PayverifyReply, el = View.el;

  // An inline confirmation (no window.confirm: host iframes may forbid modals).
  function confirmPanel(id, message, fields, confirmLabel, onConfirm, onCancel) {
    var inputs = fields.map(function (field) {
      return el("div", { "class": "pv-row" }, [
        el("label", { "for": id + "-" + field.name, "class": "c-field__label", text: field.label }),
        el("input", { id: id + "-" + field.name, name: field.name, "class": "c-field__input", required: "", autocomplete: "off" })]);
    });
    var confirm = Reply.button(confirmLabel, "primary", id + "-confirm");
    var cancel = Reply.button("Cancel", "basic", id + "-cancel");
    var panel = el("div", { id: id, "class": "pv-confirm", role: "group", "aria-label": confirmLabel },
      [el("p", { text: message })].concat(inputs, [confirm, cancel]));
    Reply.oneClick(confirm, function () {
      var values = {};
      for (var i = 0; i < fields.length; i++) {
        var input = panel.querySelector("#" + id + "-" + fields[i].name);
        if (!input.value.trim()) {
          input.setAttribute("aria-invalid", "true");
          input.focus();
          return Promise.reject(new Error(fields[i].label + " is required"));
        }
        values[fields[i].name] = input.value.trim();
      }
      return onConfirm(values).then(function () { panel.remove(); });
    });
    cancel.addEventListener("click", function () { panel.remove(); onCancel(); });
    setTimeout(function () { (panel.querySelector("input") || confirm).focus(); }, 0);
    return panel;
  }

  // A button that opens a confirmation below itself and is done once the action succeeded.
  function confirmed(label, kind, id, panelFor, doneLabel) {
    var opener = Reply.button(label, kind, id);
    opener.addEventListener("click", function () {
      if (opener.disabled) { return; }
      opener.disabled = true;
      opener.after(panelFor(function () {
        opener.textContent = doneLabel;
        opener.focus();
      }, function () {
        opener.disabled = false;
        opener.focus();
      }));
    });
    return opener;
  }

  function creditButton(state, run) {
    var model = state.model, credit = model.decision.credit;
    var amount = View.money(credit.amount, credit.currency);
    var applied = model.credits.some(function (c) { return c.state === "applied"; });
    var offered = !model.actions.credit || model.actions.credit.available;
    if (applied || !offered) {
      return el("button", { type: "button", "class": "c-btn c-btn--sm c-btn--full", id: "pv-credit", disabled: "", text: applied ? "✓ Credit applied" : "Credit already handled" });
    }
    var approval = credit.requires_approval;
    var who = model.customer.id ? " to billing customer " + model.customer.id : "";
    return confirmed(approval ? "Request approval: credit " + amount : "Apply credit " + amount, "primary", "pv-credit",
      function (done, cancel) {
        var message = approval
          ? "Approval needed (" + model.approvalReason + "). Apply a temporary credit of " + amount + who + " once approved?"
          : "Apply a temporary credit of " + amount + who + "?";
        var fields = approval ? [{ name: "approved_by", label: "Approved by (approver's name or email)" }] : [];
        return confirmPanel("pv-credit-confirm", message, fields,
          approval ? "Approve and apply " + amount : "Apply " + amount,
          function (values) { return run("credit", Object.assign({ confirm: true }, values), "Credit of " + amount + " applied.").then(done); }, cancel);
      }, "✓ Credit applied");
  }

  function markPaidButton(inv, run) {
    var name = View.invoiceName(inv);
    return confirmed("Mark " + name + " paid out of band", null, "pv-mark-paid-" + inv.id, function (done, cancel) {
      return confirmPanel("pv-mark-paid-confirm-" + inv.id, "Record " + name + " as paid outside the processor (bank transfer, cheque…).",
        [{ name: "reference", label: "Payment reference (bank reference, receipt number)" }], "Mark " + name + " paid",
        function (values) {
          return run("mark_paid", { confirm: true, invoice: inv.id, reference: values.reference }, name + " marked paid.").then(done);
        }, cancel);
    }, "✓ " + name + " marked paid");
  }

  function actionButton(run, label, id, action, payload, done, kind) {
    return Reply.oneClick(Reply.button(label, kind || null, id), function () { return run(action, payload, done); });
  }

  function section(state, run) {
    var model = state.model, decision = model.decision, buttons = [];
    function available(action) { return !model.actions[action] || model.actions[action].available; }
    if (available("note")) {
      buttons.push(actionButton(run, "Add internal note", "pv-note", "note", {}, "Internal note added."));
    }
    if (decision.credit) { buttons.push(creditButton(state, run)); }
    // The API applies every found, unapplied payment to its invoice in one action.
    var found = (decision.evidence || []).filter(function (ev) { return ev.status === "succeeded" && !ev.applied; });
    if (found.length && available("apply_payment")) {
      var label = found.length === 1
        ? "Apply payment " + found[0].payment + " to " + View.invoiceName(model.invoices[found[0].invoice])
        : "Apply the " + found.length + " found payments to their invoices";
      buttons.push(actionButton(run, label, "pv-apply-payment", "apply_payment", { confirm: true }, "Found payment applied."));
    }
    var unpaid = model.invoicesInQuestion.filter(function (inv) { return inv.status === "open" || inv.status === "uncollectible"; });
    if (available("mark_paid")) { unpaid.forEach(function (inv) { buttons.push(markPaidButton(inv, run)); }); }
    if (unpaid.length && available("pause_dunning")) {
      buttons.push(actionButton(run, "Pause dunning reminders", "pv-pause-dunning", "pause_dunning", {},
        "Dunning paused on " + unpaid.map(View.invoiceName).join(", ") + "."));
    }
    if (available("escalate")) buttons.push(actionButton(run, "Escalate to billing specialists", "pv-escalate", "escalate", {}, "Ticket escalated.", "danger"));
    return el("section", { "class": "pv-section pv-actions", "aria-labelledby": "pv-h-actions" },
      [el("h2", { id: "pv-h-actions", text: "Actions" })].concat(buttons));
  }

  window.PayverifyActions = { section: section };
})();
