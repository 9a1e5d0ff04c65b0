"""Credits and their reversals: one transaction each, idempotent by the UNIQUE key."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from connectors.sql_ledger.errors import SERVICE, translated
from connectors.sql_ledger.schema import LedgerSchema
from core.errors import ExternalError, NotFound
from core.money import minor_digits, quantize
from core.ports import BillingWrite


def refuse(message: str) -> ExternalError:
    """A permanent error: the request is wrong and repeating it will not help."""
    return ExternalError(SERVICE, message, permanent=True)


def _checked_amount(amount: Decimal, currency: str) -> tuple[Decimal, str]:
    code = (currency or "").strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise refuse(f"not a currency code: {currency!r}")
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0:
        raise refuse(f"credit amount must be a positive Decimal, not {amount!r}")
    if amount != quantize(amount, code):
        raise refuse(f"{amount} {code} has more than {minor_digits(code)} decimals")
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
            raise refuse("the credit could not be recorded (constraint violated)")
        return _same_request(existing, values)


def _same_request(row: sa.Row[Any], values: dict[str, Any]) -> sa.Row[Any]:
    """A key reused for a different credit is a caller's bug: refuse rather than guess."""
    if (row.customer_id, row.kind, row.currency) != (
        values["customer_id"],
        values["kind"],
        values["currency"],
    ) or Decimal(row.amount) != values["amount"]:
        raise refuse(f"idempotency key {values['idempotency_key']!r} was used for another write")
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
        raise refuse(f"not a ledger credit id: {credit.id!r}")
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
