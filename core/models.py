"""The case (what the engine reads) and the decision (what it writes), as CASE_FORMAT.md says."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    field_validator,
)


class Tier(StrEnum):
    STANDARD = "STANDARD"
    PREMIUM = "PREMIUM"
    VIP = "VIP"
    ENTERPRISE = "ENTERPRISE"

    @property
    def rank(self) -> int:
        return list(Tier).index(self)


class Scenario(StrEnum):
    RECENT_PAYMENT = "RECENT_PAYMENT"
    OLD_PAYMENT = "OLD_PAYMENT"
    MULTIPLE_INVOICES = "MULTIPLE_INVOICES"
    RECURRING_ISSUE = "RECURRING_ISSUE"
    PARTIAL_PAYMENT = "PARTIAL_PAYMENT"
    VIP_CUSTOMER = "VIP_CUSTOMER"


class Verdict(StrEnum):
    PAID = "paid"
    PAYMENT_FOUND_UNAPPLIED = "payment_found_unapplied"
    PROCESSING = "processing"
    FAILED = "failed"
    PARTIAL = "partial"
    REFUNDED = "refunded"
    DISPUTED = "disputed"
    NOT_FOUND = "not_found"


Intent = Literal["payment_claim", "other"]
Language = Literal["en", "es", "pt", "fr", "de"]
Priority = Literal["low", "normal", "high", "urgent"]
PaymentMethod = Literal["card", "bank_transfer", "sepa_debit", "ach_debit", "paypal", "other"]
InvoiceStatus = Literal["draft", "open", "paid", "uncollectible", "void"]
PaymentStatus = Literal["succeeded", "processing", "failed", "refunded", "disputed"]
MatchedBy = Literal["email", "invoice_ref", "transaction_id"]

PRIORITY_ORDER: tuple[Priority, ...] = ("low", "normal", "high", "urgent")
SUPPORTED_LANGUAGES: tuple[Language, ...] = ("en", "es", "pt", "fr", "de")


def _as_utc(value: datetime) -> datetime:
    """A timestamp without offset is UTC (CASE_FORMAT.md)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _reject_float_noise(value: object) -> object:
    # Booleans are ints in Python; a money field that says `true` is a mistake, not 1.
    if isinstance(value, bool):
        raise ValueError("not an amount")
    if isinstance(value, float):
        return Decimal(repr(value))
    return value


def _finite_non_negative(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise ValueError("not a finite amount")
    if value < 0:
        raise ValueError("must not be negative")
    return value


def _currency_code(value: str) -> str:
    code = value.strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise ValueError("not an ISO 4217 currency code")
    return code


def _id_string(value: object) -> object:
    if isinstance(value, bool):
        raise ValueError("not an id")
    if isinstance(value, int):
        return str(value)
    return value


Timestamp = Annotated[datetime, AfterValidator(_as_utc)]
Amount = Annotated[
    Decimal,
    BeforeValidator(_reject_float_noise),
    AfterValidator(_finite_non_negative),
    PlainSerializer(lambda d: format(d, "f"), return_type=str),
]
Currency = Annotated[str, AfterValidator(_currency_code)]
Identifier = Annotated[str, BeforeValidator(_id_string), Field(min_length=1)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=False)


# ----------------------------------------------------------------------------- input


class Requester(_Model):
    name: str
    email: str
    locale: str | None = None


class Ticket(_Model):
    id: str | int
    subject: str
    description: str
    comments: list[str] = []
    created_at: Timestamp
    priority: Priority = "normal"
    tags: list[str] = []
    requester: Requester

    @field_validator("id")
    @classmethod
    def _id_not_empty(cls, value: str | int) -> str | int:
        if isinstance(value, bool) or (isinstance(value, str) and not value.strip()):
            raise ValueError("not a ticket id")
        return value

    @field_validator("priority", mode="before")
    @classmethod
    def _priority_lower(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value


class Customer(_Model):
    id: str | None = None
    email: str | None = None
    matched_by: MatchedBy = "email"
    tier: str | None = None
    tags: list[str] = []
    currency: Currency | None = None

    @field_validator("tier")
    @classmethod
    def _known_tier(cls, value: str | None) -> str | None:
        if value is not None and value.strip() and value.strip().upper() not in Tier.__members__:
            raise ValueError("not a tier (standard, premium, vip or enterprise)")
        return value


class Invoice(_Model):
    id: Identifier
    number: str | None = None
    status: InvoiceStatus
    currency: Currency
    amount_due: Amount
    amount_paid: Amount = Decimal(0)
    created: Timestamp
    due_date: Timestamp | None = None
    hosted_invoice_url: str | None = None

    @field_validator("status", mode="before")
    @classmethod
    def _status_lower(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @property
    def unpaid(self) -> bool:
        """POLICY §5: an invoice is unpaid when it is open or uncollectible."""
        return self.status in ("open", "uncollectible")

    @property
    def remaining(self) -> Decimal:
        """POLICY §5: what is still owed."""
        return max(self.amount_due - self.amount_paid, Decimal(0))


class Payment(_Model):
    id: Identifier
    status: PaymentStatus
    currency: Currency
    amount: Amount
    created: Timestamp
    method: PaymentMethod = "other"
    invoice: str | None = None
    reference: str | None = None

    @field_validator("status", "method", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value


class Billing(_Model):
    invoices: list[Invoice] = []
    payments: list[Payment] = []


class PreviousTicket(_Model):
    id: str | int
    created_at: Timestamp
    subject: str = ""
    description: str = ""
    tags: list[str] = []


class History(_Model):
    previous_tickets: list[PreviousTicket] = []


class Case(_Model):
    ticket: Ticket
    customer: Customer | None = None
    billing: Billing
    history: History = History()


# ----------------------------------------------------------------------------- output


class ExtractedAmount(_Model):
    amount: Amount
    currency: Currency | None = None


class Extracted(_Model):
    invoice_refs: list[str] = []
    amounts: list[ExtractedAmount] = []
    payment_date: date | None = None
    payment_method: PaymentMethod | None = None
    transaction_ids: list[str] = []


class Evidence(_Model):
    payment: str
    invoice: str
    status: PaymentStatus
    why: Literal["linked", "transaction_id", "reference", "amount"]
    applied: bool = False


class Credit(_Model):
    amount: Amount
    currency: Currency
    requires_approval: bool
    # Why approval is needed, for the agent's note; not part of the decision's JSON.
    reason: str | None = Field(default=None, exclude=True)


class Reply(_Model):
    subject: str
    html: str
    text: str


class Decision(_Model):
    ticket_id: str | int
    intent: Intent
    language: Language
    tier: Tier
    extracted: Extracted
    invoices: list[str] = []
    evidence: list[Evidence] = []
    verdict: Verdict | None = None
    scenario: Scenario | None = None
    payment_age_days: int | None = None
    credit: Credit | None = None
    escalate: bool = False
    priority: Priority = "normal"
    follow_up_hours: int | None = None
    tags: list[str] = []
    assign_group: str | None = None
    root_cause_analysis: bool = False
    reply: Reply | None = None
    internal_note: str | None = None
