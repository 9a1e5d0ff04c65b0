"""PayPalBilling over real HTTP against a PayPal REST double on 127.0.0.1."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from connectors.paypal import PayPalBilling
from core.errors import ExternalError
from core.ports import BillingSource, idempotency_key
from tests.integration.doubles.billing_http import DoubleServer, Fault
from tests.integration.doubles.billing_paypal import CLIENT_ID, CLIENT_SECRET, NOW, PayPalDouble

TOKEN = "/v1/oauth2/token"
TRANSACTIONS = "/v1/reporting/transactions"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def double():
    server = DoubleServer(PayPalDouble()).start()
    yield server
    server.stop()


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def paypal(double, clock):
    return PayPalBilling(
        CLIENT_ID,
        CLIENT_SECRET,
        base_url=double.url,
        timeout=(0.5, 0.5),
        retries=2,
        sleep=lambda s: None,
        clock=clock,
        now=lambda: NOW,
    )


def test_is_a_billing_source_without_secrets_in_repr(paypal):
    assert isinstance(paypal, BillingSource)
    assert CLIENT_SECRET not in repr(paypal) and CLIENT_SECRET not in repr(paypal.api.token)


def test_one_token_for_many_requests(paypal, double):
    paypal.invoices("leo@example.com")
    for _ in range(3):
        paypal.customer_by_invoice_ref("INV2-PVAA-0001")
    paypal.customer_by_invoice_ref("2025-0103")
    assert double.count("POST", TOKEN) == 1 and double.count() == 6
    token_request = double.requests[0]
    assert token_request.form() == {"grant_type": ["client_credentials"]}


def test_token_renewed_before_it_expires(paypal, double, clock):
    double.handler.state.expires_in = 3600
    paypal.customer_by_invoice_ref("INV2-PVAA-0001")
    clock.now += 3600 - 299  # inside the 5-minute margin
    paypal.customer_by_invoice_ref("INV2-PVAA-0001")
    assert double.count("POST", TOKEN) == 2
    clock.now += 10  # the new token is fresh: no third token request
    paypal.customer_by_invoice_ref("INV2-PVAA-0001")
    assert double.count("POST", TOKEN) == 2


def test_401_renews_the_token_once(paypal, double):
    invoice = "/v2/invoicing/invoices/INV2-PVAA-0001"
    paypal.customer_by_invoice_ref("INV2-PVAA-0001")
    double.handler.revoke_tokens()
    assert paypal.customer_by_invoice_ref("INV2-PVAA-0001").id == "leo@example.com"
    assert double.count("POST", TOKEN) == 2
    assert double.count("GET", invoice) == 3  # 1 + (401, retry)


def test_401_twice_is_permanent(paypal, double):
    double.faults.append(
        Fault(
            "GET",
            "/v2/invoicing/invoices/INV2-PVAA-0001",
            401,
            times=2,
            body={"name": "AUTHENTICATION_FAILURE", "message": "no"},
        )
    )
    with pytest.raises(ExternalError) as caught:
        paypal.customer_by_invoice_ref("INV2-PVAA-0001")
    assert caught.value.permanent and caught.value.status == 401
    assert double.count("GET", "/v2/invoicing/invoices/INV2-PVAA-0001") == 2


def test_wrong_secret_is_permanent_and_not_echoed(double):
    paypal = PayPalBilling(CLIENT_ID, "wrong-secret-xyz", base_url=double.url, sleep=lambda s: None)
    with pytest.raises(ExternalError) as caught:
        paypal.invoices("leo@example.com")
    assert caught.value.permanent and caught.value.status == 401
    assert "wrong-secret-xyz" not in str(caught.value)
    assert "Client Authentication failed" in str(caught.value)


def test_customer_lookups(paypal, double):
    customer = paypal.customer_by_email("Leo@Example.com")
    assert (customer.id, customer.name, customer.currency) == (
        "leo@example.com",
        "Leo Martin",
        "EUR",
    )
    assert paypal.customer_by_email("nobody@example.com") is None
    assert paypal.customer_by_invoice_ref("2025-0103").id == "leo@example.com"
    assert paypal.customer_by_invoice_ref("INV2-PVAA-9999") is None
    double.reset()
    assert paypal.customer_by_transaction_id("4OLD0000000000006").id == "leo@example.com"
    windows = [r for r in double.requests if r.path == TRANSACTIONS]
    assert len(windows) == 5  # found in the fifth 31-day window back from now
    assert all(r.query["transaction_id"] == ["4OLD0000000000006"] for r in windows)
    assert paypal.customer_by_transaction_id("pi_not-paypal!") is None


def test_ticket_budget_token_search_and_two_windows(paypal, double):
    """Customer by email, then invoices and payments concurrently: one search, one token."""
    customer = paypal.customer_by_email("leo@example.com")
    with ThreadPoolExecutor(2) as pool:
        invoices = pool.submit(paypal.invoices, customer.id)
        payments = pool.submit(paypal.payments, customer.id)
        assert invoices.result() and payments.result()
    assert double.count("POST", TOKEN) == 1
    assert double.count("POST", "/v2/invoicing/search-invoices") == 1
    assert double.count("GET", TRANSACTIONS) == 2
    assert double.count() == 4


def test_writes_forget_the_shared_invoice_list(paypal):
    assert {i.id: i.status for i in paypal.invoices("leo@example.com")}["INV2-PVAA-0001"] == "open"
    paypal.mark_paid_out_of_band("INV2-PVAA-0001", reference="CASH-1", idempotency_key="k")
    assert {i.id: i.status for i in paypal.invoices("leo@example.com")}["INV2-PVAA-0001"] == "paid"


def test_invoices_map_statuses_and_amounts(paypal):
    invoices = {i.number: i for i in paypal.invoices("leo@example.com")}
    got = {n: (i.status, i.amount_due, i.amount_paid) for n, i in invoices.items()}
    assert got == {
        "2025-0101": ("open", Decimal("120.00"), Decimal("0.00")),
        "2025-0102": ("paid", Decimal("80.00"), Decimal("80.00")),
        "2025-0103": ("open", Decimal("200.00"), Decimal("50.00")),
        "2025-0104": ("void", Decimal("10.00"), Decimal("0.00")),
    }
    assert invoices["2025-0101"].hosted_invoice_url.endswith("#INV2-PVAA-0001")
    assert invoices["2025-0101"].due_date.isoformat().startswith("2025-03-28")


def test_payments_from_invoices_and_transaction_search(paypal, double):
    payments = {p.id: p for p in paypal.payments("leo@example.com")}
    got = {pid: (p.status, p.method, p.invoice) for pid, p in payments.items()}
    assert got == {
        "5TY05013RG002845M": ("succeeded", "paypal", "INV2-PVAA-0002"),
        "EXTR-86F38350LX4353815": ("succeeded", "bank_transfer", "INV2-PVAA-0003"),
        "9XK12345678901234": ("succeeded", "paypal", None),
        "3JR00000000000001": ("refunded", "paypal", None),
        "7DP00000000000002": ("disputed", "paypal", None),
        "1PD00000000000004": ("processing", "paypal", None),
    }
    assert payments["9XK12345678901234"].amount == Decimal("120.00")
    windows = [r for r in double.requests if r.path == TRANSACTIONS]
    assert len(windows) == 2  # 62 days in two windows of 31
    for request in windows:
        start = request.query["start_date"][0]
        end = request.query["end_date"][0]
        assert datetime.fromisoformat(end) - datetime.fromisoformat(start) <= timedelta(days=31)


def test_credit_and_dunning_are_refused_without_a_request(paypal, double):
    with pytest.raises(ExternalError, match="no customer balance") as caught:
        paypal.apply_credit(
            "leo@example.com",
            Decimal(120),
            "EUR",
            idempotency_key="k",
            description="temporary credit",
        )
    assert caught.value.permanent
    for action in (paypal.pause_dunning, paypal.resume_dunning):
        with pytest.raises(ExternalError) as caught:
            action("INV2-PVAA-0001", idempotency_key="k")
        assert caught.value.permanent
    assert double.count() == 0


def test_mark_paid_out_of_band_records_a_payment_once(paypal, double):
    key = idempotency_key("TKT-9", "INV2-PVAA-0003", "mark_paid")
    paypal.mark_paid_out_of_band("INV2-PVAA-0003", reference="SEPA 9912", idempotency_key=key)
    paypal.mark_paid_out_of_band("INV2-PVAA-0003", reference="SEPA 9912", idempotency_key=key)
    recorded = double.handler.state.recorded
    assert len(recorded) == 1
    assert recorded[0]["amount"] == {"currency_code": "EUR", "value": "150.00"}
    assert recorded[0]["method"] == "OTHER" and "SEPA 9912" in recorded[0]["note"]
    posts = [r for r in double.requests if r.path.endswith("/payments")]
    assert [r.headers["paypal-request-id"] for r in posts] == [key]
    assert double.handler.state.invoices["INV2-PVAA-0003"]["status"] == "MARKED_AS_PAID"


def test_apply_payment_records_the_transaction_on_the_invoice(paypal, double):
    paypal.apply_payment("INV2-PVAA-0001", "9XK12345678901234", idempotency_key="k:apply")
    recorded = double.handler.state.recorded
    assert recorded == [
        {
            "invoice": "INV2-PVAA-0001",
            "method": "PAYPAL",
            "payment_date": "2025-03-08",
            "amount": {"currency_code": "EUR", "value": "120.00"},
            "note": "PayPal transaction 9XK12345678901234 (applied by payverify)",
        }
    ]
    with pytest.raises(ExternalError) as caught:  # a reversed transaction is not applied
        paypal.apply_payment("INV2-PVAA-0003", "3JR00000000000001", idempotency_key="k2")
    assert caught.value.permanent and len(recorded) == 1


def test_429_then_success_on_the_search(paypal, double):
    waits: list[float] = []
    paypal.api.session.get_adapter("http://").sleep = waits.append
    double.faults.append(
        Fault("POST", "/v2/invoicing/search-invoices", 429, headers={"Retry-After": "1"})
    )
    assert paypal.invoices("leo@example.com")
    assert waits == [1.0]


def test_500_then_success_on_a_read(paypal, double):
    double.faults.append(Fault("GET", "/v2/invoicing/invoices/INV2-PVAA-0001", 500))
    assert paypal.customer_by_invoice_ref("INV2-PVAA-0001").id == "leo@example.com"
    assert double.count("GET", "/v2/invoicing/invoices/INV2-PVAA-0001") == 2


def test_400_is_permanent(paypal, double):
    double.faults.append(
        Fault("GET", TRANSACTIONS, 400, body={"name": "INVALID_REQUEST", "message": "bad"})
    )
    with pytest.raises(ExternalError) as caught:
        paypal.payments("leo@example.com")
    assert caught.value.permanent and caught.value.status == 400


def test_timeout_is_temporary(paypal, double):
    double.faults.append(Fault("GET", TRANSACTIONS, status=0, delay=1.2, times=5))
    with pytest.raises(ExternalError) as caught:
        paypal.payments("leo@example.com")
    assert not caught.value.permanent and double.count("GET", TRANSACTIONS) == 3
