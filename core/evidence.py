"""POLICY §5 and §6: the invoices in question and the payments that match them."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal

from core.models import Evidence, Extracted, Invoice, Payment
from core.policy import Policy

_REF_NOISE = re.compile(r"[\s#]+")
_NUMBER_WORD = re.compile(r"^(?:no\.?|n[º°]\.?|n\.[º°]|nr\.?)", re.I)


def normalize_ref(value: str) -> str:
    """An invoice reference compared ignoring case, spaces, '#' and a leading No./Nº/n.º."""
    value = _NUMBER_WORD.sub("", value.strip())
    return _REF_NOISE.sub("", value).lower()


def invoices_in_question(invoices: list[Invoice], extracted: Extracted) -> list[Invoice]:
    """The invoices the customer names, else all their unpaid ones (in billing order)."""
    refs = {normalize_ref(r) for r in extracted.invoice_refs}
    refs.discard("")
    named = [
        inv
        for inv in invoices
        if normalize_ref(inv.id) in refs or (inv.number and normalize_ref(inv.number) in refs)
    ]
    return named or [inv for inv in invoices if inv.unpaid]


def _linked_succeeded_total(invoice: Invoice, payments: list[Payment]) -> Decimal:
    return sum(
        (p.amount for p in payments if p.invoice == invoice.id and p.status == "succeeded"),
        Decimal(0),
    )


def matching_payments(
    invoices: list[Invoice],
    payments: list[Payment],
    extracted: Extracted,
    ticket_created: datetime,
    policy: Policy,
) -> list[Evidence]:
    """Payments that match an unpaid invoice in question, the most recent first (§6)."""
    quoted = {t.strip().lower() for t in extracted.transaction_ids}
    unpaid = [inv for inv in invoices if inv.unpaid]
    earliest = ticket_created - timedelta(days=policy.evidence.amount_match_window_days)
    found: list[tuple[Payment, Evidence]] = []
    for payment in payments:
        match = _match(payment, unpaid, quoted, earliest)
        if match is None:
            continue
        invoice, why = match
        applied = payment.invoice == invoice.id and invoice.amount_paid >= _linked_succeeded_total(
            invoice, payments
        )
        found.append(
            (
                payment,
                Evidence(
                    payment=payment.id,
                    invoice=invoice.id,
                    status=payment.status,
                    why=why,
                    applied=payment.status == "succeeded" and applied,
                ),
            )
        )
    found.sort(key=lambda pair: pair[0].created, reverse=True)
    return [evidence for _, evidence in found]


def _match(
    payment: Payment, unpaid: list[Invoice], quoted: set[str], earliest: datetime
) -> tuple[Invoice, str] | None:
    by_id = {inv.id: inv for inv in unpaid}
    if payment.invoice and payment.invoice in by_id:
        return by_id[payment.invoice], "linked"
    quoted_id = payment.id.lower() in quoted
    quoted_ref = bool(payment.reference) and payment.reference.strip().lower() in quoted  # type: ignore[union-attr]
    if (
        (quoted_id or quoted_ref)
        and unpaid
        and (payment.invoice is None or payment.invoice in by_id)
    ):
        return _best_invoice(payment, unpaid), "transaction_id" if quoted_id else "reference"
    if payment.invoice is None and payment.created >= earliest:
        for invoice in unpaid:
            if payment.currency == invoice.currency and payment.amount == invoice.remaining:
                return invoice, "amount"
    return None


def _best_invoice(payment: Payment, unpaid: list[Invoice]) -> Invoice:
    """The invoice a quoted payment most likely pays: same amount and currency, else the first."""
    for invoice in unpaid:
        if invoice.currency == payment.currency and invoice.remaining == payment.amount:
            return invoice
    return unpaid[0]
