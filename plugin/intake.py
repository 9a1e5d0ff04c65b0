"""Group commit for webhook deliveries: one durable write claims and queues many at once.

Each accepted delivery needs its claim (so a repeat is recognised) and its job to be durable
before the helpdesk gets 202. Written one request at a time, those writes are most of the
webhook's cost (docs/BENCHMARKS.md). Here request threads hand their delivery to one writer
thread per process, which commits everything handed in while its previous commit ran, in one
transaction (or one Redis script), then wakes the waiting threads: the more requests arrive
at once, the more each commit carries, and an idle server adds no wait at all.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

MAX_BATCH = 500
# A request gives up after this (503: the helpdesk delivers again). Should its batch commit
# later all the same, the redelivery is answered as a duplicate and the run happens once.
WAIT_SECONDS = 10.0


@dataclass(frozen=True)
class Delivery:
    """A webhook delivery to claim, with the serialized job that runs it."""

    key: str
    job: bytes


Commit = Callable[[Sequence[Delivery]], Sequence[bool]]


class QueueUnavailable(Exception):
    """The batch holding this delivery was not committed: nothing of it was kept.

    Or not in time (`WAIT_SECONDS`): then the batch may still commit later, and the helpdesk's
    redelivery is answered as a duplicate, its run made once.
    """


@dataclass
class _Batch:
    items: list[Delivery] = field(default_factory=list)
    waiters: list[Any] = field(default_factory=list)  # one held lock per thread, released
    futures: dict[Any, list[Any]] = field(default_factory=dict)  # per event loop, resolved
    claimed: Sequence[bool] = ()
    error: BaseException | None = None


class GroupCommit:
    """Claims and queues deliveries through `commit`, many per call, from a writer thread.

    `commit(items)` must be all or nothing: it returns, per item, True when this call claimed
    the delivery and queued its job, False when the delivery was claimed before (a repeat, in
    this batch or earlier); when it raises, no claim and no job of the batch may remain.

    The hand-offs use bare locks: each request waits on its own held lock, which the writer
    releases once the batch is durable, so a woken request contends for nothing (an Event per
    batch wakes all its waiters onto one Condition's lock, one after the other); the writer
    sleeps on `_wake` only when it finds nothing to write, and one request releases it.
    """

    def __init__(self, commit: Commit, *, max_batch: int = MAX_BATCH) -> None:
        self._commit = commit
        self._max_batch = max_batch
        self._lock = threading.Lock()
        self._wake = threading.Lock()
        self._wake.acquire()  # held while the writer runs; released to wake it when idle
        self._idle = False
        self._open = _Batch()
        self._sealed: deque[_Batch] = deque()  # full batches waiting for the writer
        self._writer: threading.Thread | None = None
        self._pid = 0

    def submit(self, delivery: Delivery, timeout: float = WAIT_SECONDS) -> bool:
        """Wait until the delivery is durable; True when it is new, False for a repeat."""
        waiter = threading.Lock()
        waiter.acquire()
        batch, index = self._join(delivery, waiter=waiter)
        if not waiter.acquire(timeout=timeout):
            raise QueueUnavailable("the queue did not answer in time")
        return _outcome(batch, index)

    async def submit_async(self, delivery: Delivery, timeout: float = WAIT_SECONDS) -> bool:
        """`submit` for a coroutine: it awaits its batch without holding a thread."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        batch, index = self._join(delivery, future=(loop, future))
        expiry = loop.call_later(timeout, _expire, future)  # cheaper than asyncio.wait_for
        try:
            await future
        finally:
            expiry.cancel()
        return _outcome(batch, index)

    def _join(
        self, delivery: Delivery, *, waiter: Any = None, future: tuple[Any, Any] | None = None
    ) -> tuple[_Batch, int]:
        with self._lock:
            self._start_writer()
            batch = self._open
            index = len(batch.items)
            batch.items.append(delivery)
            if future is None:
                batch.waiters.append(waiter)
            else:
                batch.futures.setdefault(future[0], []).append(future[1])
            if index + 1 >= self._max_batch:  # full: later arrivals start the next one
                self._sealed.append(batch)
                self._open = _Batch()
            if self._idle:
                self._idle = False
                self._wake.release()
        return batch, index

    def _start_writer(self) -> None:
        # gunicorn forks its workers: a writer thread started before the fork is not in the
        # child, so each process starts its own on first use.
        if self._writer is not None and self._pid == os.getpid() and self._writer.is_alive():
            return
        self._pid = os.getpid()
        self._writer = threading.Thread(target=self._write, name="payverify-intake", daemon=True)
        self._writer.start()

    def _next_batch(self) -> _Batch:
        while True:
            with self._lock:
                if self._sealed:
                    return self._sealed.popleft()
                if self._open.items:
                    batch, self._open = self._open, _Batch()
                    return batch
                self._idle = True
            self._wake.acquire()  # until a request hands something in

    def _write(self) -> None:
        while True:
            batch = self._next_batch()
            try:
                claimed = list(self._commit(batch.items))
                if len(claimed) != len(batch.items):
                    raise RuntimeError(f"commit answered {len(claimed)} of {len(batch.items)}")
                batch.claimed = claimed
            except Exception as exc:  # noqa: BLE001 - every waiting request must hear of it
                log.error("could not queue %d deliveries: %s", len(batch.items), exc)
                batch.error = exc
            for waiter in batch.waiters:
                waiter.release()
            for loop, futures in batch.futures.items():
                try:
                    loop.call_soon_threadsafe(_resolve, futures)
                except RuntimeError:  # that loop is closed: its requests are gone
                    log.warning("%d deliveries' event loop closed before they were answered",
                                len(futures))  # fmt: skip


def _outcome(batch: _Batch, index: int) -> bool:
    if batch.error is not None:
        raise QueueUnavailable(str(batch.error)) from batch.error
    return bool(batch.claimed[index])


def _expire(future: Any) -> None:
    if not future.done():
        future.set_exception(QueueUnavailable("the queue did not answer in time"))


def _resolve(futures: list[Any]) -> None:
    for future in futures:
        if not future.done():  # one that timed out, or was cancelled, is done already
            future.set_result(None)


def unique_jobs(items: Sequence[Delivery]) -> dict[str, bytes]:
    """Each key's job, from its first copy in the batch (a key twice is one delivery)."""
    jobs: dict[str, bytes] = {}
    for item in items:
        jobs.setdefault(item.key, item.job)
    return jobs


def answers(items: Sequence[Delivery], claimed: set[str]) -> list[bool]:
    """Per item, True when its key was claimed now; a key twice: only its first copy is new."""
    answer = []
    for item in items:
        answer.append(item.key in claimed)
        claimed.discard(item.key)
    return answer
