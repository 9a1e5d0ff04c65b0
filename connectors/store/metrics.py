"""Metric events and the seed guide's KPIs, overall and by scenario, tier and language.

Event names and what `value` means for each (docs/STORE.md):
`verified` (none), `replied` (seconds from ticket creation to this reply), `escalated`
(none), `resolved` (seconds from ticket creation to resolution), `csat` (score 1-5),
`credit_applied` and `credit_reversed` (amount, with `currency`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import sqlalchemy as sa

from connectors.store.engine import reading, writing
from connectors.store.kpi_queries import compute_kpis
from connectors.store.tables import metric_events
from core.ports import Kpis

EVENT_NAMES = frozenset(
    {"verified", "replied", "escalated", "resolved", "csat", "credit_applied", "credit_reversed"}
)
_NEEDS_VALUE = frozenset({"replied", "resolved", "csat", "credit_applied", "credit_reversed"})
MICROS = Decimal(1_000_000)


class MetricEventError(ValueError):
    """A metric event that cannot be recorded; the message names the field."""


def _check(name: str, value: Decimal | None, currency: str | None) -> None:
    if name not in EVENT_NAMES:
        raise MetricEventError(
            f"name: unknown metric event {name!r} ({', '.join(sorted(EVENT_NAMES))})"
        )
    if name in _NEEDS_VALUE and value is None:
        raise MetricEventError(f"value: required for {name!r}")
    if value is not None and (not value.is_finite() or value < 0):
        raise MetricEventError(f"value: must be a non-negative number, got {value}")
    if name == "csat" and value is not None and not Decimal(1) <= value <= Decimal(5):
        raise MetricEventError(f"value: a CSAT score is between 1 and 5, got {value}")
    if name.startswith("credit_") and not currency:
        raise MetricEventError(f"currency: required for {name!r}")


class Metrics:
    engine: sa.Engine

    def record_event(
        self,
        installation: str,
        ticket_id: str,
        name: str,
        *,
        scenario: str | None = None,
        tier: str | None = None,
        language: str | None = None,
        verdict: str | None = None,
        value: Decimal | None = None,
        currency: str | None = None,
        at: datetime | None = None,
    ) -> None:
        """Record one event; scenario, tier and language default to the last verification's."""
        if value is not None and not isinstance(value, Decimal):
            value = Decimal(str(value))  # an int or a float from an API caller, never kept as float
        _check(name, value, currency)
        ticket_id = str(ticket_id)
        with writing(self.engine) as connection:
            if scenario is None or tier is None or language is None:
                # Later events (a CSAT score, a resolution) belong to the slice the ticket was in.
                last = connection.execute(
                    sa.select(
                        metric_events.c.scenario, metric_events.c.tier, metric_events.c.language
                    )
                    .where(
                        metric_events.c.installation == installation,
                        metric_events.c.ticket_id == ticket_id,
                        metric_events.c.name == "verified",
                    )
                    .order_by(metric_events.c.id.desc())
                    .limit(1)
                ).one_or_none()
                if last is not None:
                    scenario = scenario or last.scenario
                    tier = tier or last.tier
                    language = language or last.language
            connection.execute(
                metric_events.insert().values(
                    installation=installation,
                    ticket_id=ticket_id,
                    name=name,
                    scenario=scenario,
                    tier=tier,
                    language=language,
                    verdict=verdict,
                    value_micros=None if value is None else int(value * MICROS),
                    currency=currency.upper() if currency else None,
                    created_at=at or datetime.now(UTC),
                )
            )

    def kpis(
        self,
        installation: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Kpis:
        """The KPIs of the events in [since, until), for one installation or all."""
        conditions: list[sa.ColumnElement[bool]] = []
        if installation is not None:
            conditions.append(metric_events.c.installation == installation)
        if since is not None:
            conditions.append(metric_events.c.created_at >= since)
        if until is not None:
            conditions.append(metric_events.c.created_at < until)
        with reading(self.engine) as connection:
            return compute_kpis(connection, conditions)
