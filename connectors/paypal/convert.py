"""PayPal invoices and transactions to core types."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from connectors.paypal.models import PayPalInvoice, RecordedPayment, TransactionDetail, when
from core.models import Invoice, InvoiceStatus, Payment, PaymentMethod, PaymentStatus
from core.ports import BillingCustomer

# https://developer.paypal.com/docs/api/invoicing/v2/#definition-invoice_status
INVOICE_STATUS: dict[str, InvoiceStatus] = {
    "DRAFT": "draft",
    "SCHEDULED": "draft",
    "SENT": "open",
    "UNPAID": "open",
    "PAYMENT_PENDING": "open",
    "PARTIALLY_PAID": "open",
    "PAID": "paid",
    "MARKED_AS_PAID": "paid",
    "PARTIALLY_REFUNDED": "paid",
    "REFUNDED": "void",  # nothing is owed and nothing is kept
    "MARKED_AS_REFUNDED": "void",
    "CANCELLED": "void",
}

# https://developer.paypal.com/docs/api/invoicing/v2/#definition-payment_detail
RECORDED_METHOD: dict[str, PaymentMethod] = {
    "PAYPAL": "paypal",
    "BANK_TRANSFER": "bank_transfer",
    "WIRE_TRANSFER": "bank_transfer",
    "CREDIT_CARD": "card",
    "DEBIT_CARD": "card",
}

# https://developer.paypal.com/docs/transaction-search/transaction-event-codes/ : S success,
# P pending, D denied, V reversed (refunded or charged back), F partially refunded.
TRANSACTION_STATUS: dict[str, PaymentStatus] = {
    "S": "succeeded",
    "P": "processing",
    "D": "failed",
    "V": "refunded",
    "F": "succeeded",
}


def customer_of(invoice: PayPalInvoice) -> BillingCustomer | None:
    """PayPal has no customer object: the invoice recipient's email is the customer's id."""
    info = invoice.recipient
    if info is None or not info.email_address:
        return None
    name = None
    if info.name:
        parts = (info.name.given_name, info.name.surname)
        name = info.name.full_name or " ".join(p for p in parts if p) or None
    email = info.email_address.strip().lower()
    return BillingCustomer(id=email, email=email, name=name, currency=invoice.detail.currency_code)


def to_invoice(invoice: PayPalInvoice) -> Invoice:
    """The core invoice; amount paid is PayPal's paid amount, else total minus due."""
    detail = invoice.detail
    currency = detail.currency_code
    total = invoice.amount.value if invoice.amount else Decimal(0)
    if invoice.payments and invoice.payments.paid_amount:
        paid = invoice.payments.paid_amount.value
    elif invoice.due_amount is not None:
        paid = max(total - invoice.due_amount.value, Decimal(0))
    else:
        paid = Decimal(0)
    created = when(detail.metadata.create_time if detail.metadata else None) or when(
        detail.invoice_date
    )
    return Invoice(
        id=invoice.id,
        number=detail.invoice_number,
        status=INVOICE_STATUS.get(invoice.status.upper(), "open"),
        currency=currency,
        amount_due=total,
        amount_paid=paid,
        created=created or datetime.now(UTC),
        due_date=when(detail.payment_term.due_date if detail.payment_term else None),
        hosted_invoice_url=detail.metadata.recipient_view_url if detail.metadata else None,
    )


def recorded_payment(record: RecordedPayment, invoice: PayPalInvoice) -> Payment | None:
    """A payment recorded on the invoice: applied to it by definition."""
    if not record.payment_id or record.amount is None:
        return None
    return Payment(
        id=record.payment_id,
        status="succeeded",
        currency=record.amount.currency_code,
        amount=record.amount.value,
        created=when(record.payment_date) or to_invoice(invoice).created,
        method=RECORDED_METHOD.get((record.method or "").upper(), "other"),
        invoice=invoice.id,
        reference=record.note,
    )


def transaction_payment(
    detail: TransactionDetail, invoice_by_number: dict[str, str]
) -> Payment | None:
    """A PayPal payment received (event codes T00xx); refunds and fees are not payments."""
    info = detail.transaction_info
    amount = info.transaction_amount
    if not (info.transaction_event_code or "").startswith("T00") or amount is None:
        return None
    if amount.value <= 0:
        return None
    created = when(info.transaction_initiation_date)
    if created is None:
        return None
    return Payment(
        id=info.transaction_id,
        status=TRANSACTION_STATUS.get(info.transaction_status or "", "processing"),
        currency=amount.currency_code,
        amount=amount.value,
        created=created,
        method="paypal",
        invoice=invoice_by_number.get(info.invoice_id or ""),
        reference=info.invoice_id,
    )


def customer_payments(
    invoices: list[PayPalInvoice], transactions: list[TransactionDetail]
) -> list[Payment]:
    """Payments recorded on the invoices, then the payer's transactions not among them.

    A chargeback (event codes T12xx) names the payment it reverses in
    `paypal_reference_id`: that payment is disputed.
    """
    by_number = {i.detail.invoice_number: i.id for i in invoices if i.detail.invoice_number}
    found: dict[str, Payment] = {}
    for invoice in invoices:
        for record in invoice.payments.transactions if invoice.payments else []:
            payment = recorded_payment(record, invoice)
            if payment:
                found[payment.id] = payment
    disputed = {
        d.transaction_info.paypal_reference_id
        for d in transactions
        if (d.transaction_info.transaction_event_code or "").startswith("T12")
    }
    for detail in transactions:
        payment = transaction_payment(detail, by_number)
        if payment and payment.id not in found:
            if payment.id in disputed:
                payment = payment.model_copy(update={"status": "disputed"})
            found[payment.id] = payment
    return sorted(found.values(), key=lambda p: p.created, reverse=True)
