"""Verifications remember the billing customer, so a billing event finds its tickets.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("verifications", sa.Column("customer_id", sa.String(200), nullable=True))
    op.create_index("ix_verifications_customer", "verifications", ["installation", "customer_id"])


def downgrade() -> None:
    op.drop_index("ix_verifications_customer", table_name="verifications")
    op.drop_column("verifications", "customer_id")
