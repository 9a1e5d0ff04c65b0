"""The seed guide's ten steps, each idempotent: its result is saved per run key and never redone.

1 ticket · 2 customer · 3 evidence — fetched together (concurrently) by plugin/assemble.py and
saved as three results · 4 decision (core.decide, recorded in the store) · 5 credit (through the
store's credit ledger: at most once per ticket and invoice; optionally the found payment applied
to its invoice) · 6 note · 7 reply · 8 ticket update · 9 follow-up · 10 metrics.

A step that fails with ExternalError raises it (with `.step` set) and the job queue decides:
retry a transient failure with backoff, park a permanent one; the steps already done are kept.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from core.errors import ExternalError
from core.models import Case, Decision, Verdict
from core.ports import Store
from plugin.actions import apply_credit, apply_found_payments, ticket_update_for
from plugin.metrics import step_metrics

log = logging.getLogger(__name__)

STEPS = (
    "ticket",
    "customer",
    "evidence",
    "decision",
    "credit",
    "note",
    "reply",
    "ticket_update",
    "follow_up",
    "metrics",
)
MODES = ("auto", "draft", "shadow")


def mode_of(settings: Any) -> str:
    """The install's mode (PAYVERIFY_MODE): auto, draft or shadow; auto when unset."""
    mode = str(getattr(settings, "mode", None) or "auto").lower()
    if mode not in MODES:
        raise ValueError(f"PAYVERIFY_MODE: {mode!r} is not one of auto, draft, shadow")
    return mode


def installation_of(services: Any, settings: Any = None) -> str:
    """The installation this deployment serves (`Settings.installation`: zendesk:acme, demo)."""
    named = getattr(services, "installation", None)
    if named:
        return str(named)
    settings = settings if settings is not None else getattr(services, "settings", None)
    named = getattr(settings, "installation", None)
    if isinstance(named, str) and named:
        return named
    return str(getattr(getattr(services, "helpdesk", None), "name", None) or "demo")


@dataclass
class RunResult:
    """What one run did, step by step (each a saved result)."""

    run_key: str
    ticket_id: str
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # steps found done (a retried job)

    @property
    def verdict(self) -> str | None:
        return self.results.get("decision", {}).get("verdict")


