"""Case assembly over the port fakes: who the customer is, how they were matched, the case."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from core.errors import ExternalError
from core.models import Case, Invoice, Payment, PreviousTicket, Requester, Ticket
from core.ports import BillingCustomer, HelpdeskTicket
from plugin.assemble import assemble_case
from tests.fakes import FakeBilling, FakeHelpdesk

CREATED = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)
PAYER = BillingCustomer(id="cus_42", email="accounts@acme.test", name="ACME", currency="EUR")
INVOICE = Invoice(
    id="in_1",
    number="INV-2025-0042",
    status="open",
    currency="EUR",
    amount_due=Decimal("299.99"),
    created=CREATED - timedelta(days=10),
)
PAYMENT = Payment(
    id="pi_3NkQ2bLkdIwHu7ix0abc",
    status="succeeded",
    currency="EUR",
    amount=Decimal("299.99"),
    created=CREATED - timedelta(days=2),
    method="card",
)
EARLIER = PreviousTicket(id=7, created_at=CREATED - timedelta(days=20), subject="Invoice unpaid?")
LATER = PreviousTicket(id=9, created_at=CREATED + timedelta(days=1), subject="Another one")


def _ticket(text: str, email: str = "maria@acme.test") -> HelpdeskTicket:
    ticket = Ticket(
        id=123,
        subject="Paid but still unpaid",
        description=text,
        created_at=CREATED,
        requester=Requester(name="María González", email=email),
    )
    return HelpdeskTicket(
        ticket=ticket,
        requester_tags=("vip", "billing"),
        organization_name="ACME",
        organization_tags=("Enterprise", "VIP"),
    )


def _systems(text: str, payer: BillingCustomer = PAYER) -> tuple[FakeHelpdesk, FakeBilling]:
    helpdesk = FakeHelpdesk([_ticket(text)], history={"maria@acme.test": [EARLIER, LATER]})
    billing = FakeBilling([payer], invoices={payer.id: [INVOICE]}, payments={payer.id: [PAYMENT]})
    return helpdesk, billing


def test_customer_by_requester_email() -> None:
    helpdesk, billing = _systems(
        "I paid yesterday.",
        payer=BillingCustomer(
            id="cus_42", email="Maria@ACME.test", tier="vip", tags=("key-account",)
        ),
    )
    assembled = assemble_case(helpdesk, billing, "123")
    case = assembled.case
    assert assembled.matched_by == "email" and case.customer is not None
    assert (case.customer.id, case.customer.email, case.customer.matched_by) == (
        "cus_42",
        "Maria@ACME.test",
        "email",
    )
    assert case.customer.tier == "VIP"
    assert case.billing.invoices == [INVOICE] and case.billing.payments == [PAYMENT]
    # Only tickets created before this one are history.
    assert case.history.previous_tickets == [EARLIER]
    assert [c.method for c in billing.calls] == ["customer_by_email", "invoices", "payments"]
    assert assembled.helpdesk_ticket.organization_name == "ACME"


def test_customer_by_quoted_invoice_number_when_paid_from_another_email() -> None:
    helpdesk, billing = _systems("Hi, I paid invoice INV-2025-0042 on Monday by card.")
    assembled = assemble_case(helpdesk, billing, "123")
    assert assembled.matched_by == "invoice_ref"
    assert assembled.billing_customer == PAYER
    customer = assembled.case.customer
    assert customer is not None
    assert (customer.email, customer.matched_by) == ("accounts@acme.test", "invoice_ref")
    assert assembled.case.billing.invoices == [INVOICE]
    assert billing.called("customer_by_invoice_ref")[0].args == ("INV-2025-0042",)


def test_customer_by_quoted_transaction_id() -> None:
    helpdesk, billing = _systems("The card payment pi_3NkQ2bLkdIwHu7ix0abc went through.")
    assembled = assemble_case(helpdesk, billing, "123")
    assert assembled.matched_by == "transaction_id"
    assert assembled.case.customer is not None
    assert assembled.case.customer.matched_by == "transaction_id"
    assert assembled.case.billing.payments == [PAYMENT]


def test_invoice_number_wins_over_transaction_id_in_quoting_order() -> None:
    other = BillingCustomer(id="cus_other", email="someone@else.test")
    helpdesk, billing = _systems("Paid pi_3NkQ2bLkdIwHu7ix0abc for invoice INV-2025-0042.")
    billing.customers[other.id] = other
    billing.payments_by_customer = {other.id: [PAYMENT]}
    assembled = assemble_case(helpdesk, billing, "123")
    assert (assembled.matched_by, assembled.case.customer.id) == ("invoice_ref", "cus_42")  # type: ignore[union-attr]


def test_no_customer_found_gives_an_empty_billing() -> None:
    helpdesk, billing = _systems("I paid INV-9999-0000 yesterday.")
    assembled = assemble_case(helpdesk, billing, "123")
    assert assembled.billing_customer is None and assembled.matched_by is None
    # no billing account, but the helpdesk's tags still set the tier (an Enterprise stays one)
    customer = assembled.case.customer
    assert customer is not None and customer.id is None
    assert customer.tags == ["vip", "billing", "Enterprise"]
    assert assembled.case.billing.invoices == [] and assembled.case.billing.payments == []
    assert assembled.case.history.previous_tickets == [EARLIER]
    assert not billing.called("invoices") and not billing.called("payments")


def test_helpdesk_tags_are_merged_and_an_unknown_tier_falls_back_to_them() -> None:
    payer = BillingCustomer(id="cus_42", email="maria@acme.test", tier="gold", tags=("vip",))
    helpdesk, billing = _systems("I paid.", payer=payer)
    customer = assemble_case(helpdesk, billing, "123").case.customer
    assert customer is not None
    assert customer.tier is None  # "gold" is not a tier: core decides from the tags
    assert customer.tags == ["vip", "billing", "Enterprise"]


def test_requester_email_from_the_trigger_starts_every_lookup_at_once() -> None:
    helpdesk, billing = _systems("I paid.", payer=BillingCustomer(id="c", email="maria@acme.test"))
    assembled = assemble_case(helpdesk, billing, "123", requester_email="maria@acme.test")
    assert assembled.matched_by == "email"
    assert assembled.case.history.previous_tickets == [EARLIER]  # LATER dropped after the fact
    history_call = helpdesk.called("previous_tickets")[0]
    assert history_call.kwargs["exclude_id"] == "123"


def test_a_stale_trigger_email_does_not_choose_the_customer() -> None:
    helpdesk, billing = _systems("I paid.", payer=BillingCustomer(id="c", email="maria@acme.test"))
    billing.customers["x"] = BillingCustomer(id="x", email="attacker@evil.test")
    assembled = assemble_case(helpdesk, billing, "123", requester_email="attacker@evil.test")
    assert assembled.billing_customer is not None and assembled.billing_customer.id == "c"


@pytest.mark.parametrize("method", ["customer_by_email", "invoices", "payments"])
def test_an_unreachable_billing_system_fails_the_assembly(method: str) -> None:
    helpdesk, billing = _systems("I paid.", payer=BillingCustomer(id="c", email="maria@acme.test"))
    billing.fail_with = ExternalError("stripe", "timed out", permanent=False)
    billing.fail_on = frozenset({method})
    with pytest.raises(ExternalError, match="stripe: timed out"):
        assemble_case(helpdesk, billing, "123")


def test_fakes_seeded_from_a_case_give_the_case_back() -> None:
    ticket = _ticket("Pagué la factura INV-2025-0042").ticket
    original = Case.model_validate(
        {
            "ticket": ticket.model_dump(),
            "customer": {"id": "cus_1", "email": ticket.requester.email, "tier": "premium"},
            "billing": {"invoices": [INVOICE.model_dump()], "payments": [PAYMENT.model_dump()]},
            "history": {"previous_tickets": [EARLIER.model_dump()]},
        }
    )
    assembled = assemble_case(
        FakeHelpdesk.from_case(original), FakeBilling.from_case(original), "123"
    )
    assert assembled.case.ticket == original.ticket
    assert assembled.case.billing == original.billing
    assert assembled.case.history == original.history
    assert assembled.case.customer is not None and assembled.case.customer.tier == "PREMIUM"
