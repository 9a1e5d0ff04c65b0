"""POLICY §9: which of the seed's scenarios the ticket is."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from core.models import Invoice, PreviousTicket, Scenario, Tier, Verdict
from core.policy import Policy

SIMILAR_TAG = "payment_verification"


def similar_previous_tickets(
    previous: list[PreviousTicket],
    ticket_id: str | int,
    created_at: datetime,
    policy: Policy,
    is_payment_claim: Callable[[PreviousTicket], bool],
) -> list[PreviousTicket]:
    """Earlier tickets in the window that were payment verifications or payment claims."""
    since = created_at - timedelta(days=policy.scenario.recurring_window_days)
    return [
        p
        for p in previous
        if str(p.id) != str(ticket_id)
        and since <= p.created_at < created_at
        and (SIMILAR_TAG in {t.lower() for t in p.tags} or is_payment_claim(p))
    ]


def decide_scenario(
    *,
    similar_previous: int,
    age_days: int | None,
    verdict: Verdict,
    customer_invoices: list[Invoice],
    tier: Tier,
    policy: Policy,
) -> Scenario:
    """The first scenario of §9 that applies."""
    rules = policy.scenario
    if similar_previous >= rules.recurring_min_previous:
        return Scenario.RECURRING_ISSUE
    if age_days is not None and age_days > rules.old_payment_days:
        return Scenario.OLD_PAYMENT
    if verdict is Verdict.PARTIAL:
        return Scenario.PARTIAL_PAYMENT
    if sum(inv.unpaid for inv in customer_invoices) >= rules.multiple_invoices_min:
        return Scenario.MULTIPLE_INVOICES
    if age_days is not None:
        return Scenario.RECENT_PAYMENT
    if tier in (Tier.VIP, Tier.ENTERPRISE):
        return Scenario.VIP_CUSTOMER
    return Scenario.RECENT_PAYMENT
