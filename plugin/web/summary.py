"""What /api answers for a ticket's verification (the sidebar's data) and for the KPIs."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from core.models import SUPPORTED_LANGUAGES, Verdict
from core.ports import Kpis, VerificationRecord


class InputError(ValueError):
    """A query parameter that cannot be used; the message names it."""


def parse_instant(name: str, value: str | None) -> datetime | None:
    """An ISO 8601 query parameter (UTC when it has no offset), or None when absent."""
    if not value:
        return None
    try:
        instant = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        from plugin.web.api import BadRequest

        raise BadRequest(f"{name}: not an ISO 8601 timestamp") from None
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def kpis_json(kpis: Kpis) -> dict[str, Any]:
    """The KPIs as JSON (rates and averages as decimal strings)."""
    return _plain(asdict(kpis))


def _why(decision: Any, payments: dict[str, Any]) -> list[str]:
    lines = []
    for evidence in decision.evidence:
        payment = payments.get(evidence.payment)
        amount = f" {payment.amount} {payment.currency}" if payment else ""
        how = {
            "linked": "is linked to",
            "transaction_id": "has the transaction id quoted for",
            "reference": "carries the reference of",
            "amount": "matches the amount due on",
        }[evidence.why]
        applied = "" if evidence.applied else " (not applied to it yet)"
        lines.append(
            f"Payment {evidence.payment}{amount} ({evidence.status}) {how} "
            f"{evidence.invoice}{applied}."
        )
    if not lines and decision.verdict == Verdict.NOT_FOUND:
        lines.append("No payment matching the invoices in question was found in billing.")
    return lines


def verification_summary(
    services: Any, record: VerificationRecord, lang: str | None
) -> dict[str, Any]:
    """The latest decision for the sidebar: customer, invoices, payments, verdict, reply."""
    from core.render import render_reply
    from plugin.web.api import BadRequest

    case, decision = record.case_model(), record.decision_model()
    language = lang or decision.language
    if language not in SUPPORTED_LANGUAGES:
        raise BadRequest(f"lang: {language!r} is not one of {', '.join(SUPPORTED_LANGUAGES)}")
    reply = None
    if decision.verdict is not None and decision.intent == "payment_claim":
        reply = render_reply(case, decision, services.policy, language).model_dump(mode="json")
    in_question = set(decision.invoices)
    payments = {p.id: p for p in case.billing.payments}
    found = {e.payment for e in decision.evidence}
    customer = case.customer
    verified = customer is not None and customer.matched_by == "email"
    credits = services.store.credits_for_ticket(record.installation, record.ticket_id)
    follow_up = services.store.pending_follow_up(record.installation, record.ticket_id)
    credit = decision.credit
    return {
        "ticket_id": record.ticket_id,
        "verification_id": record.id,
        "verified_at": record.created_at.isoformat(),
        "mode": record.mode,
        "source": record.source,
        "intent": decision.intent,
        "language": decision.language,
        "customer": {
            "name": case.ticket.requester.name,
            "email": customer.email if customer else None,
            "id": customer.id if customer else None,
            "matched_by": customer.matched_by if customer else None,
            "identity_verified": verified,
            "tier": decision.tier.value,
        },
        "invoices": [
            i.model_dump(mode="json") for i in case.billing.invoices if i.id in in_question
        ],
        "payments": [payments[p].model_dump(mode="json") for p in found if p in payments],
        "evidence": [e.model_dump(mode="json") for e in decision.evidence],
        "verdict": decision.verdict.value if decision.verdict else None,
        "why": _why(decision, payments),
        "scenario": decision.scenario.value if decision.scenario else None,
        "escalate": decision.escalate,
        "priority": decision.priority,
        "payment_age_days": decision.payment_age_days,
        "follow_up_hours": decision.follow_up_hours,
        "extracted": decision.extracted.model_dump(mode="json"),
        "credit": None
        if credit is None
        else credit.model_dump(mode="json")
        | {"needs_approval": credit.requires_approval or not verified},
        "credit_cap": _credit_cap(services.policy, decision, case),
        "credits": [
            {
                "invoice": c.invoice_id,
                "amount": format(c.amount, "f"),
                "currency": c.currency,
                "state": c.state,
            }
            for c in credits
        ],
        "follow_up": None if follow_up is None else {"due_at": follow_up.due_at.isoformat()},
        "reply": reply | {"lang": language} if reply else None,
        "internal_note": decision.internal_note,
        "actions": _actions(decision, credits, verified),
    }


def _credit_cap(policy: Any, decision: Any, case: Any) -> dict[str, str] | None:
    """The tier's credit cap (POLICY §10), in the currency of the credit or of the invoice.

    Caps are major units of the invoice currency, so with neither a credit nor an invoice in
    question there is no currency to state the cap in, and no cap is sent.
    """
    currency = decision.credit.currency if decision.credit else None
    if currency is None:
        in_question = [i for i in case.billing.invoices if i.id in set(decision.invoices)]
        currency = in_question[0].currency if in_question else None
    if currency is None:
        return None
    return {"amount": format(policy.credit_cap(decision.tier), "f"), "currency": currency}


def _actions(decision: Any, credits: list[Any], verified: bool) -> dict[str, dict[str, Any]]:
    claim = decision.verdict is not None
    applied = {c.invoice_id for c in credits if c.state in ("applied", "reversed")}
    credit = decision.credit
    can_credit = claim and credit is not None and bool(decision.invoices)
    return {
        "note": {"available": claim},
        "reply": {"available": claim and decision.reply is not None},
        "credit": {
            "available": can_credit and decision.invoices[0] not in applied,
            "needs_approval": bool(credit and (credit.requires_approval or not verified)),
        },
        "apply_payment": {"available": decision.verdict == Verdict.PAYMENT_FOUND_UNAPPLIED},
        "mark_paid": {"available": claim and bool(decision.invoices)},
        "pause_dunning": {"available": claim and bool(decision.invoices)},
        "escalate": {"available": claim},
    }
