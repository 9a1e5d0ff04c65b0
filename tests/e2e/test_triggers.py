"""Signed webhook in; note, reply, credit and tags out — once, whatever the deliveries."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tests.e2e.backend_support import Backend, load_case, signed_headers


@pytest.fixture
def backend(tmp_path) -> Backend:
    return Backend(
        load_case("en_vip_customer_no_date_not_found"), f"sqlite:///{tmp_path}/s.sqlite3"
    )


def test_signed_webhook_gives_note_reply_credit_and_tags(backend: Backend) -> None:
    answer = backend.zendesk({"ticket_id": backend.ticket_id})
    assert answer.status_code == 202
    assert answer.get_json()["duplicate"] is False
    assert backend.jobs.drain() == 1
    assert len(backend.helpdesk.notes) == 1
    assert len(backend.helpdesk.replies) == 1
    ticket, reply, update = backend.helpdesk.replies[0]
    assert ticket == backend.ticket_id and "2,150.00" in reply.text
    assert {"payment_verification", "pv_verdict_not_found"} <= set(update.add_tags)
    assert [(c[1], c[2]) for c in backend.billing.credits] == [(Decimal("2150.00"), "USD")]
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


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        (b"not json", 400, "JSON object"),
        (b"[1, 2]", 400, "JSON object"),
        (b"{}", 422, "ticket_id"),
        (b'{"ticket_id": ""}', 422, "ticket_id"),
        (b'{"ticket_id": "1", "requester_email": "nobody"}', 422, "requester_email"),
    ],
)
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
    # Redis on a port nothing listens on: the delivery is claimed, then queuing it fails.
    down = Backend(
        load_case("en_vip_customer_no_date_not_found"),
        f"sqlite:///{tmp_path}/s.sqlite3",
        redis_url="redis://127.0.0.1:9/0",
    )
    released: list[str] = []
    store = down.services.store

    def release_delivery(key: str) -> None:  # what the store is asked to add (docs/BACKEND.md)
        import sqlalchemy as sa

        with store.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM deliveries WHERE key = :k"), {"k": key})
        released.append(key)

    store.release_delivery = release_delivery
    headers = {"X-Zendesk-Webhook-Invocation-Id": "inv-down"}
    answer = down.zendesk({"ticket_id": down.ticket_id}, **headers)
    assert answer.status_code == 503 and "queue" in answer.get_json()["error"]
    assert int(answer.headers["Retry-After"]) < 60  # Zendesk retries a 503 under a minute
    assert released == ["zendesk:inv-down"]
    assert store.claim_delivery("zendesk:inv-down")  # the redelivery is not taken for a repeat
