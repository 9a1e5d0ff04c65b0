"""Writes to the helpdesk and billing, shared by the pipeline and the agent's one-click actions.

Every action is idempotent and recorded: billing writes carry `idempotency_key(ticket,
invoice, action)`, credits go through the store's ledger (once per ticket and invoice), and
an agent action's result is saved under the ticket's action key so a second click returns it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import escape

from core.errors import ExternalError
from core.models import Decision, Verdict
from core.ports import TicketUpdate, idempotency_key

ACTIONS = ("note", "reply", "credit", "apply_payment", "mark_paid", "pause_dunning", "escalate")


class ActionRefused(ValueError):
    """An action that cannot be done as asked (409/422/403); the message says why."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def apply_credit(
    services: Any,
    installation: str,
    ticket_id: str,
    invoice_id: str,
    customer_id: str,
    amount: Any,
    currency: str,
) -> dict[str, Any]:
    """Apply a credit through the ledger: claimed once per ticket and invoice, then written."""
    store = services.store
    record, _created = store.claim_credit(
        installation, ticket_id, invoice_id, customer_id, amount, currency
    )
    if record.state in ("applied", "reversed"):
        return _credit_result(record, new=False)
    # A line left `pending` by a worker that died is written again with the same idempotency
    # key: the billing system returns the first write instead of making a second one.
    try:
        write = services.billing.apply_credit(
            customer_id,
            record.amount,
            record.currency,
            idempotency_key=idempotency_key(ticket_id, invoice_id, "credit"),
            description=f"payverify: temporary credit for {invoice_id} (ticket {ticket_id})",
        )
    except ExternalError as exc:
        if exc.permanent:
            store.mark_credit_failed(record.id, exc.message)
        raise
    return _credit_result(store.mark_credit_applied(record.id, write.id), new=True)


def _credit_result(record: Any, *, new: bool) -> dict[str, Any]:
    return {
        "state": record.state,
        "credit_id": record.id,
        "invoice": record.invoice_id,
        "amount": format(record.amount, "f"),
        "currency": record.currency,
        "external_id": record.external_id,
        "new": new,
    }


def apply_found_payments(services: Any, ticket_id: str, decision: Decision) -> list[dict[str, str]]:
    """Attach each succeeded, unapplied payment found as evidence to its invoice."""
    applied = []
    for evidence in decision.evidence:
        if evidence.applied or evidence.status != "succeeded":
            continue
        key = idempotency_key(ticket_id, evidence.invoice, f"apply_payment:{evidence.payment}")
        services.billing.apply_payment(evidence.invoice, evidence.payment, idempotency_key=key)
        applied.append({"invoice": evidence.invoice, "payment": evidence.payment})
    return applied


def ticket_update_for(decision: Decision, *, draft: bool = False) -> Any:
    """The tags, priority and group the decision asks for."""
    from core.ports import TicketUpdate

    tags = tuple(decision.tags) + (("payverify_draft",) if draft else ())
    group = decision.assign_group if decision.escalate else None
    return TicketUpdate(add_tags=tags, priority=decision.priority, group=group)


@dataclass(frozen=True)
class ActionRequest:
    """An agent's click: who, on which ticket, with what options (the request body)."""

    installation: str
    ticket_id: str
    user: str
    approver: bool
    body: dict[str, Any]


def run_action(services: Any, action: str, request: ActionRequest) -> dict[str, Any]:
    """Do one agent action on the ticket's latest decision, once; a repeat returns the first."""
    if action not in ACTIONS:
        raise ActionRefused(f"action: {action!r} is not one of {', '.join(ACTIONS)}", 404)
    store = services.store
    record = store.latest_verification(request.installation, request.ticket_id)
    if record is None:
        raise ActionRefused(f"ticket {request.ticket_id} has not been verified yet", 409)
    case, decision = record.case_model(), record.decision_model()
    key, act = _ACTIONS[action](services, request, case, decision, record.id)
    run_key = f"actions:{request.installation}:{request.ticket_id}"
    saved = store.step_result(run_key, key)
    if saved is not None:
        return {"action": action, "already_done": True, "result": saved}
    result = act() | {"by": request.user}
    store.save_step_result(run_key, key, result)
    return {"action": action, "already_done": False, "result": result}


def _require_confirm(request: ActionRequest) -> None:
    if request.body.get("confirm") is not True:
        raise ActionRefused('confirm: must be true to apply this (send {"confirm": true})')


def _note(services, request, case, decision, vid):  # type: ignore[no-untyped-def]
    from core.render import render_note

    def act() -> dict[str, Any]:
        html = decision.internal_note or render_note(case, decision, services.policy)
        services.helpdesk.post_note(request.ticket_id, html)
        return {"posted": True}

    _needs_verdict(decision)
    return f"note:{vid}", act


