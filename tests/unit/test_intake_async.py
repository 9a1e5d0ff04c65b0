"""The group commit (`plugin.intake.GroupCommit`) and its SQLite commit, without the web app.

Covered: `submit_async` answers True/False as the commit does; concurrent coroutines share
one batch; a commit slower than `timeout` raises QueueUnavailable and its late completion
leaves the writer working (whether the waiting loop is still open or already closed); a
failing commit raises QueueUnavailable in every waiter; `submit` (threads) and
`submit_async` (coroutines) mixed in one batch are both answered. Then `SqliteCommit` on a
real store file with huey's queue in it: claims and jobs are committed together, a repeat
(earlier or in the same batch) queues nothing, the `created_at` it writes reads back as an
aware UTC datetime that `SqlStore.prune` compares correctly, and a failure inside the
transaction keeps no claim.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from connectors.store import SqlStore, create_store
from connectors.store.tables import deliveries
from plugin import intake_commits, intake_sqlite
from plugin.intake import Delivery, GroupCommit, QueueUnavailable
from plugin.intake_sqlite import SqliteCommit
from plugin.queue_storage import make_huey
from plugin.settings import Settings


def _wait_until(predicate: Callable[[], bool], seconds: float = 5.0) -> bool:
    """Poll `predicate` every millisecond until it holds (True) or `seconds` pass (False)."""
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.001)
    return True


class FakeCommit:
    """A commit function: records each batch's keys; a key seen before is a repeat.

    `hold` (set by default) is waited on before each batch is answered; `fail` makes the
    next batch raise.
    """

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.seen: set[str] = set()
        self.hold = threading.Event()
        self.hold.set()
        self.entered = threading.Event()  # set when a batch has reached the commit
        self.fail: Exception | None = None

    def __call__(self, items: Sequence[Delivery]) -> list[bool]:
        self.entered.set()
        assert self.hold.wait(5), "the test never released the commit"
        self.batches.append([item.key for item in items])
        if self.fail is not None:
            raise self.fail
        answer = []
        for item in items:
            answer.append(item.key not in self.seen)
            self.seen.add(item.key)
        return answer


def _delivery(key: str) -> Delivery:
    return Delivery(key, f"job for {key}".encode())


def _pending(intake: GroupCommit) -> int:
    """Deliveries handed in and not yet taken by the writer."""
    return len(intake._open.items)


# ---------------------------------------------------------------- GroupCommit


def test_submit_async_answers_as_the_commit_does() -> None:
    """True for a new delivery, False for its repeat."""
    commit = FakeCommit()
    intake = GroupCommit(commit)

    async def run() -> list[bool]:
        return [await intake.submit_async(_delivery(key)) for key in ("a", "b", "a")]

    assert asyncio.run(run()) == [True, True, False]
    assert commit.batches == [["a"], ["b"], ["a"]]


def test_concurrent_coroutines_share_one_batch() -> None:
    """Coroutines waiting while a commit runs are committed together in the next one."""
    commit = FakeCommit()
    commit.hold.clear()
    intake = GroupCommit(commit)

    async def run() -> list[bool]:
        lead = asyncio.ensure_future(intake.submit_async(_delivery("lead")))
        await asyncio.to_thread(commit.entered.wait, 5)  # the writer holds the lead's batch
        keys = [f"k{i}" for i in range(30)] + ["k0"]
        rest = [asyncio.ensure_future(intake.submit_async(_delivery(k))) for k in keys]
        await asyncio.sleep(0)  # each has handed its delivery in
        assert _pending(intake) == len(keys)
        commit.hold.set()
        return [await lead, *await asyncio.gather(*rest)]

    answers = asyncio.run(run())
    assert commit.batches == [["lead"], [*(f"k{i}" for i in range(30)), "k0"]]
    assert answers == [True] * 31 + [False]  # k0's second copy is a repeat in its batch


@pytest.mark.parametrize("loop_closed_first", [False, True], ids=["loop-open", "loop-closed"])
def test_a_commit_slower_than_timeout_raises_and_the_writer_carries_on(
    loop_closed_first: bool, caplog: pytest.LogCaptureFixture
) -> None:
    """QueueUnavailable after `timeout`; the late batch lands quietly, later ones work."""
    commit = FakeCommit()
    commit.hold.clear()
    intake = GroupCommit(commit)

    async def too_slow() -> None:
        started = time.monotonic()
        with pytest.raises(QueueUnavailable, match="in time"):
            await intake.submit_async(_delivery("slow"), timeout=0.05)
        assert time.monotonic() - started < 2

    async def slow_then_next() -> bool:
        await too_slow()
        commit.hold.set()  # the slow batch completes now, its waiter long gone
        return await intake.submit_async(_delivery("next"))

    if loop_closed_first:
        asyncio.run(too_slow())  # its loop is closed when the writer answers it
        commit.hold.set()
        assert _wait_until(lambda: commit.batches == [["slow"]])
        assert asyncio.run(intake.submit_async(_delivery("next"), timeout=5)) is True
        assert "event loop closed" in caplog.text  # the writer noticed, and carried on
    else:
        assert asyncio.run(slow_then_next()) is True
    assert commit.batches == [["slow"], ["next"]]
    assert intake._writer is not None and intake._writer.is_alive()
    assert intake.submit(_delivery("slow"), timeout=5) is False  # it was committed after all


def test_a_failing_commit_raises_in_every_waiter() -> None:
    """Every coroutine of the failed batch hears QueueUnavailable, with the cause."""
    commit = FakeCommit()
    commit.fail = RuntimeError("disk full")
    intake = GroupCommit(commit)

    async def run() -> list[Any]:
        keys = [f"k{i}" for i in range(10)]
        return await asyncio.gather(
            *(intake.submit_async(_delivery(k)) for k in keys), return_exceptions=True
        )

    answers = asyncio.run(run())
    assert len(answers) == 10
    assert all(isinstance(a, QueueUnavailable) and "disk full" in str(a) for a in answers)
    assert sum(len(batch) for batch in commit.batches) == 10
    commit.fail = None
    assert asyncio.run(intake.submit_async(_delivery("k0"))) is True  # nothing was kept


def test_a_commit_answering_the_wrong_count_fails_its_batch() -> None:
    """A commit that answers for fewer items than it was given is a failure, not a guess."""
    intake = GroupCommit(lambda items: [True] * (len(items) - 1))
    with pytest.raises(QueueUnavailable, match="answered 0 of 1"):
        asyncio.run(intake.submit_async(_delivery("a")))


def test_threads_and_coroutines_share_a_batch() -> None:
    """`submit` from threads and `submit_async` from coroutines: one commit, all answered."""
    commit = FakeCommit()
    commit.hold.clear()
    intake = GroupCommit(commit)
    lead = threading.Thread(target=intake.submit, args=(_delivery("lead"),))
    lead.start()
    assert commit.entered.wait(5)
    answers: dict[str, Any] = {}

    def in_thread(key: str) -> None:
        answers[f"thread {key}"] = intake.submit(_delivery(key), timeout=5)

    async def run() -> None:
        shared = asyncio.ensure_future(intake.submit_async(_delivery("shared"), timeout=5))
        own = asyncio.ensure_future(intake.submit_async(_delivery("coroutine"), timeout=5))
        await asyncio.sleep(0)  # both handed in before the threads start
        assert _pending(intake) == 2
        threads = [threading.Thread(target=in_thread, args=(k,)) for k in ("thread", "shared")]
        for thread in threads:
            thread.start()
        assert await asyncio.to_thread(_wait_until, lambda: _pending(intake) == 4)
        commit.hold.set()
        answers["coroutine shared"], answers["coroutine"] = await shared, await own
        for thread in threads:
            await asyncio.to_thread(thread.join, 5)

    asyncio.run(run())
    lead.join(5)
    assert commit.batches[0] == ["lead"]
    assert sorted(commit.batches[1]) == ["coroutine", "shared", "shared", "thread"]
    assert len(commit.batches) == 2
    assert answers == {
        "coroutine shared": True,
        "coroutine": True,
        "thread thread": True,
        "thread shared": False,  # the coroutine's copy joined the batch first
    }


# ---------------------------------------------------------------- SqliteCommit


@dataclass
class SqliteQueue:
    """The store's SQLite file with huey's queue in it, and the batch commit over both."""

    store: SqlStore
    huey: Any
    commit: SqliteCommit
    echo: Any  # a huey task, so that a queued job reads back as the key it was queued for

    def delivery(self, key: str) -> Delivery:
        """A delivery whose job is a real serialized huey task carrying its key."""
        return Delivery(key, self.huey.serialize_task(self.echo.s(key)))

    def claims(self) -> dict[str, datetime]:
        """The claimed keys with their created_at, as the store reads them."""
        with self.store.engine.connect() as connection:
            rows = connection.execute(sa.select(deliveries.c.key, deliveries.c.created_at))
            return {row.key: row.created_at for row in rows}

    def queued(self) -> list[str]:
        """Take every queued job off the queue; the keys they carry."""
        keys = []
        while (task := self.huey.dequeue()) is not None:
            keys.append(task.args[0])
        return keys


@pytest.fixture
def queue(tmp_path: Path) -> Iterator[SqliteQueue]:
    url = f"sqlite:///{tmp_path}/s.sqlite3"
    store = create_store(url)
    huey = make_huey(Settings(database_url=url, redis_url=None))
    assert Path(huey.storage.filename).samefile(tmp_path / "s.sqlite3")
    commit = intake_commits.commit_for(store, huey.storage)
    assert isinstance(commit, SqliteCommit)
    yield SqliteQueue(store, huey, commit, huey.task(name="echo")(lambda key: key))
    if commit._connection is not None:
        commit._connection.close()
    store.engine.dispose()


def test_sqlite_commit_claims_and_queues_together(queue: SqliteQueue) -> None:
    """New deliveries are claimed and queued; a repeat, later or in the same batch, is not."""
    assert queue.commit([queue.delivery("a"), queue.delivery("b")]) == [True, True]
    assert set(queue.claims()) == {"a", "b"}
    assert queue.commit([queue.delivery("a")]) == [False]
    assert queue.huey.pending_count() == 2
    twice = [queue.delivery("c"), Delivery("c", b"not a task"), queue.delivery("d")]
    assert queue.commit(twice) == [True, False, True]
    assert set(queue.claims()) == {"a", "b", "c", "d"}
    assert sorted(queue.queued()) == ["a", "b", "c", "d"]  # c's first job only


def test_sqlite_commit_writes_a_created_at_the_store_reads_and_prunes(
    queue: SqliteQueue, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The claim's time reads back aware UTC, and pruning by it keeps what is recent."""
    now = datetime.now(UTC)
    queue.commit([queue.delivery("new")])
    stamped = queue.claims()["new"]
    assert stamped.tzinfo is not None and stamped.utcoffset() == timedelta(0)
    assert timedelta(0) <= stamped - now < timedelta(seconds=5)

    class LongAgo(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
            return now - timedelta(days=40)

    monkeypatch.setattr(intake_sqlite, "datetime", LongAgo)
    queue.commit([queue.delivery("old")])
    assert queue.claims()["old"] == now - timedelta(days=40)
    assert queue.store.prune(now - timedelta(days=30)) == 1
    assert set(queue.claims()) == {"new"}
    assert queue.store.prune(now - timedelta(minutes=1)) == 0  # "new" is not older than that
    assert queue.store.prune(now + timedelta(minutes=1)) == 1


def test_a_failure_inside_the_transaction_keeps_no_claim(queue: SqliteQueue) -> None:
    """The jobs' table is gone: the claims made in the same transaction are rolled back."""
    assert queue.commit([queue.delivery("before")]) == [True]
    with queue.store.engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE task"))
    with pytest.raises(sqlite3.OperationalError, match="task"):
        queue.commit([queue.delivery("x"), queue.delivery("y")])
    assert set(queue.claims()) == {"before"}
    assert queue.commit._connection is not None
    assert not queue.commit._connection.in_transaction
    queue.huey.storage.initialize_schema()  # the queue is back: the redelivery is new
    assert queue.commit([queue.delivery("x"), queue.delivery("y")]) == [True, True]
    assert sorted(queue.queued()) == ["x", "y"]


def test_group_commit_over_sqlite_from_two_loops(queue: SqliteQueue) -> None:
    """Coroutines of two event loops (two threads) through one GroupCommit on one file."""
    intake = GroupCommit(queue.commit)
    barrier = threading.Barrier(2)
    answers: dict[int, list[bool]] = {}

    async def deliver(side: int) -> list[bool]:
        keys = [f"{side}-{i}" for i in range(10)] + [f"{side}-0"]
        return list(await asyncio.gather(*(intake.submit_async(queue.delivery(k)) for k in keys)))

    def run(side: int) -> None:
        barrier.wait(5)
        answers[side] = asyncio.run(deliver(side))

    threads = [threading.Thread(target=run, args=(side,)) for side in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert answers == {side: [True] * 10 + [False] for side in (1, 2)}
    assert len(queue.claims()) == 20 and queue.huey.pending_count() == 20
