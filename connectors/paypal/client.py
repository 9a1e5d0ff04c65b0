"""Raw PayPal REST calls on the resilient session, with the cached OAuth2 token.

A 401 on an API call means the token was revoked or expired early: it is dropped,
renewed once, and the call repeated once. Writes carry `PayPal-Request-Id`, PayPal's
idempotency header (https://developer.paypal.com/api/rest/reference/idempotency/).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

import requests
from pydantic import BaseModel, ValidationError

from connectors.http import DEFAULT_TIMEOUT, call, resilient_session
from connectors.paypal.auth import SERVICE, PayPalToken
from connectors.paypal.models import InvoiceSearchPage, PayPalInvoice, TransactionPage
from core.errors import ExternalError

DEFAULT_BASE = "https://api-m.paypal.com"
SANDBOX_BASE = "https://api-m.sandbox.paypal.com"
MAX_WINDOW = timedelta(days=31)  # Transaction Search refuses longer date ranges
M = TypeVar("M", bound=BaseModel)


class PayPalApi:
    """The PayPal calls payverify makes, each one request (plus a token when due)."""

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        base_url: str = DEFAULT_BASE,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        retries: int = 3,
        backoff: float = 0.25,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not base_url.startswith(("https://", "http://")):
            raise ValueError(f"PAYPAL_API_BASE is not an http(s) URL: {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.session = resilient_session(
            timeout=timeout, retries=retries, backoff=backoff, sleep=sleep
        )
        self.token = PayPalToken(self.session, self.base_url, client_id, client_secret, clock=clock)

    def __repr__(self) -> str:
        return f"PayPalApi(base_url={self.base_url!r})"

    def request(
        self,
        model: type[M] | None,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        request_id: str | None = None,
    ) -> M | None:
        """Send one API call with the bearer token; on 401 renew the token and try once more."""
        headers = {"Accept": "application/json"}
        if request_id:
            headers["PayPal-Request-Id"] = request_id[:108]  # PayPal's limit

        def send(token: str) -> requests.Response:
            return self.session.request(
                method,
                f"{self.base_url}{path}",
                params=params,
                json=body,
                headers={**headers, "Authorization": f"Bearer {token}"},
            )

        token = self.token.bearer()
        try:
            response = call(SERVICE, lambda: send(token))
        except ExternalError as error:
            if error.status != 401:
                raise
            self.token.invalidate(token)
            fresh = self.token.bearer()
            response = call(SERVICE, lambda: send(fresh))
        if model is None:
            return None
        try:
            return model.model_validate(response.json())
        except (ValueError, ValidationError) as exc:
            raise ExternalError(
                SERVICE, f"unexpected answer on {path}: {exc}", permanent=True
            ) from None

    # ------------------------------------------------------------------ calls

    def search_invoices(self, criteria: dict[str, Any], *, page: int = 1) -> InvoiceSearchPage:
        """`POST /v2/invoicing/search-invoices` (recipient_email, invoice_number, ...)."""
        params = {"page": page, "page_size": 100, "total_required": "true"}
        answer = self.request(
            InvoiceSearchPage, "POST", "/v2/invoicing/search-invoices", params=params, body=criteria
        )
        assert answer is not None
        return answer

    def invoice(self, invoice_id: str) -> PayPalInvoice:
        """`GET /v2/invoicing/invoices/{id}`."""
        answer = self.request(PayPalInvoice, "GET", f"/v2/invoicing/invoices/{invoice_id}")
        assert answer is not None
        return answer

    def record_payment(self, invoice_id: str, payment: dict[str, Any], *, key: str) -> None:
        """`POST /v2/invoicing/invoices/{id}/payments`: a payment made outside the invoice."""
        path = f"/v2/invoicing/invoices/{invoice_id}/payments"
        self.request(None, "POST", path, body=payment, request_id=key)

    def transactions(
        self, start: datetime, end: datetime, *, transaction_id: str | None = None, page: int = 1
    ) -> TransactionPage:
        """`GET /v1/reporting/transactions` for one window of at most 31 days."""
        if end - start > MAX_WINDOW:
            raise ValueError("Transaction Search windows are at most 31 days")
        params: dict[str, Any] = {
            "start_date": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "end_date": end.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "fields": "transaction_info,payer_info",
            "page_size": 500,
            "page": page,
        }
        if transaction_id:
            params["transaction_id"] = transaction_id
        answer = self.request(TransactionPage, "GET", "/v1/reporting/transactions", params=params)
        assert answer is not None
        return answer
