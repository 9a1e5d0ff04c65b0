"""POLICY §11: escalation, priority, follow-up time, tags and group."""

from __future__ import annotations

from dataclasses import dataclass

from core.models import PRIORITY_ORDER, Credit, Priority, Scenario, Tier, Verdict
from core.policy import Policy

ESCALATING_SCENARIOS = (Scenario.RECURRING_ISSUE, Scenario.OLD_PAYMENT, Scenario.MULTIPLE_INVOICES)
ESCALATING_VERDICTS = (Verdict.DISPUTED, Verdict.REFUNDED)
PRIORITY_TIERS = (Tier.VIP, Tier.ENTERPRISE)


@dataclass(frozen=True)
class Actions:
    escalate: bool
    priority: Priority
    follow_up_hours: int
    tags: list[str]
    assign_group: str | None
    root_cause_analysis: bool

    def decision_fields(self) -> dict[str, object]:
        """These actions as the Decision's fields of the same names."""
        return {
            "escalate": self.escalate,
            "priority": self.priority,
            "follow_up_hours": self.follow_up_hours,
            "tags": self.tags,
            "assign_group": self.assign_group,
            "root_cause_analysis": self.root_cause_analysis,
        }


def should_escalate(scenario: Scenario, verdict: Verdict, credit: Credit | None) -> bool:
    """Escalate for the scenarios and verdicts a specialist must see, or a credit to approve."""
    return (
        scenario in ESCALATING_SCENARIOS
        or verdict in ESCALATING_VERDICTS
        or bool(credit and credit.requires_approval)
    )


def decide_actions(
    scenario: Scenario,
    verdict: Verdict,
    credit: Credit | None,
    tier: Tier,
    ticket_priority: Priority,
    policy: Policy,
) -> Actions:
    """What the automation does to the ticket besides replying."""
    escalate = should_escalate(scenario, verdict, credit)
    important = tier in PRIORITY_TIERS
    if escalate and important:
        priority: Priority = "urgent"
    elif escalate or important:
        priority = "high"
    else:
        priority = ticket_priority
    if PRIORITY_ORDER.index(priority) < PRIORITY_ORDER.index(ticket_priority):
        priority = ticket_priority  # never lower than the ticket's own
    rules = policy.escalation
    tags = [
        "payment_verification",
        f"pv_scenario_{scenario.value.lower()}",
        f"pv_verdict_{verdict.value}",
    ]
    if escalate:
        tags.append("pv_escalated")
    return Actions(
        escalate=escalate,
        priority=priority,
        follow_up_hours=rules.follow_up_hours_priority
        if escalate or important
        else rules.follow_up_hours_default,
        tags=tags,
        assign_group=rules.group if escalate else None,
        root_cause_analysis=scenario is Scenario.RECURRING_ISSUE,
    )
