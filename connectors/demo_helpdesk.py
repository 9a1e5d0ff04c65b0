"""A helpdesk kept in the store's database, for `payverify demo` and the browser tests.

It implements `core.ports.Helpdesk` like Zendesk does: tickets with a requester, tags,
priority, group and status; internal notes and public replies as comments. Its two tables
(`demo_tickets`, `demo_comments`) are created on first use beside the store's own, so the
web process and the worker see the same tickets.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from core.errors import NotFound
from core.models import PreviousTicket, Reply, Requester, Ticket
from core.ports import HelpdeskTicket, TicketUpdate

metadata = sa.MetaData()
demo_tickets = sa.Table(
    "demo_tickets",
    metadata,
    sa.Column("id", sa.String(100), primary_key=True),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("priority", sa.String(10), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("group_name", sa.String(200)),
    sa.Column("tags", sa.Text, nullable=False),  # JSON list
    sa.Column("requester", sa.Text, nullable=False),  # JSON: name, email, locale
    sa.Column("organization", sa.Text),  # JSON: name, tags
)
demo_comments = sa.Table(
    "demo_comments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("ticket_id", sa.String(100), nullable=False, index=True),
    sa.Column("kind", sa.String(10), nullable=False),  # customer | note | reply
    sa.Column("subject", sa.Text),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
)


class DemoHelpdesk:
    """The demo helpdesk on a SQLAlchemy engine (the store's)."""

    name = "demo"
    service = "demo-helpdesk"

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        metadata.create_all(engine)

    # ------------------------------------------------------------------ seeding and reading

    def add_ticket(
        self, ticket: Ticket, *, organization: dict[str, Any] | None = None, replace: bool = True
    ) -> None:
        """Store a ticket (replacing one with the same id and its comments)."""
        row = {
            "id": str(ticket.id),
            "subject": ticket.subject,
            "description": ticket.description,
            "created_at": ticket.created_at.isoformat(),
            "priority": ticket.priority,
            "status": "open",
            "group_name": None,
            "tags": json.dumps(list(ticket.tags)),
            "requester": ticket.requester.model_dump_json(),
            "organization": json.dumps(organization) if organization else None,
        }
        with self.engine.begin() as conn:
            if replace:
                conn.execute(demo_tickets.delete().where(demo_tickets.c.id == row["id"]))
                conn.execute(demo_comments.delete().where(demo_comments.c.ticket_id == row["id"]))
            conn.execute(demo_tickets.insert().values(**row))
            for comment in ticket.comments:
                conn.execute(
                    demo_comments.insert().values(
                        ticket_id=row["id"],
                        kind="customer",
                        body=comment,
                        created_at=row["created_at"],
                    )
                )

    def ticket_ids(self) -> list[str]:
        """Every ticket, oldest id first."""
        with self.engine.connect() as conn:
            return list(
                conn.execute(sa.select(demo_tickets.c.id).order_by(demo_tickets.c.id)).scalars()
            )

    def list_tickets(self) -> list[HelpdeskTicket]:
        """Every ticket with its customer messages, newest first (the demo page's list)."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(demo_tickets)).all()
            messages = conn.execute(
                sa.select(demo_comments.c.ticket_id, demo_comments.c.body)
                .where(demo_comments.c.kind == "customer")
                .order_by(demo_comments.c.id)
            ).all()
        by_ticket: dict[str, list[str]] = {}
        for ticket_id, body in messages:
            by_ticket.setdefault(ticket_id, []).append(body)
        tickets = [self._helpdesk_ticket(row, by_ticket.get(row.id, [])) for row in rows]
        return sorted(tickets, key=lambda t: (t.ticket.created_at, t.ticket.id), reverse=True)

    def comments(self, ticket_id: str, kind: str | None = None) -> list[dict[str, Any]]:
        """The ticket's comments (customer messages, notes, replies) in order."""
        query = sa.select(demo_comments).where(demo_comments.c.ticket_id == str(ticket_id))
        if kind:
            query = query.where(demo_comments.c.kind == kind)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query.order_by(demo_comments.c.id))]

    def fields(self, ticket_id: str) -> dict[str, Any]:
        """Tags, priority, group and status as the helpdesk shows them."""
        row = self._row(ticket_id)
        return {
            "tags": json.loads(row.tags),
            "priority": row.priority,
            "group": row.group_name,
            "status": row.status,
        }

    def _row(self, ticket_id: str) -> Any:
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(demo_tickets).where(demo_tickets.c.id == str(ticket_id))
            ).one_or_none()
        if row is None:
            raise NotFound(self.service, f"ticket {ticket_id} not found")
        return row

    # ------------------------------------------------------------------ Helpdesk port

    def get_ticket(self, ticket_id: str) -> HelpdeskTicket:
        """The ticket with its requester, customer comments and organisation."""
        row = self._row(ticket_id)
        return self._helpdesk_ticket(row, [c["body"] for c in self.comments(row.id, "customer")])

    def _helpdesk_ticket(self, row: Any, comments: list[str]) -> HelpdeskTicket:
        requester = Requester.model_validate_json(row.requester)
        organization = json.loads(row.organization) if row.organization else {}
        ticket = Ticket(
            id=row.id,
            subject=row.subject,
            description=row.description,
            comments=comments,
            created_at=datetime.fromisoformat(row.created_at),
            priority=row.priority,
            tags=json.loads(row.tags),
            requester=requester,
        )
        return HelpdeskTicket(
            ticket=ticket,
            requester_id=requester.email,
            organization_name=organization.get("name"),
            organization_tags=tuple(organization.get("tags", ())),
            status=row.status,
            group=row.group_name,
            url=f"/sidebar?ticket={row.id}",
        )

    def previous_tickets(
        self, requester_email: str, *, before: datetime, exclude_id: str | None = None
    ) -> list[PreviousTicket]:
        """The requester's tickets created before `before`, newest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(demo_tickets)).all()
        found = []
        for row in rows:
            requester = json.loads(row.requester)
            created = datetime.fromisoformat(row.created_at)
            if (
                str(requester.get("email", "")).lower() == requester_email.lower()
                and created < before
                and row.id != str(exclude_id)
            ):
                found.append(
                    PreviousTicket(
                        id=row.id,
                        created_at=created,
                        subject=row.subject,
                        description=row.description,
                        tags=json.loads(row.tags),
                    )
                )
        return sorted(found, key=lambda p: p.created_at, reverse=True)

    def post_note(self, ticket_id: str, html: str) -> None:
        """Add an internal note."""
        self._add(ticket_id, "note", html)

    def post_reply(self, ticket_id: str, reply: Reply, update: TicketUpdate | None = None) -> None:
        """Add a public reply and apply the field changes with it (one transaction)."""
        self._add(ticket_id, "reply", reply.html, reply.subject, update)

    def update_ticket(self, ticket_id: str, update: TicketUpdate) -> None:
        """Change tags, priority, group or status."""
        self._add(ticket_id, None, None, None, update)

    def _add(
        self,
        ticket_id: str,
        kind: str | None,
        body: str | None,
        subject: str | None = None,
        update: TicketUpdate | None = None,
    ) -> None:
        row = self._row(ticket_id)
        with self.engine.begin() as conn:
            if kind is not None:
                conn.execute(
                    demo_comments.insert().values(
                        ticket_id=row.id,
                        kind=kind,
                        subject=subject,
                        body=body,
                        created_at=datetime.now(UTC).isoformat(),
                    )
                )
            if update is not None:
                tags = json.loads(row.tags)
                tags += [t for t in update.add_tags if t not in tags]
                values: dict[str, Any] = {"tags": json.dumps(tags)}
                if update.priority:
                    values["priority"] = update.priority
                if update.group:
                    values["group_name"] = update.group
                if update.status:
                    values["status"] = update.status
                conn.execute(
                    demo_tickets.update().where(demo_tickets.c.id == row.id).values(**values)
                )


def from_settings(settings: Any, store: Any) -> DemoHelpdesk:
    """The bootstrap hook: the demo helpdesk on the store's own database."""
    return DemoHelpdesk(store.engine)
