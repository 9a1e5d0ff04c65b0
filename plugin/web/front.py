"""The trigger POSTs answered in front of Flask, under ASGI (`payverify serve`) and WSGI.

A webhook is answered once its delivery is durable (`plugin.intake`), so each request waits
on a commit. Under gunicorn's thread worker that wait holds a thread: a process answers no
more deliveries at once than it has threads, and each commit carries no more than that.
`payverify serve` runs gunicorn's asyncio worker instead, with `AsgiFront` as the app: a
trigger is a coroutine that awaits its batch, so one commit carries every delivery in flight,
and everything else (sidebar, API, dashboard, health, metrics) goes to the Flask app in a
thread pool (a2wsgi). Under a WSGI server, `TriggerFastPath` answers the triggers before
Flask. Both skip Flask's request context, hooks and response objects for the webhook, and
share `plugin.web.triggers`' checks and answers. Figures: docs/BENCHMARKS.md.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from plugin.web.prometheus import REQUEST_SECONDS
from plugin.web.triggers import (
    MAX_TRIGGER_BODY,
    REASONS,
    ROUTES,
    Answer,
    answer,
    answer_async,
    authenticate,
    error,
)

log = logging.getLogger(__name__)

TOO_LARGE = "The data value transmitted exceeds the capacity limit."  # Flask's words


class AsgiFront:
    """The ASGI app: trigger POSTs answered here, everything else by Flask in `threads`."""

    def __init__(self, app: Any, threads: int = 8) -> None:
        from a2wsgi import WSGIMiddleware

        self.app = app
        self.max_body = min(MAX_TRIGGER_BODY, int(app.config["MAX_CONTENT_LENGTH"]))
        self.flask = WSGIMiddleware(_input_terminated(app), workers=threads)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Route one connection event: lifespan, a trigger, or anything for Flask."""
        kind = scope["type"]
        if kind == "lifespan":
            await _lifespan(receive, send)
            return
        source = ROUTES.get(scope.get("path", "")) if kind == "http" else None
        if source is None or scope.get("method") != "POST":
            await self.flask(scope, receive, send)
            return
        started = time.perf_counter()
        headers = {
            name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]
        }
        header = lambda name: headers.get(name.lower(), "")  # noqa: E731 - read twice below
        refused = authenticate(self.app, source, header)
        if refused is not None:  # refused on its headers: the body is never read
            await _send(send, refused)
            REQUEST_SECONDS.observe(time.perf_counter() - started, scope["path"])
            return
        try:
            raw = await self._body(headers, receive)
        except _HungUp:
            return  # the helpdesk is gone before its body was read: nothing queued, no answer
        if raw is None:
            result: Answer = error(413, TOO_LARGE)
        else:
            try:
                result = await answer_async(self.app, source, header, raw, headers_checked=True)
            except Exception:  # noqa: BLE001 - a 500 like Flask's, logged, never the traceback
                log.exception("trigger %s failed", source)
                result = error(500, "Internal Server Error")
        await _send(send, result)
        REQUEST_SECONDS.observe(time.perf_counter() - started, scope["path"])

    async def _body(self, headers: dict[str, str], receive: Any) -> bytes | None:
        """The request body, or None past the trigger limit (told or found while reading)."""
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > self.max_body:
            return None
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _HungUp
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


async def _send(send: Any, result: Answer) -> None:
    status, body, extra = result
    out = [(name.lower().encode("latin-1"), value.encode()) for name, value in extra]
    out.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": out})
    await send({"type": "http.response.body", "body": body})


def _input_terminated(app: Any) -> Any:
    # a2wsgi passes a chunked body (no Content-Length) without `wsgi.input_terminated`, and
    # Werkzeug then reads it as empty; the ASGI server has de-chunked it, so it is terminated.
    def wsgi(environ: dict[str, Any], start_response: Any) -> Any:
        environ["wsgi.input_terminated"] = True
        return app(environ, start_response)

    return wsgi


class _HungUp(Exception):
    """The client disconnected before the request body was complete."""


async def _lifespan(receive: Any, send: Any) -> None:
    # The app is built before the worker serves (gunicorn's load), so there is nothing to
    # start; answering lets gunicorn's lifespan handshake complete.
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


class TriggerFastPath:
    """WSGI middleware: the trigger POSTs answered before Flask, everything else handed on.

    It also stamps every request's start (`payverify.started`) for the route timing of
    `plugin.web.prometheus`, and times the triggers itself.
    """

    def __init__(self, app: Any, wsgi_app: Any) -> None:
        self.app, self.wsgi_app = app, wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        """Answer a trigger POST with a known length here; anything else goes to Flask."""
        started = environ["payverify.started"] = time.perf_counter()
        source = ROUTES.get(environ.get("PATH_INFO", ""))
        length = environ.get("CONTENT_LENGTH") or ""
        if (
            source is None
            or environ.get("REQUEST_METHOD") != "POST"
            or not length.isdigit()
            or "HTTP_TRANSFER_ENCODING" in environ
        ):
            return self.wsgi_app(environ, start_response)
        try:
            if int(length) > min(MAX_TRIGGER_BODY, self.app.config["MAX_CONTENT_LENGTH"]):
                status, body, headers = error(413, TOO_LARGE)
            else:
                raw = environ["wsgi.input"].read(int(length))
                header = _environ_header(environ)
                status, body, headers = answer(self.app, source, header, raw)
        except Exception:  # noqa: BLE001 - a 500 like Flask's, logged, never the traceback
            log.exception("trigger %s failed", source)
            status, body, headers = error(500, "Internal Server Error")
        start_response(f"{status} {REASONS.get(status, '')}", [
            *headers, ("Content-Length", str(len(body)))])  # fmt: skip
        REQUEST_SECONDS.observe(time.perf_counter() - started, environ["PATH_INFO"])
        return [body]


def _environ_header(environ: dict[str, Any]) -> Any:
    return lambda name: environ.get("HTTP_" + name.upper().replace("-", "_"), "")
