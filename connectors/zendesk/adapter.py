"""The `Helpdesk` port on Zendesk Support: four requests per ticket on the automatic path.

get_ticket (1: ticket + users + organizations + comment_count sideloads; +1 only when the
customer wrote again), previous_tickets (1: search), post_reply with its field changes (1 PUT),
post_note (1 PUT). Group names resolve to ids once per adapter instance.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime

from pydantic import ValidationError

from connectors.http import DEFAULT_TIMEOUT
from core.errors import ExternalError
from core.models import PreviousTicket, Reply, Requester, Ticket
from core.ports import HelpdeskTicket, TicketUpdate

from .client import SERVICE, ZendeskClient, ticket_number
from .payloads import TicketShow, TicketUpdateBody

PRIORITIES = ("low", "normal", "high", "urgent")
STATUSES = ("open", "pending", "solved")


class ZendeskHelpdesk:
    """Zendesk tickets in and replies, notes and field changes out, as core types."""

    name = "zendesk"

    def __init__(
        self,
        base_url: str,
        email: str,
        api_token: str,
        *,
        group_ids: Mapping[str, int] | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        retries: int = 3,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._client = ZendeskClient(
            base_url, email, api_token, timeout=timeout, retries=retries, sleep=sleep
        )
        self._group_ids = {k.casefold(): v for k, v in (group_ids or {}).items()}
        self._groups_fetched = False
        self._groups_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"ZendeskHelpdesk({self._client.base_url!r})"

    def get_ticket(self, ticket_id: str) -> HelpdeskTicket:
        """Ticket, requester and organisation in one request (two if the customer wrote again)."""
        number = ticket_number(ticket_id)
        show = self._client.show_ticket(number)
        requester = next((u for u in show.users if u.id == show.ticket.requester_id), None)
        if requester is None:
            raise ExternalError(
                SERVICE, f"ticket {number}: the requester is missing from the answer",
                permanent=True,
            )  # fmt: skip
        org = next((o for o in show.organizations if o.id == show.ticket.organization_id), None)
        # A new ticket's description is its only customer message; the comments endpoint is
        # read only when the comment_count sideload says there is more than one comment.
        zd = show.ticket
        if zd.comment_count is not None:
            wrote_again = zd.comment_count > 1
        else:  # no count in the answer: only a ticket nobody has touched is surely one message
            wrote_again = zd.status not in (None, "new")
        later = self._later_messages(show) if wrote_again else []
        priority = (zd.priority or "normal").lower()
        ticket = _core(
            number,
            lambda: Ticket(
                id=str(zd.id),
                subject=zd.subject or "",
                description=zd.description or "",
                comments=later,
                created_at=zd.created_at,
                priority=priority if priority in PRIORITIES else "normal",
                tags=list(zd.tags),
                requester=Requester(
                    name=requester.name or "",
                    email=requester.email or "",
                    locale=requester.locale,
                ),  # fmt: skip
            ),
        )
        return HelpdeskTicket(
            ticket=ticket,
            requester_id=str(requester.id),
            requester_tags=tuple(requester.tags),
            organization_name=org.name if org else None,
            organization_tags=tuple(org.tags) if org else (),
            status=zd.status,
            group=str(zd.group_id) if zd.group_id is not None else None,
            url=f"{self._client.base_url}/agent/tickets/{zd.id}",
        )

    def previous_tickets(
        self, requester_email: str, *, before: datetime, exclude_id: str | None = None
    ) -> list[PreviousTicket]:
        """The requester's tickets created before `before`, newest first (one search, up to 100)."""
        email = requester_email.strip()
        if not email or "@" not in email or any(c.isspace() or c in "\"'" for c in email):
            # The address goes into a search query: refuse anything that could widen it.
            raise ExternalError(SERVICE, "requester email is not a plain address", permanent=True)
        page = self._client.search_tickets(email, before)
        found = [
            PreviousTicket(
                id=str(row.id),
                created_at=row.created_at,
                subject=row.subject or "",
                description=row.description or "",
                tags=list(row.tags),
            )  # fmt: skip
            for row in page.results
            if row.result_type == "ticket" and str(row.id) != str(exclude_id)
        ]
        found = [t for t in found if t.created_at < before]
        return sorted(found, key=lambda t: t.created_at, reverse=True)

    def post_note(self, ticket_id: str, html: str) -> None:
        """One PUT adding a private comment."""
        body = TicketUpdateBody(comment={"html_body": html, "public": False})
        self._client.update_ticket(ticket_number(ticket_id), body)

    def post_reply(self, ticket_id: str, reply: Reply, update: TicketUpdate | None = None) -> None:
        """One PUT carrying the public comment and the field changes together."""
        fields = self._fields(update or TicketUpdate())
        body = fields.model_copy(update={"comment": {"html_body": reply.html, "public": True}})
        self._client.update_ticket(ticket_number(ticket_id), body)

    def update_ticket(self, ticket_id: str, update: TicketUpdate) -> None:
        """One PUT with the field changes; nothing is sent when nothing changes."""
        fields = self._fields(update)
        if fields.as_json()["ticket"]:
            self._client.update_ticket(ticket_number(ticket_id), fields)

    def _fields(self, update: TicketUpdate) -> TicketUpdateBody:
        if update.status is not None and update.status not in STATUSES:
            raise ValueError(f"ticket status must be one of {STATUSES}, got {update.status!r}")
        return TicketUpdateBody(
            # `additional_tags` adds to the ticket's tags; `tags` would replace them.
            # https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/#updating-tag-lists
            additional_tags=list(dict.fromkeys(update.add_tags)) or None,
            priority=update.priority,
            group_id=self._group_id(update.group) if update.group else None,
            status=update.status,
        )

    def _group_id(self, group: str) -> int:
        if group.strip().isdigit():
            return int(group.strip())
        key = group.strip().casefold()
        with self._groups_lock:
            if key not in self._group_ids and not self._groups_fetched:
                for found in self._client.groups().groups:
                    if not found.deleted:
                        self._group_ids.setdefault(found.name.casefold(), found.id)
                self._groups_fetched = True
        if key not in self._group_ids:
            raise ExternalError(SERVICE, f"no Zendesk group named {group!r}", permanent=True)
        return self._group_ids[key]

    def _later_messages(self, show: TicketShow) -> list[str]:
        comments = self._client.comments(show.ticket.id).comments
        return [
            c.html_body or c.plain_body or c.body or ""
            for c in comments[1:]
            if c.public and c.author_id == show.ticket.requester_id
        ]


def _core(number: int, build: Callable[[], Ticket]) -> Ticket:
    try:
        return build()
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ExternalError(
            SERVICE, f"ticket {number}: {where}: {first['msg']}", permanent=True
        ) from None
