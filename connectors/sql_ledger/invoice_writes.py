"""Invoice writes: dunning flag, out-of-band payment, applying a payment (one transaction each)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from connectors.sql_ledger.credits import refuse
from connectors.sql_ledger.errors import SERVICE, translated
from connectors.sql_ledger.schema import LedgerSchema
from core.errors import NotFound


def set_dunning_paused(engine: Engine, schema: LedgerSchema, invoice_id: str, paused: bool) -> None:
    """Set the invoice's dunning flag (setting it twice changes nothing)."""
    t = schema.invoices
    with translated("updating dunning"), engine.begin() as conn:
        done = conn.execute(t.update().where(t.c.id == invoice_id).values(dunning_paused=paused))
        if done.rowcount == 0:
            raise NotFound(SERVICE, f"no invoice {invoice_id}")


def _locked_invoice(conn: Connection, schema: LedgerSchema, invoice_id: str) -> sa.Row[Any]:
    t = schema.invoices
    row = conn.execute(sa.select(t).where(t.c.id == invoice_id).with_for_update()).first()
    if row is None:
        raise NotFound(SERVICE, f"no invoice {invoice_id}")
    return row


def _settle(conn: Connection, schema: LedgerSchema, invoice: sa.Row[Any]) -> None:
    """amount_paid is the sum of the invoice's succeeded payments; covered means paid."""
    p = schema.payments
    linked = conn.execute(
        sa.select(p.c.amount).where(p.c.invoice_id == invoice.id, p.c.status == "succeeded")
    ).scalars()
    paid = sum((Decimal(a) for a in linked), Decimal(0))
    status = invoice.status
    if paid >= invoice.amount_due and status in ("open", "uncollectible"):
        status = "paid"
    t = schema.invoices
    conn.execute(t.update().where(t.c.id == invoice.id).values(amount_paid=paid, status=status))


def mark_paid_out_of_band(
    engine: Engine, schema: LedgerSchema, invoice_id: str, reference: str, key: str
) -> None:
    """Record a payment of what remains (once per key) and mark the invoice paid."""
    p = schema.payments
    with translated("marking an invoice paid"):
        try:
            with engine.begin() as conn:
                invoice = _locked_invoice(conn, schema, invoice_id)
                if conn.execute(sa.select(p.c.id).where(p.c.idempotency_key == key)).first():
                    return
                remaining = invoice.amount_due - invoice.amount_paid
                if invoice.status in ("paid", "void") or remaining <= 0:
                    return
                conn.execute(
                    p.insert().values(
                        id=f"oob_{uuid.uuid4().hex[:20]}",
                        customer_id=invoice.customer_id,
                        invoice_id=invoice.id,
                        status="succeeded",
                        currency=invoice.currency,
                        amount=remaining,
                        created=datetime.now(UTC),
                        method="other",
                        reference=reference[:255],
                        idempotency_key=key,
                    )
                )
                _settle(conn, schema, invoice)
        except IntegrityError:
            return  # the same key was recorded by a concurrent call


def apply_payment(engine: Engine, schema: LedgerSchema, invoice_id: str, payment_id: str) -> None:
    """Link a succeeded payment to the invoice (again: no change) and settle the invoice."""
    p = schema.payments
    with translated("applying a payment"), engine.begin() as conn:
        invoice = _locked_invoice(conn, schema, invoice_id)
        payment = conn.execute(sa.select(p).where(p.c.id == payment_id).with_for_update()).first()
        if payment is None:
            raise NotFound(SERVICE, f"no payment {payment_id}")
        if payment.status != "succeeded":
            raise refuse(f"payment {payment_id} is {payment.status}, not succeeded")
        if payment.invoice_id not in (None, invoice_id):
            raise refuse(f"payment {payment_id} is already applied to {payment.invoice_id}")
        if payment.currency != invoice.currency or payment.customer_id != invoice.customer_id:
            raise refuse(f"payment {payment_id} is not in the invoice's currency and customer")
        conn.execute(p.update().where(p.c.id == payment_id).values(invoice_id=invoice_id))
        _settle(conn, schema, invoice)
