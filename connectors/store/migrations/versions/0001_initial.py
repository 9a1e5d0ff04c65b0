"""The initial store: verifications, credit ledger, follow-ups, metric events, deliveries, steps.

Revision ID: 0001
Revises:
Create Date: 2025-06-01

Written out in full (not imported from tables.py) so this revision never changes when
the tables do; later changes are new revisions.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")
_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "verifications",
        sa.Column("id", _ID, primary_key=True),
        sa.Column("installation", sa.String(200), nullable=False),
        sa.Column("ticket_id", sa.String(100), nullable=False),
        sa.Column("case_snapshot", _JSON, nullable=False),
        sa.Column("decision", _JSON, nullable=False),
        sa.Column("verdict", sa.String(40)),
        sa.Column("scenario", sa.String(40)),
        sa.Column("tier", sa.String(20), nullable=False),
        sa.Column("language", sa.String(5), nullable=False),
        sa.Column("mode", sa.String(10), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_index("ix_verifications_ticket", "verifications", ["installation", "ticket_id", "id"])

    op.create_table(
        "credits",
        sa.Column("id", _ID, primary_key=True),
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
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.UniqueConstraint(
            "installation", "ticket_id", "invoice_id", name="uq_credits_ticket_invoice"
        ),
        sa.CheckConstraint(
            "state IN ('pending', 'applied', 'reversed', 'failed')", name="ck_credits_state"
        ),
    )
    op.create_index("ix_credits_customer", "credits", ["installation", "customer_id", "state"])

    op.create_table(
        "follow_ups",
        sa.Column("id", _ID, primary_key=True),
        sa.Column("installation", sa.String(200), nullable=False),
        sa.Column("ticket_id", sa.String(100), nullable=False),
        sa.Column("due_at", _TS, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("outcome", sa.Text),
        sa.Column("claimed_by", sa.String(200)),
        sa.Column("claimed_at", _TS),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", _TS, nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'claimed', 'done', 'replaced')", name="ck_follow_ups_status"
        ),
    )
    op.create_index(
        "uq_follow_ups_pending",
        "follow_ups",
        ["installation", "ticket_id"],
        unique=True,
        sqlite_where=sa.text("status = 'pending'"),
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index("ix_follow_ups_due", "follow_ups", ["status", "due_at"])

    op.create_table(
        "metric_events",
        sa.Column("id", _ID, primary_key=True),
        sa.Column("installation", sa.String(200), nullable=False),
        sa.Column("ticket_id", sa.String(100), nullable=False),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("scenario", sa.String(40)),
        sa.Column("tier", sa.String(20)),
        sa.Column("language", sa.String(5)),
        sa.Column("verdict", sa.String(40)),
        sa.Column("value_micros", sa.BigInteger),
        sa.Column("currency", sa.String(3)),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_index("ix_metric_events_name_time", "metric_events", ["name", "created_at"])
    op.create_index("ix_metric_events_ticket", "metric_events", ["installation", "ticket_id"])

    op.create_table(
        "deliveries",
        sa.Column("key", sa.String(300), primary_key=True),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_table(
        "job_steps",
        sa.Column("run_key", sa.String(300), primary_key=True),
        sa.Column("step", sa.String(40), primary_key=True),
        sa.Column("result", _JSON, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "job_steps",
        "deliveries",
        "metric_events",
        "follow_ups",
        "credits",
        "verifications",
    ):
        op.drop_table(table)
