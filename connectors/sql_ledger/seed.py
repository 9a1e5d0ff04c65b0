"""The seed guide's `apply_credit_to_account(...)` and a helper that loads a case into a ledger."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from connectors.sql_ledger.errors import translated
from connectors.sql_ledger.ledger import SqlLedger
from connectors.sql_ledger.schema import DEFAULT_TABLES, LedgerTables
from core.errors import ExternalError
from core.models import Case


def _decimal(amount: Any) -> Decimal:
    if isinstance(amount, bool):
        raise ValueError("amount: not a number")
    try:
        value = Decimal(repr(amount)) if isinstance(amount, float) else Decimal(str(amount))
    except InvalidOperation:
        raise ValueError(f"amount: not a number: {amount!r}") from None
    if not value.is_finite() or value <= 0:
        raise ValueError(f"amount: must be positive, not {amount!r}")
    return value


def apply_credit_to_account(
    customer_id: str,
    amount: Decimal | float | int | str,
    reason: str,
    invoice_id: str,
    db_connection: Connection | Engine | str,
    *,
    currency: str | None = None,
    idempotency_key: str | None = None,
    tables: LedgerTables = DEFAULT_TABLES,
) -> dict[str, Any]:
    """Credit a customer in the SQL ledger, as the seed guide calls it; returns a result dict.

    The currency defaults to the invoice's (found by id or number), else the customer's.
    The key defaults to one credit per customer and invoice, so calling again returns
    the first credit. Bad arguments raise `ValueError`; a database that refuses or cannot
    be reached gives `{"success": False, "error": ...}` and records nothing.
    """
    if not str(customer_id or "").strip():
        raise ValueError("customer_id: required")
    if not str(invoice_id or "").strip():
        raise ValueError("invoice_id: required")
    value = _decimal(amount)
    engine = db_connection.engine if isinstance(db_connection, Connection) else db_connection
    ledger = SqlLedger(engine, tables=tables)
    key = idempotency_key or f"payverify:seed:{customer_id}:{invoice_id}:temporary_credit"
    try:
        code = currency or _currency_for(ledger, customer_id, invoice_id)
        write = ledger.apply_credit(
            customer_id, value, code, idempotency_key=key, description=reason, invoice_id=invoice_id
        )
    except ExternalError as error:
        return {
            "success": False,
            "customer_id": customer_id,
            "invoice_id": invoice_id,
            "error": error.message,
            "retryable": not error.permanent,
        }
    return {
        "success": True,
        "credit_id": write.id,
        "customer_id": customer_id,
        "invoice_id": invoice_id,
        "amount": format(write.amount, "f") if write.amount is not None else None,
        "currency": write.currency,
        "reason": reason,
        "idempotency_key": key,
    }


def _currency_for(ledger: SqlLedger, customer_id: str, invoice_id: str) -> str:
    i, c = ledger.schema.invoices, ledger.schema.customers
    with translated("reading the currency"), ledger.engine.connect() as conn:
        found = conn.execute(
            sa.select(i.c.currency).where(sa.or_(i.c.id == invoice_id, i.c.number == invoice_id))
        ).scalar()
        found = found or conn.execute(sa.select(c.c.currency).where(c.c.id == customer_id)).scalar()
    if not found:
        raise ExternalError(
            "sql_ledger",
            f"no currency for invoice {invoice_id} or customer {customer_id}",
            permanent=True,
        )
    return str(found)


def seed_ledger_from_case(ledger: SqlLedger, case: Case) -> str:
    """Insert (or update) a case's customer, invoices and payments; returns the customer id."""
    customer = case.customer
    customer_id = (customer.id if customer and customer.id else None) or (
        f"cus_{case.ticket.requester.email.lower()}"
    )[:64]
    email = (customer.email if customer and customer.email else None) or case.ticket.requester.email
    s = ledger.schema
    rows: list[tuple[sa.Table, dict[str, Any]]] = [
        (
            s.customers,
            dict(
                id=customer_id,
                email=email,
                name=case.ticket.requester.name,
                tier=(customer.tier or None) if customer else None,
                currency=customer.currency if customer else None,
                tags=",".join(customer.tags) if customer else "",
            ),
        )
    ]
    for invoice in case.billing.invoices:
        rows.append(
            (
                s.invoices,
                dict(
                    id=invoice.id,
                    customer_id=customer_id,
                    number=invoice.number,
                    status=invoice.status,
                    currency=invoice.currency,
                    amount_due=invoice.amount_due,
                    amount_paid=invoice.amount_paid,
                    created=invoice.created,
                    due_date=invoice.due_date,
                    hosted_invoice_url=invoice.hosted_invoice_url,
                    dunning_paused=False,
                ),
            )
        )
    invoice_ids = {invoice.id for invoice in case.billing.invoices}
    for payment in case.billing.payments:
        linked = payment.invoice if payment.invoice in invoice_ids else None  # no dangling link
        rows.append(
            (
                s.payments,
                dict(
                    id=payment.id,
                    customer_id=customer_id,
                    invoice_id=linked,
                    status=payment.status,
                    currency=payment.currency,
                    amount=payment.amount,
                    created=payment.created,
                    method=payment.method,
                    reference=payment.reference,
                ),
            )
        )
    with translated("seeding the ledger"), ledger.engine.begin() as conn:
        for table, values in rows:
            exists = conn.execute(sa.select(table.c.id).where(table.c.id == values["id"])).first()
            if exists:
                conn.execute(table.update().where(table.c.id == values["id"]).values(**values))
            else:
                conn.execute(table.insert().values(**values))
    return customer_id
