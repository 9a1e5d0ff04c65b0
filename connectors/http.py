"""All outbound HTTP goes through here: timeouts, retries with backoff and jitter, 429 waits.

Every adapter's `requests.Session` (our own, zenpy's, stripe's `RequestsClient`) mounts
`ResilientAdapter`, so the rules are written once:

- every request has a timeout (connect, read);
- a connection that could not be made is retried (nothing reached the server);
- 429 waits for `Retry-After` (seconds or an HTTP date) and tries again; stripe-python
  does not retry 429 by itself (see shared/peers/README.md);
- 5xx and read timeouts are retried only when repeating the request is safe: an
  idempotent method, or a request carrying an `Idempotency-Key` header;
- the wait grows exponentially with full jitter and is capped.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from core.errors import ExternalError, NotFound

log = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# Headers that make repeating a request safe: the server deduplicates by them.
IDEMPOTENCY_HEADERS = ("Idempotency-Key", "PayPal-Request-Id")
# An adapter marks one request with this header ("repeatable" for a read sent as POST,
# "once" for a PUT that adds a comment); it is removed before the request is sent.
RETRY_HEADER = "X-Payverify-Retry"
DEFAULT_TIMEOUT = (3.05, 10.0)


def retry_after_seconds(value: str | None) -> float | None:
    """Parse a Retry-After header (delta seconds or HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class ResilientAdapter(HTTPAdapter):
    """A transport adapter that applies the retry rules above to every request."""

    def __init__(
        self,
        *,
        retries: int = 3,
        backoff: float = 0.25,
        max_backoff: float = 8.0,
        max_retry_after: float = 30.0,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        sleep: Callable[[float], None] = time.sleep,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_retry_after = max_retry_after
        self.timeout = timeout
        self.sleep = sleep

    def _wait(self, attempt: int) -> float:
        return random.uniform(0, min(self.max_backoff, self.backoff * (2**attempt)))  # noqa: S311

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        repeatable = _repeatable(request)
        attempt = 0
        while True:
            try:
                response = super().send(request, **kwargs)
            except (requests.ConnectionError, requests.Timeout) as exc:
                if attempt >= self.retries or (_maybe_sent(exc) and not repeatable):
                    raise
                wait = self._wait(attempt)
                log.info(
                    "retrying %s %s after %s in %.2fs",
                    request.method,
                    _path(request),
                    type(exc).__name__,
                    wait,
                )
            else:
                status = response.status_code
                if status == 429 and attempt < self.retries:
                    asked = retry_after_seconds(response.headers.get("Retry-After"))
                    wait = self._wait(attempt) if asked is None else asked
                    if wait > self.max_retry_after:
                        return response
                elif status >= 500 and repeatable and attempt < self.retries:
                    wait = self._wait(attempt)
                else:
                    return response
                log.info(
                    "retrying %s %s after HTTP %s in %.2fs",
                    request.method,
                    _path(request),
                    status,
                    wait,
                )
                response.close()
            self.sleep(wait)
            attempt += 1


def _repeatable(request: requests.PreparedRequest) -> bool:
    """Whether sending the request twice is harmless (a 429 is always retried: nothing ran)."""
    marker = request.headers.pop(RETRY_HEADER, None)
    if marker == "once":
        return False
    if marker == "repeatable":
        return True
    method = (request.method or "GET").upper()
    return method in SAFE_METHODS or any(request.headers.get(h) for h in IDEMPOTENCY_HEADERS)


def _maybe_sent(exc: Exception) -> bool:
    """False when the request certainly never reached the server (connect failed)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return False
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return not isinstance(reason, NewConnectionError | ConnectTimeoutError)


def _path(request: requests.PreparedRequest) -> str:
    # Never log query strings: they may carry emails or keys.
    return (request.path_url or "").split("?", 1)[0]


def resilient_session(
    *, user_agent: str = "payverify/0.1", **adapter_options: Any
) -> requests.Session:
    """A `requests.Session` with `ResilientAdapter` mounted for http and https."""
    session = requests.Session()
    adapter = ResilientAdapter(**adapter_options)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers["User-Agent"] = user_agent
    return session


def raise_for_status(service: str, response: requests.Response) -> None:
    """Turn an unsuccessful answer into the one outside-world error type."""
    status = response.status_code
    if status < 400:
        return
    message = f"HTTP {status} on {response.request.method} {_path(response.request)}"
    detail = _error_detail(response)
    if detail:
        message += f": {detail}"
    if status == 404:
        raise NotFound(service, message)
    permanent = status not in (408, 409, 425, 429) and status < 500
    raise ExternalError(
        service,
        message,
        permanent=permanent,
        status=status,
        retry_after=retry_after_seconds(response.headers.get("Retry-After")),
    )


def _error_detail(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    if isinstance(body, dict):
        for key in ("description", "error_description", "message", "error"):
            value = body.get(key)
            if isinstance(value, str):
                return value[:200]
            if isinstance(value, dict) and isinstance(value.get("message"), str):
                return value["message"][:200]
    return ""


def call(service: str, send: Callable[[], requests.Response]) -> requests.Response:
    """Send a request and convert network failures and error answers to `ExternalError`."""
    try:
        response = send()
    except requests.Timeout as exc:
        raise ExternalError(service, f"timed out: {type(exc).__name__}", permanent=False) from exc
    except requests.ConnectionError as exc:
        raise ExternalError(service, "could not connect", permanent=False) from exc
    raise_for_status(service, response)
    return response
