"""A threaded HTTP server on 127.0.0.1 that records requests and injects faults."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Recorded:
    """One request as the server saw it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def form(self) -> dict[str, list[str]]:
        """The body as form fields (Stripe's encoding)."""
        return parse_qs(self.body.decode())

    def json(self) -> Any:
        return json.loads(self.body or b"null")


@dataclass
class Fault:
    """Answer `times` matching requests with this status (or stall `delay` seconds first)."""

    method: str
    path: str
    status: int = 500
    times: int = 1
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    delay: float = 0.0


Answer = tuple[int, dict[str, str], Any]
Handler = Callable[[Recorded], Answer]


class DoubleServer:
    """Serve `handler` on a free port; every request is recorded, faults come first."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[Recorded] = []
        self.faults: list[Fault] = []
        self._lock = threading.Lock()
        double = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                parts = urlsplit(self.path)
                recorded = Recorded(
                    self.command,
                    parts.path,
                    parse_qs(parts.query),
                    {k.lower(): v for k, v in self.headers.items()},
                    self.rfile.read(length) if length else b"",
                )
                status, headers, body = double._answer(recorded)
                payload = json.dumps(body).encode() if body is not None else b""
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client timed out and left

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def _answer(self, recorded: Recorded) -> Answer:
        with self._lock:
            self.requests.append(recorded)
            fault = next(
                (
                    f
                    for f in self.faults
                    if f.times > 0 and f.method == recorded.method and f.path == recorded.path
                ),
                None,
            )
            if fault:
                fault.times -= 1
        if fault:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.status:
                return fault.status, fault.headers, fault.body
        with self._lock:  # handlers mutate state; one at a time keeps them simple
            return self.handler(recorded)

    def start(self) -> DoubleServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def reset(self) -> None:
        """Forget recorded requests and pending faults."""
        with self._lock:
            self.requests.clear()
            self.faults.clear()

    def count(self, method: str | None = None, path: str | None = None) -> int:
        """How many requests matched (all when no filter)."""
        return sum(
            1
            for r in self.requests
            if (method is None or r.method == method) and (path is None or r.path == path)
        )
