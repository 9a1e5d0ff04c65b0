"""The credit ledger: a temporary credit is applied at most once per installation, ticket, invoice.

States: `pending` (claimed, the billing write may be in flight) → `applied` (with the
billing system's id) → `reversed` (with the reversal's id and why); `pending` → `failed`
(nothing moved; the next claim takes it back to `pending`). A `pending` line after a
crash is safe to apply again: every billing write carries the idempotency key of the
ticket, invoice and action, so the billing system returns the first write.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from connectors.store.engine import reading, writing
from connectors.store.tables import credits
from connectors.store.upsert import insert_if_absent
from core.money import minor_digits, quantize
from core.ports import CreditRecord, CreditState


class LedgerError(ValueError):
    """A credit asked to move to a state it cannot reach from where it is."""


def to_minor(amount: Decimal, currency: str) -> int:
    """An amount in the currency's minor unit (EUR 299.99 → 29999)."""
    return int(quantize(amount, currency).scaleb(minor_digits(currency)))


def from_minor(amount_minor: int, currency: str) -> Decimal:
    """The amount in the currency's major unit (29999 EUR → 299.99)."""
    return Decimal(amount_minor).scaleb(-minor_digits(currency))


def _record(row: Any) -> CreditRecord:
    return CreditRecord(
        id=row.id,
        installation=row.installation,
        ticket_id=row.ticket_id,
        invoice_id=row.invoice_id,
        customer_id=row.customer_id,
        amount=from_minor(row.amount_minor, row.currency),
        currency=row.currency,
        state=row.state,
        external_id=row.external_id,
        reversal_id=row.reversal_id,
        reason=row.reason,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class CreditLedger:
    engine: sa.Engine

    def claim_credit(
        self,
        installation: str,
        ticket_id: str,
        invoice_id: str,
        customer_id: str,
        amount: Decimal,
        currency: str,
    ) -> tuple[CreditRecord, bool]:
        """The ledger line for this ticket and invoice, and whether this caller claimed it."""
        if amount <= 0:
            raise LedgerError(f"a credit must be positive, got {amount}")
        currency = currency.upper()
        now = datetime.now(UTC)
        values = {
            "customer_id": customer_id,
            "amount_minor": to_minor(amount, currency),
            "currency": currency,
            "state": "pending",
            "updated_at": now,
        }
        key = {"installation": installation, "ticket_id": str(ticket_id), "invoice_id": invoice_id}
        with writing(self.engine) as connection:
            created = insert_if_absent(
                connection, credits, {**key, **values, "created_at": now}, list(key)
            )
            where = sa.and_(*(credits.c[name] == value for name, value in key.items()))
            if not created:
                # A failed credit moved no money: the next claim may try again, once.
                retried = connection.execute(
                    credits.update()
                    .where(where, credits.c.state == "failed")
                    .values(**values, reason=None)
                )
                created = retried.rowcount == 1
            row = connection.execute(sa.select(credits).where(where)).one()
        return _record(row), created

    def mark_credit_applied(self, credit_id: int, external_id: str) -> CreditRecord:
        """Record the billing system's id of the applied credit."""
        return self._move(credit_id, ("pending",), "applied", external_id=external_id)

    def mark_credit_failed(self, credit_id: int, reason: str) -> CreditRecord:
        """Record that the billing write did not happen."""
        return self._move(credit_id, ("pending",), "failed", reason=reason)

    def mark_credit_reversed(self, credit_id: int, reversal_id: str, reason: str) -> CreditRecord:
        """Record that an applied credit was taken back, and why."""
        return self._move(
            credit_id, ("applied",), "reversed", reversal_id=reversal_id, reason=reason
        )

    def credits_for_ticket(self, installation: str, ticket_id: str) -> list[CreditRecord]:
        """Every ledger line of a ticket, oldest first."""
        where = sa.and_(credits.c.installation == installation, credits.c.ticket_id == ticket_id)
        return self._select(where)

    def open_credits_for_customer(self, installation: str, customer_id: str) -> list[CreditRecord]:
        """The customer's applied credits not yet reversed, oldest first."""
        where = sa.and_(
            credits.c.installation == installation,
            credits.c.customer_id == customer_id,
            credits.c.state == "applied",
        )
        return self._select(where)

    def _select(self, where: sa.ColumnElement[bool]) -> list[CreditRecord]:
        with reading(self.engine) as connection:
            rows = connection.execute(sa.select(credits).where(where).order_by(credits.c.id))
            return [_record(row) for row in rows]

    def _move(
        self, credit_id: int, sources: Iterable[CreditState], target: CreditState, **values: Any
    ) -> CreditRecord:
        """Move a line between states atomically; repeating the same move is a no-op."""
        sources = tuple(sources)
        with writing(self.engine) as connection:
            connection.execute(
                credits.update()
                .where(credits.c.id == credit_id, credits.c.state.in_(sources))
                .values(state=target, updated_at=datetime.now(UTC), **values)
            )
            row = connection.execute(
                sa.select(credits).where(credits.c.id == credit_id)
            ).one_or_none()
        if row is None:
            raise LedgerError(f"credit {credit_id} does not exist")
        ids = {k: v for k, v in values.items() if k != "reason"}
        if row.state != target or any(getattr(row, k) != v for k, v in ids.items()):
            raise LedgerError(f"credit {credit_id} is {row.state}: cannot become {target}")
        return _record(row)
