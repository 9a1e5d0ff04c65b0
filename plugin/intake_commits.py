"""How one batch of deliveries is claimed and queued, all or nothing (see `plugin.intake`).

- Redis (REDIS_URL): one Lua script claims each delivery with `SET NX EX` and pushes the new
  jobs onto huey's list, in one round trip, atomically; the SQL store is not touched.
- When huey's SQLite queue lives in the store's SQLite file (the embedded default), the
  claims and the jobs are one transaction on the writer thread's own `sqlite3` connection: a
  batch costs ~0.1 ms of CPU where the store's SQLAlchemy path costs ~0.45 ms, and that CPU
  holds the GIL the web process's event loop needs (docs/BENCHMARKS.md).
- Otherwise the claims go to the store in one transaction, and the jobs into the queue inside
  that transaction, so a queue failure rolls the claims back (should the store's
  commit fail after the queue's, the jobs stay queued and the redelivery queues its run again:
  the run key is the same, so the pipeline's saved steps and run lock keep it to one run).
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from huey.storage import RedisStorage, SqliteStorage

from plugin.intake import Delivery

CLAIM_PREFIX = "payverify.delivery."
CLAIM_TTL_SECONDS = 30 * 24 * 3600  # Zendesk retries for hours; a month covers manual resends
_INSERT_TASK = "INSERT INTO task (queue, data, priority) VALUES (?, ?, 0)"
_CLAIM = (  # the store's own claim statement (connectors.store.repository), for sqlite3
    "INSERT INTO deliveries (key, created_at) SELECT value, ? FROM json_each(?) "
    "WHERE true ON CONFLICT (key) DO NOTHING RETURNING key"
)
_STORED_AT = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy keeps a UTC DateTime in SQLite

# KEYS[1]: huey's queue list; KEYS[2..]: the claim keys; ARGV[1]: their TTL; ARGV[2..]: jobs.
# A script runs atomically but does not roll back on an error, so a failed write undoes the
# claims made so far itself: https://redis.io/docs/latest/develop/interact/programmability/eval-intro/
CLAIM_AND_QUEUE = """
local fresh, jobs, answer = {}, {}, {}
for i = 2, #KEYS do
  local set = redis.pcall('SET', KEYS[i], '1', 'NX', 'EX', ARGV[1])
  if type(set) == 'table' and set.err then
    if #fresh > 0 then redis.call('DEL', unpack(fresh)) end
    return set
  end
  if set then
    fresh[#fresh + 1] = KEYS[i]
    jobs[#jobs + 1] = ARGV[i]
    answer[i - 1] = 1
  else
    answer[i - 1] = 0
  end
end
if #jobs > 0 then
  local pushed = redis.pcall('LPUSH', KEYS[1], unpack(jobs))
  if type(pushed) == 'table' and pushed.err then
    redis.call('DEL', unpack(fresh))
    return pushed
  end
end
return answer
"""


class RedisCommit:
    """Claim with SET NX and queue with LPUSH in one atomic script (huey's RedisStorage)."""

    def __init__(self, storage: Any) -> None:
        self.queue_key = storage.queue_key
        self.script = storage.conn.register_script(CLAIM_AND_QUEUE)

    def __call__(self, items: Sequence[Delivery]) -> list[bool]:
        """One round trip for the whole batch; True per delivery claimed now."""
        keys = [self.queue_key, *(CLAIM_PREFIX + item.key for item in items)]
        answer = self.script(keys=keys, args=[CLAIM_TTL_SECONDS, *(i.job for i in items)])
        return [bool(flag) for flag in answer]


class SqliteCommit:
    """Claims and jobs in one transaction of the SQLite file the store and huey share."""

    def __init__(self, storage: SqliteStorage, busy_timeout: float = 30.0) -> None:
        self.path, self.queue = storage.filename, storage.name
        self.busy_timeout = busy_timeout
        self.turn = WriterTurn(self.path)
        self._connection: sqlite3.Connection | None = None
        self._pid = 0

    def __call__(self, items: Sequence[Delivery]) -> list[bool]:
        """One transaction, synced to disk, for the whole batch; True per delivery claimed now."""
        jobs = _first_jobs(items)
        at = datetime.now(UTC).strftime(_STORED_AT)
        with self.turn:
            connection = self._connect()
            connection.execute("BEGIN IMMEDIATE")
            try:
                claimed = {
                    row[0] for row in connection.execute(_CLAIM, (at, json.dumps(list(jobs))))
                }
                rows = [(self.queue, job) for key, job in jobs.items() if key in claimed]
                if rows:
                    connection.executemany(_INSERT_TASK, rows)
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise
        return _answer(items, claimed)

    def _connect(self) -> sqlite3.Connection:
        # One connection per process, used by its writer thread alone (opened after the fork).
        if self._connection is None or self._pid != os.getpid():
            connection = sqlite3.connect(
                self.path, timeout=self.busy_timeout, isolation_level=None, check_same_thread=False
            )
            connection.execute("PRAGMA journal_mode=WAL")
            # Synced at each commit: a delivery answered 202 survives a power cut, not only a
            # crash (the store's engine runs synchronous=NORMAL for everything else).
            connection.execute("PRAGMA synchronous=FULL")
            self._connection, self._pid = connection, os.getpid()
        return self._connection


class StoreCommit:
    """Claims in the store's transaction, and the jobs in it too when the files are shared."""

    def __init__(self, store: Any, storage: Any) -> None:
        self.store, self.storage = store, storage
        self.shared = shares_file(store, storage)
        self.turn = WriterTurn(storage.filename) if self.shared else None

    def __call__(self, items: Sequence[Delivery]) -> list[bool]:
        """One store transaction for the whole batch; True per delivery claimed now."""
        jobs = _first_jobs(items)

        def queue(connection: Any, claimed: list[str]) -> None:
            if not claimed:
                return
            rows = [(self.storage.name, jobs[key]) for key in claimed]
            if self.shared:
                connection.exec_driver_sql(_INSERT_TASK, rows)
            elif isinstance(self.storage, SqliteStorage):
                with self.storage.db(commit=True) as cursor:
                    cursor.executemany(_INSERT_TASK, rows)
            else:
                for _, job in rows:
                    self.storage.enqueue(job)

        if self.turn is None:
            claimed = set(self.store.claim_deliveries(list(jobs), then=queue))
        else:
            with self.turn:
                claimed = set(self.store.claim_deliveries(list(jobs), then=queue))
        return _answer(items, claimed)


def _first_jobs(items: Sequence[Delivery]) -> dict[str, bytes]:
    jobs: dict[str, bytes] = {}
    for item in items:
        jobs.setdefault(item.key, item.job)
    return jobs


def _answer(items: Sequence[Delivery], claimed: set[str]) -> list[bool]:
    answer = []
    for item in items:  # a key twice in one batch: only its first copy is new
        answer.append(item.key in claimed)
        claimed.discard(item.key)
    return answer


class WriterTurn:
    """An advisory file lock that makes the web processes' writers take turns on SQLite.

    Without it, two processes committing at once meet SQLite's busy handler, which sleeps
    1, 2, 5, 10 ... up to 100 ms between tries (https://www.sqlite.org/c3ref/busy_timeout.html)
    and put whole seconds into the tail; a process blocked on flock is woken the moment the
    other one is done. Per process (the file is opened after gunicorn's fork).
    """

    def __init__(self, database: str) -> None:
        self.path = f"{database}.intake-lock"
        self._file: Any = None
        self._pid = 0

    def __enter__(self) -> None:
        if self._file is None or self._pid != os.getpid():
            self._file, self._pid = open(self.path, "ab"), os.getpid()  # noqa: SIM115
        fcntl.flock(self._file.fileno(), fcntl.LOCK_EX)

    def __exit__(self, *_: object) -> None:
        fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)


def shares_file(store: Any, storage: Any) -> bool:
    """True when huey's SQLite queue is the store's own SQLite file."""
    engine = getattr(store, "engine", None)
    if not isinstance(storage, SqliteStorage) or engine is None:
        return False
    if engine.dialect.name != "sqlite" or not engine.url.database:
        return False
    try:
        return os.path.samefile(storage.filename, engine.url.database)
    except OSError:
        return False


def commit_for(store: Any, storage: Any) -> Any:
    """The batch commit for this store and queue."""
    if isinstance(storage, RedisStorage):
        return RedisCommit(storage)
    if shares_file(store, storage):
        return SqliteCommit(storage)
    return StoreCommit(store, storage)
