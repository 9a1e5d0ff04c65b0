"""What the core needs from the outside world, as small Protocols; adapters live in connectors/."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal, Protocol, runtime_checkable

from core.models import (
    Case,
    Decision,
    Invoice,
    Payment,
    PreviousTicket,
    Priority,
    Reply,
    Ticket,
)


@dataclass(frozen=True)
class HelpdeskTicket:
    """A ticket as the helpdesk knows it, converted to core types at the edge."""

    ticket: Ticket  # requester included; tags are the ticket's own
    requester_id: str | None = None
    requester_tags: tuple[str, ...] = ()
    organization_name: str | None = None
    organization_tags: tuple[str, ...] = ()
    status: str | None = None
    group: str | None = None
    url: str | None = None  # where an agent opens it


@dataclass(frozen=True)
class TicketUpdate:
    """Field changes written with a reply or on their own, in one call where the API allows."""

    add_tags: tuple[str, ...] = ()
    priority: Priority | None = None
    group: str | None = None  # a group name; the adapter resolves it to the helpdesk's id
    status: str | None = None  # open | pending | solved (helpdesk-neutral)


@runtime_checkable
class Helpdesk(Protocol):
    """Zendesk, Freshdesk or the demo helpdesk."""

    name: str

    def get_ticket(self, ticket_id: str) -> HelpdeskTicket:
        """The ticket with its requester and organisation (one request where the API allows)."""
        ...

    def previous_tickets(
        self, requester_email: str, *, before: datetime, exclude_id: str | None = None
    ) -> list[PreviousTicket]:
        """The requester's earlier tickets, newest first."""
        ...

    def post_note(self, ticket_id: str, html: str) -> None:
        """Add an internal note that only agents see."""
        ...

    def post_reply(self, ticket_id: str, reply: Reply, update: TicketUpdate | None = None) -> None:
        """Post a public reply to the requester, with field changes in the same call if possible."""
        ...

    def update_ticket(self, ticket_id: str, update: TicketUpdate) -> None:
        """Change tags, priority, group or status."""
        ...


@dataclass(frozen=True)
class BillingCustomer:
    id: str
    email: str | None = None
    name: str | None = None
    tier: str | None = None  # from the customer's metadata `tier`
    currency: str | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class BillingWrite:
    """What a write did in the billing system: its id there, for the ledger and reversals."""

    id: str
    amount: Decimal | None = None
    currency: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


@runtime_checkable
class BillingSource(Protocol):
    """Stripe, PayPal or the company's SQL ledger."""

    name: str

    def customer_by_email(self, email: str) -> BillingCustomer | None: ...

    def customer_by_invoice_ref(self, ref: str) -> BillingCustomer | None:
        """The customer owning an invoice with this number or id, if any."""
        ...

    def customer_by_transaction_id(self, transaction_id: str) -> BillingCustomer | None:
        """The customer who made the payment with this id or reference, if any."""
        ...

    def invoices(self, customer_id: str) -> list[Invoice]: ...

    def payments(self, customer_id: str) -> list[Payment]:
        """Payments with status, method and the invoice they were applied to."""
        ...

    def apply_credit(
        self,
        customer_id: str,
        amount: Decimal,
        currency: str,
        *,
        idempotency_key: str,
        description: str,
    ) -> BillingWrite: ...

    def reverse_credit(
        self, customer_id: str, credit: BillingWrite, *, idempotency_key: str, description: str
    ) -> BillingWrite: ...

    def pause_dunning(self, invoice_id: str, *, idempotency_key: str) -> None: ...

    def resume_dunning(self, invoice_id: str, *, idempotency_key: str) -> None: ...

    def mark_paid_out_of_band(
        self, invoice_id: str, *, reference: str, idempotency_key: str
    ) -> None: ...

    def apply_payment(self, invoice_id: str, payment_id: str, *, idempotency_key: str) -> None:
        """Attach a succeeded payment to the invoice it pays (fix the root cause)."""
        ...


def idempotency_key(ticket_id: str | int, invoice_id: str, action: str) -> str:
    """The key every billing write carries: the same ticket, invoice and action never repeat."""
    return f"payverify:{ticket_id}:{invoice_id}:{action}"


# ----------------------------------------------------------------------------- store

CreditState = Literal["pending", "applied", "reversed", "failed"]
FollowUpStatus = Literal["pending", "claimed", "done", "replaced"]
VerificationSource = Literal["trigger", "sidebar", "follow_up", "api", "billing_event", "demo"]


@dataclass(frozen=True)
class VerificationRecord:
    """One decision as it was made: the case it read and what it decided (both as JSON)."""

    id: int
    installation: str
    ticket_id: str
    case: dict[str, Any]  # CASE_FORMAT input, as written by Case.model_dump(mode="json")
    decision: dict[str, Any]  # CASE_FORMAT output
    verdict: str | None
    scenario: str | None
    tier: str
    language: str
    mode: str  # auto | draft | shadow
    source: str  # a VerificationSource
    created_at: datetime

    def case_model(self) -> Case:
        """The stored case as a core model."""
        return Case.model_validate(self.case)

    def decision_model(self) -> Decision:
        """The stored decision as a core model."""
        return Decision.model_validate(self.decision)


