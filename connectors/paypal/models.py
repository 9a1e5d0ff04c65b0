"""Typed models of the PayPal answers payverify reads (Invoicing v2, Transaction Search v1).

Amounts are decimal strings already (`{"currency_code": "EUR", "value": "299.99"}`):
https://developer.paypal.com/api/rest/reference/currency-codes/ . Unknown fields are ignored.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict


class _PayPalModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Money(_PayPalModel):
    currency_code: str
    value: Decimal


def when(value: str | None) -> datetime | None:
    """PayPal writes `2025-03-08T14:03:00Z`, `...+0000` or a bare date; all are UTC here."""
    if not value:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class InvoiceMetadata(_PayPalModel):
    create_time: str | None = None
    recipient_view_url: str | None = None


class PaymentTerm(_PayPalModel):
    due_date: str | None = None


class InvoiceDetail(_PayPalModel):
    invoice_number: str | None = None
    invoice_date: str | None = None
    currency_code: str
    payment_term: PaymentTerm | None = None
    metadata: InvoiceMetadata | None = None


class Name(_PayPalModel):
    given_name: str | None = None
    surname: str | None = None
    full_name: str | None = None


class BillingInfo(_PayPalModel):
    email_address: str | None = None
    name: Name | None = None


class Recipient(_PayPalModel):
    billing_info: BillingInfo | None = None


class RecordedPayment(_PayPalModel):
    payment_id: str | None = None
    type: str | None = None  # PAYPAL | EXTERNAL
    method: str | None = None  # PAYPAL, BANK_TRANSFER, WIRE_TRANSFER, CREDIT_CARD, CHECK, ...
    payment_date: str | None = None
    amount: Money | None = None
    note: str | None = None


class InvoicePayments(_PayPalModel):
    paid_amount: Money | None = None
    transactions: list[RecordedPayment] = []


class PayPalInvoice(_PayPalModel):
    id: str
    status: str
    detail: InvoiceDetail
    primary_recipients: list[Recipient] = []
    amount: Money | None = None
    due_amount: Money | None = None
    payments: InvoicePayments | None = None

    @property
    def recipient(self) -> BillingInfo | None:
        """The first recipient's billing details (who the invoice is for)."""
        for recipient in self.primary_recipients:
            if recipient.billing_info and recipient.billing_info.email_address:
                return recipient.billing_info
        return None


class InvoiceSearchPage(_PayPalModel):
    items: list[PayPalInvoice] = []
    total_pages: int | None = None


class TransactionInfo(_PayPalModel):
    transaction_id: str
    paypal_reference_id: str | None = None
    transaction_event_code: str | None = None
    transaction_initiation_date: str | None = None
    transaction_amount: Money | None = None
    transaction_status: str | None = None  # S, P, D, V, F
    invoice_id: str | None = None


class PayerInfo(_PayPalModel):
    email_address: str | None = None
    payer_name: Name | None = None


class TransactionDetail(_PayPalModel):
    transaction_info: TransactionInfo
    payer_info: PayerInfo | None = None


class TransactionPage(_PayPalModel):
    transaction_details: list[TransactionDetail] = []
    page: int = 1
    total_pages: int = 1
