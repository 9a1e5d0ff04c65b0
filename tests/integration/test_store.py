"""The store on SQLite and the real PostgreSQL: ledger races, follow-up claims, deliveries, KPIs."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from connectors.store import SqlStore, create_store, migrate, normalize_url
from connectors.store.ledger import LedgerError
from connectors.store.metrics import MetricEventError
from connectors.store.tables import deliveries
from core.models import Case, Decision, Extracted, Scenario, Tier, Verdict
from core.ports import Store

T0 = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite3'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def store(store_url: str) -> Iterator[SqlStore]:
    store = create_store(store_url)
    yield store
    store.close()


def _race(n: int, work: Callable[[int], Any]) -> list[Any]:
    """Run `work` in n threads released at the same instant."""
    barrier = threading.Barrier(n)

    def run(i: int) -> Any:
        barrier.wait()
        return work(i)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))


def test_implements_the_port_and_migrates_once(store: SqlStore, store_url: str) -> None:
    assert isinstance(store, Store)
    assert migrate.current_revision(store.engine) == migrate.head_revision() is not None
    again = create_store(store_url)  # already at head: no error, same revision
    assert migrate.current_revision(again.engine) == migrate.head_revision()
    again.close()
    store.ping()


def test_url_normalisation() -> None:
    assert normalize_url("postgres://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert normalize_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_url("sqlite:///x.db") == "sqlite:///x.db"
    with pytest.raises(ValueError, match="unsupported database 'mysql'"):
        SqlStore.create("mysql://u@h/db")


def test_sqlite_runs_in_wal_mode(tmp_path: Any) -> None:
    store = create_store(f"sqlite:///{tmp_path / 'nested' / 'dir' / 'db.sqlite3'}")
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    store.close()


def test_twenty_threads_claiming_one_credit_leave_one_row(store: SqlStore) -> None:
    results = _race(
        20,
        lambda _: store.claim_credit(
            "zendesk:acme", "42", "in_1", "cus_1", Decimal("299.99"), "eur"
        ),
    )
    assert sum(created for _record, created in results) == 1
    assert {record.id for record, _created in results} == {results[0][0].id}
    rows = store.credits_for_ticket("zendesk:acme", "42")
    assert len(rows) == 1
    assert rows[0].amount == Decimal("299.99") and rows[0].currency == "EUR"
    assert rows[0].state == "pending"


def test_credit_lifecycle(store: SqlStore) -> None:
    credit, created = store.claim_credit("demo", "7", "in_9", "cus_9", Decimal("1500"), "JPY")
    assert created and credit.amount == Decimal("1500")
    applied = store.mark_credit_applied(credit.id, "cbtxn_1")
    assert (applied.state, applied.external_id) == ("applied", "cbtxn_1")
    assert store.mark_credit_applied(credit.id, "cbtxn_1").state == "applied"  # repeat: no-op
    with pytest.raises(LedgerError, match="is applied: cannot become applied"):
        store.mark_credit_applied(credit.id, "cbtxn_other")
    assert [c.id for c in store.open_credits_for_customer("demo", "cus_9")] == [credit.id]
    assert applied.as_write().id == "cbtxn_1"
    reversed_ = store.mark_credit_reversed(credit.id, "cbtxn_2", "payment confirmed")
    assert (reversed_.state, reversed_.reversal_id, reversed_.reason) == (
        "reversed",
        "cbtxn_2",
        "payment confirmed",
    )
    assert store.open_credits_for_customer("demo", "cus_9") == []
    # A reversed credit is not claimed again: at most once per ticket and invoice.
    again, created = store.claim_credit("demo", "7", "in_9", "cus_9", Decimal("1500"), "JPY")
    assert not created and again.state == "reversed"
    with pytest.raises(LedgerError, match="does not exist"):
        store.mark_credit_failed(999_999, "x")


def test_a_failed_credit_is_claimed_again_once(store: SqlStore) -> None:
    credit, _ = store.claim_credit("demo", "8", "in_8", "cus_8", Decimal("10.00"), "USD")
    store.mark_credit_failed(credit.id, "billing unreachable")
    results = _race(
        8, lambda _: store.claim_credit("demo", "8", "in_8", "cus_8", Decimal("10.00"), "USD")
    )
    assert sum(created for _r, created in results) == 1
    assert store.credits_for_ticket("demo", "8")[0].state == "pending"


def test_credit_amounts_are_exact_minor_units(store: SqlStore) -> None:
    credit, _ = store.claim_credit("demo", "9", "in_1", "c", Decimal("0.1") + Decimal("0.2"), "EUR")
    assert credit.amount == Decimal("0.30")
    with store.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT amount_minor FROM credits")).scalar() == 30
    with pytest.raises(LedgerError, match="must be positive"):
        store.claim_credit("demo", "9", "in_2", "c", Decimal("0"), "EUR")


def test_one_pending_follow_up_per_ticket(store: SqlStore) -> None:
    first = store.schedule_follow_up("demo", "1", T0 + timedelta(hours=24), "recheck")
    second = store.schedule_follow_up("demo", "1", T0 + timedelta(hours=48), "recheck later")
    pending = store.pending_follow_up("demo", "1")
    assert pending is not None and pending.id == second.id != first.id
    assert pending.due_at == T0 + timedelta(hours=48)
    assert store.due_follow_ups(T0 + timedelta(hours=30)) == []  # the replaced one never runs
    due = store.due_follow_ups(T0 + timedelta(hours=49), worker="w1")
    assert [(f.id, f.status, f.claimed_by, f.attempts) for f in due] == [
        (second.id, "claimed", "w1", 1)
    ]
    store.complete_follow_up(second.id, "payment found; credit reversed")
    assert store.pending_follow_up("demo", "1") is None
    assert store.due_follow_ups(T0 + timedelta(days=30)) == []


def test_concurrent_schedules_leave_one_pending(store: SqlStore) -> None:
    _race(6, lambda i: store.schedule_follow_up("demo", "5", T0 + timedelta(hours=i), f"r{i}"))
    assert len(store.due_follow_ups(T0 + timedelta(days=1))) == 1


def test_two_workers_claim_each_follow_up_once(store: SqlStore) -> None:
    for n in range(30):
        store.schedule_follow_up("demo", str(n), T0 + timedelta(minutes=n), "recheck")
    now = T0 + timedelta(days=1)
    claimed = _race(2, lambda i: store.due_follow_ups(now, limit=30, worker=f"w{i}"))
    ids = [f.id for batch in claimed for f in batch]
    assert len(ids) == len(set(ids)) == 30
    assert store.due_follow_ups(now) == []


def test_an_abandoned_claim_is_taken_again_after_the_lease(store: SqlStore) -> None:
    follow_up = store.schedule_follow_up("demo", "3", T0, "recheck")
    assert len(store.due_follow_ups(T0, worker="dead")) == 1
    assert store.due_follow_ups(T0 + timedelta(minutes=5), worker="alive") == []
    again = store.due_follow_ups(T0 + timedelta(minutes=11), worker="alive")
    assert [(f.id, f.claimed_by, f.attempts) for f in again] == [(follow_up.id, "alive", 2)]


def test_a_delivery_is_claimed_once_under_a_race(store: SqlStore) -> None:
    results = _race(20, lambda _: store.claim_delivery("zendesk:acme:delivery-1"))
    assert results.count(True) == 1
    assert store.claim_delivery("zendesk:acme:delivery-2") is True


def test_step_results_survive_a_retry(store: SqlStore) -> None:
    assert store.step_result("run-1", "credit") is None
    store.save_step_result("run-1", "credit", {"credit_id": 4, "amount": Decimal("12.50")})
    store.save_step_result("run-1", "credit", {"credit_id": 5})  # a retry: the first stays
    assert store.step_result("run-1", "credit") == {"credit_id": 4, "amount": "12.50"}
    assert store.step_result("run-2", "credit") is None
    assert store.prune(datetime.now(UTC) + timedelta(seconds=1)) == 1


def test_verifications_keep_the_case_and_decision(store: SqlStore, samples_dir: Any) -> None:
    case = Case.model_validate_json(
        (samples_dir / "cases" / "es_vip_recent_transfer_not_found.json").read_text()
    )
    decision = Decision(
        ticket_id=case.ticket.id,
        intent="payment_claim",
        language="es",
        tier=Tier.VIP,
        extracted=Extracted(),
        verdict=Verdict.NOT_FOUND,
        scenario=Scenario.VIP_CUSTOMER,
    )
    ticket_id = str(case.ticket.id)
    assert store.latest_verification("demo", ticket_id) is None
    first = store.record_verification("demo", case, decision, mode="auto", source="trigger")
    second = store.record_verification("demo", case, decision, mode="draft", source="sidebar")
    latest = store.latest_verification("demo", ticket_id)
    assert latest is not None and latest.id == second > first
    assert (latest.verdict, latest.scenario, latest.tier, latest.language) == (
        "not_found",
        "VIP_CUSTOMER",
        "VIP",
        "es",
    )
    assert (latest.mode, latest.source) == ("draft", "sidebar")
    assert latest.case_model() == case
    assert latest.decision_model() == decision
    assert store.latest_verification("other-install", ticket_id) is None


def _seed_events(store: SqlStore) -> None:
    at = T0
    # Ticket 1: recent payment, VIP, es: replied after 60 s, resolved after 1 h, CSAT 5, credit.
    store.record_event(
        "z", "1", "verified", scenario="RECENT_PAYMENT", tier="VIP", language="es", at=at
    )
    store.record_event("z", "1", "replied", value=Decimal(60), at=at)
    store.record_event("z", "1", "replied", value=Decimal(600), at=at)  # a later reply
    store.record_event("z", "1", "credit_applied", value=Decimal("299.99"), currency="EUR", at=at)
    store.record_event("z", "1", "credit_reversed", value=Decimal("299.99"), currency="EUR", at=at)
    store.record_event("z", "1", "resolved", value=Decimal(3600), at=at)
    store.record_event("z", "1", "csat", value=Decimal(5), at=at)
    # Ticket 2: old payment, STANDARD, en: replied after 120 s, escalated, resolved after 3 h.
    store.record_event(
        "z", "2", "verified", scenario="OLD_PAYMENT", tier="STANDARD", language="en", at=at
    )
    store.record_event("z", "2", "replied", value=Decimal(120), at=at)
    store.record_event("z", "2", "escalated", at=at)
    store.record_event("z", "2", "resolved", value=Decimal(10800), at=at)
    store.record_event("z", "2", "csat", value=Decimal("3.5"), at=at)
    store.record_event("z", "2", "credit_applied", value=Decimal("50"), currency="usd", at=at)
    # Ticket 3: recent payment, VIP, es: verified only. Ticket 4 in another installation.
    store.record_event(
        "z", "3", "verified", scenario="RECENT_PAYMENT", tier="VIP", language="es", at=at
    )
    store.record_event(
        "f", "4", "verified", scenario="OLD_PAYMENT", tier="VIP", language="fr", at=at
    )
    store.record_event(
        "z",
        "5",
        "verified",
        scenario="OLD_PAYMENT",
        tier="VIP",
        language="de",
        at=T0 + timedelta(days=40),
    )


def test_kpis_on_known_events(store: SqlStore) -> None:
    _seed_events(store)
    kpis = store.kpis("z", since=T0 - timedelta(days=1), until=T0 + timedelta(days=1))
    overall = kpis.overall
    assert (overall.verified, overall.auto_resolved, overall.escalated) == (3, 1, 1)
    assert overall.auto_resolution_rate == Decimal("0.3333")
    assert overall.escalation_rate == Decimal("0.3333")
    assert overall.first_response_seconds_avg == Decimal("90.00")  # (60 + 120) / 2: first replies
    assert overall.resolution_seconds_avg == Decimal("7200.00")
    assert overall.csat_average == Decimal("4.25") and overall.csat_responses == 2
    assert overall.credits_issued["EUR"].count == 1
    assert overall.credits_issued["EUR"].amount == Decimal("299.99")
    assert overall.credits_issued["USD"].amount == Decimal("50.00")
    assert overall.credits_reversed["EUR"].amount == Decimal("299.99")
    assert "USD" not in overall.credits_reversed

    recent = kpis.by_scenario["RECENT_PAYMENT"]
    assert (recent.verified, recent.auto_resolved, recent.escalated) == (2, 1, 0)
    assert recent.auto_resolution_rate == Decimal("0.5000")
    assert recent.csat_average == Decimal("5.00")  # the CSAT event inherited the ticket's slice
    old = kpis.by_scenario["OLD_PAYMENT"]
    assert (old.verified, old.escalation_rate, old.auto_resolution_rate) == (1, 1, 0)
    assert set(kpis.by_tier) == {"VIP", "STANDARD"}
    assert set(kpis.by_language) == {"es", "en"}
    assert kpis.by_language["en"].resolution_seconds_avg == Decimal("10800.00")

    everything = store.kpis()
    assert everything.overall.verified == 5
    assert set(everything.by_language) == {"es", "en", "fr", "de"}
    empty = store.kpis("nobody")
    assert empty.overall.verified == 0 and empty.overall.auto_resolution_rate is None
    assert empty.overall.csat_average is None and empty.by_scenario == {}


@pytest.mark.parametrize(
    ("name", "value", "currency", "message"),
    [
        ("opened", None, None, "unknown metric event 'opened'"),
        ("csat", None, None, "value: required for 'csat'"),
        ("csat", Decimal(7), None, "between 1 and 5"),
        ("replied", Decimal(-1), None, "non-negative"),
        ("credit_applied", Decimal(5), None, "currency: required"),
    ],
)
def test_bad_events_are_refused(
    store: SqlStore, name: str, value: Decimal | None, currency: str | None, message: str
) -> None:
    with pytest.raises(MetricEventError, match=message):
        store.record_event("z", "1", name, value=value, currency=currency)


def test_a_released_delivery_can_be_claimed_again(store: SqlStore) -> None:
    assert store.claim_delivery("zendesk:abc") is True
    assert store.claim_delivery("zendesk:abc") is False
    store.release_delivery("zendesk:abc")
    assert store.claim_delivery("zendesk:abc") is True


def test_pending_follow_ups_are_found_by_billing_customer(store: SqlStore) -> None:
    from datetime import UTC, datetime, timedelta

    from core.decide import decide
    from tests.unit.builders import case as build_case

    mine = build_case(customer={"id": "cus_A", "currency": "USD"})
    store.record_verification(
        "demo", mine, decide(mine, messages=False), mode="auto", source="trigger"
    )
    store.schedule_follow_up("demo", "1", datetime.now(UTC) + timedelta(hours=24), "recheck")
    assert [f.ticket_id for f in store.pending_follow_ups_for_customer("demo", "cus_A")] == ["1"]
    assert store.pending_follow_ups_for_customer("demo", "cus_B") == []
    assert store.pending_follow_ups_for_customer("other-install", "cus_A") == []


def test_many_deliveries_are_claimed_in_one_call_each_once(store: SqlStore) -> None:
    keys = [f"zendesk:batch-{i}" for i in range(30)]
    # Eight batches race over the same keys (each in its own order, one key twice in each).
    results = _race(8, lambda n: store.claim_deliveries([*keys[n:], *keys[:n], keys[n]]))
    claimed = [key for result in results for key in result]
    assert sorted(claimed) == sorted(keys)  # every key claimed, by exactly one batch
    assert store.claim_deliveries(keys) == []
    assert store.claim_deliveries(["zendesk:new", keys[0], "zendesk:new"]) == ["zendesk:new"]


def test_claims_roll_back_when_what_they_guard_fails(store: SqlStore) -> None:
    seen: list[list[str]] = []

    def queue_down(connection: Any, claimed: list[str]) -> None:
        seen.append(claimed)
        job = {"key": "job:written-first", "created_at": datetime.now(UTC)}
        connection.execute(deliveries.insert().values(**job))  # same transaction: undone too
        raise ConnectionError("queue unavailable")

    assert store.claim_delivery("zendesk:old") is True
    with pytest.raises(ConnectionError):
        store.claim_deliveries(["zendesk:a", "zendesk:old", "zendesk:b"], then=queue_down)
    assert seen == [["zendesk:a", "zendesk:b"]]  # called inside, with the new ones only
    assert store.claim_delivery("job:written-first") is True
    assert store.claim_deliveries(["zendesk:a", "zendesk:b"]) == ["zendesk:a", "zendesk:b"]