@dataclass(frozen=True)
class CreditRecord:
    """A line of the credit ledger: at most one per installation, ticket and invoice."""

    id: int
    installation: str
    ticket_id: str
    invoice_id: str
    customer_id: str
    amount: Decimal
    currency: str
    state: CreditState
    external_id: str | None  # the billing system's id of the credit, once applied
    reversal_id: str | None  # the billing system's id of the reversal
    reason: str | None  # why it failed or was reversed
    created_at: datetime
    updated_at: datetime

    def as_write(self) -> BillingWrite:
        """The applied credit as the billing port knows it (to reverse it)."""
        if self.external_id is None:
            raise ValueError(f"credit {self.id} was never applied")
        return BillingWrite(self.external_id, self.amount, self.currency)


@dataclass(frozen=True)
class FollowUpRecord:
    """A scheduled re-verification of a ticket."""

    id: int
    installation: str
    ticket_id: str
    due_at: datetime
    reason: str
    status: FollowUpStatus
    outcome: str | None
    claimed_by: str | None
    claimed_at: datetime | None
    attempts: int
    created_at: datetime


@dataclass(frozen=True)
class MoneyTotal:
    count: int
    amount: Decimal


@dataclass(frozen=True)
class KpiFigures:
    """The seed guide's KPIs over one slice of the events (all, or one scenario/tier/language)."""

    verified: int  # tickets verified (distinct installation + ticket)
    auto_resolved: int
    escalated: int
    auto_resolution_rate: Decimal | None  # auto_resolved / verified, None when nothing verified
    escalation_rate: Decimal | None
    first_response_seconds_avg: Decimal | None
    resolution_seconds_avg: Decimal | None
    csat_average: Decimal | None
    csat_responses: int
    credits_issued: dict[str, MoneyTotal]  # by currency
    credits_reversed: dict[str, MoneyTotal]


@dataclass(frozen=True)
class Kpis:
    """KPIs overall and broken down by scenario, tier and language."""

    overall: KpiFigures
    by_scenario: dict[str, KpiFigures]
    by_tier: dict[str, KpiFigures]
    by_language: dict[str, KpiFigures]


@runtime_checkable
class Store(Protocol):
    """What payverify remembers: decisions, the credit ledger, follow-ups, metrics, deliveries."""

    def ping(self) -> None:
        """Raise ExternalError when the database cannot be reached (readiness)."""
        ...

    def record_verification(
        self, installation: str, case: Case, decision: Decision, *, mode: str, source: str
    ) -> int:
        """Log a decision with the case snapshot; returns its id."""
        ...

    def latest_verification(self, installation: str, ticket_id: str) -> VerificationRecord | None:
        """The most recent decision for a ticket."""
        ...

    def claim_credit(
        self,
        installation: str,
        ticket_id: str,
        invoice_id: str,
        customer_id: str,
        amount: Decimal,
        currency: str,
    ) -> tuple[CreditRecord, bool]:
        """The ledger line for this ticket and invoice, and whether this caller created it.

        Race-safe: whatever the number of concurrent callers, one row and one `True`.
        A line in state `failed` is claimed again (back to `pending`, `True` once).
        """
        ...

    def mark_credit_applied(self, credit_id: int, external_id: str) -> CreditRecord: ...

    def mark_credit_failed(self, credit_id: int, reason: str) -> CreditRecord: ...

    def mark_credit_reversed(
        self, credit_id: int, reversal_id: str, reason: str
    ) -> CreditRecord: ...

    def credits_for_ticket(self, installation: str, ticket_id: str) -> list[CreditRecord]: ...

    def open_credits_for_customer(self, installation: str, customer_id: str) -> list[CreditRecord]:
        """Applied credits not yet reversed."""
        ...

    def schedule_follow_up(
        self, installation: str, ticket_id: str, due_at: datetime, reason: str
    ) -> FollowUpRecord:
        """Schedule the ticket's follow-up, replacing its pending one."""
        ...

    def pending_follow_up(self, installation: str, ticket_id: str) -> FollowUpRecord | None: ...

    def due_follow_ups(
        self, now: datetime, limit: int = 50, *, worker: str | None = None
    ) -> list[FollowUpRecord]:
        """Claim follow-ups due by `now`; concurrent workers never get the same one."""
        ...

    def complete_follow_up(self, follow_up_id: int, outcome: str) -> None: ...

    def record_event(
        self,
        installation: str,
        ticket_id: str,
        name: str,
        *,
        scenario: str | None = None,
        tier: str | None = None,
        language: str | None = None,
        verdict: str | None = None,
        value: Decimal | None = None,
        currency: str | None = None,
        at: datetime | None = None,
    ) -> None:
        """Record a metric event (names in docs/STORE.md)."""
        ...

    def kpis(
        self,
        installation: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Kpis: ...

    def release_delivery(self, key: str) -> None:
        """Forget a claimed delivery whose work could not be queued."""
        ...

    def pending_follow_ups_for_customer(
        self, installation: str, customer_id: str
    ) -> list[FollowUpRecord]:
        """Pending follow-ups of the tickets verified for a billing customer."""
        ...

    def claim_delivery(self, key: str) -> bool:
        """True for the first caller with this key (a webhook delivery is processed once)."""
        ...

    def step_result(self, run_key: str, step: str) -> dict[str, Any] | None: ...

    def save_step_result(self, run_key: str, step: str, result: dict[str, Any]) -> None: ...
