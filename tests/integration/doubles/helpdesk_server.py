"""A small threaded HTTP server on 127.0.0.1 for helpdesk test doubles.

It routes requests to handlers that serve payloads shaped like the vendor's, records every
request (method, path, query, body, headers) so tests assert exactly what was sent, and can
inject faults: a status with headers (429 + Retry-After, 500, 503, 401), or a delay (timeout).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

Handler = Callable[..., tuple[int, Any]]


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    headers: dict[str, str]


@dataclass
class Fault:
    """What the next matching request gets instead of its answer."""

    status: int = 500
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (longer than the client's read timeout)
    method: str | None = None
    path_contains: str | None = None
    times: int = 1

    def matches(self, request: Recorded) -> bool:
        return (self.method is None or self.method == request.method) and (
            self.path_contains is None or self.path_contains in request.path
        )


class HelpdeskServer:
    """Serve `routes` on a free port; `authorized(headers)` decides 401s."""

    def __init__(
        self,
        routes: list[tuple[str, str, Handler]],
        *,
        authorized: Callable[[dict[str, str]], bool],
        unauthorized_body: Any,
        not_found_body: Any,
    ) -> None:
        self._map = Map([Rule(path, methods=[method], endpoint=h) for method, path, h in routes])
        self._authorized = authorized
        self._unauthorized_body = unauthorized_body
        self._not_found_body = not_found_body
        self._lock = threading.Lock()
        self.requests: list[Recorded] = []
        self.faults: list[Fault] = []
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def start(self) -> HelpdeskServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)

    def inject(self, fault: Fault) -> None:
        """Answer the next `fault.times` matching requests with `fault`."""
        with self._lock:
            self.faults.append(fault)

    def _next_fault(self, recorded: Recorded) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.matches(recorded):
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                    return fault
        return None

    def _app(self, environ: dict, start_response: Callable) -> Any:
        request = Request(environ)
        raw = request.get_data()
        recorded = Recorded(
            method=request.method,
            path=request.path,
            query=dict(request.args.items()),
            body=json.loads(raw) if raw else None,
            headers=dict(request.headers.items()),
        )
        with self._lock:
            self.requests.append(recorded)
        return self._answer(request, recorded)(environ, start_response)

    def _answer(self, request: Request, recorded: Recorded) -> Response:
        fault = self._next_fault(recorded)
        if fault is not None:
            time.sleep(fault.delay)
            if fault.delay and fault.status < 400:
                fault = None  # a pure delay: answer normally, late
            else:
                return _json(fault.status, fault.body, fault.headers)
        if not self._authorized(recorded.headers):
            return _json(401, self._unauthorized_body)
        try:
            handler, args = self._map.bind_to_environ(request.environ).match()
        except HTTPException as exc:
            return _json(exc.code or 404, self._not_found_body)
        status, body = handler(recorded, **args)
        return _json(status, body)


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    text = "" if body is None else json.dumps(body)
    return Response(text, status=status, headers=headers or {}, content_type="application/json")
