"""Fakes of the ports (not mocks): they keep state, honour idempotency keys and record every call.

`FakeHelpdesk` implements `core.ports.Helpdesk` and `FakeBilling` implements
`core.ports.BillingSource`. Both are seeded from a `core.models.Case`
(`from_case(case)`), record every call in `.calls` and every write in a list named
for it, and can be told to fail (`fail_with=ExternalError(...)`, optionally only for
some methods with `fail_on={"apply_credit"}`) or to be slow (`latency=0.1` seconds per
call, for the round-trip tests). They are thread-safe: the case assembly calls them
from several threads at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from core.errors import ExternalError, NotFound
from core.models import Case, Invoice, Payment, PreviousTicket, Reply
from core.ports import BillingCustomer, BillingWrite, HelpdeskTicket, TicketUpdate


@dataclass(frozen=True)
class Call:
    """One call made on a fake: the method's name and its arguments."""

    method: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    at: float = 0.0  # time.monotonic() when the call started


class _Recorder:
    service = "fake"

    def __init__(
        self,
        *,
        fail_with: ExternalError | None = None,
        fail_on: Iterable[str] | None = None,
        latency: float = 0.0,
    ) -> None:
        self.calls: list[Call] = []
        self.fail_with = fail_with
        self.fail_on = frozenset(fail_on) if fail_on is not None else None
        self.latency = latency
        self._lock = threading.RLock()

    def _enter(self, method: str, *args: Any, **kwargs: Any) -> None:
        """Record a call, wait the configured latency, then fail if told to."""
        with self._lock:
            self.calls.append(Call(method, args, dict(kwargs), time.monotonic()))
        if self.latency:
            time.sleep(self.latency)
        if self.fail_with is not None and (self.fail_on is None or method in self.fail_on):
            raise self.fail_with

    def called(self, method: str) -> list[Call]:
        """The calls made to one method, in order."""
        with self._lock:
            return [c for c in self.calls if c.method == method]


