"""The `Helpdesk` port on Freshdesk API v2: at most five requests per ticket, fetch to write-back.

get_ticket (1: ticket + requester + company + conversations), previous_tickets (1: list by
email), post_reply with field changes (PUT + POST reply: Freshdesk's reply takes no fields),
post_note (1). Freshdesk's PUT replaces tags, so tags are merged with those last read.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError

from connectors.http import DEFAULT_TIMEOUT
from core.errors import ExternalError
from core.models import PreviousTicket, Reply, Requester, Ticket
from core.ports import HelpdeskTicket, TicketUpdate

from .client import SERVICE, FreshdeskClient, ticket_number
from .payloads import PRIORITY_NAMES, PRIORITY_NUMBERS, STATUS_NAMES, STATUS_NUMBERS

EMBEDDED_CONVERSATIONS = 10  # `include=conversations` embeds at most ten
KNOWN_TAGS_KEPT = 1024


class FreshdeskHelpdesk:
    """Freshdesk tickets in and replies, notes and field changes out, as core types."""

    name = "freshdesk"

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        group_ids: Mapping[str, int] | None = None,
        contact_details: bool = False,
        history_days: int = 365,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        retries: int = 3,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._client = FreshdeskClient(
            base_url, api_key, timeout=timeout, retries=retries, sleep=sleep
        )
        # Contact tags and language, and the company's account tier, cost one request each;
        # off by default to keep the per-ticket budget (docs/CONNECTORS_HELPDESK.md).
        self._contact_details = contact_details
        self._history = timedelta(days=history_days)
        self._group_ids = {k.casefold(): v for k, v in (group_ids or {}).items()}
        self._groups_fetched = False
        self._known_tags: OrderedDict[int, tuple[str, ...]] = OrderedDict()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"FreshdeskHelpdesk({self._client.base_url!r})"

    def get_ticket(self, ticket_id: str) -> HelpdeskTicket:
        """The ticket with requester, company and the customer's later messages, in one request."""
        number = ticket_number(ticket_id)
        fd = self._client.ticket(number, include="requester,company,conversations")
        if fd.requester is None:
            raise ExternalError(SERVICE, f"ticket {number}: no requester", permanent=True)
        conversations = fd.conversations
        if len(conversations) >= EMBEDDED_CONVERSATIONS:  # there may be more than embedded
            conversations = self._client.conversations(number)
        contact = company = None
        if self._contact_details:
            contact = self._client.contact(fd.requester.id)
            company = self._client.company(fd.company_id) if fd.company_id else None
        self._remember_tags(number, fd.tags)
        later = [
            c.body or c.body_text or ""
            for c in conversations
            if c.incoming and not c.private and c.user_id == fd.requester.id
        ]
        try:
            ticket = Ticket(
                id=str(fd.id),
                subject=fd.subject or "",
                # The HTML description: core.text reads HTML as text and uses its quote markup.
                description=fd.description or fd.description_text or "",
                comments=later,
                created_at=fd.created_at,
                priority=PRIORITY_NAMES.get(fd.priority or 2, "normal"),
                tags=list(fd.tags),
                requester=Requester(
                    name=fd.requester.name or "",
                    email=fd.requester.email or "",
                    locale=contact.language if contact else None,
                ),
            )
        except ValidationError as exc:
            where = ".".join(str(p) for p in exc.errors()[0]["loc"])
            raise ExternalError(SERVICE, f"ticket {number}: {where}", permanent=True) from None
        tier = company.account_tier.strip().lower() if company and company.account_tier else None
        return HelpdeskTicket(
            ticket=ticket,
            requester_id=str(fd.requester.id),
            requester_tags=tuple(contact.tags) if contact else (),
            organization_name=fd.company.name if fd.company else None,
            organization_tags=(tier,) if tier else (),
            status=STATUS_NAMES.get(fd.status or 0, str(fd.status)),
            group=str(fd.group_id) if fd.group_id is not None else None,
            url=f"{self._client.base_url}/a/tickets/{fd.id}",
        )

    def previous_tickets(
        self, requester_email: str, *, before: datetime, exclude_id: str | None = None
    ) -> list[PreviousTicket]:
        """The requester's tickets created before `before` (within `history_days`), newest first."""
        email = requester_email.strip()
        if not email or "@" not in email or any(c.isspace() for c in email):
            raise ExternalError(SERVICE, "requester email is not a plain address", permanent=True)
        rows = self._client.tickets_by_email(email, before - self._history)
        found = [
            PreviousTicket(
                id=str(row.id),
                created_at=row.created_at,
                subject=row.subject or "",
                description=row.description or row.description_text or "",
                tags=list(row.tags),
            )
            for row in rows
            if str(row.id) != str(exclude_id)
        ]
        found = [t for t in found if t.created_at < before]
        return sorted(found, key=lambda t: t.created_at, reverse=True)

    def post_note(self, ticket_id: str, html: str) -> None:
        """One POST adding a private note."""
        self._client.note(ticket_number(ticket_id), html)

    def post_reply(self, ticket_id: str, reply: Reply, update: TicketUpdate | None = None) -> None:
        """The field changes first (an idempotent PUT), then the reply (a POST), so a retry
        after a failure never sends the customer the same reply twice."""
        number = ticket_number(ticket_id)
        if update is not None:
            self.update_ticket(str(number), update)
        self._client.reply(number, reply.html)

    def update_ticket(self, ticket_id: str, update: TicketUpdate) -> None:
        """One PUT with the changed fields, tags merged; nothing is sent when nothing changes."""
        number = ticket_number(ticket_id)
        fields = self._fields(number, update)
        if fields:
            updated = self._client.update(number, fields)
            self._remember_tags(number, updated.tags)

    def _fields(self, number: int, update: TicketUpdate) -> dict[str, Any]:
        if update.status is not None and update.status not in STATUS_NUMBERS:
            raise ValueError(f"ticket status must be one of {tuple(STATUS_NUMBERS)}")
        fields: dict[str, Any] = {}
        if update.add_tags:
            known = self._tags_of(number)
            merged = list(dict.fromkeys((*known, *update.add_tags)))
            if merged != list(known):
                fields["tags"] = merged
        if update.priority is not None:
            fields["priority"] = PRIORITY_NUMBERS[update.priority]
        if update.status is not None:
            fields["status"] = STATUS_NUMBERS[update.status]
        if update.group:
            fields["group_id"] = self._group_id(update.group)
        return fields

    def _tags_of(self, number: int) -> tuple[str, ...]:
        with self._lock:
            known = self._known_tags.get(number)
        if known is None:  # not read by this instance: one GET, or the PUT would drop tags
            known = tuple(self._client.ticket(number).tags)
            self._remember_tags(number, known)
        return known

    def _remember_tags(self, number: int, tags: list[str] | tuple[str, ...]) -> None:
        with self._lock:
            self._known_tags[number] = tuple(tags)
            self._known_tags.move_to_end(number)
            while len(self._known_tags) > KNOWN_TAGS_KEPT:
                self._known_tags.popitem(last=False)

    def _group_id(self, group: str) -> int:
        if group.strip().isdigit():
            return int(group.strip())
        key = group.strip().casefold()
        with self._lock:
            if key not in self._group_ids and not self._groups_fetched:
                for found in self._client.groups():
                    self._group_ids.setdefault(found.name.casefold(), found.id)
                self._groups_fetched = True
        if key not in self._group_ids:
            raise ExternalError(SERVICE, f"no Freshdesk group named {group!r}", permanent=True)
        return self._group_ids[key]
