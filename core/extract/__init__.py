"""POLICY §4: what the ticket says — invoice refs, amounts, payment date, method, transaction ids."""

from __future__ import annotations

from core.extract.amounts import distinct_amounts, find_amounts
from core.extract.dates import find_payment_date
from core.extract.methods import find_payment_method
from core.extract.refs import find_codes, split_codes
from core.models import Extracted, ExtractedAmount, Ticket
from core.text import claim_parts


def extract(
    ticket: Ticket, language: str, text: str | None = None, *, parts: list[str] | None = None
) -> Extracted:
    """Everything the engine reads from the ticket's text, in order of appearance.

    `parts` are the claim's parts when the caller has them already (core.text.claim_parts).
    """
    if parts is None:
        parts = claim_parts(ticket) if text is None else [text]
    codes = []
    amounts: list[ExtractedAmount] = []
    for part in parts:
        codes.extend(find_codes(part))  # in order: subject, description, comments
        amounts.extend(find_amounts(part, language))
    invoice_refs, transaction_ids = split_codes(codes)
    whole = "\n\n".join(parts)
    return Extracted(
        invoice_refs=invoice_refs,
        amounts=distinct_amounts(amounts),
        payment_date=find_payment_date(whole, language, ticket.created_at),
        payment_method=find_payment_method(whole, language),
        transaction_ids=transaction_ids,
    )
