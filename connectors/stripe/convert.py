"""Stripe objects to core types: amounts from minor units, statuses and methods mapped."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from connectors.stripe.models import (
    StripeCharge,
    StripeCustomer,
    StripeInvoice,
    StripeInvoicePayment,
    StripePaymentIntent,
)
from core.models import Invoice, Payment, PaymentMethod, PaymentStatus
from core.money import minor_digits
from core.ports import BillingCustomer, BillingWrite

# https://docs.stripe.com/api/payment_methods/object#payment_method_object-type
_METHODS: dict[str, PaymentMethod] = {
    "card": "card",
    "card_present": "card",
    "sepa_debit": "sepa_debit",
    "us_bank_account": "ach_debit",
    "ach_debit": "ach_debit",
    "customer_balance": "bank_transfer",  # Stripe's bank transfers land in the cash balance
    "ach_credit_transfer": "bank_transfer",
    "paypal": "paypal",
}


def from_minor(amount: int, currency: str) -> Decimal:
    """Stripe's integer minor units as a Decimal in the major unit (JPY has none)."""
    return Decimal(amount).scaleb(-minor_digits(currency))


def to_minor(amount: Decimal, currency: str) -> int:
    """A major-unit Decimal as Stripe's integer minor units; refuses sub-unit fractions."""
    scaled = amount.scaleb(minor_digits(currency))
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} {currency.upper()} has more decimals than the currency")
    return int(scaled)


def _when(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=UTC)


def to_customer(customer: StripeCustomer) -> BillingCustomer:
    """The billing customer; tier and tags come from metadata `tier` and `tags`."""
    tags = tuple(t.strip() for t in customer.metadata.get("tags", "").split(",") if t.strip())
    return BillingCustomer(
        id=customer.id,
        email=customer.email,
        name=customer.name,
        tier=customer.metadata.get("tier") or None,
        currency=customer.currency.upper() if customer.currency else None,
        tags=tags,
    )


def to_invoice(invoice: StripeInvoice) -> Invoice | None:
    """The core invoice; None for a deleted draft without status."""
    if invoice.status is None:
        return None
    return Invoice(
        id=invoice.id,
        number=invoice.number,
        status=invoice.status,
        currency=invoice.currency,
        amount_due=from_minor(invoice.amount_due, invoice.currency),
        amount_paid=from_minor(invoice.amount_paid, invoice.currency),
        created=_when(invoice.created),
        due_date=_when(invoice.due_date) if invoice.due_date else None,
        hosted_invoice_url=invoice.hosted_invoice_url,
    )


def _status(intent: StripePaymentIntent, charge: StripeCharge | None) -> PaymentStatus | None:
    """https://docs.stripe.com/payments/paymentintents/lifecycle; None: never attempted."""
    if intent.status == "succeeded":
        if charge is not None and charge.disputed:
            return "disputed"
        if charge is not None and charge.refunded:
            return "refunded"
        return "succeeded"
    if intent.status in ("processing", "requires_capture"):
        return "processing"
    attempted_and_failed = intent.last_payment_error is not None or (
        charge is not None and charge.status == "failed"
    )
    return "failed" if attempted_and_failed else None


def _method(intent: StripePaymentIntent, charge: StripeCharge | None) -> PaymentMethod:
    used = charge.payment_method_details.type if charge and charge.payment_method_details else None
    if used is None and len(intent.payment_method_types) == 1:
        used = intent.payment_method_types[0]
    return _METHODS.get(used or "", "other")


def payment_from_intent(intent: StripePaymentIntent, invoice_id: str | None) -> Payment | None:
    """The core payment for a payment intent, or None when it was never attempted."""
    charge = intent.latest_charge if isinstance(intent.latest_charge, StripeCharge) else None
    status = _status(intent, charge)
    if status is None:
        return None
    amount = (
        intent.amount_received if status != "failed" and intent.amount_received else intent.amount
    )
    charge_id = charge.id if charge else intent.latest_charge
    return Payment(
        id=intent.id,
        status=status,
        currency=intent.currency,
        amount=from_minor(amount, intent.currency),
        created=_when(intent.created),
        method=_method(intent, charge),
        invoice=invoice_id,
        reference=charge_id if isinstance(charge_id, str) else None,
    )


def payment_from_invoice_payment(record: StripeInvoicePayment, invoice_id: str) -> Payment | None:
    """A paid invoice payment whose payment intent was not listed (a charge, a payment record)."""
    target = record.payment.target_id
    if record.status != "paid" or target is None:
        return None
    amount = record.amount_paid if record.amount_paid is not None else record.amount_requested
    paid_at = record.status_transitions.paid_at or record.created
    return Payment(
        id=target,
        status="succeeded",
        currency=record.currency,
        amount=from_minor(amount, record.currency),
        created=_when(paid_at),
        method="other",
        invoice=invoice_id,
        reference=record.id,
    )


def customer_of(customer: str | StripeCustomer | None) -> BillingCustomer | None:
    """The billing customer of an expanded `customer` field; None when deleted or not expanded."""
    if isinstance(customer, StripeCustomer) and not customer.deleted:
        return to_customer(customer)
    return None


def balance_write(
    txn_id: str, amount: Decimal, currency: str, customer_id: str, ending_balance: int | None
) -> BillingWrite:
    """What a balance transaction did, for the credit ledger and its reversal."""
    extra = {"kind": "customer_balance_transaction", "customer": customer_id}
    if ending_balance is not None:
        extra["ending_balance"] = str(from_minor(ending_balance, currency))
    return BillingWrite(id=txn_id, amount=amount, currency=currency.upper(), extra=extra)


def customer_payments(
    intents: list[StripePaymentIntent], invoices: list[StripeInvoice]
) -> list[Payment]:
    """Attempted payment intents linked through the invoices' `InvoicePayment`s, plus the
    paid invoice payments whose payment is not among the intents (a charge, a record)."""
    invoice_of: dict[str, str] = {}
    for invoice in invoices:
        for record in invoice.payments.data if invoice.payments else []:
            if record.status != "canceled" and record.payment.target_id:
                invoice_of[record.payment.target_id] = invoice.id
    found = [payment_from_intent(i, invoice_of.get(i.id)) for i in intents]
    payments = [p for p in found if p is not None]
    listed = {i.id for i in intents}
    for invoice in invoices:
        for record in invoice.payments.data if invoice.payments else []:
            if record.payment.target_id not in listed:
                extra = payment_from_invoice_payment(record, invoice.id)
                payments.extend([extra] if extra else [])
    return payments
