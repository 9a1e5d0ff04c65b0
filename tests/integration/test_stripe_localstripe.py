"""StripeBilling over real HTTP against localstripe (a stateful fake Stripe) on 127.0.0.1.

localstripe serves customers (listed by email), payment methods, payment intents,
charges and refunds; invoices with payments, balance transactions and faults are
covered by the double in test_stripe.py.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from decimal import Decimal

import pytest
import requests

from connectors.stripe import StripeBilling, convert
from core.errors import ExternalError
from tests.conftest import missing

KEY = "sk_test_payverify_localstripe"

# localstripe keeps its state in /tmp/localstripe.pickle and listens on every interface;
# run its aiohttp app in memory only, on loopback, so parallel runs never share state.
BOOT = """
import sys
import localstripe.resources as resources
resources.Store.dump_to_disk = lambda self: None
resources.Store.try_load_from_disk = lambda self: None
from aiohttp import web
from localstripe.server import app
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def localstripe_url():
    """localstripe started as a subprocess on a free loopback port, stopped after the session."""
    try:
        import localstripe  # noqa: F401
    except ImportError:
        missing("localstripe (pip install localstripe)")
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", BOOT, str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            requests.get(f"{url}/v1/customers", auth=(KEY, ""), timeout=0.5)
            break
        except requests.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"localstripe did not start: {process.stderr.read().decode()[-500:]}")
            time.sleep(0.1)
    yield url
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
    process.stderr.close()


@pytest.fixture(scope="session")
def seeded(localstripe_url):
    """A customer with a tier, a paid card payment, a refunded one and a declined one."""
    import stripe

    stripe_client = stripe.StripeClient(
        KEY, base_addresses={"api": localstripe_url}, max_network_retries=0
    ).v1
    customer = stripe_client.customers.create(
        {"email": "lia@example.com", "name": "Lia", "metadata": {"tier": "premium"}}
    )

    def pay(number: str, amount: int) -> str:
        card = {"number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123"}
        method = stripe_client.payment_methods.create({"type": "card", "card": card})
        intent = stripe_client.payment_intents.create(
            {
                "amount": amount,
                "currency": "eur",
                "customer": customer.id,
                "payment_method": method.id,
            }
        )
        with contextlib.suppress(stripe.CardError):  # the declined card keeps its error
            stripe_client.payment_intents.confirm(intent.id)
        return intent.id

    paid, refunded, declined = (
        pay("4242424242424242", 4200),
        pay("4242424242424242", 1999),
        pay("4000000000000341", 3100),
    )
    charge = stripe_client.charges.list({"customer": customer.id}).data
    refunded_charge = next(c for c in charge if c.payment_intent == refunded)
    stripe_client.refunds.create({"charge": refunded_charge.id})
    return {
        "customer": customer.id,
        "paid": paid,
        "refunded": refunded,
        "declined": declined,
        "refunded_charge": refunded_charge.id,
    }


@pytest.fixture
def billing(localstripe_url):
    return StripeBilling(KEY, base_url=localstripe_url, retries=1, sleep=lambda s: None)


def test_customer_by_email_with_tier(billing, seeded):
    customer = billing.customer_by_email("lia@example.com")
    assert customer is not None and customer.id == seeded["customer"]
    assert customer.tier == "premium" and customer.name == "Lia"
    assert billing.customer_by_email("LIA@example.com").id == seeded["customer"]
    assert billing.customer_by_email("someone-else@example.com") is None


def test_customer_by_payment_intent_and_charge(billing, seeded):
    assert billing.customer_by_transaction_id(seeded["paid"]).id == seeded["customer"]
    assert billing.customer_by_transaction_id(seeded["refunded_charge"]).id == seeded["customer"]
    assert billing.customer_by_transaction_id("pi_doesnotexist") is None


@pytest.mark.parametrize(
    ("which", "status", "amount"),
    [
        ("paid", "succeeded", "42.00"),
        ("refunded", "refunded", "19.99"),
        ("declined", "failed", "31.00"),
    ],
)
def test_payment_intents_convert_to_core_payments(billing, seeded, which, status, amount):
    payment = convert.payment_from_intent(billing.api.payment_intent(seeded[which]), None)
    assert payment is not None
    assert (payment.status, payment.amount, payment.currency) == (status, Decimal(amount), "EUR")
    # localstripe's charges predate `payment_method_details`: the method is not asserted here.


def test_a_credit_stripe_refuses_is_permanent_and_not_applied(billing, seeded):
    # localstripe has no customer balance: the write is refused and nothing is credited.
    with pytest.raises(ExternalError) as caught:
        billing.apply_credit(
            seeded["customer"], Decimal(10), "EUR", idempotency_key="k", description="credit"
        )
    assert caught.value.permanent
