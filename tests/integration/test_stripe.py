"""StripeBilling over real HTTP against a double shaped like the current Stripe API."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest

from connectors.stripe import StripeBilling
from core.errors import ExternalError
from core.ports import BillingSource, BillingWrite, idempotency_key
from tests.integration.doubles.billing_http import DoubleServer, Fault
from tests.integration.doubles.billing_stripe import StripeDouble

KEY = "sk_test_payverify_double_4242"


@pytest.fixture
def double():
    server = DoubleServer(StripeDouble()).start()
    yield server
    server.stop()


@pytest.fixture
def stripe_billing(double):
    return StripeBilling(
        KEY, base_url=double.url, timeout=(0.5, 0.5), retries=2, backoff=0.01, sleep=lambda s: None
    )


def test_is_a_billing_source(stripe_billing):
    assert isinstance(stripe_billing, BillingSource)
    assert KEY not in repr(stripe_billing)


def test_customer_by_email_reads_tier_and_tags(stripe_billing, double):
    customer = stripe_billing.customer_by_email("ana@example.com")
    assert customer is not None
    assert (customer.id, customer.tier, customer.currency) == ("cus_PVana", "vip", "EUR")
    assert customer.tags == ("priority", "eu")
    assert double.count("GET", "/v1/customers") == 1
    assert stripe_billing.customer_by_email("nobody@example.com") is None


def test_customer_by_email_retries_lowercase_once(stripe_billing, double):
    assert stripe_billing.customer_by_email("Ana@Example.com").id == "cus_PVana"
    emails = [r.query["email"][0] for r in double.requests]
    assert emails == ["Ana@Example.com", "ana@example.com"]


@pytest.mark.parametrize(
    ("ref", "customer_id"),
    [
        ("in_PVopen", "cus_PVana"),
        ("PV-2025-0003", "cus_PVana"),
        ("in_missing", None),
        ("PV-9999", None),
        ('PV" OR number:"x', None),
    ],
)
def test_customer_by_invoice_ref(stripe_billing, ref, customer_id):
    customer = stripe_billing.customer_by_invoice_ref(ref)
    assert (customer.id if customer else None) == customer_id


@pytest.mark.parametrize(
    ("ref", "customer_id"),
    [
        ("pi_PVwire", "cus_PVana"),
        ("ch_PVdispute", "cus_PVana"),
        ("pi_nope", None),
        ("BANKREF-1234", None),
    ],
)
def test_customer_by_transaction_id(stripe_billing, double, ref, customer_id):
    customer = stripe_billing.customer_by_transaction_id(ref)
    assert (customer.id if customer else None) == customer_id
    assert double.count() == (0 if ref.startswith("BANK") else 1)


def test_invoices_convert_minor_units(stripe_billing):
    invoices = {i.id: i for i in stripe_billing.invoices("cus_PVana")}
    assert invoices["in_PVopen"].amount_due == Decimal("299.99")
    assert invoices["in_PVopen"].currency == "EUR" and invoices["in_PVopen"].unpaid
    assert invoices["in_PVpart"].amount_paid == Decimal("50.00")
    assert invoices["in_PVpaid"].status == "paid"
    assert invoices["in_PVopen"].number == "PV-2025-0001"


def test_payments_map_status_method_and_invoice_link(stripe_billing):
    payments = {p.id: p for p in stripe_billing.payments("cus_PVana")}
    got = {pid: (p.status, p.method, p.invoice) for pid, p in payments.items()}
    assert got == {
        "pi_PVpaid": ("succeeded", "card", "in_PVpaid"),
        "pi_PVwire": ("succeeded", "bank_transfer", None),
        "pi_PVrefund": ("refunded", "card", None),
        "pi_PVdispute": ("disputed", "card", None),
        "pi_PVfail": ("failed", "sepa_debit", None),
        "pi_PVach": ("processing", "ach_debit", None),
        "ch_PVlegacy": ("succeeded", "other", "in_PVpart"),  # a charge paid through InvoicePayment
    }
    assert payments["pi_PVwire"].amount == Decimal("299.99")
    assert payments["pi_PVwire"].reference == "ch_PVwire"


def test_ticket_budget_is_three_reads_and_one_write(stripe_billing, double):
    """Customer, invoices and payments (concurrently), then the credit: 4 requests."""
    customer = stripe_billing.customer_by_email("ana@example.com")
    with ThreadPoolExecutor(2) as pool:
        invoices = pool.submit(stripe_billing.invoices, customer.id)
        payments = pool.submit(stripe_billing.payments, customer.id)
        assert invoices.result() and payments.result()
    key = idempotency_key("TKT-1", "in_PVopen", "credit")
    stripe_billing.apply_credit(
        customer.id, Decimal("299.99"), "EUR", idempotency_key=key, description="temporary credit"
    )
    assert double.count() == 4
    assert double.count("GET", "/v1/invoices") == 1
    assert double.count("GET", "/v1/payment_intents") == 1


def test_apply_credit_is_a_negative_balance_transaction_sent_once(stripe_billing, double):
    key = idempotency_key("TKT-1", "in_PVopen", "credit")
    args = ("cus_PVana", Decimal("299.99"), "EUR")
    first = stripe_billing.apply_credit(*args, idempotency_key=key, description="temporary credit")
    again = stripe_billing.apply_credit(*args, idempotency_key=key, description="temporary credit")
    assert first == again and first.id.startswith("cbtxn_")
    assert first.amount == Decimal("299.99") and first.currency == "EUR"
    assert first.extra["ending_balance"] == "-299.99"
    posts = [r for r in double.requests if r.method == "POST"]
    assert [r.headers["idempotency-key"] for r in posts] == [key, key]
    assert posts[0].form()["amount"] == ["-29999"]
    assert len(double.handler.state.balance_transactions) == 1
    assert double.handler.state.customers["cus_PVana"]["balance"] == -29999


def test_reverse_credit_is_the_opposite_transaction(stripe_billing, double):
    credit = stripe_billing.apply_credit(
        "cus_PVana", Decimal("10.50"), "EUR", idempotency_key="k:credit", description="c"
    )
    reversal = stripe_billing.reverse_credit(
        "cus_PVana", credit, idempotency_key="k:reverse", description="payment confirmed"
    )
    assert reversal.extra["reverses"] == credit.id
    assert double.handler.state.customers["cus_PVana"]["balance"] == 0
    assert double.requests[-1].headers["idempotency-key"] == "k:reverse"
    with pytest.raises(ExternalError) as caught:
        stripe_billing.reverse_credit(
            "cus_PVana", BillingWrite(id="x"), idempotency_key="k", description=""
        )
    assert caught.value.permanent


def test_credit_refuses_bad_amounts_without_a_request(stripe_billing, double):
    for amount in (Decimal(0), Decimal("-5"), Decimal("1.005")):
        with pytest.raises(ExternalError) as caught:
            stripe_billing.apply_credit(
                "cus_PVana", amount, "EUR", idempotency_key="k", description=""
            )
        assert caught.value.permanent
    assert double.count() == 0


def test_pause_and_resume_dunning_toggle_auto_advance(stripe_billing, double):
    stripe_billing.pause_dunning("in_PVopen", idempotency_key="k:pause")
    assert double.handler.state.invoices["in_PVopen"]["auto_advance"] is False
    stripe_billing.resume_dunning("in_PVopen", idempotency_key="k:resume")
    assert double.handler.state.invoices["in_PVopen"]["auto_advance"] is True
    assert [r.headers["idempotency-key"] for r in double.requests] == ["k:pause", "k:resume"]


def test_mark_paid_out_of_band_records_the_reference(stripe_billing, double):
    stripe_billing.mark_paid_out_of_band("in_PVopen", reference="BANK-778", idempotency_key="k")
    invoice = double.handler.state.invoices["in_PVopen"]
    assert (
        invoice["status"] == "paid"
        and invoice["metadata"]["payverify_paid_reference"] == "BANK-778"
    )
    assert [r.path for r in double.requests] == [
        "/v1/invoices/in_PVopen",
        "/v1/invoices/in_PVopen/pay",
    ]
    assert double.requests[1].form()["paid_out_of_band"] == ["true"]
    assert all(r.headers["idempotency-key"].startswith("k:") for r in double.requests)


def test_apply_payment_attaches_the_payment_intent(stripe_billing, double):
    before = {i.id: i for i in stripe_billing.invoices("cus_PVana")}["in_PVopen"]
    assert before.status == "open"
    stripe_billing.apply_payment("in_PVopen", "pi_PVwire", idempotency_key="k:apply")
    assert double.requests[-1].path == "/v1/invoices/in_PVopen/attach_payment"
    assert double.requests[-1].form()["payment_intent"] == ["pi_PVwire"]
    after = {i.id: i for i in stripe_billing.invoices("cus_PVana")}["in_PVopen"]
    assert after.status == "paid"  # the shared invoice list was forgotten after the write
    linked = {p.id: p.invoice for p in stripe_billing.payments("cus_PVana")}
    assert linked["pi_PVwire"] == "in_PVopen"


def test_apply_payment_of_a_charge_pays_out_of_band(stripe_billing, double):
    stripe_billing.apply_payment("in_PVopen", "ch_PVother", idempotency_key="k:apply")
    invoice = double.handler.state.invoices["in_PVopen"]
    assert (
        invoice["status"] == "paid"
        and invoice["metadata"]["payverify_paid_reference"] == "ch_PVother"
    )


def test_429_waits_retry_after_then_succeeds(double):
    waits: list[float] = []
    billing = StripeBilling(KEY, base_url=double.url, retries=2, sleep=waits.append)
    double.faults.append(Fault("GET", "/v1/customers", 429, headers={"Retry-After": "2"}))
    assert billing.customer_by_email("ana@example.com").id == "cus_PVana"
    assert waits == [2.0] and double.count("GET", "/v1/customers") == 2


def test_500_then_success_on_a_write_resends_the_same_key(stripe_billing, double):
    double.faults.append(Fault("POST", "/v1/customers/cus_PVana/balance_transactions", 500))
    stripe_billing.apply_credit(
        "cus_PVana", Decimal(5), "EUR", idempotency_key="k:c", description=""
    )
    posts = [r for r in double.requests if r.method == "POST"]
    assert [r.headers["idempotency-key"] for r in posts] == ["k:c", "k:c"]
    assert len(double.handler.state.balance_transactions) == 1


def test_400_is_permanent_and_sent_once(stripe_billing, double):
    with pytest.raises(ExternalError) as caught:
        stripe_billing.apply_credit(
            "cus_PVana", Decimal(5), "USD", idempotency_key="k", description=""
        )
    assert caught.value.permanent and caught.value.status == 400
    assert double.count() == 1


@pytest.mark.parametrize(("status", "permanent"), [(401, True), (409, False), (503, False)])
def test_error_statuses_map_to_permanence(stripe_billing, double, status, permanent):
    double.faults.append(
        Fault("GET", "/v1/customers", status, times=5, body={"error": {"message": "x"}})
    )
    with pytest.raises(ExternalError) as caught:
        stripe_billing.customer_by_email("ana@example.com")
    assert caught.value.permanent is permanent and caught.value.status == status
    assert KEY not in str(caught.value)


def test_timeout_is_temporary_and_never_credits(stripe_billing, double):
    path = "/v1/customers/cus_PVana/balance_transactions"
    double.faults.append(Fault("POST", path, status=0, delay=1.2, times=5))
    with pytest.raises(ExternalError) as caught:
        stripe_billing.apply_credit(
            "cus_PVana", Decimal(5), "EUR", idempotency_key="k", description=""
        )
    assert not caught.value.permanent
    assert double.count("POST", path) == 3  # the first try and two retries, all with one key


def test_unreachable_stripe_raises_temporary_error():
    billing = StripeBilling(KEY, base_url="http://127.0.0.1:9", retries=1, sleep=lambda s: None)
    with pytest.raises(ExternalError) as caught:
        billing.apply_credit("cus_PVana", Decimal(5), "EUR", idempotency_key="k", description="")
    assert not caught.value.permanent


def test_wrong_api_key_is_permanent_and_not_echoed(double):
    billing = StripeBilling("rk_live_secret123", base_url=double.url, sleep=lambda s: None)
    with pytest.raises(ExternalError) as caught:
        billing.customer_by_email("ana@example.com")
    assert caught.value.permanent and "secret123" not in str(caught.value)
