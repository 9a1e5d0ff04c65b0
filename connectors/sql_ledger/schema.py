"""The SQL ledger's default tables (customers, invoices, payments, credits), names mappable.

Amounts are exact: NUMERIC(18, 4) on PostgreSQL and other servers, decimal text on
SQLite (whose NUMERIC would store a float). Timestamps are stored with their zone.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect, Engine


class Money(sa.types.TypeDecorator[Decimal]):
    """A Decimal column that never passes through float, on SQLite too."""

    impl = sa.Numeric(18, 4)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.String(40))
        return dialect.type_descriptor(sa.Numeric(18, 4, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        value = Decimal(value) if not isinstance(value, Decimal) else value
        return format(value, "f") if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(str(value))


@dataclass(frozen=True)
class LedgerTables:
    """Table names (and database schema) of a ledger, for companies whose tables differ."""

    customers: str = "ledger_customers"
    invoices: str = "ledger_invoices"
    payments: str = "ledger_payments"
    credits: str = "ledger_credits"
    schema: str | None = None


DEFAULT_TABLES = LedgerTables()


class LedgerSchema:
    """The four tables as SQLAlchemy Core objects."""

    def __init__(self, names: LedgerTables | None = None) -> None:
        names = names or DEFAULT_TABLES
        self.names = names
        self.metadata = sa.MetaData(schema=names.schema)
        when = sa.DateTime(timezone=True)
        self.customers = sa.Table(
            names.customers,
            self.metadata,
            sa.Column("id", sa.String(64), primary_key=True),
            sa.Column("email", sa.String(320), index=True),
            sa.Column("name", sa.String(200)),
            sa.Column("tier", sa.String(20)),
            sa.Column("currency", sa.String(3)),
            sa.Column("tags", sa.String(500), nullable=False, server_default=""),
            sa.Column("metadata", sa.JSON),
        )
        self.invoices = sa.Table(
            names.invoices,
            self.metadata,
            sa.Column("id", sa.String(64), primary_key=True),
            sa.Column(
                "customer_id",
                sa.String(64),
                sa.ForeignKey(self.customers.c.id),
                nullable=False,
                index=True,
            ),
            sa.Column("number", sa.String(64), unique=True),
            sa.Column("status", sa.String(16), nullable=False),
            sa.Column("currency", sa.String(3), nullable=False),
            sa.Column("amount_due", Money, nullable=False),
            sa.Column("amount_paid", Money, nullable=False, default=Decimal(0)),
            sa.Column("created", when, nullable=False),
            sa.Column("due_date", when),
            sa.Column("hosted_invoice_url", sa.String(1000)),
            sa.Column("dunning_paused", sa.Boolean, nullable=False, default=False),
        )
        self.payments = sa.Table(
            names.payments,
            self.metadata,
            sa.Column("id", sa.String(128), primary_key=True),
            sa.Column(
                "customer_id",
                sa.String(64),
                sa.ForeignKey(self.customers.c.id),
                nullable=False,
                index=True,
            ),
            sa.Column("invoice_id", sa.String(64), sa.ForeignKey(self.invoices.c.id)),
            sa.Column("status", sa.String(16), nullable=False),
            sa.Column("currency", sa.String(3), nullable=False),
            sa.Column("amount", Money, nullable=False),
            sa.Column("created", when, nullable=False),
            sa.Column("method", sa.String(20), nullable=False, default="other"),
            sa.Column("reference", sa.String(255), index=True),
            sa.Column("idempotency_key", sa.String(255), unique=True),
        )
        self.credits = sa.Table(
            names.credits,
            self.metadata,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column(
                "customer_id",
                sa.String(64),
                sa.ForeignKey(self.customers.c.id),
                nullable=False,
                index=True,
            ),
            sa.Column("invoice_id", sa.String(64)),
            sa.Column("kind", sa.String(10), nullable=False),  # credit | reversal
            sa.Column("reverses_id", sa.Integer, unique=True),
            sa.Column("amount", Money, nullable=False),
            sa.Column("currency", sa.String(3), nullable=False),
            sa.Column("description", sa.String(500), nullable=False, default=""),
            sa.Column("idempotency_key", sa.String(255), nullable=False, unique=True),
            sa.Column("created_at", when, nullable=False),
        )


def create_ledger_schema(engine: Engine, names: LedgerTables | None = None) -> LedgerSchema:
    """Create the ledger tables that do not exist yet (idempotent) and return them."""
    schema = LedgerSchema(names)
    # Several processes starting on one fresh SQLite file race to create the tables: the loser
    # sees "database is locked" (or a table the winner just made) and simply tries again.
    for attempt in range(50):
        try:
            schema.metadata.create_all(engine)
            return schema
        except sa.exc.OperationalError as exc:
            if "locked" not in str(exc) and "already exists" not in str(exc) or attempt == 49:
                raise
            time.sleep(0.1)
    return schema
