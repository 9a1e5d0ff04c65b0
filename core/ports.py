"""What the core needs from the outside world, as small Protocols; adapters live in connectors/."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Protocol, runtime_checkable

from core.models import Invoice, Payment, PreviousTicket, Priority, Reply, Ticket


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
