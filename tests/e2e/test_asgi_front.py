"""`AsgiFront` driven as gunicorn's asyncio worker drives it: ASGI scope, receive and send.

Covered: a signed Zendesk delivery answered 202 and run once (note, reply, credit); 50
deliveries on one event loop sharing commits and queued once each; 20 copies of one delivery
making one run; deliveries from two event loops in one batch; 401s for unsigned, forged and
stale signatures and a wrong Freshdesk secret (Basic and Bearer accepted); 400/422 bodies;
413 for a declared or a chunked body past MAX_CONTENT_LENGTH (nothing queued) and 202 for a
chunked one within it; a client gone before its body is complete; 503 with Retry-After when
the commit fails (no claim kept); other routes answered by Flask through a2wsgi (/health,
405 for GET on a trigger, /metrics counting the ASGI deliveries); the lifespan handshake.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from plugin.intake import Delivery
from plugin.web.front import AsgiFront
from plugin.web.triggers import MAX_TRIGGER_BODY
from tests.e2e.backend_support import (
    API_TOKEN,
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


@pytest.fixture
def front(backend: Backend) -> Iterator[AsgiFront]:
    front = AsgiFront(backend.app, threads=4)
    yield front
    front.flask.executor.shutdown(wait=True)


# ---------------------------------------------------------------- the ASGI client


@dataclass
class Exchange:
    """What the app sent for one request, and how many times it called receive()."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    receives: int = 0

    @property
    def status(self) -> int | None:
        """The status of the response started, None when none was."""
        starts = [m for m in self.messages if m["type"] == "http.response.start"]
        return starts[0]["status"] if starts else None

    @property
    def headers(self) -> dict[str, str]:
        """The response headers, by lower-cased name."""
        start = next(m for m in self.messages if m["type"] == "http.response.start")
        return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in start["headers"]}

    @property
    def body(self) -> bytes:
        return b"".join(m.get("body", b"") for m in self.messages if m["type"].endswith("body"))

    def json(self) -> Any:
        return json.loads(self.body)