class Pipeline:
    """Runs the ten steps for one ticket with the services of one installation."""

    def __init__(
        self,
        services: Any,
        settings: Any = None,
        *,
        mode: str | None = None,
        apply_found_payment: bool | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.services = services
        self.settings = settings if settings is not None else getattr(services, "settings", None)
        self.mode = mode or mode_of(self.settings)
        if self.mode not in MODES:
            raise ValueError(f"mode {self.mode!r} is not one of auto, draft, shadow")
        # Step option: attach a found, unapplied payment to its invoice (POLICY: verified only).
        self.apply_found_payment = (
            apply_found_payment
            if apply_found_payment is not None
            else bool(getattr(self.settings, "apply_found_payments", False))
        )
        self.clock = clock or (lambda: datetime.now(UTC))
        self.installation = installation_of(services, self.settings)

    @property
    def store(self) -> Store:
        return self.services.store

    def run(
        self,
        ticket_id: str,
        *,
        run_key: str,
        requester_email: str | None = None,
        source: str = "trigger",
        until: str | None = None,
        on_step: Callable[[str], None] | None = None,
    ) -> RunResult:
        """Run every step not yet done for this run key, in order (up to `until` inclusive).

        `on_step(step)` is called after each step this call ran (the job queue's heartbeat).
        """
        result = RunResult(run_key, str(ticket_id))
        for step in STEPS:
            saved = self.store.step_result(run_key, step)
            if saved is not None:
                result.skipped.append(step)
                result.results[step] = saved
            else:
                result.results[step] = self._execute(
                    step, str(ticket_id), run_key, requester_email, source, result.results
                )
                if on_step is not None:
                    on_step(step)
            if step == until:
                break
        return result

    def run_step(
        self,
        ticket_id: str,
        step: str,
        *,
        run_key: str,
        requester_email: str | None = None,
        source: str = "api",
    ) -> dict[str, Any]:
        """Run one step (and any earlier step it needs that is not done yet); its result."""
        if step not in STEPS:
            raise ValueError(f"step {step!r} is not one of {', '.join(STEPS)}")
        run = self.run(
            ticket_id, run_key=run_key, requester_email=requester_email, source=source, until=step
        )
        return run.results[step]

    def _execute(
        self,
        step: str,
        ticket_id: str,
        run_key: str,
        requester_email: str | None,
        source: str,
        done: dict[str, dict[str, Any]],
    ) -> dict[str, Any]:
        try:
            if step in ("ticket", "customer", "evidence"):
                results = gather(self, ticket_id, requester_email)
                for name, value in results.items():
                    if name != step and self.store.step_result(run_key, name) is None:
                        self.store.save_step_result(run_key, name, value)
                value = results[step]
            else:
                context = StepContext(self, ticket_id, run_key, source, done)
                value = STEP_FUNCTIONS[step](context)
        except ExternalError as exc:
            exc.step = step  # type: ignore[attr-defined]
            raise
        self.store.save_step_result(run_key, step, value)
        return value


@dataclass
class StepContext:
    """What a step reads: the pipeline, the ticket, and the results of the steps before it."""

    pipeline: Pipeline
    ticket_id: str
    run_key: str
    source: str
    done: dict[str, dict[str, Any]]

    @property
    def services(self) -> Any:
        return self.pipeline.services

    @property
    def mode(self) -> str:
        return self.pipeline.mode

    def case(self) -> Case:
        return Case.model_validate(self.done["evidence"]["case"])

    def decision(self) -> Decision:
        return Decision.model_validate(self.done["decision"]["decision"])

    @property
    def customer_id(self) -> str | None:
        return self.done["customer"].get("id")

    @property
    def verified_identity(self) -> bool:
        """The customer was found by the requester's email (not by a quoted reference)."""
        return self.done["customer"].get("matched_by") == "email"

    def acts(self) -> bool:
        """Whether this ticket is one payverify acts on (a payment claim with a verdict)."""
        decision = self.done["decision"]
        return decision.get("intent") == "payment_claim" and decision.get("verdict") is not None

    def due(self, hours: int) -> datetime:
        return self.pipeline.clock() + timedelta(hours=hours)


def resolved_verdicts() -> frozenset[str]:
    """Verdicts that settle the claim (the follow-up confirms rather than escalates)."""
    return frozenset({Verdict.PAID.value, Verdict.PAYMENT_FOUND_UNAPPLIED.value})


# ----------------------------------------------------------------------------- steps 1-3


def gather(pipeline: Pipeline, ticket_id: str, requester_email: str | None) -> dict[str, Any]:
    """Steps 1-3 in one concurrent fetch: the ticket, the billing customer, the evidence."""
    from plugin.assemble import assemble_case

    services = pipeline.services
    assembled = assemble_case(
        services.helpdesk,
        services.billing,
        ticket_id,
        requester_email=requester_email,
        policy=services.policy,
    )
    case: Case = assembled.case
    customer = getattr(assembled, "customer", None)
    hd_ticket = getattr(assembled, "ticket", None)
    matched_by = getattr(assembled, "matched_by", None) or (
        case.customer.matched_by if case.customer else None
    )
    return {
        "ticket": {
            "id": str(case.ticket.id),
            "subject": case.ticket.subject,
            "requester_email": case.ticket.requester.email,
            "created_at": case.ticket.created_at.isoformat(),
            "status": getattr(hd_ticket, "status", None),
            "url": getattr(hd_ticket, "url", None),
        },
        "customer": {
            "id": getattr(customer, "id", None) or (case.customer.id if case.customer else None),
            "matched_by": matched_by if case.customer else None,
            "tier": case.customer.tier if case.customer else None,
        },
        "evidence": {
            "case": case.model_dump(mode="json"),
            "invoices": len(case.billing.invoices),
            "payments": len(case.billing.payments),
        },
    }


# ----------------------------------------------------------------------------- steps 4-10


def step_decision(ctx: StepContext) -> dict[str, Any]:
    """Step 4: decide, and record the decision with the case it read."""
    from core.decide import decide

    case = ctx.case()
    decision = decide(case, ctx.services.policy)
    verification_id = ctx.pipeline.store.record_verification(
        ctx.pipeline.installation, case, decision, mode=ctx.mode, source=ctx.source
    )
    return {
        "verification_id": verification_id,
        "intent": decision.intent,
        "verdict": decision.verdict.value if decision.verdict else None,
        "scenario": decision.scenario.value if decision.scenario else None,
        "tier": decision.tier.value,
        "language": decision.language,
        "decision": decision.model_dump(mode="json"),
    }


def _skipped(why: str) -> dict[str, Any]:
    return {"state": "skipped", "why": why}


def step_credit(ctx: StepContext) -> dict[str, Any]:
    """Step 5: the temporary credit, applied only when policy lets it go without a human."""
    if not ctx.acts():
        return _skipped("not a payment claim")
    if ctx.mode != "auto":
        return _skipped(f"{ctx.mode} mode: credits are proposed, never applied")
    decision = ctx.decision()
    result: dict[str, Any] = {}
    if (
        ctx.pipeline.apply_found_payment
        and decision.verdict == Verdict.PAYMENT_FOUND_UNAPPLIED
        and ctx.verified_identity
    ):
        result["applied_payments"] = apply_found_payments(ctx.services, ctx.ticket_id, decision)
    credit = decision.credit
    if credit is None:
        return result | _skipped("no credit proposed")
    if not ctx.verified_identity or not ctx.customer_id:
        return result | _skipped("the customer's identity is not verified by email")
    if credit.requires_approval:
        return result | _skipped("the credit needs an approver (above the tier's cap)")
    if not decision.invoices:
        return result | _skipped("no invoice in question")
    return result | apply_credit(
        ctx.services,
        ctx.pipeline.installation,
        ctx.ticket_id,
        decision.invoices[0],
        ctx.customer_id,
        credit.amount,
        credit.currency,
    )


def step_note(ctx: StepContext) -> dict[str, Any]:
    """Step 6: the internal note (in draft mode with the proposed reply quoted)."""
    from core.render import render_draft_note, render_note

    if not ctx.acts() or ctx.mode == "shadow":
        return _skipped("shadow mode" if ctx.acts() else "not a payment claim")
    case, decision, policy = ctx.case(), ctx.decision(), ctx.services.policy
    if ctx.mode == "draft":
        html = render_draft_note(case, decision, policy)
    else:
        html = decision.internal_note or render_note(case, decision, policy)
    html += _actions_taken(ctx.done.get("credit", {}))
    ctx.services.helpdesk.post_note(ctx.ticket_id, html)
    return {"posted": True, "draft": ctx.mode == "draft"}


def _actions_taken(credit: dict[str, Any]) -> str:
    from markupsafe import escape

    if credit.get("state") == "applied":
        return str(
            escape("payverify applied a temporary credit of {} {} (billing id {}).")
            .format(credit["amount"], credit["currency"], credit.get("external_id"))
            .join(("<p>", "</p>"))
        )
    if credit.get("state") == "skipped" and "credit" in str(credit.get("why", "")):
        return f"<p>Credit not applied automatically: {escape(credit['why'])}.</p>"
    return ""


def step_reply(ctx: StepContext) -> dict[str, Any]:
    """Step 7: the public reply, with the ticket's field changes in the same call (auto only)."""
    if not ctx.acts() or ctx.mode != "auto":
        return _skipped(f"{ctx.mode} mode: the reply is not sent" if ctx.acts() else "no claim")
    decision = ctx.decision()
    if decision.reply is None:
        return _skipped("the decision has no reply")
    ctx.services.helpdesk.post_reply(ctx.ticket_id, decision.reply, ticket_update_for(decision))
    return {"posted": True, "with_update": True, "subject": decision.reply.subject}


def step_ticket_update(ctx: StepContext) -> dict[str, Any]:
    """Step 8: tags, priority and group (already sent with the reply in auto mode)."""
    if not ctx.acts() or ctx.mode == "shadow":
        return _skipped("shadow mode" if ctx.acts() else "not a payment claim")
    if ctx.done.get("reply", {}).get("with_update"):
        return {"updated": True, "with_reply": True}
    update = ticket_update_for(ctx.decision(), draft=ctx.mode == "draft")
    ctx.services.helpdesk.update_ticket(ctx.ticket_id, update)
    return {"updated": True, "with_reply": False, "tags": list(update.add_tags)}


def step_follow_up(ctx: StepContext) -> dict[str, Any]:
    """Step 9: schedule the re-verification at the decision's follow-up hours."""
    decision = ctx.done["decision"]["decision"]
    hours = decision.get("follow_up_hours")
    if not ctx.acts() or ctx.mode == "shadow" or not hours:
        return _skipped("nothing to follow up")
    record = ctx.pipeline.store.schedule_follow_up(
        ctx.pipeline.installation,
        ctx.ticket_id,
        ctx.due(int(hours)),
        f"verdict {decision.get('verdict')}",
    )
    return {"follow_up_id": record.id, "due_at": record.due_at.isoformat()}


STEP_FUNCTIONS: dict[str, Callable[[StepContext], dict[str, Any]]] = {
    "decision": step_decision,
    "credit": step_credit,
    "note": step_note,
    "reply": step_reply,
    "ticket_update": step_ticket_update,
    "follow_up": step_follow_up,
    "metrics": step_metrics,
}
