"""Requests per ticket through the real pipeline (fetch + decide + write back, automatic path).

Each real adapter runs over its HTTP double on 127.0.0.1, the other side is a fake seeded
to match, and the double counts what was sent: Zendesk at most 4 requests, Freshdesk
at most 5, Stripe at most 4 (the credit write included), customer found by email.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from connectors.freshdesk import FreshdeskHelpdesk
from connectors.store import create_store
from connectors.stripe import StripeBilling
from connectors.zendesk import ZendeskHelpdesk
from core.models import Invoice, Requester, Ticket
from core.ports import BillingCustomer, HelpdeskTicket
from plugin.bootstrap import Services, bootstrap
from plugin.pipeline import Pipeline
from plugin.settings import Settings
from tests.fakes import FakeBilling, FakeHelpdesk
from tests.integration.doubles import helpdesk_freshdesk as fd
from tests.integration.doubles import helpdesk_zendesk as zd
from tests.integration.doubles.billing_http import DoubleServer
from tests.integration.doubles.billing_stripe import StripeDouble, StripeState

FD_GROUP = 6002


@pytest.fixture
def store(tmp_path: Path) -> Iterator[object]:
    store = create_store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    yield store
    store.close()


def _services(store: object, helpdesk: object, billing: object) -> Services:
    settings = Settings(helpdesk="demo", billing="demo", mode="auto")
    return bootstrap(settings, helpdesk=helpdesk, billing=billing, store=store)  # type: ignore[arg-type]


def _billing_for(email: str, number: str, amount: str, currency: str, created: str) -> FakeBilling:
    invoice = Invoice(
        id=f"in_{number}",
        number=number,
        status="open",
        currency=currency,
        amount_due=Decimal(amount),
        created=datetime.fromisoformat(created),
    )
    customer = BillingCustomer(id="cus_1", email=email, currency=currency)
    return FakeBilling([customer], invoices={"cus_1": [invoice]}, payments={"cus_1": []})


def test_zendesk_ticket_costs_at_most_four_requests(store: object) -> None:
    double = zd.ZendeskDouble().start()
    try:
        # The escalation group's id is looked up once per process; a warm worker has it.
        helpdesk = ZendeskHelpdesk(
            double.url, zd.AGENT_EMAIL, zd.API_TOKEN, group_ids={"billing-specialists": 360012}
        )
        billing = _billing_for(
            "lucia.fernandez@example.es", "FAC-2025-000871", "349.90", "EUR", "2025-03-01T00:00:00Z"
        )
        result = Pipeline(_services(store, helpdesk, billing)).run("8801", run_key="zd-8801")
        sent = [(r.method, r.path) for r in double.requests]
    finally:
        double.stop()
    assert result.results  # the steps ran
    # The reply (with tags, priority and group) and the note: one PUT each.
    assert [m for m, _ in sent].count("PUT") == 2, sent
    assert len(sent) <= 4, sent


def test_freshdesk_ticket_costs_at_most_five_requests(store: object) -> None:
    double = fd.FreshdeskDouble().start()
    try:
        helpdesk = FreshdeskHelpdesk(
            double.url, fd.API_KEY, group_ids={"billing-specialists": FD_GROUP}
        )
        billing = _billing_for(
            "joao.pereira@exemplo.com.br", "NF-2025-0193", "150.00", "BRL", "2025-04-20T00:00:00Z"
        )
        Pipeline(_services(store, helpdesk, billing)).run("41207", run_key="fd-41207")
        sent = [(r.method, r.path) for r in double.requests]
    finally:
        double.stop()
    assert ("POST", "/api/v2/tickets/41207/reply") in sent, sent
    assert ("POST", "/api/v2/tickets/41207/notes") in sent, sent
    assert len(sent) <= 5, sent


def test_stripe_costs_at_most_four_requests_with_the_credit(store: object) -> None:
    state = StripeState()
    # Only the payment of another invoice stays: the claimed one is not found, so a
    # temporary credit is written (the most expensive automatic path).
    state.intents = {"pi_PVpaid": state.intents["pi_PVpaid"]}
    server = DoubleServer(StripeDouble(state)).start()
    try:
        billing = StripeBilling("sk_test_budget_4242", base_url=server.url)
        ticket = Ticket(
            id="T-1",
            subject="Invoice PV-2025-0001 still open",
            description="Hi, I paid invoice PV-2025-0001 (299.99 EUR) by bank transfer on "
            "Monday, but it still shows as unpaid. Please check.",
            created_at=datetime(2025, 3, 10, 12, 0, tzinfo=UTC),
            requester=Requester(name="Ana Souza", email="ana@example.com"),
        )
        helpdesk = FakeHelpdesk([HelpdeskTicket(ticket=ticket)])
        Pipeline(_services(store, helpdesk, billing)).run("T-1", run_key="st-1")
        sent = [(r.method, r.path) for r in server.requests]
    finally:
        server.stop()
    assert helpdesk.replies, "the reply was posted"
    assert ("POST", "/v1/customers/cus_PVana/balance_transactions") in sent, sent
    assert len(state.balance_transactions) == 1
    assert len(sent) <= 4, sent
