"""Stripe as a `core.ports.BillingSource`: at most 4 requests per ticket, credit included.

The per-ticket calls are: the customer by email, the invoices with their payments
(`expand[]=data.payments`), the payment intents with their latest charge
(`expand[]=data.latest_charge`), and the credit. `invoices()` and `payments()` both
need the invoice list (payments are linked to invoices only through `InvoicePayment`),
so the two share one in-flight fetch per customer for a few seconds.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from decimal import Decimal

from stripe.params import InvoiceUpdateParams

from connectors.http import DEFAULT_TIMEOUT
from connectors.stripe import convert
from connectors.stripe.client import DEFAULT_BASE, StripeApi
from connectors.stripe.errors import SERVICE
from connectors.stripe.models import StripeInvoice
from connectors.stripe.shared_fetch import SharedFetch
from core.errors import ExternalError, NotFound
from core.models import Invoice, Payment
from core.ports import BillingCustomer, BillingWrite

log = logging.getLogger(__name__)


class StripeBilling:
    """Customers, invoices and payments read from Stripe; credits and invoice fixes written."""

    name = "stripe"

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str = DEFAULT_BASE,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        retries: int = 3,
        backoff: float = 0.25,
        sleep: Callable[[float], None] = time.sleep,
        max_pages: int = 2,
        share_seconds: float = 10.0,
    ) -> None:
        self.api = StripeApi(
            api_key,
            base_url=base_url,
            timeout=timeout,
            retries=retries,
            backoff=backoff,
            sleep=sleep,
        )
        self.max_pages = max_pages
        self._invoice_lists: SharedFetch[list[StripeInvoice]] = SharedFetch(share_seconds)

    def __repr__(self) -> str:
        return f"StripeBilling(base_url={self.api.base_url!r})"

    # ------------------------------------------------------------------ customers

    def customer_by_email(self, email: str) -> BillingCustomer | None:
        """The newest live customer with this email (Stripe's email filter is case-sensitive)."""
        email = email.strip()
        if not email:
            return None
        for candidate in dict.fromkeys((email, email.lower())):
            found = [c for c in self.api.customers_by_email(candidate).data if not c.deleted]
            if found:
                return convert.to_customer(found[0])
        return None

    def customer_by_invoice_ref(self, ref: str) -> BillingCustomer | None:
        """The owner of invoice `in_...`, or of the invoice with this number (invoice search)."""
        ref = ref.strip()
        if ref.startswith("in_"):
            try:
                return convert.customer_of(self.api.invoice(ref).customer)
            except NotFound:
                return None
        if not ref or any(c in ref for c in "\"\\'"):  # a quote would end the search query
            return None
        for invoice in self.api.invoices_by_number(ref).data:
            if invoice.number == ref:
                return convert.customer_of(invoice.customer)
        return None

    def customer_by_transaction_id(self, transaction_id: str) -> BillingCustomer | None:
        """The customer of a payment intent (`pi_`) or charge (`ch_`, `py_`), if Stripe has it."""
        ref = transaction_id.strip()
        try:
            if ref.startswith("pi_"):
                return convert.customer_of(self.api.payment_intent(ref).customer)
            if ref.startswith(("ch_", "py_")):
                return convert.customer_of(self.api.charge(ref).customer)
        except NotFound:
            return None
        return None

    # ------------------------------------------------------------------ reads

    def invoices(self, customer_id: str) -> list[Invoice]:
        """The customer's invoices, newest first (drafts included; the core ignores them)."""
        return [i for i in map(convert.to_invoice, self._stripe_invoices(customer_id)) if i]

    def payments(self, customer_id: str) -> list[Payment]:
        """Payment intents that were attempted, linked to the invoice an `InvoicePayment` names."""
        intents, cursor = [], None
        for _ in range(self.max_pages):
            page = self.api.payment_intents_with_charges(customer_id, starting_after=cursor)
            intents.extend(page.data)
            if not page.has_more or not page.data:
                break
            cursor = page.data[-1].id
        return convert.customer_payments(intents, self._stripe_invoices(customer_id))

    def _stripe_invoices(self, customer_id: str) -> list[StripeInvoice]:
        return self._invoice_lists.get(customer_id, lambda: self._fetch_invoices(customer_id))

    def _fetch_invoices(self, customer_id: str) -> list[StripeInvoice]:
        invoices: list[StripeInvoice] = []
        cursor = None
        for _ in range(self.max_pages):
            page = self.api.invoices_with_payments(customer_id, starting_after=cursor)
            invoices.extend(page.data)
            if not page.has_more or not page.data:
                break
            cursor = page.data[-1].id
        return invoices

    def _forget_invoices(self) -> None:
        self._invoice_lists.clear()

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
        """A customer balance transaction with a negative amount: credit for the next invoices."""
        minor = _minor(amount, currency)
        txn = self.api.create_balance_transaction(
            customer_id, -minor, currency, key=idempotency_key, description=description
        )
        return convert.balance_write(txn.id, amount, currency, customer_id, txn.ending_balance)

    def reverse_credit(
        self, customer_id: str, credit: BillingWrite, *, idempotency_key: str, description: str
    ) -> BillingWrite:
        """The opposite balance transaction (a positive amount: a debit of the same size)."""
        if credit.amount is None or not credit.currency:
            raise ExternalError(
                SERVICE, f"credit {credit.id} has no amount or currency to reverse", permanent=True
            )
        minor = _minor(credit.amount, credit.currency)
        txn = self.api.create_balance_transaction(
            customer_id, minor, credit.currency, key=idempotency_key, description=description
        )
        write = convert.balance_write(
            txn.id, credit.amount, credit.currency, customer_id, txn.ending_balance
        )
        write.extra["reverses"] = credit.id
        return write

    def pause_dunning(self, invoice_id: str, *, idempotency_key: str) -> None:
        """Stop automatic collection (`auto_advance=false`): no retries, reminders or dunning."""
        self.api.update_invoice(invoice_id, {"auto_advance": False}, key=idempotency_key)
        self._forget_invoices()

    def resume_dunning(self, invoice_id: str, *, idempotency_key: str) -> None:
        """Give the invoice back to automatic collection (`auto_advance=true`)."""
        self.api.update_invoice(invoice_id, {"auto_advance": True}, key=idempotency_key)
        self._forget_invoices()

    def mark_paid_out_of_band(
        self, invoice_id: str, *, reference: str, idempotency_key: str
    ) -> None:
        """Record the reference in the invoice's metadata, then pay it `paid_out_of_band`."""
        metadata: InvoiceUpdateParams = {"metadata": {"payverify_paid_reference": reference[:500]}}
        self.api.update_invoice(invoice_id, metadata, key=f"{idempotency_key}:reference")
        self.api.pay_out_of_band(invoice_id, key=f"{idempotency_key}:pay")
        self._forget_invoices()

    def apply_payment(self, invoice_id: str, payment_id: str, *, idempotency_key: str) -> None:
        """Attach a payment intent to the invoice; anything else is recorded paid out of band."""
        if payment_id.startswith("pi_"):
            # https://docs.stripe.com/api/invoices/attach_payment: a succeeded intent is
            # credited to the invoice at once. An intent Stripe refuses is not paid around.
            self.api.attach_payment_intent(invoice_id, payment_id, key=idempotency_key)
            self._forget_invoices()
            return
        log.info("payment %s cannot be attached; paying invoice out of band", payment_id)
        self.mark_paid_out_of_band(
            invoice_id, reference=payment_id, idempotency_key=idempotency_key
        )


def _minor(amount: Decimal, currency: str) -> int:
    if not amount.is_finite() or amount <= 0:
        raise ExternalError(
            SERVICE, f"credit amount must be positive, not {amount}", permanent=True
        )
    try:
        return convert.to_minor(amount, currency)
    except ValueError as exc:
        raise ExternalError(SERVICE, str(exc), permanent=True) from None