class FakeHelpdesk(_Recorder):
    """An in-memory helpdesk: tickets by id, previous tickets by requester email."""

    name = "fake"

    def __init__(
        self,
        tickets: Iterable[HelpdeskTicket] = (),
        *,
        history: dict[str, list[PreviousTicket]] | None = None,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.tickets: dict[str, HelpdeskTicket] = {str(t.ticket.id): t for t in tickets}
        self.history: dict[str, list[PreviousTicket]] = {
            email.lower(): list(previous) for email, previous in (history or {}).items()
        }
        self.notes: list[tuple[str, str]] = []
        self.replies: list[tuple[str, Reply, TicketUpdate | None]] = []
        self.updates: list[tuple[str, TicketUpdate]] = []

    @classmethod
    def from_case(
        cls,
        case: Case,
        *,
        requester_tags: Iterable[str] = (),
        organization_name: str | None = None,
        organization_tags: Iterable[str] = (),
        **options: Any,
    ) -> FakeHelpdesk:
        """A helpdesk holding the case's ticket and its requester's previous tickets."""
        ticket = HelpdeskTicket(
            ticket=case.ticket,
            requester_id=f"user-{case.ticket.requester.email}",
            requester_tags=tuple(requester_tags),
            organization_name=organization_name,
            organization_tags=tuple(organization_tags),
            status="open",
            url=f"https://helpdesk.invalid/tickets/{case.ticket.id}",
        )
        history = {case.ticket.requester.email: list(case.history.previous_tickets)}
        return cls([ticket], history=history, **options)

    def get_ticket(self, ticket_id: str) -> HelpdeskTicket:
        """The stored ticket, or NotFound like a real helpdesk's 404."""
        self._enter("get_ticket", ticket_id)
        try:
            return self.tickets[str(ticket_id)]
        except KeyError:
            raise NotFound(self.service, f"ticket {ticket_id} not found") from None

    def previous_tickets(
        self, requester_email: str, *, before: datetime, exclude_id: str | None = None
    ) -> list[PreviousTicket]:
        """The requester's tickets created before `before`, newest first."""
        self._enter("previous_tickets", requester_email, before=before, exclude_id=exclude_id)
        previous = self.history.get(requester_email.lower(), [])
        found = [
            p
            for p in previous
            if p.created_at < before and (exclude_id is None or str(p.id) != str(exclude_id))
        ]
        return sorted(found, key=lambda p: p.created_at, reverse=True)

    def post_note(self, ticket_id: str, html: str) -> None:
        """Record an internal note."""
        self._enter("post_note", ticket_id, html)
        self._require(ticket_id)
        with self._lock:
            self.notes.append((str(ticket_id), html))

    def post_reply(self, ticket_id: str, reply: Reply, update: TicketUpdate | None = None) -> None:
        """Record a public reply and the field changes sent with it."""
        self._enter("post_reply", ticket_id, reply, update=update)
        self._require(ticket_id)
        with self._lock:
            self.replies.append((str(ticket_id), reply, update))

    def update_ticket(self, ticket_id: str, update: TicketUpdate) -> None:
        """Record a field change."""
        self._enter("update_ticket", ticket_id, update)
        self._require(ticket_id)
        with self._lock:
            self.updates.append((str(ticket_id), update))

    def tags_added(self, ticket_id: str) -> set[str]:
        """Every tag written to a ticket, by replies and updates together."""
        tags: set[str] = set()
        for tid, _reply, update in self.replies:
            if tid == str(ticket_id) and update is not None:
                tags.update(update.add_tags)
        for tid, update in self.updates:
            if tid == str(ticket_id):
                tags.update(update.add_tags)
        return tags

    def _require(self, ticket_id: str) -> None:
        if str(ticket_id) not in self.tickets:
            raise NotFound(self.service, f"ticket {ticket_id} not found")


class FakeBilling(_Recorder):
    """An in-memory billing system; writes change its state as the real one would."""

    name = "fake"

    def __init__(
        self,
        customers: Iterable[BillingCustomer] = (),
        *,
        invoices: dict[str, list[Invoice]] | None = None,
        payments: dict[str, list[Payment]] | None = None,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.customers: dict[str, BillingCustomer] = {c.id: c for c in customers}
        self.invoices_by_customer: dict[str, list[Invoice]] = {
            k: list(v) for k, v in (invoices or {}).items()
        }
        self.payments_by_customer: dict[str, list[Payment]] = {
            k: list(v) for k, v in (payments or {}).items()
        }
        self.credits: list[tuple[str, Decimal, str, str]] = []  # customer, amount, currency, key
        self.reversals: list[tuple[str, BillingWrite, str]] = []  # customer, credit, key
        self.dunning_paused: list[str] = []
        self.dunning_resumed: list[str] = []
        self.marked_paid: list[tuple[str, str]] = []  # invoice, reference
        self.applied_payments: list[tuple[str, str]] = []  # invoice, payment
        self.balance: dict[str, Decimal] = {}
        self._results: dict[str, tuple[tuple[Any, ...], Any]] = {}
        self._next_id = 0

    @classmethod
    def from_case(cls, case: Case, **options: Any) -> FakeBilling:
        """A billing system with the case's customer, invoices and payments (empty if none)."""
        if case.customer is None:
            return cls(**options)
        customer = case.customer
        billing_customer = BillingCustomer(
            id=customer.id or "cus_fake",
            email=customer.email or case.ticket.requester.email,
            name=case.ticket.requester.name,
            tier=customer.tier,
            currency=customer.currency,
            tags=tuple(customer.tags),
        )
        return cls(
            [billing_customer],
            invoices={billing_customer.id: list(case.billing.invoices)},
            payments={billing_customer.id: list(case.billing.payments)},
            **options,
        )

    # ------------------------------------------------------------------ reads

    def customer_by_email(self, email: str) -> BillingCustomer | None:
        """The customer with this email (case-insensitive), if any."""
        self._enter("customer_by_email", email)
        for customer in self.customers.values():
            if customer.email and customer.email.lower() == email.strip().lower():
                return customer
        return None

    def customer_by_invoice_ref(self, ref: str) -> BillingCustomer | None:
        """The customer owning an invoice whose id or number is `ref`."""
        self._enter("customer_by_invoice_ref", ref)
        wanted = ref.strip().lower()
        for customer_id, invoices in self.invoices_by_customer.items():
            for invoice in invoices:
                if wanted in (invoice.id.lower(), (invoice.number or "").lower()):
                    return self.customers.get(customer_id)
        return None

    def customer_by_transaction_id(self, transaction_id: str) -> BillingCustomer | None:
        """The customer who made the payment whose id or reference is `transaction_id`."""
        self._enter("customer_by_transaction_id", transaction_id)
        wanted = transaction_id.strip().lower()
        for customer_id, payments in self.payments_by_customer.items():
            for payment in payments:
                if wanted in (payment.id.lower(), (payment.reference or "").lower()):
                    return self.customers.get(customer_id)
        return None

    def invoices(self, customer_id: str) -> list[Invoice]:
        """The customer's invoices."""
        self._enter("invoices", customer_id)
        return list(self.invoices_by_customer.get(customer_id, []))

    def payments(self, customer_id: str) -> list[Payment]:
        """The customer's payments."""
        self._enter("payments", customer_id)
        return list(self.payments_by_customer.get(customer_id, []))

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
        """Add a credit to the customer's balance, once per idempotency key."""
        self._enter(
            "apply_credit",
            customer_id,
            amount,
            currency,
            idempotency_key=idempotency_key,
            description=description,
        )

        def write() -> BillingWrite:
            self._customer(customer_id)
            self.credits.append((customer_id, amount, currency.upper(), idempotency_key))
            self.balance[customer_id] = self.balance.get(customer_id, Decimal(0)) + amount
            return BillingWrite(self._new_id("cbtxn"), amount, currency.upper())

        return self._once(idempotency_key, (customer_id, amount, currency.upper()), write)

    def reverse_credit(
        self, customer_id: str, credit: BillingWrite, *, idempotency_key: str, description: str
    ) -> BillingWrite:
        """Take a credit back, once per idempotency key."""
        self._enter(
            "reverse_credit",
            customer_id,
            credit,
            idempotency_key=idempotency_key,
            description=description,
        )

        def write() -> BillingWrite:
            self._customer(customer_id)
            self.reversals.append((customer_id, credit, idempotency_key))
            amount = credit.amount or Decimal(0)
            self.balance[customer_id] = self.balance.get(customer_id, Decimal(0)) - amount
            return BillingWrite(self._new_id("cbtxn"), amount, credit.currency)

        return self._once(idempotency_key, (customer_id, credit.id), write)

    def pause_dunning(self, invoice_id: str, *, idempotency_key: str) -> None:
        """Stop reminders on an invoice."""
        self._enter("pause_dunning", invoice_id, idempotency_key=idempotency_key)
        self._find_invoice(invoice_id)
        self._once(idempotency_key, (invoice_id,), lambda: self.dunning_paused.append(invoice_id))

    def resume_dunning(self, invoice_id: str, *, idempotency_key: str) -> None:
        """Restart reminders on an invoice."""
        self._enter("resume_dunning", invoice_id, idempotency_key=idempotency_key)
        self._find_invoice(invoice_id)
        self._once(idempotency_key, (invoice_id,), lambda: self.dunning_resumed.append(invoice_id))

    def mark_paid_out_of_band(
        self, invoice_id: str, *, reference: str, idempotency_key: str
    ) -> None:
        """Mark an open invoice paid outside the billing system."""
        self._enter(
            "mark_paid_out_of_band",
            invoice_id,
            reference=reference,
            idempotency_key=idempotency_key,
        )

        def write() -> None:
            customer_id, index, invoice = self._find_invoice(invoice_id)
            if not invoice.unpaid:
                raise ExternalError(
                    self.service, f"invoice {invoice_id} is {invoice.status}", permanent=True
                )
            self.invoices_by_customer[customer_id][index] = invoice.model_copy(
                update={"status": "paid", "amount_paid": invoice.amount_due}
            )
            self.marked_paid.append((invoice_id, reference))

        self._once(idempotency_key, (invoice_id, reference), write)

    def apply_payment(self, invoice_id: str, payment_id: str, *, idempotency_key: str) -> None:
        """Link a succeeded payment to an invoice and count it as paid on it."""
        self._enter("apply_payment", invoice_id, payment_id, idempotency_key=idempotency_key)

        def write() -> None:
            customer_id, index, invoice = self._find_invoice(invoice_id)
            payments = self.payments_by_customer.get(customer_id, [])
            p_index = next((i for i, p in enumerate(payments) if p.id == payment_id), None)
            if p_index is None:
                raise NotFound(self.service, f"payment {payment_id} not found")
            payment = payments[p_index]
            if payment.status != "succeeded":
                raise ExternalError(
                    self.service, f"payment {payment_id} is {payment.status}", permanent=True
                )
            paid = min(invoice.amount_paid + payment.amount, invoice.amount_due)
            status = "paid" if paid >= invoice.amount_due else invoice.status
            self.invoices_by_customer[customer_id][index] = invoice.model_copy(
                update={"amount_paid": paid, "status": status}
            )
            payments[p_index] = payment.model_copy(update={"invoice": invoice_id})
            self.applied_payments.append((invoice_id, payment_id))

        self._once(idempotency_key, (invoice_id, payment_id), write)

    # ------------------------------------------------------------------ internals

    def _once(self, key: str, params: tuple[Any, ...], write: Any) -> Any:
        """Run a write once per key; a key reused with other parameters is refused, as in Stripe."""
        with self._lock:
            if key in self._results:
                seen, result = self._results[key]
                if seen != params:
                    raise ExternalError(
                        self.service,
                        "idempotency key reused with different parameters",
                        permanent=True,
                        status=400,
                    )
                return result
            result = write()
            self._results[key] = (params, result)
            return result

    def _new_id(self, prefix: str) -> str:
        self._next_id += 1
        return f"{prefix}_{self._next_id:06d}"

    def _customer(self, customer_id: str) -> BillingCustomer:
        try:
            return self.customers[customer_id]
        except KeyError:
            raise NotFound(self.service, f"customer {customer_id} not found") from None

    def _find_invoice(self, invoice_id: str) -> tuple[str, int, Invoice]:
        for customer_id, invoices in self.invoices_by_customer.items():
            for index, invoice in enumerate(invoices):
                if invoice.id == invoice_id:
                    return customer_id, index, invoice
        raise NotFound(self.service, f"invoice {invoice_id} not found")
