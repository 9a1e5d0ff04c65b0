"""One fetch shared by concurrent callers: `invoices()` and `payments()` read one invoice list."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Generic, TypeVar

T = TypeVar("T")


class SharedFetch(Generic[T]):
    """Per key, the first caller fetches; callers within `seconds` get the same answer.

    The assembler asks for invoices and payments concurrently; both need Stripe's
    invoice list (payments link to invoices only through `InvoicePayment`), and the
    per-ticket budget allows one request for it. A failed fetch is not kept.
    """

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.clock = clock
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, Future[T]]] = {}

    def get(self, key: str, fetch: Callable[[], T]) -> T:
        """The fresh answer for `key`, fetched now or by the caller who got there first."""
        now = self.clock()
        with self._lock:
            entry = self._entries.get(key)
            if entry and now - entry[0] < self.seconds:
                return entry[1].result()
            future: Future[T] = Future()
            self._entries[key] = (now, future)
        try:
            value = fetch()
        except BaseException as exc:
            with self._lock:
                if self._entries.get(key, (0, None))[1] is future:
                    del self._entries[key]
            future.set_exception(exc)
            raise
        future.set_result(value)
        return value

    def clear(self) -> None:
        """Forget every answer (after a write changed what they say)."""
        with self._lock:
            self._entries.clear()
