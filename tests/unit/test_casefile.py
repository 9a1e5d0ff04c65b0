"""Case files: every malformed file is refused with one line naming the file and the field."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from core.casefile import CaseError, parse_case
from tests.unit.builders import case


def _valid() -> dict:
    return json.loads(case().model_dump_json())


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: d["ticket"].__setitem__("created_at", "last tuesday"),
            "case.json: ticket.created_at: not a timestamp",
        ),
        (lambda d: d["ticket"].pop("created_at"), "case.json: ticket.created_at: missing"),
        (lambda d: d["ticket"].pop("requester"), "case.json: ticket.requester: missing"),
        (
            lambda d: d["ticket"]["requester"].pop("email"),
            "case.json: ticket.requester.email: missing",
        ),
        (
            lambda d: d["billing"]["invoices"][0].__setitem__("amount_due", "12,5"),
            "case.json: billing.invoices[0].amount_due: not an amount",
        ),
        (
            lambda d: d["billing"]["invoices"][0].__setitem__("amount_due", "-1"),
            "case.json: billing.invoices[0].amount_due: must not be negative",
        ),
        (
            lambda d: d["billing"]["invoices"][0].__setitem__("amount_due", True),
            "case.json: billing.invoices[0].amount_due: not an amount",
        ),
        (
            lambda d: d["billing"]["invoices"][0].__setitem__("status", "late"),
            "case.json: billing.invoices[0].status: must be one of",
        ),
        (
            lambda d: d["billing"]["invoices"][0].__setitem__("currency", "euro"),
            "case.json: billing.invoices[0].currency: not an ISO 4217 currency code",
        ),
        (lambda d: d.__setitem__("billing", []), "case.json: billing: not an object"),
        (lambda d: d.pop("billing"), "case.json: billing: missing"),
        (
            lambda d: d["ticket"].__setitem__("comments", "more"),
            "case.json: ticket.comments: not a list",
        ),
        (
            lambda d: d.__setitem__("customer", {"tier": "gold"}),
            "case.json: customer.tier: not a tier",
        ),
        (
            lambda d: d["ticket"].__setitem__("priority", "asap"),
            "case.json: ticket.priority: must be one of",
        ),
    ],
)
def test_refusal_names_file_and_field(mutate, message):
    data = _valid()
    mutate(data)
    with pytest.raises(CaseError) as refused:
        parse_case(json.dumps(data), "case.json")
    assert str(refused.value).startswith(message)
    assert "\n" not in str(refused.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [("{", "not valid JSON"), ("[1]", "not a case"), (b"\xff\xfe", "not valid JSON")],
)
def test_not_json_or_not_an_object(text, message):
    with pytest.raises(CaseError, match=message):
        parse_case(text, "x.json")


def test_json_numbers_are_read_as_exact_decimals():
    data = _valid()
    data["billing"]["invoices"][0]["amount_due"] = 0.1
    text = json.dumps(data).replace('"amount_due": 0.1', '"amount_due": 299.99')
    parsed = parse_case(text)
    assert parsed.billing.invoices[0].amount_due == Decimal("299.99")


def test_naive_timestamps_are_utc_and_ids_may_be_integers():
    data = _valid()
    data["ticket"]["created_at"] = "2025-03-12T10:00:00"
    data["ticket"]["id"] = 42
    parsed = parse_case(json.dumps(data))
    assert parsed.ticket.created_at.utcoffset().total_seconds() == 0 and parsed.ticket.id == 42
