"""Signed webhook in; note, reply, credit and tags out — once, whatever the deliveries."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.e2e.backend_support import (
    INVALID_BODIES,
    Backend,
    assert_one_vip_run,
    load_case,
    signed_headers,
)


@pytest.fixture
def backend(tmp_path) -> Backend:
    return Backend(
        load_case("en_vip_customer_no_date_not_found"), f"sqlite:///{tmp_path}/s.sqlite3"
    )


def test_signed_webhook_gives_note_reply_credit_and_tags(backend: Backend) -> None:
    answer = backend.zendesk({"ticket_id": backend.ticket_id})
    assert answer.status_code == 202
    assert answer.get_json()["duplicate"] is False
    assert_one_vip_run(backend)
    credits = backend.services.store.credits_for_ticket("demo", backend.ticket_id)
    assert [c.state for c in credits] == ["applied"]
    assert backend.services.store.pending_follow_up("demo", backend.ticket_id) is not None


def test_same_delivery_twice_is_processed_once(backend: Backend) -> None:
    first = backend.zendesk(
        {"ticket_id": backend.ticket_id}, **{"X-Zendesk-Webhook-Invocation-Id": "inv-1"}
    )
    second = backend.zendesk(
        {"ticket_id": backend.ticket_id}, **{"X-Zendesk-Webhook-Invocation-Id": "inv-1"}
    )
    assert (first.status_code, second.status_code) == (202, 202)
    assert second.get_json() == {"job": first.get_json()["job"], "duplicate": True}
    backend.jobs.drain()
    assert len(backend.helpdesk.replies) == 1 and len(backend.billing.credits) == 1


def test_twenty_concurrent_deliveries_make_one_run(backend: Backend) -> None:
    answers = []

    def deliver() -> None:
        answers.append(backend.zendesk({"ticket_id": backend.ticket_id}))

    threads = [threading.Thread(target=deliver) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a.status_code for a in answers) == [202] * 20
    assert sum(not a.get_json()["duplicate"] for a in answers) == 1
    assert backend.jobs.drain() == 1
    assert len(backend.helpdesk.notes) == 1
    assert len(backend.helpdesk.replies) == 1
    assert len(backend.billing.credits) == 1


@pytest.mark.parametrize(
    ("headers", "why"),
    [
        ({}, "missing"),
        (
            {"X-Zendesk-Webhook-Signature": "AAAA", "X-Zendesk-Webhook-Signature-Timestamp": "x"},
            "ISO",
        ),
    ],
)
def test_unsigned_or_malformed_signatures_get_401(backend: Backend, headers, why) -> None:
    answer = backend.client.post("/triggers/zendesk", json={"ticket_id": "1"}, headers=headers)
    assert answer.status_code == 401 and why in answer.get_json()["error"]
    assert backend.jobs.huey.pending_count() == 0


def test_forged_and_stale_signatures_get_401(backend: Backend) -> None:
    raw = b'{"ticket_id": "TKT-1"}'
    forged = signed_headers(raw, secret="not-the-secret")
    stale = signed_headers(raw, at=datetime.now(UTC) - timedelta(minutes=6))
    tampered = signed_headers(b'{"ticket_id": "TKT-2"}')
    for headers in (forged, stale, tampered):
        answer = backend.client.post("/triggers/zendesk", data=raw, headers=headers)
        assert answer.status_code == 401
    assert backend.jobs.huey.pending_count() == 0


@pytest.mark.parametrize(("body", "status", "field"), INVALID_BODIES)
def test_invalid_bodies_name_the_field(backend: Backend, body, status, field) -> None:
    answer = backend.zendesk(body)
    assert answer.status_code == status and field in answer.get_json()["error"]


def test_freshdesk_accepts_basic_password_or_bearer(backend: Backend) -> None:
    import base64

    basic = base64.b64encode(b"x:freshdesk-secret").decode()
    ok = backend.client.post(
        "/triggers/freshdesk",
        json={"ticket_id": backend.ticket_id},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert ok.status_code == 202
    again = backend.client.post(
        "/triggers/freshdesk",
        json={"ticket_id": backend.ticket_id},
        headers={"Authorization": "Bearer freshdesk-secret"},
    )
    assert again.get_json()["duplicate"] is True  # same ticket and body
    wrong = backend.client.post(
        "/triggers/freshdesk", json={"ticket_id": "1"}, headers={"Authorization": "Bearer nope"}
    )
    assert wrong.status_code == 401


def test_queue_down_answers_503_so_the_helpdesk_delivers_again(tmp_path) -> None:
    # Redis on a port nothing listens on: the claim and the job are one Redis script, so
    # neither is kept, and the store (not used for claims with Redis) holds nothing either.
    down = Backend(
        load_case("en_vip_customer_no_date_not_found"),
        f"sqlite:///{tmp_path}/s.sqlite3",
        redis_url="redis://127.0.0.1:9/0",
    )
    headers = {"X-Zendesk-Webhook-Invocation-Id": "inv-down"}
    answer = down.zendesk({"ticket_id": down.ticket_id}, **headers)
    assert answer.status_code == 503 and "queue" in answer.get_json()["error"]
    assert int(answer.headers["Retry-After"]) < 60  # Zendesk retries a 503 under a minute
    assert down.services.store.claim_delivery("zendesk:inv-down")  # no claim was left behind


# ---------------------------------------------------------------- the group commit


def _deliver_at_once(backend: Backend, invocations: list[str]) -> list[Any]:
    """Each invocation id delivered from its own thread, all released at the same instant."""
    barrier = threading.Barrier(len(invocations))
    answers: list[Any] = [None] * len(invocations)

    def deliver(index: int) -> None:
        ticket = f"T{invocations[index]}"
        headers = {"X-Zendesk-Webhook-Invocation-Id": invocations[index]}
        barrier.wait()
        answers[index] = backend.zendesk({"ticket_id": ticket}, **headers)

    threads = [threading.Thread(target=deliver, args=(i,)) for i in range(len(invocations))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def _held_batches(backend: Backend, burst: int) -> tuple[list[int], threading.Event]:
    """Hold the writer's first commit until all `burst` deliveries are handed in.

    Returns the size of each batch committed, and an event set once the hold has begun.
    """
    intake = backend.jobs.intake
    commit, sizes, holding = intake._commit, [], threading.Event()

    def held(items: Any) -> Any:
        if not sizes:
            holding.set()
            deadline = time.monotonic() + 5  # the requests wait 10 s
            while len(items) + len(intake._open.items) < burst and time.monotonic() < deadline:
                time.sleep(0.005)
        sizes.append(len(items))
        return commit(items)

    intake._commit = held
    return sizes, holding


@pytest.mark.parametrize("queue", ["sqlite", "redis"])
def test_many_threads_share_commits_and_each_delivery_runs_once(
    queue: str, tmp_path, request: pytest.FixtureRequest
) -> None:
    extra = {"redis_url": request.getfixturevalue("redis_url")} if queue == "redis" else {}
    backend = Backend(
        load_case("en_vip_customer_no_date_not_found"), f"sqlite:///{tmp_path}/s.sqlite3", **extra
    )
    sizes, _ = _held_batches(backend, burst=80)
    # 40 distinct deliveries, each sent twice at the same time; then all 40 once more.
    invocations = [f"inv-{i}" for i in range(40)]
    answers = _deliver_at_once(backend, ["inv-first", *invocations[1:], *invocations])
    again = _deliver_at_once(backend, invocations)
    assert {a.status_code for a in answers + again} == {202}
    new = [a.get_json()["job"] for a in answers if not a.get_json()["duplicate"]]
    assert len(new) == len(set(new)) == 41  # inv-0 came once, inv-1..39 twice, inv-first once
    assert all(a.get_json()["duplicate"] for a in again)
    assert max(sizes) > 1 and sum(sizes) == 120  # commits were shared
    assert backend.jobs.huey.pending_count() == 41
    queued = [backend.jobs.huey.dequeue() for _ in range(41)]
    assert sorted(t.kwargs["run_key"] for t in queued) == sorted(new)


def test_a_repeat_inside_one_batch_is_a_duplicate(backend: Backend) -> None:
    sizes, holding = _held_batches(backend, burst=9)
    lead = threading.Thread(target=_deliver_at_once, args=(backend, ["inv-lead"]))
    lead.start()  # its commit is held until the eight copies below wait behind it
    assert holding.wait(5)
    answers = _deliver_at_once(backend, ["inv-same"] * 8)
    lead.join()
    assert sizes == [1, 8]  # the eight copies were committed together
    assert sum(not a.get_json()["duplicate"] for a in answers) == 1
    assert len({a.get_json()["job"] for a in answers}) == 1
    assert backend.jobs.drain() == 2  # the lead and one run of the copies


def test_a_failing_batch_answers_503_to_all_and_keeps_no_claim(backend: Backend) -> None:
    import sqlalchemy as sa

    engine = backend.services.store.engine
    with engine.begin() as conn:  # the queue's table is gone: writing the jobs fails
        conn.execute(sa.text("DROP TABLE task"))
    answers = _deliver_at_once(backend, [f"inv-{i}" for i in range(12)])
    assert [a.status_code for a in answers] == [503] * 12
    assert all(int(a.headers["Retry-After"]) < 60 for a in answers)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM deliveries")).scalar_one() == 0
    backend.jobs.huey.storage.initialize_schema()  # the queue is back: the helpdesk retries
    retried = _deliver_at_once(backend, [f"inv-{i}" for i in range(12)])
    assert [a.get_json()["duplicate"] for a in retried] == [False] * 12
    assert backend.jobs.huey.pending_count() == 12


def test_a_failing_batch_on_redis_keeps_no_claim(tmp_path, redis_url: str) -> None:
    import redis

    backend = Backend(
        load_case("en_vip_customer_no_date_not_found"),
        f"sqlite:///{tmp_path}/s.sqlite3",
        redis_url=redis_url,
    )
    client = redis.Redis.from_url(redis_url)
    queue_key = backend.jobs.huey.storage.queue_key
    client.set(queue_key, "not a list")  # LPUSH fails after the claims were set: undone
    answers = _deliver_at_once(backend, [f"inv-{i}" for i in range(12)])
    assert [a.status_code for a in answers] == [503] * 12
    assert client.keys("payverify.delivery.*") == []
    client.delete(queue_key)
    retried = _deliver_at_once(backend, [f"inv-{i}" for i in range(12)])
    assert [a.get_json()["duplicate"] for a in retried] == [False] * 12
    assert len(client.keys("payverify.delivery.*")) == 12
    assert backend.jobs.huey.pending_count() == 12
    assert 0 < client.ttl(b"payverify.delivery.zendesk:inv-0") <= 30 * 24 * 3600


def test_jobs_left_in_an_old_separate_queue_file_still_run(tmp_path) -> None:
    from huey import SqliteHuey

    from plugin.jobs import Jobs

    # Earlier versions kept the queue in `<store>.queue.sqlite3`; one job was left there.
    old = SqliteHuey("payverify", filename=str(tmp_path / "s.queue.sqlite3"), utc=True)
    backend = Backend(
        load_case("en_vip_customer_no_date_not_found"), f"sqlite:///{tmp_path}/s.sqlite3"
    )
    Jobs(backend.services, huey=old).enqueue_ticket(backend.ticket_id, run_key="demo:left:1")
    assert old.pending_count() == 1 and backend.jobs.huey.pending_count() == 0
    backend.jobs.consumer(workers=1)  # `payverify worker` adopts the old file's jobs first
    assert old.pending_count() == 0
    assert backend.jobs.drain() == 1
    assert len(backend.helpdesk.replies) == 1
