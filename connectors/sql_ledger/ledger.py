"""The company's own SQL ledger as a `core.ports.BillingSource` (SQLAlchemy 2, sync)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from connectors.sql_ledger import credits, invoice_writes
from connectors.sql_ledger.errors import SERVICE, translated
from connectors.sql_ledger.schema import (
    DEFAULT_TABLES,
    LedgerSchema,
    LedgerTables,
    create_ledger_schema,
)
from core.models import Invoice, Payment
from core.money import quantize
from core.ports import BillingCustomer, BillingWrite

STATEMENT_TIMEOUT_MS = 10_000


def ledger_engine(url: str) -> Engine:
    """An engine whose every connection and statement has a timeout."""
    url_obj = sa.make_url(url)
    connect_args: dict[str, Any] = {}
    if url_obj.get_backend_name() == "postgresql":
        connect_args["connect_timeout"] = 5
    elif url_obj.get_backend_name() == "sqlite":
        connect_args["timeout"] = 10  # seconds to wait for another writer's lock
    engine = sa.create_engine(url, pool_pre_ping=True, pool_timeout=10, connect_args=connect_args)
    if engine.dialect.name == "postgresql":

        @sa.event.listens_for(engine, "connect")
        def _statement_timeout(dbapi_connection: Any, _record: Any) -> None:
            with dbapi_connection.cursor() as cursor:
                cursor.execute(f"SET statement_timeout = {STATEMENT_TIMEOUT_MS}")
            dbapi_connection.commit()

    return engine


class SqlLedger:
    """Customers, invoices, payments and credits in the company's database."""

    name = "sql"

    def __init__(
        self,
        url_or_engine: str | Engine,
        *,
        tables: LedgerTables = DEFAULT_TABLES,
        create_schema: bool = False,
    ) -> None:
        self.engine = (
            ledger_engine(url_or_engine) if isinstance(url_or_engine, str) else url_or_engine
        )
        if create_schema:
            with translated("creating the ledger schema"):
                self.schema = create_ledger_schema(self.engine, tables)
        else:
            self.schema = LedgerSchema(tables)

    def __repr__(self) -> str:  # the URL's password stays out
        return f"SqlLedger({self.engine.url.render_as_string(hide_password=True)!r})"

    @contextmanager
    def _read(self, what: str) -> Iterator[Connection]:
        with translated(what), self.engine.connect() as conn:
            yield conn

    # ------------------------------------------------------------------ customers

    def customer_by_email(self, email: str) -> BillingCustomer | None:
        """The customer with this email, compared without case."""
        t = self.schema.customers
        query = sa.select(t).where(sa.func.lower(t.c.email) == email.strip().lower())
        with self._read("reading a customer") as conn:
            row = conn.execute(query.order_by(t.c.id).limit(1)).first()
        return _customer(row) if row else None

    def customer_by_invoice_ref(self, ref: str) -> BillingCustomer | None:
        """The owner of the invoice with this id or number."""
        i = self.schema.invoices
        owner = sa.select(i.c.customer_id).where(sa.or_(i.c.id == ref, i.c.number == ref))
        return self._customer_where(owner.limit(1).scalar_subquery())

    def customer_by_transaction_id(self, transaction_id: str) -> BillingCustomer | None:
        """The customer who made the payment with this id or reference."""
        p = self.schema.payments
        ref = transaction_id.strip()
        owner = sa.select(p.c.customer_id).where(sa.or_(p.c.id == ref, p.c.reference == ref))
        return self._customer_where(owner.limit(1).scalar_subquery())

    def _customer_where(self, customer_id: Any) -> BillingCustomer | None:
        t = self.schema.customers
        with self._read("reading a customer") as conn:
            row = conn.execute(sa.select(t).where(t.c.id == customer_id)).first()
        return _customer(row) if row else None

    # ------------------------------------------------------------------ reads

    def invoices(self, customer_id: str) -> list[Invoice]:
        """The customer's invoices, newest first."""
        t = self.schema.invoices
        query = sa.select(t).where(t.c.customer_id == customer_id).order_by(t.c.created.desc())
        with self._read("reading invoices") as conn:
            return [_invoice(row) for row in conn.execute(query)]

    def payments(self, customer_id: str) -> list[Payment]:
        """The customer's payments with the invoice each was applied to, newest first."""
        t = self.schema.payments
        query = sa.select(t).where(t.c.customer_id == customer_id).order_by(t.c.created.desc())
        with self._read("reading payments") as conn:
            return [_payment(row) for row in conn.execute(query)]

    # ------------------------------------------------------------------ writes

    def apply_credit(
        self,
        customer_id: str,
        amount: Decimal,
        currency: str,
        *,
        idempotency_key: str,
        description: str,
        invoice_id: str | None = None,
    ) -> BillingWrite:
        """Record a credit once per idempotency key; a repeat returns the first write."""
        return credits.apply_credit(
            self.engine,
            self.schema,
            customer_id,
            amount,
            currency,
            idempotency_key,
            description,
            invoice_id,
        )

    def reverse_credit(
        self, customer_id: str, credit: BillingWrite, *, idempotency_key: str, description: str
    ) -> BillingWrite:
        """Record the reversal of a credit (at most one per credit)."""
        return credits.reverse_credit(
            self.engine, self.schema, customer_id, credit, idempotency_key, description
        )

    def pause_dunning(self, invoice_id: str, *, idempotency_key: str) -> None:
        """Flag the invoice so the company's dunning skips it."""
        invoice_writes.set_dunning_paused(self.engine, self.schema, invoice_id, True)

    def resume_dunning(self, invoice_id: str, *, idempotency_key: str) -> None:
        """Clear the invoice's dunning pause."""
        invoice_writes.set_dunning_paused(self.engine, self.schema, invoice_id, False)

    def mark_paid_out_of_band(
        self, invoice_id: str, *, reference: str, idempotency_key: str
    ) -> None:
        """Record an out-of-band payment of what remains and mark the invoice paid."""
        invoice_writes.mark_paid_out_of_band(
            self.engine, self.schema, invoice_id, reference, idempotency_key
        )

    def apply_payment(self, invoice_id: str, payment_id: str, *, idempotency_key: str) -> None:
        """Link a succeeded payment to the invoice; update its amount paid and status."""
        invoice_writes.apply_payment(self.engine, self.schema, invoice_id, payment_id)


def _customer(row: sa.Row[Any]) -> BillingCustomer:
    tags = tuple(t.strip() for t in (row.tags or "").split(",") if t.strip())
    return BillingCustomer(
        id=row.id, email=row.email, name=row.name, tier=row.tier, currency=row.currency, tags=tags
    )


def _invoice(row: sa.Row[Any]) -> Invoice:
    return Invoice(
        id=row.id,
        number=row.number,
        status=row.status,
        currency=row.currency,
        amount_due=quantize(row.amount_due, row.currency),
        amount_paid=quantize(row.amount_paid, row.currency),
        created=row.created,
        due_date=row.due_date,
        hosted_invoice_url=row.hosted_invoice_url,
    )


def _payment(row: sa.Row[Any]) -> Payment:
    return Payment(
        id=row.id,
        status=row.status,
        currency=row.currency,
        amount=quantize(row.amount, row.currency),
        created=row.created,
        method=row.method,
        invoice=row.invoice_id,
        reference=row.reference,
    )


__all__ = ["SERVICE", "SqlLedger", "ledger_engine"]
