"""The ledger's writes: each one transaction, idempotent by a UNIQUE key or by its own nature."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from connectors.sql_ledger.errors import SERVICE, translated
from connectors.sql_ledger.schema import LedgerSchema
from core.errors import ExternalError, NotFound
from core.money import minor_digits, quantize
from core.ports import BillingWrite


def _refuse(message: str) -> ExternalError:
    return ExternalError(SERVICE, message, permanent=True)


def _checked_amount(amount: Decimal, currency: str) -> tuple[Decimal, str]:
    code = (currency or "").strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise _refuse(f"not a currency code: {currency!r}")
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0:
        raise _refuse(f"credit amount must be a positive Decimal, not {amount!r}")
    if amount != quantize(amount, code):
        raise _refuse(f"{amount} {code} has more than {minor_digits(code)} decimals")
    return amount, code


def _credit_write(row: sa.Row[Any]) -> BillingWrite:
    extra = {"kind": row.kind, "customer": row.customer_id}
    if row.invoice_id:
        extra["invoice"] = row.invoice_id
    if row.reverses_id is not None:
        extra["reverses"] = str(row.reverses_id)
    return BillingWrite(
        id=str(row.id),
        amount=quantize(row.amount, row.currency),
        currency=row.currency,
        extra=extra,
    )


def _insert_once(engine: Engine, schema: LedgerSchema, values: dict[str, Any]) -> sa.Row[Any]:
    """Insert a credit row unless its key exists; either way return the row the key names."""
    t = schema.credits
    by_key = sa.select(t).where(t.c.idempotency_key == values["idempotency_key"])
    with translated("recording a credit"):
        try:
            with engine.begin() as conn:
                if (
                    conn.execute(
                        sa.select(schema.customers.c.id).where(
                            schema.customers.c.id == values["customer_id"]
                        )
                    ).first()
                    is None
                ):
                    raise NotFound(SERVICE, f"no customer {values['customer_id']}")
                existing = conn.execute(by_key).first()
                if existing is None:
                    conn.execute(t.insert().values(**values))
                    existing = conn.execute(by_key).one()
                return _same_request(existing, values)
        except IntegrityError:
            pass  # a concurrent writer with the same key (or reversal) committed first
        with engine.connect() as conn:
            existing = conn.execute(by_key).first()
            if existing is None and values.get("reverses_id") is not None:
                existing = conn.execute(
                    sa.select(t).where(t.c.reverses_id == values["reverses_id"])
                ).first()
        if existing is None:
            raise _refuse("the credit could not be recorded (constraint violated)")
        return _same_request(existing, values)


def _same_request(row: sa.Row[Any], values: dict[str, Any]) -> sa.Row[Any]:
    """A key reused for a different credit is a caller's bug: refuse rather than guess."""
    if (row.customer_id, row.kind, row.currency) != (
        values["customer_id"],
        values["kind"],
        values["currency"],
    ) or Decimal(row.amount) != values["amount"]:
        raise _refuse(f"idempotency key {values['idempotency_key']!r} was used for another write")
    return row


def apply_credit(
    engine: Engine,
    schema: LedgerSchema,
    customer_id: str,
    amount: Decimal,
    currency: str,
    key: str,
    description: str,
    invoice_id: str | None = None,
) -> BillingWrite:
    """Record a credit; the UNIQUE idempotency key makes a repeat return the first row."""
    amount, code = _checked_amount(amount, currency)
    values = dict(
        customer_id=customer_id,
        invoice_id=invoice_id,
        kind="credit",
        reverses_id=None,
        amount=amount,
        currency=code,
        description=(description or "")[:500],
        idempotency_key=key,
        created_at=datetime.now(UTC),
    )
    return _credit_write(_insert_once(engine, schema, values))


def reverse_credit(
    engine: Engine,
    schema: LedgerSchema,
    customer_id: str,
    credit: BillingWrite,
    key: str,
    description: str,
) -> BillingWrite:
    """Record the reversal of a recorded credit; a credit is reversed at most once."""
    t = schema.credits
    if not credit.id.isdigit():
        raise _refuse(f"not a ledger credit id: {credit.id!r}")
    with translated("reading a credit"), engine.connect() as conn:
        original = conn.execute(sa.select(t).where(t.c.id == int(credit.id))).first()
    if original is None or original.kind != "credit" or original.customer_id != customer_id:
        raise NotFound(SERVICE, f"no credit {credit.id} for customer {customer_id}")
    values = dict(
        customer_id=customer_id,
        invoice_id=original.invoice_id,
        kind="reversal",
        reverses_id=original.id,
        amount=Decimal(original.amount),
        currency=original.currency,
        description=(description or "")[:500],
        idempotency_key=key,
        created_at=datetime.now(UTC),
    )
    return _credit_write(_insert_once(engine, schema, values))


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
            raise _refuse(f"payment {payment_id} is {payment.status}, not succeeded")
        if payment.invoice_id not in (None, invoice_id):
            raise _refuse(f"payment {payment_id} is already applied to {payment.invoice_id}")
        if payment.currency != invoice.currency or payment.customer_id != invoice.customer_id:
            raise _refuse(f"payment {payment_id} is not in the invoice's currency and customer")
        conn.execute(p.update().where(p.c.id == payment_id).values(invoice_id=invoice_id))
        _settle(conn, schema, invoice)
