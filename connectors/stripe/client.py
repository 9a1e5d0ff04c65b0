"""Raw Stripe API calls through stripe-python's `StripeClient` on the project's resilient session.

stripe-python does not retry 429 and its own retries would stack on ours, so the client
runs with `max_network_retries=0` and every request goes through
`connectors.http.ResilientAdapter` (timeouts, backoff, `Retry-After`). Errors become
`core.errors.ExternalError`; answers are parsed into the typed models of `models.py`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import stripe
from pydantic import BaseModel, ValidationError
from stripe.params import (
    CustomerBalanceTransactionCreateParams,
    InvoiceListParams,
    InvoiceUpdateParams,
    PaymentIntentListParams,
)

from connectors.http import DEFAULT_TIMEOUT, resilient_session
from connectors.stripe.errors import SERVICE, external_error, first_error
from connectors.stripe.models import (
    StripeBalanceTransaction,
    StripeCharge,
    StripeCustomer,
    StripeInvoice,
    StripeList,
    StripePaymentIntent,
)
from core.errors import ExternalError

DEFAULT_BASE = "https://api.stripe.com"
M = TypeVar("M", bound=BaseModel)


class StripeApi:
    """The Stripe calls payverify makes, each one request, answers as typed models."""

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str = DEFAULT_BASE,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        retries: int = 3,
        backoff: float = 0.25,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not api_key or not api_key.strip():
            raise ValueError("Stripe needs an API key (STRIPE_API_KEY)")
        if not base_url.startswith(("https://", "http://")):
            raise ValueError(f"STRIPE_API_BASE is not an http(s) URL: {base_url!r}")
        self.base_url = base_url.rstrip("/")
        session = resilient_session(timeout=timeout, retries=retries, backoff=backoff, sleep=sleep)
        self.stripe = stripe.StripeClient(
            api_key.strip(),
            base_addresses={"api": self.base_url},
            http_client=stripe.RequestsClient(timeout=timeout, session=session),
            max_network_retries=0,
        )

    def __repr__(self) -> str:  # never the key
        return f"StripeApi(base_url={self.base_url!r})"

    def call(self, model: type[M], send: Callable[[], Any]) -> M:
        """Send one request and parse its answer, turning every failure into `ExternalError`."""
        try:
            answer = send()
        except stripe.StripeError as exc:
            raise external_error(exc) from None
        try:
            return model.model_validate(answer.to_dict())
        except ValidationError as exc:
            raise ExternalError(
                SERVICE, f"unexpected answer shape: {first_error(exc)}", permanent=True
            ) from None

    # ------------------------------------------------------------------ reads

    def customers_by_email(self, email: str) -> StripeList[StripeCustomer]:
        """`GET /v1/customers?email=` (a list, read-after-write consistent; search is not)."""
        return self.call(
            StripeList[StripeCustomer],
            lambda: self.stripe.v1.customers.list({"email": email, "limit": 10}),
        )

    def invoices_with_payments(
        self, customer_id: str, *, starting_after: str | None = None
    ) -> StripeList[StripeInvoice]:
        """`GET /v1/invoices?customer=` with each invoice's `InvoicePayment`s included."""
        params: InvoiceListParams = {
            "customer": customer_id,
            "limit": 100,
            "expand": ["data.payments"],
        }
        if starting_after:
            params["starting_after"] = starting_after
        return self.call(StripeList[StripeInvoice], lambda: self.stripe.v1.invoices.list(params))

    def payment_intents_with_charges(
        self, customer_id: str, *, starting_after: str | None = None
    ) -> StripeList[StripePaymentIntent]:
        """`GET /v1/payment_intents?customer=` with each one's latest charge (refund, dispute)."""
        params: PaymentIntentListParams = {
            "customer": customer_id,
            "limit": 100,
            "expand": ["data.latest_charge"],
        }
        if starting_after:
            params["starting_after"] = starting_after
        return self.call(
            StripeList[StripePaymentIntent], lambda: self.stripe.v1.payment_intents.list(params)
        )

    def invoice(self, invoice_id: str) -> StripeInvoice:
        """`GET /v1/invoices/{id}` with its customer expanded."""
        return self.call(
            StripeInvoice,
            lambda: self.stripe.v1.invoices.retrieve(invoice_id, {"expand": ["customer"]}),
        )

    def invoices_by_number(self, number: str) -> StripeList[StripeInvoice]:
        """`GET /v1/invoices/search?query=number:"..."` with customers expanded."""
        query = f'number:"{number}"'
        return self.call(
            StripeList[StripeInvoice],
            lambda: self.stripe.v1.invoices.search({"query": query, "expand": ["data.customer"]}),
        )

    def payment_intent(self, payment_intent_id: str) -> StripePaymentIntent:
        """`GET /v1/payment_intents/{id}` with its customer expanded."""
        return self.call(
            StripePaymentIntent,
            lambda: self.stripe.v1.payment_intents.retrieve(
                payment_intent_id, {"expand": ["customer"]}
            ),
        )

    def charge(self, charge_id: str) -> StripeCharge:
        """`GET /v1/charges/{id}` with its customer expanded."""
        return self.call(
            StripeCharge,
            lambda: self.stripe.v1.charges.retrieve(charge_id, {"expand": ["customer"]}),
        )

    # ----------------------------------------------------------------- writes

    def create_balance_transaction(
        self, customer_id: str, amount_minor: int, currency: str, *, key: str, description: str
    ) -> StripeBalanceTransaction:
        """`POST /v1/customers/{id}/balance_transactions` (negative amount: a credit)."""
        params: CustomerBalanceTransactionCreateParams = {
            "amount": amount_minor,
            "currency": currency.lower(),
            "description": description[:350],
            "metadata": {"payverify_key": key[:500]},
        }
        return self.call(
            StripeBalanceTransaction,
            lambda: self.stripe.v1.customers.balance_transactions.create(
                customer_id, params, {"idempotency_key": key}
            ),
        )

    def update_invoice(
        self, invoice_id: str, params: InvoiceUpdateParams, *, key: str
    ) -> StripeInvoice:
        """`POST /v1/invoices/{id}` (auto_advance, metadata)."""
        return self.call(
            StripeInvoice,
            lambda: self.stripe.v1.invoices.update(invoice_id, params, {"idempotency_key": key}),
        )

    def pay_out_of_band(self, invoice_id: str, *, key: str) -> StripeInvoice:
        """`POST /v1/invoices/{id}/pay` with `paid_out_of_band=true`."""
        return self.call(
            StripeInvoice,
            lambda: self.stripe.v1.invoices.pay(
                invoice_id, {"paid_out_of_band": True}, {"idempotency_key": key}
            ),
        )

    def attach_payment_intent(
        self, invoice_id: str, payment_intent_id: str, *, key: str
    ) -> StripeInvoice:
        """`POST /v1/invoices/{id}/attach_payment` with the payment intent."""
        return self.call(
            StripeInvoice,
            lambda: self.stripe.v1.invoices.attach_payment(
                invoice_id, {"payment_intent": payment_intent_id}, {"idempotency_key": key}
            ),
        )
