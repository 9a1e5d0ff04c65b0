"""Follow-ups: one pending re-verification per ticket, claimed by one worker at a time.

A claim is a lease: a worker that dies holding a follow-up loses it after `LEASE`, and
another worker claims it again (`attempts` counts the claims).
"""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from connectors.store.engine import reading, writing
from connectors.store.tables import follow_ups, verifications
from core.ports import FollowUpRecord

LEASE = timedelta(minutes=10)


def _record(row: Any) -> FollowUpRecord:
    return FollowUpRecord(
        id=row.id,
        installation=row.installation,
        ticket_id=row.ticket_id,
        due_at=row.due_at,
        reason=row.reason,
        status=row.status,
        outcome=row.outcome,
        claimed_by=row.claimed_by,
        claimed_at=row.claimed_at,
        attempts=row.attempts,
        created_at=row.created_at,
    )


def default_worker_name() -> str:
    """Who claims: host and process id, enough to find a stuck worker."""
    return f"{socket.gethostname()}:{os.getpid()}"


class FollowUps:
    engine: sa.Engine

    def schedule_follow_up(
        self, installation: str, ticket_id: str, due_at: datetime, reason: str
    ) -> FollowUpRecord:
        """Schedule the ticket's follow-up, replacing its pending one."""
        if due_at.tzinfo is None:
            raise ValueError("due_at must be timezone-aware")
        ticket_id = str(ticket_id)
        pending = sa.and_(
            follow_ups.c.installation == installation,
            follow_ups.c.ticket_id == ticket_id,
            follow_ups.c.status == "pending",
        )
        with writing(self.engine) as connection:
            if connection.dialect.name == "postgresql":
                # Serialise schedulers of the same ticket (SQLite's BEGIN IMMEDIATE already does):
                # without it two of them both replace nothing and the second insert fails.
                lock = sa.func.hashtext(f"payverify:follow_up:{installation}:{ticket_id}")
                connection.execute(sa.select(sa.func.pg_advisory_xact_lock(lock)))
            connection.execute(
                follow_ups.update()
                .where(pending)
                .values(status="replaced", outcome="replaced by a later schedule")
            )
            new_id = connection.execute(
                follow_ups.insert()
                .values(
                    installation=installation,
                    ticket_id=ticket_id,
                    due_at=due_at,
                    reason=reason,
                    status="pending",
                    attempts=0,
                    created_at=datetime.now(UTC),
                )
                .returning(follow_ups.c.id)
            ).scalar_one()
            row = connection.execute(sa.select(follow_ups).where(follow_ups.c.id == new_id)).one()
        return _record(row)

    def pending_follow_up(self, installation: str, ticket_id: str) -> FollowUpRecord | None:
        """The ticket's pending follow-up, if one is scheduled."""
        with reading(self.engine) as connection:
            row = connection.execute(
                sa.select(follow_ups).where(
                    follow_ups.c.installation == installation,
                    follow_ups.c.ticket_id == str(ticket_id),
                    follow_ups.c.status == "pending",
                )
            ).one_or_none()
        return _record(row) if row is not None else None

    def due_follow_ups(
        self, now: datetime, limit: int = 50, *, worker: str | None = None
    ) -> list[FollowUpRecord]:
        """Claim up to `limit` follow-ups due by `now`; concurrent workers never share one."""
        claimable = sa.and_(
            follow_ups.c.due_at <= now,
            sa.or_(
                follow_ups.c.status == "pending",
                sa.and_(follow_ups.c.status == "claimed", follow_ups.c.claimed_at < now - LEASE),
            ),
        )
        candidates = (
            sa.select(follow_ups.c.id).where(claimable).order_by(follow_ups.c.due_at).limit(limit)
        )
        if self.engine.dialect.name == "postgresql":
            # Two workers each take different rows instead of queueing on the same ones.
            candidates = candidates.with_for_update(skip_locked=True)
        with writing(self.engine) as connection:
            # `claimable` is repeated in the outer WHERE so that PostgreSQL, re-checking a row
            # another worker just claimed, drops it (READ COMMITTED re-evaluation).
            ids = (
                connection.execute(
                    follow_ups.update()
                    .where(follow_ups.c.id.in_(candidates.scalar_subquery()), claimable)
                    .values(
                        status="claimed",
                        claimed_by=worker or default_worker_name(),
                        claimed_at=now,
                        attempts=follow_ups.c.attempts + 1,
                    )
                    .returning(follow_ups.c.id)
                )
                .scalars()
                .all()
            )
            rows = connection.execute(
                sa.select(follow_ups).where(follow_ups.c.id.in_(ids)).order_by(follow_ups.c.due_at)
            ).all()
        return [_record(row) for row in rows]

    def complete_follow_up(self, follow_up_id: int, outcome: str) -> None:
        """Mark a claimed follow-up done with what came of it."""
        with writing(self.engine) as connection:
            connection.execute(
                follow_ups.update()
                .where(follow_ups.c.id == follow_up_id)
                .values(status="done", outcome=outcome)
            )

    def pending_follow_ups_for_customer(
        self, installation: str, customer_id: str
    ) -> list[FollowUpRecord]:
        """Pending follow-ups of the tickets verified for this billing customer."""
        tickets = (
            sa.select(verifications.c.ticket_id)
            .where(
                verifications.c.installation == installation,
                verifications.c.customer_id == customer_id,
            )
            .distinct()
        )
        with reading(self.engine) as connection:
            rows = connection.execute(
                sa.select(follow_ups)
                .where(
                    follow_ups.c.installation == installation,
                    follow_ups.c.status == "pending",
                    follow_ups.c.ticket_id.in_(tickets),
                )
                .order_by(follow_ups.c.due_at)
            ).all()
        return [_record(row) for row in rows]
