"""POLICY §10: the temporary credit that keeps the customer from being dunned meanwhile."""

from __future__ import annotations

from decimal import Decimal

from core.models import Credit, Invoice, MatchedBy, Tier, Verdict
from core.money import quantize
from core.policy import Policy

CREDIT_VERDICTS = (Verdict.NOT_FOUND, Verdict.PAYMENT_FOUND_UNAPPLIED)


def temporary_credit(
    verdict: Verdict,
    invoices: list[Invoice],
    tier: Tier,
    matched_by: MatchedBy,
    policy: Policy,
) -> Credit | None:
    """The credit for the unpaid invoices in question in the first one's currency, or None."""
    if verdict not in CREDIT_VERDICTS:
        return None
    unpaid = [inv for inv in invoices if inv.unpaid]
    if not unpaid:
        return None
    currency = unpaid[0].currency
    amount = sum((inv.remaining for inv in unpaid if inv.currency == currency), Decimal(0))
    if amount <= 0:
        return None
    cap = policy.credit_cap(tier)
    reasons = []
    if amount > cap:
        reasons.append(f"over the {tier.value} cap of {cap} {currency}")
    if matched_by != "email":
        reasons.append(f"customer identified only by a quoted {matched_by.replace('_', ' ')}")
    return Credit(
        amount=quantize(amount, currency),
        currency=currency,
        requires_approval=bool(reasons),
        reason="; ".join(reasons) or None,
    )