def _reply(services, request, case, decision, vid):  # type: ignore[no-untyped-def]
    from core.render import render_reply

    language = str(request.body.get("lang") or decision.language)
    _needs_verdict(decision)

    def act() -> dict[str, Any]:
        try:
            reply = render_reply(case, decision, services.policy, language)
        except ValueError as exc:
            raise ActionRefused(f"lang: {exc}") from None
        services.helpdesk.post_reply(request.ticket_id, reply, ticket_update_for(decision))
        return {"posted": True, "lang": language, "subject": reply.subject}

    return f"reply:{vid}:{language}", act


def _credit(services, request, case, decision, vid):  # type: ignore[no-untyped-def]
    credit = decision.credit
    if credit is None or not decision.invoices:
        raise ActionRefused("this decision proposes no credit", 409)
    _require_confirm(request)
    verified = case.customer is not None and case.customer.matched_by == "email"
    needs_approval = credit.requires_approval or not verified
    approved_by = str(request.body.get("approved_by") or "").strip()
    if needs_approval and not (approved_by and request.approver):
        why = "identity not verified" if not verified else "above the tier's cap"
        raise ActionRefused(
            f"approved_by: this credit needs an approver ({why}); "
            "send approved_by with a session that has the approver role",
            403,
        )
    if case.customer is None or not case.customer.id:
        raise ActionRefused("the customer was not found in billing", 409)
    invoice = decision.invoices[0]

    def act() -> dict[str, Any]:
        result = apply_credit(
            services,
            request.installation,
            request.ticket_id,
            invoice,
            case.customer.id,
            credit.amount,
            credit.currency,
        )
        return result | {"approved_by": approved_by or None}

    return f"credit:{invoice}", act


def _apply_payment(services, request, case, decision, vid):  # type: ignore[no-untyped-def]
    if decision.verdict != Verdict.PAYMENT_FOUND_UNAPPLIED:
        raise ActionRefused("no found, unapplied payment to apply on this ticket", 409)
    _require_confirm(request)

    def act() -> dict[str, Any]:
        return {"applied": apply_found_payments(services, request.ticket_id, decision)}

    return f"apply_payment:{vid}", act


def _mark_paid(services, request, case, decision, vid):  # type: ignore[no-untyped-def]
    _require_confirm(request)
    invoice = str(request.body.get("invoice") or (decision.invoices or [""])[0])
    reference = str(request.body.get("reference") or "").strip()
    if invoice not in decision.invoices:
        raise ActionRefused(f"invoice: {invoice!r} is not an invoice in question on this ticket")
    if not reference:
        raise ActionRefused("reference: say where the money was received (a bank reference)")

    def act() -> dict[str, Any]:
        key = idempotency_key(request.ticket_id, invoice, "mark_paid")
        services.billing.mark_paid_out_of_band(invoice, reference=reference, idempotency_key=key)
        return {"invoice": invoice, "reference": reference}

    return f"mark_paid:{invoice}", act


def _pause_dunning(services, request, case, decision, vid):  # type: ignore[no-untyped-def]
    if not decision.invoices:
        raise ActionRefused("no invoice in question to pause reminders for", 409)

    def act() -> dict[str, Any]:
        for invoice in decision.invoices:
            key = idempotency_key(request.ticket_id, invoice, "pause_dunning")
            services.billing.pause_dunning(invoice, idempotency_key=key)
        return {"paused": list(decision.invoices)}

    return "pause_dunning:" + ",".join(decision.invoices), act


def _escalate(services, request, case, decision, vid):  # type: ignore[no-untyped-def]
    group = services.policy.escalation.group

    def act() -> dict[str, Any]:
        priority = "urgent" if decision.priority == "urgent" else "high"
        update = TicketUpdate(add_tags=("pv_escalated",), priority=priority, group=group)
        services.helpdesk.update_ticket(request.ticket_id, update)
        reason = escape(str(request.body.get("reason") or "asked by the agent"))
        services.helpdesk.post_note(
            request.ticket_id, f"<p>Escalated to {escape(group)}: {reason}</p>"
        )
        services.store.record_event(
            request.installation,
            request.ticket_id,
            "escalated",
            scenario=decision.scenario.value if decision.scenario else None,
            tier=decision.tier.value,
            language=decision.language,
        )
        return {"group": group, "priority": priority}

    return f"escalate:{vid}", act


def _needs_verdict(decision: Decision) -> None:
    if decision.verdict is None:
        raise ActionRefused("this ticket is not a payment claim; there is nothing to send", 409)


_ACTIONS = {
    "note": _note,
    "reply": _reply,
    "credit": _credit,
    "apply_payment": _apply_payment,
    "mark_paid": _mark_paid,
    "pause_dunning": _pause_dunning,
    "escalate": _escalate,
}
