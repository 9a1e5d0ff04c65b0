"""Typed models of the Stripe objects payverify reads, at the current API version.

Since API 2025-03-31 an invoice has no `paid`, `charge` or `payment_intent`: its
payments are `InvoicePayment` objects (https://docs.stripe.com/api/invoice-payment),
included with `expand[]=data.payments`. Unknown fields are ignored, so a newer
API version that adds fields still parses.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class _StripeModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class StripeList(_StripeModel, Generic[T]):
    data: list[T] = []
    has_more: bool = False


class StripeCustomer(_StripeModel):
    id: str
    deleted: bool = False
    email: str | None = None
    name: str | None = None
    currency: str | None = None
    metadata: dict[str, str] = {}


def _object_id(value: str | dict[str, Any] | None) -> str | None:
    """An expandable field is an id or the expanded object; either way, its id."""
    if isinstance(value, dict):
        return value.get("id")
    return value


class InvoicePaymentTarget(_StripeModel):
    type: str
    payment_intent: str | dict[str, Any] | None = None
    charge: str | dict[str, Any] | None = None
    payment_record: str | dict[str, Any] | None = None

    @property
    def target_id(self) -> str | None:
        """The id of the payment intent, charge or payment record this invoice payment is."""
        return (
            _object_id(self.payment_intent)
            or _object_id(self.charge)
            or _object_id(self.payment_record)
        )


class StatusTransitions(_StripeModel):
    paid_at: int | None = None
    canceled_at: int | None = None


class StripeInvoicePayment(_StripeModel):
    id: str
    status: str  # open | paid | canceled
    currency: str
    amount_paid: int | None = None
    amount_requested: int = 0
    created: int
    payment: InvoicePaymentTarget
    status_transitions: StatusTransitions = StatusTransitions()


class StripeInvoice(_StripeModel):
    id: str
    number: str | None = None
    status: str | None = None
    currency: str
    customer: str | StripeCustomer | None = None
    amount_due: int
    amount_paid: int = 0
    amount_remaining: int = 0
    created: int
    due_date: int | None = None
    hosted_invoice_url: str | None = None
    payments: StripeList[StripeInvoicePayment] | None = None


class PaymentMethodDetails(_StripeModel):
    type: str | None = None


class StripeCharge(_StripeModel):
    id: str
    status: str  # succeeded | pending | failed
    amount: int
    amount_refunded: int = 0
    refunded: bool = False
    disputed: bool = False
    currency: str
    created: int
    customer: str | StripeCustomer | None = None
    payment_intent: str | None = None
    payment_method_details: PaymentMethodDetails | None = None


class StripePaymentIntent(_StripeModel):
    id: str
    status: str
    amount: int
    amount_received: int = 0
    currency: str
    created: int
    customer: str | StripeCustomer | None = None
    latest_charge: str | StripeCharge | None = None
    last_payment_error: dict[str, Any] | None = None
    payment_method_types: list[str] = Field(default_factory=list)


class StripeBalanceTransaction(_StripeModel):
    id: str
    amount: int
    currency: str
    customer: str
    ending_balance: int | None = None
