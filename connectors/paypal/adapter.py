"""PayPal as a `core.ports.BillingSource`: Invoicing v2 and Transaction Search with OAuth2.

PayPal has no customer object and no customer balance: the customer is the invoice
recipient's email, and a temporary credit or a dunning pause cannot be written (the
calls raise a permanent `ExternalError` saying so; docs/CONNECTORS_BILLING.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

from connectors.http import DEFAULT_TIMEOUT
from connectors.paypal import convert
from connectors.paypal.auth import SERVICE
from connectors.paypal.client import DEFAULT_BASE, PayPalApi
from connectors.paypal.models import PayPalInvoice, TransactionDetail
from connectors.paypal.search import TransactionSearch
from connectors.stripe.shared_fetch import SharedFetch  # generic; imports no stripe SDK
from core.errors import ExternalError, NotFound
from core.models import Invoice, Payment
from core.ports import BillingCustomer, BillingWrite

PAID = ("PAID", "MARKED_AS_PAID")


class PayPalBilling:
    """Invoices by recipient email, payments from the invoices and from Transaction Search."""

    name = "paypal"

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
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        payment_lookback_days: int = 62,
        lookup_lookback_days: int = 186,
        max_pages: int = 3,
        share_seconds: float = 10.0,
    ) -> None:
        self.api = PayPalApi(
            client_id,
            client_secret,
            base_url=base_url,
            timeout=timeout,
            retries=retries,
            backoff=backoff,
            sleep=sleep,
            clock=clock,
        )
        self.now = now
        self.payment_lookback_days = payment_lookback_days
        self.lookup_lookback_days = lookup_lookback_days
        self.max_pages = max_pages
        self.search = TransactionSearch(self.api, now, max_pages=max_pages)
        self._invoice_lists: SharedFetch[list[PayPalInvoice]] = SharedFetch(share_seconds)

    def __repr__(self) -> str:
        return f"PayPalBilling(base_url={self.api.base_url!r})"

    # ------------------------------------------------------------------ customers

    def customer_by_email(self, email: str) -> BillingCustomer | None:
        """The recipient of invoices sent to this email, if there are any."""
        for invoice in self._invoices_of(email.strip().lower()):
            customer = convert.customer_of(invoice)
            if customer:
                return customer
        return None

    def customer_by_invoice_ref(self, ref: str) -> BillingCustomer | None:
        """The recipient of invoice `INV2-...` or of the invoice with this number."""
        ref = ref.strip()
        if ref.upper().startswith("INV2-"):
            try:
                return convert.customer_of(self.api.invoice(ref))
            except NotFound:
                return None
        for invoice in self.api.search_invoices({"invoice_number": ref}).items:
            if invoice.detail.invoice_number == ref:
                return convert.customer_of(invoice)
        return None

    def customer_by_transaction_id(self, transaction_id: str) -> BillingCustomer | None:
        """The payer of a PayPal transaction, searched back window by window (31 days each)."""
        detail = self.search.find(transaction_id.strip(), self.lookup_lookback_days)
        email = detail.payer_info.email_address if detail and detail.payer_info else None
        if not email:
            return None
        return BillingCustomer(id=email.lower(), email=email.lower())

    # ------------------------------------------------------------------ reads

    def invoices(self, customer_id: str) -> list[Invoice]:
        """Invoices sent to the customer's email."""
        return [convert.to_invoice(i) for i in self._invoices_of(customer_id)]

    def payments(self, customer_id: str) -> list[Payment]:
        """Payments recorded on the invoices, then the payer's PayPal transactions."""
        invoices = self._invoices_of(customer_id)
        recent = self.search.recent(self.payment_lookback_days)
        return convert.customer_payments(invoices, [d for d in recent if _paid_by(d, customer_id)])

    def _invoices_of(self, email: str) -> list[PayPalInvoice]:
        # customer_by_email, invoices() and payments() (the last two run concurrently)
        # share one search per email for a few seconds.
        return self._invoice_lists.get(email.strip().lower(), lambda: self._search(email))

    def _search(self, email: str) -> list[PayPalInvoice]:
        found: list[PayPalInvoice] = []
        for page in range(1, self.max_pages + 1):
            answer = self.api.search_invoices({"recipient_email": email}, page=page)
            found.extend(answer.items)
            if not answer.items or page >= (answer.total_pages or 1):
                break
        return found

    # ------------------------------------------------------------------ writes

    def apply_credit(
        self,
        customer_id: str,
        amount: Decimal,
        currency: str,
        *,
        idempotency_key: str,
        description: str,
    ) -> BillingWrite:
        """PayPal has no account credit: refused, permanently, before any request."""
        raise ExternalError(
            SERVICE,
            "PayPal has no customer balance or account credit; apply the credit in your own "
            "ledger or adjust the invoice in PayPal",
            permanent=True,
        )

    def reverse_credit(
        self, customer_id: str, credit: BillingWrite, *, idempotency_key: str, description: str
    ) -> BillingWrite:
        """Nothing to reverse: PayPal never took a credit."""
        raise ExternalError(SERVICE, "PayPal has no account credit to reverse", permanent=True)

    def pause_dunning(self, invoice_id: str, *, idempotency_key: str) -> None:
        """PayPal invoices are never collected automatically, and reminders have no API switch."""
        raise ExternalError(
            SERVICE, "PayPal Invoicing has no dunning to pause through the API", permanent=True
        )

    def resume_dunning(self, invoice_id: str, *, idempotency_key: str) -> None:
        """See `pause_dunning`."""
        raise ExternalError(
            SERVICE, "PayPal Invoicing has no dunning to resume through the API", permanent=True
        )

    def mark_paid_out_of_band(
        self, invoice_id: str, *, reference: str, idempotency_key: str
    ) -> None:
        """Record an external payment of what is due (`POST .../payments`), once per key."""
        invoice = self.api.invoice(invoice_id)
        if invoice.status.upper() in PAID or invoice.due_amount is None:
            return
        if invoice.due_amount.value <= 0:
            return
        payment = {
            "method": "OTHER",
            "payment_date": self.now().date().isoformat(),
            "amount": _money(invoice.due_amount.value, invoice.due_amount.currency_code),
            "note": f"Recorded by payverify: {reference}"[:150],
        }
        self.api.record_payment(invoice_id, payment, key=idempotency_key)
        self._invoice_lists.clear()

    def apply_payment(self, invoice_id: str, payment_id: str, *, idempotency_key: str) -> None:
        """Record a PayPal transaction the invoice does not show as a payment on that invoice."""
        invoice = self.api.invoice(invoice_id)
        recorded = invoice.payments.transactions if invoice.payments else []
        if any(r.payment_id == payment_id for r in recorded) or invoice.status.upper() in PAID:
            return
        detail = self.search.find(payment_id, self.lookup_lookback_days)
        amount = detail.transaction_info.transaction_amount if detail else None
        if detail is None or amount is None or detail.transaction_info.transaction_status != "S":
            raise ExternalError(
                SERVICE, f"no completed PayPal transaction {payment_id}", permanent=True
            )
        due = invoice.due_amount.value if invoice.due_amount else amount.value
        if amount.currency_code != invoice.detail.currency_code:
            raise ExternalError(
                SERVICE, f"{payment_id} is not in the invoice's currency", permanent=True
            )
        paid_on = convert.when(detail.transaction_info.transaction_initiation_date) or self.now()
        payment = {
            "method": "PAYPAL",
            "payment_date": paid_on.date().isoformat(),
            "amount": _money(min(amount.value, due), amount.currency_code),
            "note": f"PayPal transaction {payment_id} (applied by payverify)",
        }
        self.api.record_payment(invoice_id, payment, key=idempotency_key)
        self._invoice_lists.clear()


def _paid_by(detail: TransactionDetail, email: str) -> bool:
    payer = detail.payer_info.email_address if detail.payer_info else None
    return bool(payer) and payer.strip().lower() == email.strip().lower()  # type: ignore[union-attr]


def _money(value: Decimal, currency: str) -> dict[str, str]:
    return {"currency_code": currency, "value": format(value, "f")}
