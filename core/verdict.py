"""POLICY §7 and §8: the verdict, the payment that decided it, and the payment's age."""

from __future__ import annotations

from datetime import UTC, date, datetime

from core.models import Evidence, Invoice, Payment, Verdict


def decide_verdict(
    invoices: list[Invoice], evidence: list[Evidence]
) -> tuple[Verdict, Evidence | None]:
    """The first verdict of §7 that applies, with the most recent payment supporting it."""
    unpaid = [inv for inv in invoices if inv.unpaid]
    if not unpaid:
        return Verdict.PAID, None
    # `evidence` is most recent first, so the first supporting item decided the verdict.
    for verdict, supports in (
        (Verdict.DISPUTED, lambda e: e.status == "disputed"),
        (Verdict.REFUNDED, lambda e: e.status == "refunded"),
        (Verdict.PAYMENT_FOUND_UNAPPLIED, lambda e: e.status == "succeeded" and not e.applied),
        (Verdict.PROCESSING, lambda e: e.status == "processing"),
    ):
        decided = next((e for e in evidence if supports(e)), None)
        if decided:
            return verdict, decided
    if any(0 < inv.amount_paid < inv.amount_due for inv in unpaid):
        return Verdict.PARTIAL, None
    failed = next((e for e in evidence if e.status == "failed"), None)
    if failed:
        return Verdict.FAILED, failed
    return Verdict.NOT_FOUND, None


def payment_day(
    claimed: date | None, decided: Evidence | None, payments: list[Payment]
) -> date | None:
    """§8: the claimed payment date, else the day the deciding payment was created."""
    if claimed:
        return claimed
    if decided:
        payment = next((p for p in payments if p.id == decided.payment), None)
        if payment:
            return payment.created.astimezone(UTC).date()
    return None


def payment_age_days(day: date | None, ticket_created: datetime) -> int | None:
    """Whole days from the payment to the ticket's creation (UTC calendar dates), never negative."""
    if day is None:
        return None
    return max(0, (ticket_created.astimezone(UTC).date() - day).days)
