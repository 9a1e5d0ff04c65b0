"""KPI aggregation: a few GROUP BY queries per breakdown, the arithmetic exact (integers, Decimal).

- auto-resolution rate: tickets with a `resolved` event and no `escalated` event, over
  tickets verified;
- escalation rate: tickets with an `escalated` event, over tickets verified;
- time to first response / to resolution: the mean over tickets of each ticket's first
  `replied` / `resolved` value (seconds);
- CSAT: the mean of `csat` scores;
- credits issued / reversed: count and sum per currency.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from connectors.store.tables import metric_events as ev
from core.money import quantize
from core.ports import KpiFigures, Kpis, MoneyTotal

MICROS = Decimal(1_000_000)
OVERALL = "*"
_DIMENSIONS = ("scenario", "tier", "language")


@dataclass
class _Slice:
    tickets: dict[str, int] = field(default_factory=dict)  # verified, escalated, auto_resolved
    first: dict[str, tuple[Decimal, int]] = field(default_factory=dict)  # replied, resolved
    csat: tuple[Decimal, int] = (Decimal(0), 0)
    money: dict[str, dict[str, MoneyTotal]] = field(default_factory=lambda: defaultdict(dict))

    def figures(self) -> KpiFigures:
        verified = self.tickets.get("verified", 0)
        auto_resolved = self.tickets.get("auto_resolved", 0)
        escalated = self.tickets.get("escalated", 0)
        csat_sum, csat_count = self.csat
        return KpiFigures(
            verified=verified,
            auto_resolved=auto_resolved,
            escalated=escalated,
            auto_resolution_rate=_ratio(auto_resolved, verified),
            escalation_rate=_ratio(escalated, verified),
            first_response_seconds_avg=_mean(*self.first.get("replied", (Decimal(0), 0))),
            resolution_seconds_avg=_mean(*self.first.get("resolved", (Decimal(0), 0))),
            csat_average=_mean(csat_sum, csat_count),
            csat_responses=csat_count,
            credits_issued=dict(self.money.get("credit_applied", {})),
            credits_reversed=dict(self.money.get("credit_reversed", {})),
        )


def _ratio(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001")) if whole else None


def _mean(total_micros: Decimal, count: int) -> Decimal | None:
    return (total_micros / MICROS / count).quantize(Decimal("0.01")) if count else None


def _grouped(
    connection: sa.Connection,
    group: sa.ColumnElement[str] | None,
    columns: list[Any],
    where: list[sa.ColumnElement[bool]],
    by: list[Any],
) -> list[tuple[Any, ...]]:
    """Run one aggregate; the first element of each row is the slice (OVERALL without `group`)."""
    head = [group] if group is not None else []
    statement = sa.select(*head, *columns).where(*where).group_by(*head, *by)
    rows = connection.execute(statement).all()
    if group is None:
        return [(OVERALL, *row) for row in rows]
    return [tuple(row) for row in rows if row[0] is not None]


def _fill(
    connection: sa.Connection,
    slices: dict[str, _Slice],
    group: sa.ColumnElement[str] | None,
    where: list[sa.ColumnElement[bool]],
) -> None:
    ticket = ev.c.installation + ":" + ev.c.ticket_id
    distinct_tickets = sa.func.count(sa.distinct(ticket))
    for key, name, count in _grouped(
        connection,
        group,
        [ev.c.name, distinct_tickets],
        [*where, ev.c.name.in_(("verified", "escalated"))],
        [ev.c.name],
    ):
        slices[key].tickets[name] = int(count)

    other = ev.alias("escalations")
    escalated_ever = (
        sa.select(other.c.id)
        .where(
            other.c.installation == ev.c.installation,
            other.c.ticket_id == ev.c.ticket_id,
            other.c.name == "escalated",
        )
        .exists()
    )
    for key, count in _grouped(
        connection,
        group,
        [distinct_tickets],
        [*where, ev.c.name == "resolved", ~escalated_ever],
        [],
    ):
        slices[key].tickets["auto_resolved"] = int(count)

    head = [group.label("slice")] if group is not None else []
    per_ticket = (
        sa.select(*head, ev.c.name, sa.func.min(ev.c.value_micros).label("first"))
        .where(*where, ev.c.name.in_(("replied", "resolved")))
        .group_by(
            *([group] if group is not None else []), ev.c.name, ev.c.installation, ev.c.ticket_id
        )
        .subquery()
    )
    inner_group = per_ticket.c.slice if group is not None else None
    for key, name, total, count in _grouped(
        connection,
        inner_group,
        [per_ticket.c.name, sa.func.sum(per_ticket.c.first), sa.func.count()],
        [],
        [per_ticket.c.name],
    ):
        slices[key].first[name] = (Decimal(total or 0), int(count))

    for key, name, currency, total, count in _grouped(
        connection,
        group,
        [ev.c.name, ev.c.currency, sa.func.sum(ev.c.value_micros), sa.func.count()],
        [*where, ev.c.name.in_(("csat", "credit_applied", "credit_reversed"))],
        [ev.c.name, ev.c.currency],
    ):
        micros = Decimal(total or 0)
        if name == "csat":
            old_total, old_count = slices[key].csat
            slices[key].csat = (old_total + micros, old_count + int(count))
        else:
            amount = quantize(micros / MICROS, currency)
            slices[key].money[name][currency] = MoneyTotal(int(count), amount)


def compute_kpis(connection: sa.Connection, where: list[sa.ColumnElement[bool]]) -> Kpis:
    """The KPIs over the events matching `where`, overall and per scenario, tier and language."""
    overall: dict[str, _Slice] = defaultdict(_Slice)
    _fill(connection, overall, None, where)
    breakdowns: dict[str, dict[str, KpiFigures]] = {}
    for dimension in _DIMENSIONS:
        slices: dict[str, _Slice] = defaultdict(_Slice)
        _fill(connection, slices, ev.c[dimension], where)
        breakdowns[dimension] = {key: s.figures() for key, s in sorted(slices.items())}
    return Kpis(
        overall=overall[OVERALL].figures(),
        by_scenario=breakdowns["scenario"],
        by_tier=breakdowns["tier"],
        by_language=breakdowns["language"],
    )
