"""The seed's metrics: `track_payment_verification_metrics(...)` and the pipeline's step 10.

Event names and values are the store's (docs/STORE.md): `verified`, `replied` (seconds from
ticket creation), `escalated`, `resolved` (seconds), `csat` (1-5), `credit_applied`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from core.models import Scenario, Tier, Verdict

if TYPE_CHECKING:
    from plugin.pipeline import StepContext

SECONDS_PER_HOUR = Decimal(3600)


class MetricsInputError(ValueError):
    """A tracked metric that cannot be recorded; the message names the field."""


@dataclass(frozen=True)
class TrackedMetrics:
    """What was recorded for one call of track_payment_verification_metrics."""

    ticket_id: str
    scenario: str
    tier: str
    resolution_seconds: Decimal | None
    csat: Decimal | None


def _enum_value(field: str, value: Any, enum: type[Scenario] | type[Tier]) -> str:
    raw = getattr(value, "value", getattr(value, "name", value))
    text = str(raw or "").strip().upper()
    if text not in enum.__members__:
        raise MetricsInputError(f"{field}: {value!r} is not one of {', '.join(enum.__members__)}")
    return text


def _number(field: str, value: Any, low: Decimal, high: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise MetricsInputError(f"{field}: not a number")
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))
    except InvalidOperation:
        raise MetricsInputError(f"{field}: not a number: {value!r}") from None
    if not number.is_finite() or number < low or (high is not None and number > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise MetricsInputError(f"{field}: must be {bounds}, got {value}")
    return number


def track_payment_verification_metrics(
    ticket_id: str,
    scenario: Any,
    customer_tier: Any,
    resolution_time: Any = None,
    customer_satisfaction: Any = None,
    *,
    store: Any,
    installation: str,
    language: str | None = None,
    at: datetime | None = None,
) -> TrackedMetrics:
    """Record a ticket's resolution time (hours) and CSAT (1-5) as the seed guide's API does."""
    if not str(ticket_id or "").strip():
        raise MetricsInputError("ticket_id: required")
    tracked = TrackedMetrics(
        ticket_id=str(ticket_id).strip(),
        scenario=_enum_value("scenario", scenario, Scenario),
        tier=_enum_value("customer_tier", customer_tier, Tier),
        resolution_seconds=(
            None
            if (hours := _number("resolution_time", resolution_time, Decimal(0), None)) is None
            else (hours * SECONDS_PER_HOUR).quantize(Decimal(1))
        ),
        csat=_number("customer_satisfaction", customer_satisfaction, Decimal(1), Decimal(5)),
    )
    if tracked.resolution_seconds is None and tracked.csat is None:
        raise MetricsInputError("resolution_time or customer_satisfaction: give at least one")
    labels = {"scenario": tracked.scenario, "tier": tracked.tier, "language": language, "at": at}
    if tracked.resolution_seconds is not None:
        store.record_event(
            installation, tracked.ticket_id, "resolved", value=tracked.resolution_seconds, **labels
        )
    if tracked.csat is not None:
        store.record_event(installation, tracked.ticket_id, "csat", value=tracked.csat, **labels)
    return tracked


def step_metrics(ctx: StepContext) -> dict[str, Any]:
    """Step 10: the events the KPIs are computed from (docs/STORE.md names)."""
    if not ctx.acts():
        return {"state": "skipped", "why": "not a payment claim"}
    store, installation, d = ctx.pipeline.store, ctx.pipeline.installation, ctx.done["decision"]
    labels = {"scenario": d["scenario"], "tier": d["tier"], "language": d["language"]}
    events = ["verified"]
    store.record_event(installation, ctx.ticket_id, "verified", verdict=d["verdict"], **labels)
    if ctx.done.get("reply", {}).get("posted"):
        created = datetime.fromisoformat(ctx.done["ticket"]["created_at"])
        seconds = Decimal(max(0, int((ctx.pipeline.clock() - created).total_seconds())))
        store.record_event(installation, ctx.ticket_id, "replied", value=seconds, **labels)
        events.append("replied")
        if d["verdict"] == Verdict.PAID.value:
            store.record_event(installation, ctx.ticket_id, "resolved", value=seconds, **labels)
            events.append("resolved")
    if d["decision"].get("escalate") and ctx.mode != "shadow":
        store.record_event(installation, ctx.ticket_id, "escalated", **labels)
        events.append("escalated")
    credit = ctx.done.get("credit", {})
    if credit.get("state") == "applied" and credit.get("new"):
        store.record_event(
            installation,
            ctx.ticket_id,
            "credit_applied",
            value=Decimal(credit["amount"]),
            currency=credit["currency"],
            **labels,
        )
        events.append("credit_applied")
    return {"events": events}
