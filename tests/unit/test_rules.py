"""POLICY.md rule by rule: invoices in question, evidence, verdict, age, scenario, credit, actions."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.decide import decide
from core.evidence import normalize_ref
from core.policy import Policy
from tests.unit.builders import case, invoice, payment


def run(**kwargs):
    return decide(case(**kwargs), messages=False)


@pytest.mark.parametrize(
    ("written", "normalized"),
    [
        ("#INV-1001", "inv-1001"),
        ("Nº 1234", "1234"),
        ("n.º 77", "77"),
        ("No. A 12", "a12"),
        (" inv-9 ", "inv-9"),
    ],
)
def test_refs_compare_ignoring_case_spaces_hash_and_number_word(written, normalized):
    assert normalize_ref(written) == normalized


def test_named_invoice_is_in_question_even_when_paid():
    d = run(invoices=[invoice(status="paid", amount_paid="120.00")])
    assert d.invoices == ["in_1001"] and d.verdict.value == "paid" and d.credit is None


def test_without_named_invoice_all_unpaid_invoices_are_in_question():
    d = run(
        description="I paid by card yesterday but my account still shows unpaid.",
        subject="Still unpaid",
        invoices=[
            invoice(id="in_a", number="A-1", status="paid", amount_paid="120.00"),
            invoice(id="in_b", number="B-2"),
            invoice(id="in_c", number="C-3", status="uncollectible"),
        ],
    )
    assert d.invoices == ["in_b", "in_c"]
    assert d.scenario.value == "MULTIPLE_INVOICES" and d.payment_age_days == 1


@pytest.mark.parametrize(
    ("payments", "verdict", "decided_by"),
    [
        ([], "not_found", None),
        ([payment(status="disputed")], "disputed", "pi_1001"),
        ([payment(status="refunded")], "refunded", "pi_1001"),
        ([payment()], "payment_found_unapplied", "pi_1001"),
        ([payment(status="processing")], "processing", "pi_1001"),
        ([payment(status="failed")], "failed", "pi_1001"),
        # disputed beats everything, processing beats failed
        (
            [payment(status="failed", id="pi_f"), payment(status="disputed", id="pi_d")],
            "disputed",
            "pi_d",
        ),
        (
            [payment(status="failed", id="pi_f"), payment(status="processing", id="pi_p")],
            "processing",
            "pi_p",
        ),
        # an unlinked payment of the exact remaining amount within 45 days matches
        (
            [payment(invoice=None, created="2025-02-01T00:00:00Z")],
            "payment_found_unapplied",
            "pi_1001",
        ),
        # ... but not older than 45 days, nor of another amount or currency
        ([payment(invoice=None, created="2025-01-20T00:00:00Z")], "not_found", None),
        ([payment(invoice=None, amount="119.99")], "not_found", None),
        ([payment(invoice=None, currency="EUR")], "not_found", None),
        # a payment linked to another invoice is not evidence
        ([payment(invoice="in_other")], "not_found", None),
    ],
)
def test_verdict_order_and_deciding_payment(payments, verdict, decided_by):
    d = run(payments=payments)
    assert d.verdict.value == verdict
    assert (d.evidence[0].payment if d.evidence and decided_by else None) == decided_by


def test_quoted_transaction_id_or_reference_matches_an_unlinked_payment():
    d = run(
        description="I paid invoice INV-1001 by wire yesterday, reference WIRE-889-1234. Still unpaid.",
        payments=[payment(id="py_x", invoice=None, amount="100.00", reference="WIRE-889-1234")],
    )
    assert d.extracted.transaction_ids == ["WIRE-889-1234"]
    assert d.verdict.value == "payment_found_unapplied"
    assert d.evidence[0].why == "reference"


def test_linked_payment_already_counted_is_partial_not_unapplied():
    d = run(
        invoices=[invoice(amount_due="120.00", amount_paid="50.00")],
        payments=[payment(amount="50.00")],
    )
    assert d.verdict.value == "partial" and d.scenario.value == "PARTIAL_PAYMENT"
    assert d.evidence[0].applied is True


def test_linked_payment_not_counted_by_amount_paid_is_unapplied():
    d = run(
        invoices=[invoice(amount_due="120.00", amount_paid="50.00")],
        payments=[payment(id="pi_a", amount="50.00"), payment(id="pi_b", amount="70.00")],
    )
    assert d.verdict.value == "payment_found_unapplied"


@pytest.mark.parametrize(
    ("description", "age", "scenario"),
    [
        (
            "I paid invoice INV-1001 by card on March 11 but it still shows unpaid.",
            1,
            "RECENT_PAYMENT",
        ),
        (
            "I paid invoice INV-1001 by card on March 5 but it still shows unpaid.",
            7,
            "RECENT_PAYMENT",
        ),
        ("I paid invoice INV-1001 by card on March 4 but it still shows unpaid.", 8, "OLD_PAYMENT"),
        ("I paid invoice INV-1001 by card but it still shows unpaid.", None, "RECENT_PAYMENT"),
    ],
)
def test_payment_age_and_old_payment_threshold(description, age, scenario):
    d = run(description=description)
    assert d.payment_age_days == age and d.scenario.value == scenario


def test_age_falls_back_to_the_deciding_payment_date():
    d = run(
        description="I paid invoice INV-1001 by card but it still shows unpaid.",
        payments=[payment(status="processing", created="2025-03-01T23:00:00Z")],
    )
    assert d.payment_age_days == 11 and d.scenario.value == "OLD_PAYMENT"


def _prev(day: str, tags=(), text="How do I add a user?"):
    return {
        "id": day,
        "created_at": f"{day}T10:00:00Z",
        "subject": text,
        "description": text,
        "tags": list(tags),
    }


@pytest.mark.parametrize(
    ("previous", "recurring"),
    [
        (
            [
                _prev("2025-02-01", ["payment_verification"]),
                _prev("2025-03-01", ["payment_verification"]),
            ],
            True,
        ),
        ([_prev("2025-02-01", ["payment_verification"]), _prev("2025-03-01")], False),
        # a previous ticket that is itself a claim counts without the tag
        (
            [
                _prev("2025-02-01", ["payment_verification"]),
                _prev("2025-03-01", text="I paid invoice INV-9 but it still shows unpaid"),
            ],
            True,
        ),
        # outside the 90-day window
        (
            [
                _prev("2024-12-01", ["payment_verification"]),
                _prev("2025-03-01", ["payment_verification"]),
            ],
            False,
        ),
    ],
)
def test_recurring_issue(previous, recurring):
    d = run(previous=previous)
    assert (d.scenario.value == "RECURRING_ISSUE") is recurring
    assert d.root_cause_analysis is recurring


def test_multiple_unpaid_invoices_and_vip_scenarios():
    two = [invoice(), invoice(id="in_2", number="INV-1002")]
    d = run(description="I paid invoice INV-1001 by card but it still shows unpaid.", invoices=two)
    assert d.scenario.value == "MULTIPLE_INVOICES" and d.escalate
    d = run(
        description="I paid invoice INV-1001 by card but it still shows unpaid.",
        customer={"tier": "VIP"},
    )
    assert d.scenario.value == "VIP_CUSTOMER" and d.priority == "high" and d.follow_up_hours == 24


@pytest.mark.parametrize(
    ("customer", "tags", "tier"),
    [
        ({"tier": "Enterprise"}, [], "ENTERPRISE"),
        ({"tier": "standard", "tags": ["vip"]}, [], "STANDARD"),
        ({"tags": ["premium"]}, ["vip"], "VIP"),
        ({"tags": ["tier:enterprise", "vip"]}, [], "ENTERPRISE"),
        ({}, [], "STANDARD"),
    ],
)
def test_tier(customer, tags, tier):
    assert run(customer=customer, tags=tags).tier.value == tier


@pytest.mark.parametrize(
    ("tier", "amount", "approval"),
    [
        ("standard", "500.00", False),
        ("standard", "500.01", True),
        ("premium", "2000.00", False),
        ("vip", "10000.01", True),
        ("enterprise", "25000.00", False),
    ],
)
def test_credit_caps_per_tier(tier, amount, approval):
    d = run(customer={"tier": tier}, invoices=[invoice(amount_due=amount)])
    assert d.credit.amount == Decimal(amount) and d.credit.requires_approval is approval
    assert d.escalate is approval


def test_credit_sums_first_currency_only_and_requires_approval_when_identity_unverified():
    d = run(
        description="I paid my invoices by transfer but they still show unpaid.",
        customer={"matched_by": "invoice_ref"},
        invoices=[
            invoice(id="in_a", currency="EUR", amount_due="100.05"),
            invoice(id="in_b", currency="USD", amount_due="50.00"),
            invoice(id="in_c", currency="EUR", amount_due="20.00"),
        ],
    )
    assert d.credit.currency == "EUR" and d.credit.amount == Decimal("120.05")
    assert d.credit.requires_approval and d.escalate and "pv_escalated" in d.tags


def test_no_credit_for_other_verdicts():
    assert run(payments=[payment(status="processing")]).credit is None


@pytest.mark.parametrize(
    ("ticket_priority", "customer", "payments", "priority"),
    [
        (None, {}, [], "normal"),
        ("low", {}, [], "low"),
        ("urgent", {}, [], "urgent"),  # never lowered
        (None, {}, [payment(status="disputed")], "high"),
        (None, {"tier": "vip"}, [payment(status="refunded")], "urgent"),
    ],
)
def test_priority(ticket_priority, customer, payments, priority):
    assert run(priority=ticket_priority, customer=customer, payments=payments).priority == priority


def test_tags_and_group_when_escalated():
    d = run(payments=[payment(status="disputed")])
    assert d.tags == [
        "payment_verification",
        "pv_scenario_recent_payment",
        "pv_verdict_disputed",
        "pv_escalated",
    ]
    assert d.assign_group == "billing-specialists" and d.follow_up_hours == 24


def test_other_intent_takes_no_action():
    d = run(
        subject="Cancel my plan",
        description="Please cancel my subscription at the end of the month.",
    )
    assert d.intent == "other" and d.verdict is None and d.credit is None and d.tags == []


def test_policy_numbers_are_tunable(tmp_path):
    file = tmp_path / "policy.toml"
    file.write_text('[scenario]\nold_payment_days = 10\n[credit.caps]\nstandard = "100"\n')
    policy = Policy.from_toml(file)
    d = decide(
        case(description="I paid invoice INV-1001 by card on March 4 but it still shows unpaid."),
        policy,
        messages=False,
    )
    assert d.scenario.value == "RECENT_PAYMENT" and d.credit.requires_approval
