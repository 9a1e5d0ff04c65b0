"""Follow-ups: verify a ticket again; reverse the temporary credit once the payment shows up.

At the decision's `follow_up_hours` (or at once, on a Stripe event for a customer under
verification) the case is assembled and decided again. A payment found since then (verdict
`paid`, or `payment_found_unapplied`) reverses the applied credits and posts a confirmation;
otherwise the agent gets an internal note and the ticket is escalated. Each write is saved as
a step result under the follow-up's run key, so a retried follow-up never repeats one.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from markupsafe import escape

from core.errors import ExternalError
from core.models import Verdict
from core.ports import TicketUpdate, idempotency_key
from plugin.pipeline import Pipeline, installation_of, mode_of

log = logging.getLogger(__name__)

RESOLVED = frozenset({Verdict.PAID, Verdict.PAYMENT_FOUND_UNAPPLIED})


def post_failure_note(services: Any, ticket_id: str, run_key: str, exc: ExternalError) -> None:
    """Tell the agent, once per run, which step failed and why (after the last retry)."""
    if services.store.step_result(run_key, "failure_note") is not None:
        return
    step = getattr(exc, "step", None) or "unknown step"
    kind = "refused" if exc.permanent else "unreachable after several tries"
    html = (
        f"<p><strong>payverify could not finish verifying this ticket.</strong></p>"
        f"<p>Step <code>{escape(step)}</code> failed: {escape(exc.service)} {kind} "
        f"({escape(exc.message)}). Nothing was credited that is not in the credit ledger; "
        f"please verify the payment by hand or run the verification again from the sidebar.</p>"
    )
    services.helpdesk.post_note(str(ticket_id), html)
    services.store.save_step_result(run_key, "failure_note", {"step": step, "error": str(exc)})


def _once(store: Any, run_key: str, name: str, act: Any) -> dict[str, Any]:
    saved = store.step_result(run_key, name)
    if saved is not None:
        return saved
    result = act()
    store.save_step_result(run_key, name, result)
    return result


def reverify_ticket(
    services: Any,
    settings: Any,
    ticket_id: str,
    *,
    reason: str,
    run_key: str | None = None,
    source: str = "follow_up",
) -> dict[str, Any]:
    """Verify again and act on the outcome: reverse credits and confirm, or note and escalate."""
    store, installation = services.store, installation_of(services, settings)
    mode = mode_of(settings)
    run_key = run_key or f"reverify:{installation}:{ticket_id}:{reason}"
    pipeline = Pipeline(services, settings, mode=mode)
    run = pipeline.run(ticket_id, run_key=run_key, source=source, until="decision")
    decision = run.results["decision"]
    verdict = decision.get("verdict")
    if mode == "shadow" or decision.get("intent") != "payment_claim":
        return {"outcome": "recorded", "verdict": verdict}
    ticket = run.results["ticket"]
    if verdict in RESOLVED:
        reversed_credits = _once(
            store, run_key, "reverse", lambda: _reverse_credits(services, installation, ticket)
        )
        _once(store, run_key, "confirm", lambda: _confirm(pipeline, run))
        return {"outcome": "resolved", "verdict": verdict, **reversed_credits}
    _once(store, run_key, "escalate", lambda: _escalate(services, installation, run))
    return {"outcome": "escalated", "verdict": verdict}


def _reverse_credits(services: Any, installation: str, ticket: dict[str, Any]) -> dict[str, Any]:
    store, ticket_id, reversed_ids = services.store, ticket["id"], []
    for credit in store.credits_for_ticket(installation, ticket_id):
        if credit.state != "applied":
            continue
        write = services.billing.reverse_credit(
            credit.customer_id,
            credit.as_write(),
            idempotency_key=idempotency_key(ticket_id, credit.invoice_id, "reverse_credit"),
            description=f"payverify: {credit.invoice_id} paid (ticket {ticket_id})",
        )
        store.mark_credit_reversed(credit.id, write.id, "payment confirmed at follow-up")
        store.record_event(
            installation,
            ticket_id,
            "credit_reversed",
            value=credit.amount,
            currency=credit.currency,
        )
        reversed_ids.append(credit.id)
    return {"reversed": reversed_ids}


def _confirm(pipeline: Pipeline, run: Any) -> dict[str, Any]:
    """Post the new decision's reply (the payment is confirmed) and record the resolution."""
    from core.models import Decision

    services, ticket = pipeline.services, run.results["ticket"]
    decision = Decision.model_validate(run.results["decision"]["decision"])
    if decision.reply is not None and pipeline.mode == "auto":
        services.helpdesk.post_reply(
            ticket["id"], decision.reply, TicketUpdate(add_tags=("pv_confirmed",))
        )
    elif decision.reply is not None:
        services.helpdesk.post_note(
            ticket["id"], f"<p>Payment confirmed. Proposed reply:</p>{decision.reply.html}"
        )
    created = datetime.fromisoformat(ticket["created_at"])
    seconds = Decimal(max(0, int((pipeline.clock() - created).total_seconds())))
    services.store.record_event(
        pipeline.installation,
        ticket["id"],
        "resolved",
        value=seconds,
        scenario=decision.scenario.value if decision.scenario else None,
        tier=decision.tier.value,
        language=decision.language,
    )
    return {"confirmed": True}


def _escalate(services: Any, installation: str, run: Any) -> dict[str, Any]:
    ticket, decision = run.results["ticket"], run.results["decision"]
    group = services.policy.escalation.group
    services.helpdesk.post_note(
        ticket["id"],
        f"<p><strong>Follow-up:</strong> the payment is still not confirmed "
        f"(verdict: {escape(decision.get('verdict'))}). Escalated to {escape(group)}; the "
        f"temporary credit stays until the payment is found or an agent reverses it.</p>",
    )
    services.helpdesk.update_ticket(
        ticket["id"],
        TicketUpdate(add_tags=("pv_follow_up_escalated",), priority="high", group=group),
    )
    services.store.record_event(
        installation,
        ticket["id"],
        "escalated",
        scenario=decision.get("scenario"),
        tier=decision.get("tier"),
        language=decision.get("language"),
    )
    return {"escalated": True, "group": group}


def run_due_follow_ups(
    services: Any, settings: Any, now: datetime | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """Claim the follow-ups due by `now` and run each; a failed one is retried after its lease."""
    results = []
    for follow_up in services.store.due_follow_ups(now or datetime.now(UTC), limit):
        run_key = f"follow_up:{follow_up.installation}:{follow_up.id}"
        try:
            outcome = reverify_ticket(
                services, settings, follow_up.ticket_id, reason=follow_up.reason, run_key=run_key
            )
        except ExternalError as exc:
            log.warning(
                "follow-up %s of ticket %s failed: %s", follow_up.id, follow_up.ticket_id, exc
            )
            results.append(
                {"ticket_id": follow_up.ticket_id, "outcome": "failed", "error": str(exc)}
            )
            continue
        services.store.complete_follow_up(follow_up.id, outcome["outcome"])
        results.append({"ticket_id": follow_up.ticket_id, **outcome})
    return results
