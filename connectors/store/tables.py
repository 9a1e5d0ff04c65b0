"""The store's tables (SQLAlchemy Core). Migrations in migrations/versions create exactly these.

Money is never a float: credit amounts are integer minor units (`amount_minor`, cents for
EUR, yen for JPY) and metric values are integer millionths (`value_micros`), exact on
SQLite, which has no decimal type, and on PostgreSQL alike.
"""

from __future__ import annotations

import sqlalchemy as sa

from connectors.store.columns import Json, UtcDateTime

metadata = sa.MetaData()

verifications = sa.Table(
    "verifications",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
    sa.Column("installation", sa.String(200), nullable=False),
    sa.Column("ticket_id", sa.String(100), nullable=False),
    sa.Column("case_snapshot", Json, nullable=False),
    sa.Column("decision", Json, nullable=False),
    sa.Column("verdict", sa.String(40)),
    sa.Column("scenario", sa.String(40)),
    sa.Column("tier", sa.String(20), nullable=False),
    sa.Column("language", sa.String(5), nullable=False),
    sa.Column("mode", sa.String(10), nullable=False),
    sa.Column("source", sa.String(20), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("customer_id", sa.String(200)),
    sa.Index("ix_verifications_ticket", "installation", "ticket_id", "id"),
    sa.Index("ix_verifications_customer", "installation", "customer_id"),
)

credits = sa.Table(
    "credits",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
    sa.Column("installation", sa.String(200), nullable=False),
    sa.Column("ticket_id", sa.String(100), nullable=False),
    sa.Column("invoice_id", sa.String(200), nullable=False),
    sa.Column("customer_id", sa.String(200), nullable=False),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("state", sa.String(10), nullable=False),
    sa.Column("external_id", sa.String(200)),
    sa.Column("reversal_id", sa.String(200)),
    sa.Column("reason", sa.Text),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint(
        "installation", "ticket_id", "invoice_id", name="uq_credits_ticket_invoice"
    ),
    sa.CheckConstraint(
        "state IN ('pending', 'applied', 'reversed', 'failed')", name="ck_credits_state"
    ),
    sa.Index("ix_credits_customer", "installation", "customer_id", "state"),
)

follow_ups = sa.Table(
    "follow_ups",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
    sa.Column("installation", sa.String(200), nullable=False),
    sa.Column("ticket_id", sa.String(100), nullable=False),
    sa.Column("due_at", UtcDateTime, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("outcome", sa.Text),
    sa.Column("claimed_by", sa.String(200)),
    sa.Column("claimed_at", UtcDateTime),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.CheckConstraint(
        "status IN ('pending', 'claimed', 'done', 'replaced')", name="ck_follow_ups_status"
    ),
    # One pending follow-up per ticket: scheduling another replaces it.
    sa.Index(
        "uq_follow_ups_pending",
        "installation",
        "ticket_id",
        unique=True,
        sqlite_where=sa.text("status = 'pending'"),
        postgresql_where=sa.text("status = 'pending'"),
    ),
    sa.Index("ix_follow_ups_due", "status", "due_at"),
)

metric_events = sa.Table(
    "metric_events",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
    sa.Column("installation", sa.String(200), nullable=False),
    sa.Column("ticket_id", sa.String(100), nullable=False),
    sa.Column("name", sa.String(40), nullable=False),
    sa.Column("scenario", sa.String(40)),
    sa.Column("tier", sa.String(20)),
    sa.Column("language", sa.String(5)),
    sa.Column("verdict", sa.String(40)),
    sa.Column("value_micros", sa.BigInteger),
    sa.Column("currency", sa.String(3)),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Index("ix_metric_events_name_time", "name", "created_at"),
    sa.Index("ix_metric_events_ticket", "installation", "ticket_id"),
)

deliveries = sa.Table(
    "deliveries",
    metadata,
    sa.Column("key", sa.String(300), primary_key=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
)

job_steps = sa.Table(
    "job_steps",
    metadata,
    sa.Column("run_key", sa.String(300), primary_key=True),
    sa.Column("step", sa.String(40), primary_key=True),
    sa.Column("result", Json, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
)
