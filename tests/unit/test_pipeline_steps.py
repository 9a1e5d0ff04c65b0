"""The ten pipeline steps one at a time, on fakes and a SQLite store in tmp_path.

Each step's effect happens once however often it is run (its result is saved under the run
key; credits also go through the store's credit ledger), credits are never applied without
a human when the decision needs approval or the customer was not matched by email, an
unreachable billing system leaves no credit and no `applied` ledger line, and each mode
(auto, draft, shadow) does what docs/BACKEND.md says, step by step.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from core.errors import ExternalError
from plugin.bootstrap import bootstrap
from plugin.pipeline import STEPS, Pipeline, StepContext, step_credit
from plugin.settings import Settings
from tests.e2e.backend_support import load_case
from tests.fakes import FakeBilling, FakeHelpdesk

CREDIT_CASE = "en_vip_customer_no_date_not_found"  # not found, VIP: a 2,150.00 USD credit
OVER_CAP_CASE = "en_enterprise_wire_unapplied_over_cap"  # a credit that needs an approver
RUN = "run-1"


class World:
    """A pipeline over fakes of one case and a fresh SQLite store."""

    def __init__(self, tmp_path: Path, case_name: str = CREDIT_CASE, mode: str = "auto"):
        self.case = load_case(case_name)
        self.helpdesk = FakeHelpdesk.from_case(self.case)
        self.billing = FakeBilling.from_case(self.case)
        settings = Settings(database_url=f"sqlite:///{tmp_path}/store.sqlite3", mode=mode)
        self.services = bootstrap(settings, helpdesk=self.helpdesk, billing=self.billing)
        self.pipeline = Pipeline(self.services, settings)
        self.ticket_id = str(self.case.ticket.id)

    @property
    def store(self) -> Any:
        return self.services.store

    def step(self, step: str, run_key: str = RUN) -> dict[str, Any]:
        return self.pipeline.run_step(self.ticket_id, step, run_key=run_key)

    def before(self, step: str, run_key: str = RUN) -> None:
        """Run every step before `step`, so the next call runs `step` alone."""
        index = STEPS.index(step)
        if index:
            self.step(STEPS[index - 1], run_key)

    def calls(self) -> list[str]:
        return [c.method for c in self.helpdesk.calls + self.billing.calls]

    def ledger(self) -> list[str]:
        return [c.state for c in self.store.credits_for_ticket("demo", self.ticket_id)]

    def events(self) -> list[str]:
        query = sa.text("SELECT name FROM metric_events WHERE ticket_id = :t ORDER BY name")
        with self.store.engine.connect() as conn:
            return list(conn.execute(query, {"t": self.ticket_id}).scalars())

    def unverify_customer(self) -> None:
        """Give the billing customer another email: found only by the quoted invoice number."""
        [customer] = self.billing.customers.values()
        self.billing.customers[customer.id] = replace(customer, email="someone-else@example.com")


@pytest.fixture
def world(tmp_path: Path) -> World:
    return World(tmp_path)


# ----------------------------------------------------------------------------- steps 1-3


def test_ticket_customer_evidence_are_fetched_once_and_saved_as_three_results(world) -> None:
    ticket = world.step("ticket")
    fetched = list(world.calls())
    assert "get_ticket" in fetched and "invoices" in fetched and "payments" in fetched
    customer, evidence = world.step("customer"), world.step("evidence")
    assert world.calls() == fetched  # the three results were saved by the one fetch
    assert ticket["id"] == world.ticket_id
    assert (customer["id"], customer["matched_by"]) == (world.case.customer.id, "email")
    assert evidence["invoices"] == len(world.case.billing.invoices)
    assert evidence["case"]["ticket"]["id"] == world.case.ticket.id


def test_unreachable_billing_fails_at_evidence_before_any_decision(world) -> None:
    world.billing.fail_with = ExternalError("stripe", "timed out", permanent=False)
    with pytest.raises(ExternalError) as failure:
        world.step("metrics")
    assert failure.value.step == "ticket"  # steps 1-3 are one fetch, reported at the first
    assert world.store.step_result(RUN, "decision") is None
    assert world.store.latest_verification("demo", world.ticket_id) is None
    assert not world.billing.credits and world.ledger() == []
    assert not world.helpdesk.notes and not world.helpdesk.replies


# ----------------------------------------------------------------------------- step 4


def test_decision_is_recorded_once(world) -> None:
    world.before("decision")
    first = world.step("decision")
    second = world.step("decision")
    assert first == second and first["verdict"] == "not_found" and first["tier"] == "VIP"
    record = world.store.latest_verification("demo", world.ticket_id)
    assert record.id == first["verification_id"] and record.verdict == "not_found"
    with world.store.engine.connect() as conn:
        count = conn.execute(sa.text("SELECT count(*) FROM verifications")).scalar_one()
    assert count == 1


# ----------------------------------------------------------------------------- step 5


def test_credit_is_applied_once_per_ticket_and_invoice_even_across_runs(world) -> None:
    world.before("credit")
    first = world.step("credit")
    again = world.step("credit")
    assert first == again and first["state"] == "applied" and first["new"] is True
    world.before("credit", run_key="run-2")  # a second delivery of the same ticket
    other = world.step("credit", run_key="run-2")
    assert other["state"] == "applied" and other["new"] is False
    assert [(c[1], c[2]) for c in world.billing.credits] == [(Decimal("2150.00"), "USD")]
    assert world.ledger() == ["applied"]


def test_credit_needing_approval_is_never_applied(tmp_path) -> None:
    world = World(tmp_path, OVER_CAP_CASE)
    world.before("credit")
    result = world.step("credit")
    assert result["state"] == "skipped" and "approver" in result["why"]
    assert not world.billing.called("apply_credit") and world.ledger() == []


def test_credit_is_never_applied_to_a_customer_not_matched_by_email(world) -> None:
    world.unverify_customer()
    world.before("credit")
    assert world.step("customer")["matched_by"] != "email"
    assert world.step("credit")["state"] == "skipped"  # the decision proposes none, either
    assert not world.billing.called("apply_credit") and world.ledger() == []


@pytest.mark.parametrize("matched_by", ["invoice_ref", "transaction_id", None])
def test_credit_step_refuses_a_proposed_credit_for_a_customer_not_matched_by_email(
    world, matched_by
) -> None:
    # The step's own gate, even when a decision proposes a credit: results as step 4 left them,
    # with the customer found another way.
    done = world.pipeline.run(world.ticket_id, run_key=RUN, until="decision").results
    assert done["decision"]["decision"]["credit"]["amount"] == "2150.00"
    done = done | {"customer": done["customer"] | {"matched_by": matched_by}}
    result = step_credit(StepContext(world.pipeline, world.ticket_id, RUN, "trigger", done))
    assert result["state"] == "skipped" and "not verified by email" in result["why"]
    assert not world.billing.called("apply_credit") and world.ledger() == []


@pytest.mark.parametrize("permanent", [False, True])
def test_unreachable_billing_write_leaves_no_credit(world, permanent) -> None:
    world.before("credit")
    world.billing.fail_with = ExternalError("stripe", "503", permanent=permanent)
    world.billing.fail_on = frozenset({"apply_credit"})
    with pytest.raises(ExternalError) as failure:
        world.step("credit")
    assert failure.value.step == "credit"
    assert not world.billing.credits
    assert "applied" not in world.ledger()
    assert world.store.step_result(RUN, "credit") is None  # not saved: the retry runs it
    if not permanent:  # the retry writes the pending line with the same key: one credit
        world.billing.fail_with = None
        assert world.step("credit")["state"] == "applied"
        assert len(world.billing.credits) == 1 and world.ledger() == ["applied"]


# ----------------------------------------------------------------------------- steps 6-10


def test_note_posted_once_and_says_what_was_credited(world) -> None:
    world.before("note")
    world.step("note")
    world.step("note")
    [(ticket, html)] = world.helpdesk.notes
    assert ticket == world.ticket_id and "applied a temporary credit of 2150.00 USD" in html


def test_a_note_that_failed_is_posted_once_on_retry(world) -> None:
    world.before("note")
    world.helpdesk.fail_with = ExternalError("zendesk", "502", permanent=False)
    with pytest.raises(ExternalError):
        world.step("note")
    world.helpdesk.fail_with = None
    world.step("note")
    world.step("note")
    assert len(world.helpdesk.notes) == 1


def test_reply_posted_once_with_the_ticket_update(world) -> None:
    world.before("reply")
    world.step("reply")
    world.step("reply")
    [(_, reply, update)] = world.helpdesk.replies
    assert "2,150.00" in reply.text and "pv_verdict_not_found" in update.add_tags
    assert world.step("ticket_update") == {"updated": True, "with_reply": True}
    assert not world.helpdesk.updates  # the reply carried the tags


def test_follow_up_scheduled_once(world) -> None:
    world.before("follow_up")
    first = world.step("follow_up")
    assert world.step("follow_up") == first
    pending = world.store.pending_follow_up("demo", world.ticket_id)
    assert pending is not None and pending.id == first["follow_up_id"]
    with world.store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM follow_ups")).scalar_one() == 1


def test_metrics_recorded_once(world) -> None:
    world.before("metrics")
    world.step("metrics")
    world.step("metrics")
    assert world.events() == ["credit_applied", "replied", "verified"]


# ----------------------------------------------------------------------------- modes

# What each step does per mode: (notes, replies, updates, billing credits, follow-ups).
MODE_EFFECTS = {
    "auto": {"credit": 1, "note": 1, "reply": 1, "ticket_update": 0, "follow_up": 1},
    "draft": {"credit": 0, "note": 1, "reply": 0, "ticket_update": 1, "follow_up": 1},
    "shadow": {"credit": 0, "note": 0, "reply": 0, "ticket_update": 0, "follow_up": 0},
}


def _effect(world: World, step: str) -> int:
    return {
        "credit": len(world.billing.credits),
        "note": len(world.helpdesk.notes),
        "reply": len(world.helpdesk.replies),
        "ticket_update": len(world.helpdesk.updates),
        "follow_up": int(world.store.pending_follow_up("demo", world.ticket_id) is not None),
    }[step]


@pytest.mark.parametrize("mode", sorted(MODE_EFFECTS))
@pytest.mark.parametrize("step", ["credit", "note", "reply", "ticket_update", "follow_up"])
def test_each_step_in_each_mode(tmp_path, mode, step) -> None:
    world = World(tmp_path, mode=mode)
    world.before(step)
    before = _effect(world, step)
    world.step(step)
    world.step(step)
    assert _effect(world, step) - before == MODE_EFFECTS[mode][step]


def test_draft_note_quotes_the_proposed_reply_and_tags_the_draft(tmp_path) -> None:
    world = World(tmp_path, mode="draft")
    world.step("metrics")
    [(_, html)] = world.helpdesk.notes
    assert "2,150.00" in html  # the proposed reply, quoted for the agent
    assert "payverify_draft" in world.helpdesk.tags_added(world.ticket_id)
    assert world.events() == ["verified"] and not world.billing.called("apply_credit")


def test_shadow_decides_and_records_only(tmp_path) -> None:
    world = World(tmp_path, mode="shadow")
    world.step("metrics")
    record = world.store.latest_verification("demo", world.ticket_id)
    assert record.mode == "shadow" and record.verdict == "not_found"
    writes = {"post_note", "post_reply", "update_ticket", "apply_credit", "apply_payment"}
    assert not writes & set(world.calls())
    assert world.events() == ["verified"]