async def request(
    front: AsgiFront,
    method: str,
    path: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    *,
    chunks: int = 1,
    declare_length: bool = True,
    hang_up_after: int | None = None,
) -> Exchange:
    """One HTTP request through the app: the body in `chunks` messages (more_body on all but
    the last), with a content-length header unless `declare_length` is False (then chunked),
    or a disconnect after `hang_up_after` messages, all with more_body."""
    size = -(-len(body) // chunks) if body else 0
    pieces = [body[i * size : (i + 1) * size] for i in range(chunks)] if body else [b""]
    messages: list[dict[str, Any]] = [
        {"type": "http.request", "body": piece, "more_body": index < len(pieces) - 1}
        for index, piece in enumerate(pieces)
    ]
    if hang_up_after is not None:
        messages = [{**m, "more_body": True} for m in messages[:hang_up_after]]
        messages.append({"type": "http.disconnect"})
    sent = Exchange()

    async def receive() -> dict[str, Any]:
        sent.receives += 1
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.messages.append(message)

    raw_headers = [
        (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()
    ]
    if declare_length:
        raw_headers.append((b"content-length", str(len(body)).encode()))
    else:
        raw_headers.append((b"transfer-encoding", b"chunked"))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": raw_headers,
        "client": ("127.0.0.1", 51000),
        "server": ("testserver", 80),
    }
    await front(scope, receive, send)
    return sent


def zendesk_headers(raw: bytes, invocation: str | None = None) -> dict[str, str]:
    """Signed as Zendesk signs a delivery, with its invocation id when given."""
    headers = signed_headers(raw) | {"Content-Type": "application/json"}
    if invocation is not None:
        headers["X-Zendesk-Webhook-Invocation-Id"] = invocation
    return headers


async def zendesk(
    front: AsgiFront, body: dict[str, Any] | bytes, invocation: str | None = None, **kw: Any
) -> Exchange:
    """POST /triggers/zendesk, signed."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return await request(
        front, "POST", "/triggers/zendesk", raw, zendesk_headers(raw, invocation), **kw
    )


def count_commits(backend: Backend) -> list[int]:
    """Wrap the group commit's commit function: the size of each batch, in order."""
    intake = backend.jobs.intake
    commit, sizes = intake._commit, []

    def counted(items: Sequence[Delivery]) -> Any:
        sizes.append(len(items))
        return commit(items)

    intake._commit = counted
    return sizes


def hold_first_commit(
    backend: Backend, until: Callable[[], bool]
) -> tuple[list[int], threading.Event]:
    """Like `count_commits`, and the first commit waits (up to 5 s) until `until()` holds.

    Also returns an event set once that first commit has begun waiting.
    """
    intake = backend.jobs.intake
    sizes, holding = count_commits(backend), threading.Event()
    counted = intake._commit

    def held(items: Sequence[Delivery]) -> Any:
        if not holding.is_set():
            holding.set()
            deadline = time.monotonic() + 5  # the requests wait 10 s
            while not until() and time.monotonic() < deadline:
                time.sleep(0.001)
        return counted(items)

    intake._commit = held
    return sizes, holding


def claims(backend: Backend) -> int:
    """How many deliveries the store has claimed."""
    with backend.services.store.engine.connect() as connection:
        return connection.execute(sa.text("SELECT count(*) FROM deliveries")).scalar_one()


def webhook_count(front: AsgiFront, source: str, result: str) -> float:
    """payverify_webhooks_total for a source and result, read from GET /metrics."""
    answer = asyncio.run(request(front, "GET", "/metrics"))
    assert answer.status == 200
    pattern = rf'^payverify_webhooks_total\{{source="{source}",result="{result}"\}} (\S+)$'
    found = re.search(pattern, answer.body.decode(), re.MULTILINE)
    return float(found.group(1)) if found else 0.0


# ---------------------------------------------------------------- deliveries


def test_signed_delivery_is_accepted_and_runs_once(backend: Backend, front: AsgiFront) -> None:
    """A signed delivery: 202 with its job, then one note, one reply and one credit."""
    answer = asyncio.run(zendesk(front, {"ticket_id": backend.ticket_id}))
    assert answer.status == 202
    assert answer.headers["content-type"] == "application/json"
    assert int(answer.headers["content-length"]) == len(answer.body)
    body = answer.json()
    assert set(body) == {"job", "duplicate"} and body["duplicate"] is False
    assert backend.ticket_id in body["job"]
    assert_one_vip_run(backend)


def test_fifty_deliveries_on_one_loop_share_commits(backend: Backend, front: AsgiFront) -> None:
    """50 deliveries gathered on one loop: fewer commits than deliveries, each queued once."""
    sizes = count_commits(backend)

    async def deliver_all() -> list[Exchange]:
        return await asyncio.gather(
            *(zendesk(front, {"ticket_id": f"T{i}"}, f"inv-{i}") for i in range(50))
        )

    answers = asyncio.run(deliver_all())
    assert [a.status for a in answers] == [202] * 50
    assert [a.json()["duplicate"] for a in answers] == [False] * 50
    jobs = [a.json()["job"] for a in answers]
    assert len(set(jobs)) == 50
    assert sum(sizes) == 50 and len(sizes) < 50  # commits were shared
    assert claims(backend) == 50
    assert backend.jobs.huey.pending_count() == 50
    queued = [backend.jobs.huey.dequeue() for _ in range(50)]
    assert sorted(t.kwargs["run_key"] for t in queued) == sorted(jobs)
    assert backend.jobs.huey.dequeue() is None


def test_twenty_copies_of_one_delivery_make_one_run(backend: Backend, front: AsgiFront) -> None:
    """One invocation id delivered 20 times at once: one new, 19 duplicates, one run."""

    async def deliver_all() -> list[Exchange]:
        body = {"ticket_id": backend.ticket_id}
        return await asyncio.gather(*(zendesk(front, body, "inv-same") for _ in range(20)))

    answers = asyncio.run(deliver_all())
    assert [a.status for a in answers] == [202] * 20
    duplicates = [a.json()["duplicate"] for a in answers]
    assert duplicates.count(False) == 1 and duplicates.count(True) == 19
    assert len({a.json()["job"] for a in answers}) == 1
    assert backend.jobs.drain() == 1
    assert len(backend.helpdesk.replies) == 1 and len(backend.billing.credits) == 1


def test_two_event_loops_are_answered_from_one_batch(backend: Backend, front: AsgiFront) -> None:
    """Two threads, each with its own loop, deliver while a commit runs: one batch, both woken."""
    intake = backend.jobs.intake
    per_loop = 5
    sizes, holding = hold_first_commit(
        backend, lambda: len(intake._open.futures) == 2 and len(intake._open.items) == 2 * per_loop
    )
    raw = json.dumps({"ticket_id": "TLEAD"}).encode()
    led: list[Any] = []
    lead = threading.Thread(  # through the WSGI fast path: a thread waits on the lead batch
        target=lambda: led.append(
            backend.client.post(
                "/triggers/zendesk", data=raw, headers=zendesk_headers(raw, "inv-lead")
            )
        )
    )
    lead.start()
    assert holding.wait(5)  # the writer holds the lead's batch: what follows waits behind it
    answers: dict[str, list[Exchange]] = {}

    def on_own_loop(name: str) -> None:
        async def deliver_all() -> list[Exchange]:
            return await asyncio.gather(
                *(
                    zendesk(front, {"ticket_id": f"T{name}{i}"}, f"inv-{name}-{i}")
                    for i in range(per_loop)
                )
            )

        answers[name] = asyncio.run(deliver_all())

    threads = [threading.Thread(target=on_own_loop, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    lead.join(10)
    assert [a.status_code for a in led] == [202]
    assert sorted(answers) == ["a", "b"]
    for name in ("a", "b"):
        assert [a.status for a in answers[name]] == [202] * per_loop
        assert not any(a.json()["duplicate"] for a in answers[name])
    assert sizes == [1, 2 * per_loop]  # the lead, then both loops' deliveries together
    assert backend.jobs.huey.pending_count() == 1 + 2 * per_loop


# ---------------------------------------------------------------- refusals


def _stale(raw: bytes) -> dict[str, str]:
    return signed_headers(raw, at=datetime.now(UTC) - timedelta(minutes=6))


@pytest.mark.parametrize(
    ("sign", "why"),
    [
        (lambda raw: {}, "missing X-Zendesk-Webhook-Signature"),
        (lambda raw: signed_headers(raw, secret="not-the-secret"), "does not match"),
        (lambda raw: signed_headers(b'{"ticket_id": "TKT-2"}'), "does not match"),
        (_stale, "stale"),
        (
            lambda raw: {
                "X-Zendesk-Webhook-Signature": "AAAA",
                "X-Zendesk-Webhook-Signature-Timestamp": "yesterday",
            },
            "ISO 8601",
        ),
    ],
    ids=["unsigned", "forged", "tampered", "stale", "bad-timestamp"],
)
def test_bad_signatures_get_401(
    backend: Backend, front: AsgiFront, sign: Callable[[bytes], dict[str, str]], why: str
) -> None:
    """Unsigned, forged, tampered, stale or malformed: 401 naming the problem, nothing kept."""
    raw = b'{"ticket_id": "TKT-1"}'
    answer = asyncio.run(request(front, "POST", "/triggers/zendesk", raw, sign(raw)))
    assert answer.status == 401
    assert answer.headers["content-type"] == "application/json"
    assert why in answer.json()["error"]
    assert backend.jobs.huey.pending_count() == 0 and claims(backend) == 0


@pytest.mark.parametrize(
    "authorization",
    [f"Basic {base64.b64encode(b'x:freshdesk-secret').decode()}", "Bearer freshdesk-secret"],
    ids=["basic", "bearer"],
)
def test_freshdesk_secret_is_accepted(
    backend: Backend, front: AsgiFront, authorization: str
) -> None:
    """Freshdesk's shared secret as a Basic password or a Bearer token."""
    raw = json.dumps({"ticket_id": backend.ticket_id}).encode()
    answer = asyncio.run(
        request(front, "POST", "/triggers/freshdesk", raw, {"Authorization": authorization})
    )
    assert answer.status == 202 and answer.json()["duplicate"] is False
    again = asyncio.run(
        request(front, "POST", "/triggers/freshdesk", raw, {"Authorization": authorization})
    )
    assert again.json() == {"job": answer.json()["job"], "duplicate": True}  # same body
    assert backend.jobs.huey.pending_count() == 1


@pytest.mark.parametrize(
    "authorization",
    ["Bearer nope", f"Basic {base64.b64encode(b'x:nope').decode()}", "", "Token freshdesk-secret"],
    ids=["wrong-bearer", "wrong-basic", "none", "unknown-scheme"],
)
def test_freshdesk_wrong_secret_gets_401(
    backend: Backend, front: AsgiFront, authorization: str
) -> None:
    """A wrong, missing or unknown-scheme secret: 401, nothing queued."""
    headers = {"Authorization": authorization} if authorization else {}
    answer = asyncio.run(
        request(front, "POST", "/triggers/freshdesk", b'{"ticket_id": "1"}', headers)
    )
    assert answer.status == 401 and "secret" in answer.json()["error"]
    assert backend.jobs.huey.pending_count() == 0


@pytest.mark.parametrize(("body", "status", "words"), INVALID_BODIES)
def test_invalid_bodies_name_the_problem(
    backend: Backend, front: AsgiFront, body: bytes, status: int, words: str
) -> None:
    """Not a JSON object: 400; a bad field: 422 naming it."""
    answer = asyncio.run(zendesk(front, body))
    assert answer.status == status and words in answer.json()["error"]
    assert backend.jobs.huey.pending_count() == 0


# ---------------------------------------------------------------- bodies


def test_declared_length_past_the_limit_is_413_unread(backend: Backend, front: AsgiFront) -> None:
    """A content-length past MAX_CONTENT_LENGTH: 413 before reading the body."""
    limit = backend.app.config["MAX_CONTENT_LENGTH"]
    raw = json.dumps({"ticket_id": "1", "pad": "x" * limit}).encode()
    answer = asyncio.run(zendesk(front, raw, chunks=4))
    assert answer.status == 413 and "capacity" in answer.json()["error"]
    assert answer.receives == 0  # refused on the header, before the body was read
    assert backend.jobs.huey.pending_count() == 0 and claims(backend) == 0


def test_chunked_body_within_the_limit_is_accepted(backend: Backend, front: AsgiFront) -> None:
    """No content-length, five chunks within the limit: read whole and accepted."""
    raw = json.dumps({"ticket_id": backend.ticket_id, "pad": "x" * 50_000}).encode()
    answer = asyncio.run(zendesk(front, raw, chunks=5, declare_length=False))
    assert answer.receives == 5
    assert answer.status == 202 and answer.json()["duplicate"] is False
    assert backend.jobs.huey.pending_count() == 1


def test_chunked_body_past_the_limit_is_413(backend: Backend, front: AsgiFront) -> None:
    """No content-length, chunks past the limit: 413 as soon as it is exceeded."""
    limit = backend.app.config["MAX_CONTENT_LENGTH"]
    raw = json.dumps({"ticket_id": "1", "pad": "x" * 2 * limit}).encode()
    answer = asyncio.run(zendesk(front, raw, chunks=8, declare_length=False))
    assert answer.status == 413 and "capacity" in answer.json()["error"]
    assert answer.receives < 8  # it stopped reading once past the limit
    assert backend.jobs.huey.pending_count() == 0 and claims(backend) == 0


@pytest.mark.parametrize("received", [0, 1, 2], ids=["before-any", "after-one", "after-two"])
def test_a_client_gone_before_its_body_queues_nothing(
    backend: Backend, front: AsgiFront, received: int
) -> None:
    """A disconnect before the last chunk: no 202, no 5xx, nothing queued or claimed."""
    raw = json.dumps({"ticket_id": backend.ticket_id}).encode()
    answer = asyncio.run(zendesk(front, raw, chunks=3, hang_up_after=received))
    assert answer.receives == received + 1
    statuses = [m["status"] for m in answer.messages if m["type"] == "http.response.start"]
    assert not any(s == 202 or s >= 500 for s in statuses)
    assert backend.jobs.huey.pending_count() == 0 and claims(backend) == 0


def test_a_failing_commit_answers_503_and_keeps_no_claim(
    backend: Backend, front: AsgiFront
) -> None:
    """The queue's table is gone: 503 with Retry-After to all, no claim; the retry is new."""
    engine = backend.services.store.engine
    with engine.begin() as connection:  # the queue's table is gone: writing the jobs fails
        connection.execute(sa.text("DROP TABLE task"))

    async def deliver_all() -> list[Exchange]:
        return await asyncio.gather(
            *(zendesk(front, {"ticket_id": f"T{i}"}, f"inv-{i}") for i in range(12))
        )

    answers = asyncio.run(deliver_all())
    assert [a.status for a in answers] == [503] * 12
    assert all(0 < int(a.headers["retry-after"]) < 60 for a in answers)
    assert all("queue" in a.json()["error"] for a in answers)
    assert claims(backend) == 0
    backend.jobs.huey.storage.initialize_schema()  # the queue is back: the helpdesk retries
    retried = asyncio.run(deliver_all())
    assert [a.json()["duplicate"] for a in retried] == [False] * 12
    assert backend.jobs.huey.pending_count() == 12


def test_response_header_names_are_lowercase(backend: Backend, front: AsgiFront) -> None:
    """https://asgi.readthedocs.io/en/latest/specs/www.html#response-start-send-event"""
    answer = asyncio.run(zendesk(front, {"ticket_id": backend.ticket_id}))
    start = next(m for m in answer.messages if m["type"] == "http.response.start")
    assert [name for name, _ in start["headers"] if name != name.lower()] == []


# ---------------------------------------------------------------- Flask and lifespan


def test_health_is_answered_by_flask(front: AsgiFront) -> None:
    """GET /health goes to Flask through a2wsgi."""
    answer = asyncio.run(request(front, "GET", "/health"))
    assert answer.status == 200
    assert answer.json()["status"] == "ok" and answer.json()["checks"]["queue"]["ok"] is True


def test_get_on_a_trigger_is_flasks_405(backend: Backend, front: AsgiFront) -> None:
    """GET on a trigger route is Flask's: 405, with its error handler's JSON."""
    answer = asyncio.run(request(front, "GET", "/triggers/zendesk"))
    assert answer.status == 405
    assert "method is not allowed" in answer.json()["error"]  # Flask's handler's words
    assert backend.jobs.huey.pending_count() == 0


def test_metrics_count_the_asgi_deliveries(backend: Backend, front: AsgiFront) -> None:
    """GET /metrics (Flask) counts what the ASGI path accepted, repeated and refused."""
    accepted = webhook_count(front, "zendesk", "accepted")
    duplicate = webhook_count(front, "zendesk", "duplicate")
    unauthorized = webhook_count(front, "zendesk", "unauthorized")
    for _ in range(2):
        asyncio.run(zendesk(front, {"ticket_id": backend.ticket_id}, "inv-metrics"))
    asyncio.run(request(front, "POST", "/triggers/zendesk", b'{"ticket_id": "1"}'))
    assert webhook_count(front, "zendesk", "accepted") == accepted + 1
    assert webhook_count(front, "zendesk", "duplicate") == duplicate + 1
    assert webhook_count(front, "zendesk", "unauthorized") == unauthorized + 1


def test_lifespan_handshake(front: AsgiFront) -> None:
    """startup → startup.complete, shutdown → shutdown.complete, then the app returns."""

    async def lifespan() -> list[dict[str, Any]]:
        incoming = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return incoming.pop(0)

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await asyncio.wait_for(front({"type": "lifespan"}, receive, send), 5)
        return sent

    assert asyncio.run(lifespan()) == [
        {"type": "lifespan.startup.complete"},
        {"type": "lifespan.shutdown.complete"},
    ]


def test_a_chunked_body_reaches_flask_whole(backend: Backend, front: AsgiFront) -> None:
    """A chunked POST to a Flask route (no content-length) is read whole, not as empty."""
    raw = backend.case.model_dump_json().encode()
    headers = {"Authorization": f"Bearer {API_TOKEN}", "Content-Type": "application/json"}
    answer = asyncio.run(
        request(front, "POST", "/api/verify", raw, headers, chunks=3, declare_length=False)
    )
    assert answer.status == 200, answer.body[:200]
    assert answer.json()["verdict"] == "not_found"


def test_refused_on_headers_before_the_body_is_read(backend: Backend, front: AsgiFront) -> None:
    """A wrong Freshdesk secret, or Zendesk headers missing or stale: 401, body never read."""
    raw = b'{"ticket_id": "1"}'
    for path, headers in (
        ("/triggers/freshdesk", {"Authorization": "Bearer wrong"}),
        ("/triggers/zendesk", {}),
        ("/triggers/zendesk", _stale(raw)),
    ):
        answer = asyncio.run(request(front, "POST", path, raw, headers))
        assert answer.status == 401, path
        assert answer.receives == 0, f"{path} read the body of a request refused on headers"
    assert backend.jobs.huey.pending_count() == 0


def test_a_trigger_body_past_64_kib_is_413(backend: Backend, front: AsgiFront) -> None:
    """Trigger bodies are small: 64 KiB + 1 is refused, though the app takes 1 MiB elsewhere."""
    raw = json.dumps({"ticket_id": "1", "pad": "x" * MAX_TRIGGER_BODY}).encode()
    assert len(raw) < backend.app.config["MAX_CONTENT_LENGTH"]
    for declare in (True, False):
        headers = zendesk_headers(raw)
        answer = asyncio.run(
            request(front, "POST", "/triggers/zendesk", raw, headers, declare_length=declare)
        )
        assert answer.status == 413
    assert backend.jobs.huey.pending_count() == 0
