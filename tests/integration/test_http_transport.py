"""connectors/http.py over real HTTP: timeouts, retries for what is safe to repeat, 429 waits."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from connectors.http import RETRY_HEADER, call, resilient_session
from core.errors import ExternalError


class _Scripted(BaseHTTPRequestHandler):
    """Answers from a script of (status, headers) per request, recording what it saw."""

    script: list[tuple[int, dict[str, str]]] = []
    seen: list[tuple[str, dict[str, str]]] = []

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        type(self).seen.append((self.command, dict(self.headers)))
        status, headers = type(self).script.pop(0) if type(self).script else (200, {})
        if self.path.startswith("/slow"):
            time.sleep(0.6)  # longer than the client's read timeout
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        body = b'{"message": "scripted"}'
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        try:
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client timed out and went away, as the timeout test wants

    do_GET = do_POST = do_PUT = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server():
    _Scripted.script, _Scripted.seen = [], []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Scripted)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _session():
    waits: list[float] = []
    return resilient_session(retries=3, backoff=0.001, sleep=waits.append), waits


@pytest.mark.parametrize(
    ("method", "headers", "script", "calls", "status"),
    [
        ("GET", {}, [(503, {}), (200, {})], 2, 200),
        ("POST", {}, [(503, {}), (200, {})], 1, 503),  # a POST may have run: not repeated
        ("POST", {"Idempotency-Key": "k1"}, [(500, {}), (200, {})], 2, 200),
        ("POST", {"PayPal-Request-Id": "k2"}, [(502, {}), (200, {})], 2, 200),
        ("POST", {RETRY_HEADER: "repeatable"}, [(500, {}), (200, {})], 2, 200),
        ("PUT", {RETRY_HEADER: "once"}, [(500, {}), (200, {})], 1, 500),
        ("POST", {}, [(429, {"Retry-After": "0"}), (200, {})], 2, 200),  # nothing ran: retried
        ("GET", {}, [(500, {})] * 5, 4, 500),  # gives up after 3 retries
        ("GET", {}, [(404, {})], 1, 404),
    ],
)
def test_retry_rules(server, method, headers, script, calls, status):
    _Scripted.script = list(script)
    session, _ = _session()
    response = session.request(method, server + "/x", headers=headers, json={})
    assert response.status_code == status
    assert len(_Scripted.seen) == calls
    assert all(RETRY_HEADER not in seen_headers for _, seen_headers in _Scripted.seen)


def test_retry_after_is_honoured(server):
    _Scripted.script = [(429, {"Retry-After": "2"}), (200, {})]
    session, waits = _session()
    assert session.get(server + "/x").status_code == 200
    assert waits == [2.0]


def test_call_turns_answers_and_failures_into_external_errors(server):
    session, _ = _session()
    _Scripted.script = [(401, {})]
    with pytest.raises(ExternalError) as refused:
        call("zendesk", lambda: session.get(server + "/api?token=secret"))
    assert refused.value.permanent and refused.value.status == 401
    assert "secret" not in str(refused.value)
    _Scripted.script = [(503, {})] * 4
    with pytest.raises(ExternalError) as unavailable:
        call("stripe", lambda: session.get(server + "/v1/x"))
    assert not unavailable.value.permanent
    with pytest.raises(ExternalError, match="could not connect") as down:
        call("paypal", lambda: session.get("http://127.0.0.1:9/"))
    assert not down.value.permanent


def test_a_slow_server_times_out_and_a_safe_request_is_retried(server):
    _Scripted.script = [(200, {"X-Slow": "1"})] * 3
    waits: list[float] = []
    session = resilient_session(retries=1, backoff=0.001, sleep=waits.append, timeout=(1, 0.2))
    with pytest.raises(ExternalError, match="timed out"):
        call("zendesk", lambda: session.get(server + "/slow"))
    assert len(_Scripted.seen) == 2 and len(waits) == 1
