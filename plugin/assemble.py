"""Build a `core.models.Case` from a live helpdesk and billing system in few round trips.

Without the requester's email: ticket → (customer by email ‖ previous tickets) →
(invoices ‖ payments), three sequential round trips. With it (a trigger payload carries
it): (ticket ‖ customer by email ‖ previous tickets) → (invoices ‖ payments), two. A
customer not found by email costs one more round trip: every invoice number and
transaction id quoted in the ticket is looked up at once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from core.errors import NotFound
from core.models import Billing, Case, Customer, History, MatchedBy, PreviousTicket, Tier
from core.policy import DEFAULT_POLICY, Policy
from core.ports import BillingCustomer, BillingSource, Helpdesk, HelpdeskTicket

log = logging.getLogger(__name__)
T = TypeVar("T")

# Enough for the three lookups of one ticket times a few tickets in flight at once.
_POOL_SIZE = 16
# A ticket quoting more references than this is a paste of a statement, not a claim.
MAX_QUOTED_LOOKUPS = 6

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def shared_executor() -> ThreadPoolExecutor:
    """The process-wide pool the assemblies share (threads: the work is waiting on I/O)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(_POOL_SIZE, thread_name_prefix="payverify-assemble")
        return _pool


@dataclass(frozen=True)
class AssembledCase:
    """The case and what it was built from: the helpdesk ticket, the billing customer, the match."""

    case: Case
    helpdesk_ticket: HelpdeskTicket
    billing_customer: BillingCustomer | None
    matched_by: MatchedBy | None

    @property
    def ticket(self) -> HelpdeskTicket:
        return self.helpdesk_ticket

    @property
    def customer(self) -> BillingCustomer | None:
        return self.billing_customer


def assemble_case(
    helpdesk: Helpdesk,
    billing: BillingSource,
    ticket_id: str,
    *,
    requester_email: str | None = None,
    policy: Policy = DEFAULT_POLICY,
    executor: ThreadPoolExecutor | None = None,
) -> AssembledCase:
    """The case of a live ticket: its requester's billing customer, invoices, payments, history."""
    pool = executor or shared_executor()
    ticket_id = str(ticket_id)
    by_email: Future[BillingCustomer | None] | None = None
    history: Future[list[PreviousTicket]] | None = None
    if requester_email:
        # The ticket's creation time is not known yet: ask for everything before now and
        # drop what is newer than the ticket below.
        now = datetime.now(UTC)
        ticket_call = pool.submit(helpdesk.get_ticket, ticket_id)
        by_email = pool.submit(billing.customer_by_email, requester_email)
        history = pool.submit(
            helpdesk.previous_tickets, requester_email, before=now, exclude_id=ticket_id
        )
        helpdesk_ticket = ticket_call.result()
        email = helpdesk_ticket.ticket.requester.email
        if email.strip().lower() != requester_email.strip().lower():
            # The helpdesk's requester is the truth; a stale payload must not pick the customer.
            log.warning("ticket %s: trigger email differs from the requester's", ticket_id)
            by_email = history = None
    else:
        helpdesk_ticket = helpdesk.get_ticket(ticket_id)
    ticket = helpdesk_ticket.ticket
    if by_email is None or history is None:
        email = ticket.requester.email
        by_email = pool.submit(billing.customer_by_email, email)
        history = pool.submit(
            helpdesk.previous_tickets, email, before=ticket.created_at, exclude_id=ticket_id
        )
    customer = by_email.result()
    matched_by: MatchedBy = "email"
    if customer is None:
        customer, matched_by = _by_quoted_reference(billing, helpdesk_ticket, pool)

    previous = [p for p in history.result() if p.created_at < ticket.created_at]
    if customer is None:
        billing_state = Billing()
    else:
        invoices = pool.submit(billing.invoices, customer.id)
        payments = pool.submit(billing.payments, customer.id)
        billing_state = Billing(invoices=invoices.result(), payments=payments.result())

    case = Case(
        ticket=ticket,
        customer=_customer(customer, matched_by, helpdesk_ticket)
        if customer
        else _helpdesk_only_customer(helpdesk_ticket),
        billing=billing_state,
        history=History(previous_tickets=previous),
    )
    return AssembledCase(case, helpdesk_ticket, customer, matched_by if customer else None)


def _by_quoted_reference(
    billing: BillingSource, helpdesk_ticket: HelpdeskTicket, pool: ThreadPoolExecutor
) -> tuple[BillingCustomer | None, MatchedBy]:
    """The customer owning the first invoice number, else transaction id, the ticket quotes."""
    from core.extract.refs import find_invoice_refs, find_transaction_ids
    from core.text import claim_text

    text = claim_text(helpdesk_ticket.ticket)
    lookups: list[tuple[MatchedBy, Callable[[str], BillingCustomer | None], str]] = [
        ("invoice_ref", billing.customer_by_invoice_ref, ref) for ref in find_invoice_refs(text)
    ]
    lookups += [
        ("transaction_id", billing.customer_by_transaction_id, tid)
        for tid in find_transaction_ids(text)
    ]
    lookups = lookups[:MAX_QUOTED_LOOKUPS]
    # All at once (one round trip); the first in quoting order that finds a customer wins.
    futures = [(how, pool.submit(lookup, value)) for how, lookup, value in lookups]
    for how, future in futures:
        try:
            customer = future.result()
        except NotFound:  # an id of the processor's shape that does not exist there
            customer = None
        if customer is not None:
            return customer, how
    return None, "email"


def _customer(
    found: BillingCustomer, matched_by: MatchedBy, helpdesk_ticket: HelpdeskTicket
) -> Customer:
    """The case's customer: the billing one, with the helpdesk tags core reads the tier from."""
    tags = _unique(
        [*found.tags, *helpdesk_ticket.requester_tags, *helpdesk_ticket.organization_tags]
    )
    return Customer(
        id=found.id,
        email=found.email,
        matched_by=matched_by,
        tier=_known_tier(found.tier),
        tags=tags,
        currency=found.currency,
    )


def _helpdesk_only_customer(helpdesk_ticket: HelpdeskTicket) -> Customer | None:
    """No billing account found: keep the requester's and organisation's tags (a VIP stays VIP)."""
    tags = _unique([*helpdesk_ticket.requester_tags, *helpdesk_ticket.organization_tags])
    return Customer(tags=tags) if tags else None


def _known_tier(value: str | None) -> str | None:
    """The metadata tier when it names one of ours; anything else falls back to the tags."""
    if value and value.strip().upper() in Tier.__members__:
        return value.strip().upper()
    if value and value.strip():
        log.warning("billing customer tier %r is not a payverify tier; using tags", value)
    return None


def _unique(values: list[str]) -> list[str]:
    seen: set[str] = set()
    kept = []
    for value in values:
        if value and value.lower() not in seen:
            seen.add(value.lower())
            kept.append(value)
    return kept
