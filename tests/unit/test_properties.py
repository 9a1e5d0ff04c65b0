"""Property tests: no case file crashes the engine, and credit sums are exact."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.casefile import CaseError, parse_case
from core.decide import decide
from core.extract import extract
from core.intent import classify_intent
from core.models import Case, Verdict
from tests.unit.builders import case, invoice, payment

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


def _valid_dict() -> dict:
    return json.loads(case(payments=[payment()]).model_dump_json())


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*prefix, index))


PATHS = [p for p in _paths(_valid_dict()) if p]


def _decide_or_refuse(text: str) -> None:
    try:
        parsed = parse_case(text, "fuzz.json")
    except CaseError as refused:
        assert str(refused).startswith("fuzz.json: ")
        return
    decision = decide(parsed)
    assert decision.intent in ("payment_claim", "other")
    if decision.intent == "payment_claim":
        assert decision.verdict in Verdict and decision.reply and decision.internal_note


@FAST
@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_arbitrary_bytes_are_refused_never_crash(raw):
    _decide_or_refuse(raw)


@FAST
@given(json_values)
def test_arbitrary_json_is_refused_or_decided(value):
    _decide_or_refuse(json.dumps(value))


@FAST
@given(st.sampled_from(PATHS), json_values, st.booleans())
def test_a_valid_case_with_one_field_broken_or_removed(path, value, remove):
    data = _valid_dict()
    target = data
    for key in path[:-1]:
        target = target[key]
    if remove:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    _decide_or_refuse(json.dumps(data))


@FAST
@given(st.text(max_size=400))
def test_any_customer_text_is_read_without_crashing(text):
    c = case(subject=text[:50], description=text)
    extracted = extract(c.ticket, "en")
    assert classify_intent(text) in ("payment_claim", "other")
    for amount in extracted.amounts:
        assert amount.amount >= 0


money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2)


@st.composite
def billing_states(draw):
    n = draw(st.integers(min_value=1, max_value=5))
    invoices = []
    for i in range(n):
        due = draw(money)
        paid = draw(st.sampled_from([Decimal(0), Decimal(0), due]))
        invoices.append(
            invoice(
                id=f"in_{i}",
                number=f"INV-{i:04d}",
                currency=draw(st.sampled_from(["EUR", "USD", "EUR"])),
                amount_due=str(due),
                amount_paid=str(paid),
                status=draw(st.sampled_from(["open", "paid", "uncollectible", "void"])),
            )
        )
    return invoices


@FAST
@given(billing_states(), st.sampled_from(["standard", "premium", "vip", "enterprise"]))
def test_credit_is_the_exact_sum_of_remaining_amounts_in_the_first_currency(invoices, tier):
    c = case(
        subject="Still unpaid",
        description="I paid all my invoices by bank transfer but they still show unpaid.",
        customer={"tier": tier},
        invoices=invoices,
    )
    d = decide(c, messages=False)
    unpaid = [inv for inv in c.billing.invoices if inv.unpaid]
    currency = unpaid[0].currency if unpaid else None
    expected = sum((i.remaining for i in unpaid if i.currency == currency), Decimal(0))
    if d.verdict in (Verdict.NOT_FOUND, Verdict.PAYMENT_FOUND_UNAPPLIED) and expected > 0:
        assert d.credit is not None and d.credit.currency == currency
        assert d.credit.amount == expected
        assert isinstance(d.credit.amount, Decimal)
    else:
        assert d.credit is None


@FAST
@given(
    st.integers(min_value=0, max_value=60),
    st.sampled_from(["yesterday", "on March 3", "3 days ago", ""]),
)
def test_payment_age_is_never_negative(offset_days, when):
    created = datetime(2025, 3, 12, 10, tzinfo=UTC)
    c = case(
        description=f"I paid invoice INV-1001 {when} by card and it still shows unpaid.",
        payments=[
            payment(
                status="processing",
                created=(created + timedelta(days=offset_days - 30)).isoformat(),
            )
        ],
        created_at=created.isoformat(),
    )
    d = decide(c, messages=False)
    assert d.payment_age_days is None or d.payment_age_days >= 0


def test_case_model_round_trips_through_json():
    c = case(payments=[payment()])
    assert Case.model_validate_json(c.model_dump_json()) == c
