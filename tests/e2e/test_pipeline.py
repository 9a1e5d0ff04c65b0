"""The pipeline through the queue: modes, PostgreSQL + Redis, retries and the failure note."""

from __future__ import annotations

import pytest

from core.errors import ExternalError
from tests.e2e.backend_support import Backend, load_case

CASE = "en_vip_customer_no_date_not_found"


@pytest.mark.parametrize(
    ("mode", "notes", "replies", "credits", "follow_up"),
    [("auto", 1, 1, 1, True), ("draft", 1, 0, 0, True), ("shadow", 0, 0, 0, False)],
)
def test_modes(tmp_path, mode, notes, replies, credits, follow_up) -> None:
    backend = Backend(load_case(CASE), f"sqlite:///{tmp_path}/s.sqlite3", mode=mode)
    assert backend.zendesk({"ticket_id": backend.ticket_id}).status_code == 202
    backend.jobs.drain()
    helpdesk = backend.helpdesk
    assert (len(helpdesk.notes), len(helpdesk.replies), len(backend.billing.credits)) == (
        notes,
        replies,
        credits,
    )
    store = backend.services.store
    assert (store.pending_follow_up("demo", backend.ticket_id) is not None) is follow_up
    record = store.latest_verification("demo", backend.ticket_id)
    assert record is not None and record.mode == mode and record.verdict == "not_found"
    if mode == "draft":
        assert "payverify_draft" in helpdesk.tags_added(backend.ticket_id)


def test_on_postgres_and_redis(postgres_url, redis_url) -> None:
    backend = Backend(load_case(CASE), postgres_url, redis_url=redis_url)
    assert type(backend.jobs.huey).__name__ == "RedisHuey"
    for _ in range(3):
        backend.zendesk(
            {"ticket_id": backend.ticket_id}, **{"X-Zendesk-Webhook-Invocation-Id": "a"}
        )
    backend.jobs.drain()
    assert len(backend.helpdesk.notes) == len(backend.helpdesk.replies) == 1
    assert len(backend.billing.credits) == 1
    assert "pv_verdict_not_found" in backend.helpdesk.tags_added(backend.ticket_id)


def test_transient_failure_is_retried_and_resumes_after_done_steps(tmp_path) -> None:
    backend = Backend(load_case(CASE), f"sqlite:///{tmp_path}/s.sqlite3")
    backend.helpdesk.fail_with = ExternalError("fake", "503", permanent=False)
    backend.helpdesk.fail_on = frozenset({"post_reply"})
    backend.zendesk({"ticket_id": backend.ticket_id})
    backend.jobs.drain(limit=1)  # first attempt: note posted, reply fails
    assert len(backend.helpdesk.notes) == 1 and not backend.helpdesk.replies
    backend.helpdesk.fail_with = None
    assert backend.jobs.drain() == 1  # the retry (queued again: retry_delay=0 in tests)
    assert len(backend.helpdesk.notes) == 1  # not posted twice
    assert len(backend.helpdesk.replies) == 1 and len(backend.billing.credits) == 1


def test_permanent_failure_parks_and_notes_what_failed(tmp_path) -> None:
    backend = Backend(load_case(CASE), f"sqlite:///{tmp_path}/s.sqlite3")
    backend.billing.fail_with = ExternalError("stripe", "401 invalid key", permanent=True)
    backend.zendesk({"ticket_id": backend.ticket_id})
    backend.jobs.drain()
    assert not backend.billing.credits and not backend.helpdesk.replies
    [(_, note)] = backend.helpdesk.notes
    assert "could not finish" in note and "stripe" in note and "401 invalid key" in note
    assert backend.jobs.huey.scheduled_count() == 0  # parked, not retried


def test_unverified_customer_never_gets_an_automatic_credit(tmp_path) -> None:
    case = load_case(CASE)
    backend = Backend(case, f"sqlite:///{tmp_path}/s.sqlite3")
    # The billing customer has another email: found only by the invoice number quoted.
    customer = next(iter(backend.billing.customers.values()))
    backend.billing.customers[customer.id] = customer.__class__(
        **{**customer.__dict__, "email": "someone-else@example.com"}
    )
    backend.zendesk({"ticket_id": backend.ticket_id})
    backend.jobs.drain()
    assert not backend.billing.credits
