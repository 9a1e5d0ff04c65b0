"""What the per-language extraction tests share: a ticket in that language, and the five
table-driven tests (amounts, payment date, method, invoice refs, transaction ids) made from a
language's tables, so each test_extract_<lang>.py holds only its data and its own cases."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from core.extract.amounts import find_amounts
from core.extract.dates import find_payment_date
from core.extract.methods import find_payment_method
from core.extract.refs import find_invoice_refs, find_transaction_ids
from core.models import Ticket
from core.text import claim_text


def ticket_maker(requester: dict[str, str]) -> Callable[..., Ticket]:
    """`make(description, subject="", comments=None)`: a ticket from this requester."""

    def make(description: str, subject: str = "", comments: list[str] | None = None) -> Ticket:
        return Ticket.model_validate(
            {
                "id": 1,
                "subject": subject,
                "description": description,
                "comments": comments or [],
                "created_at": "2025-03-12T15:00:00Z",
                "requester": requester,
            }
        )

    return make


def extraction_tests(
    lang: str,
    make_ticket: Callable[..., Ticket],
    *,
    amounts: Sequence[Any],
    dates: Sequence[Any],
    methods: Sequence[Any],
    invoice_refs: Sequence[Any],
    transaction_ids: Sequence[Any],
) -> tuple[Callable[..., None], ...]:
    """The five table tests for one language, to bind to `test_*` names in its module."""

    @pytest.mark.parametrize(("text", "expected"), amounts)
    def test_find_amounts(text: str, expected: list[tuple[str, str | None]]) -> None:
        got = [(a.amount, a.currency) for a in find_amounts(claim_text(make_ticket(text)), lang)]
        assert got == [(Decimal(amount), currency) for amount, currency in expected]

    @pytest.mark.parametrize(("text", "created_at", "expected"), dates)
    def test_find_payment_date(text: str, created_at: datetime, expected: date | None) -> None:
        assert find_payment_date(text, lang, created_at) == expected

    @pytest.mark.parametrize(("text", "expected"), methods)
    def test_find_payment_method(text: str, expected: str | None) -> None:
        assert find_payment_method(text, lang) == expected

    @pytest.mark.parametrize(("text", "expected"), invoice_refs)
    def test_find_invoice_refs(text: str, expected: list[str]) -> None:
        assert find_invoice_refs(text) == expected

    @pytest.mark.parametrize(("text", "expected"), transaction_ids)
    def test_find_transaction_ids(text: str, expected: list[str]) -> None:
        assert find_transaction_ids(text) == expected

    return (
        test_find_amounts,
        test_find_payment_date,
        test_find_payment_method,
        test_find_invoice_refs,
        test_find_transaction_ids,
    )
