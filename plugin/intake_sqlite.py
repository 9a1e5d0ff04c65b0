"""The embedded default's batch: claims and jobs in one transaction of the shared SQLite file.

The store and huey's queue share one SQLite file, so a batch of deliveries is one
transaction on the writer thread's own `sqlite3` connection: the claims into `deliveries`
(the store's own statement), the new jobs into huey's `task` table, synced to disk. Raw
`sqlite3` costs ~0.1 ms of CPU a batch where the store's SQLAlchemy path cost ~0.45 ms, CPU
that holds the GIL the web process's event loop needs (docs/BENCHMARKS.md).

The web processes' writers take turns with `WriterTurn`, an advisory file lock, instead of
meeting SQLite's busy handler, which sleeps 1, 2, 5, 10 ... up to 100 ms between tries
(https://www.sqlite.org/c3ref/busy_timeout.html) and put whole seconds into the tail.

SQLite's own checkpoint runs inside a commit each time the WAL passes `wal_autocheckpoint`
pages, copying them into the database file and syncing it: at its default of 1,000 pages
(about once a second at saturation) that commit took 5-15 ms, under the turn lock. The
writer's connection checkpoints every 250 pages instead: four times as often, each a quarter
of the work, so a batch of 50 commits in p99 3.6 ms instead of 5.3-5.8 (p99.9 4.6 instead of
11-12) at the same mean. Handing checkpoints to a thread of PASSIVE checkpoints took them out
of the commit altogether, but under sustained writes such a checkpoint never catches up with
the writer, so the WAL is never started over: it grew to 1 GB in 15 s (docs/BENCHMARKS.md).
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from huey.storage import SqliteStorage

from plugin.intake import Delivery, answers, unique_jobs

INSERT_TASK = "INSERT INTO task (queue, data, priority) VALUES (?, ?, 0)"
_CLAIM = (  # the store's own claim statement (connectors.store.repository), for sqlite3
    "INSERT INTO deliveries (key, created_at) SELECT value, ? FROM json_each(?) "
    "WHERE true ON CONFLICT (key) DO NOTHING RETURNING key"
)
_STORED_AT = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy keeps a UTC DateTime in SQLite
CHECKPOINT_PAGES = 250  # SQLite's default is 1,000: see the module's docstring


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
        jobs = unique_jobs(items)
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
                    connection.executemany(INSERT_TASK, rows)
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise
        return answers(items, claimed)

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
            connection.execute(f"PRAGMA wal_autocheckpoint={CHECKPOINT_PAGES}")
            self._connection, self._pid = connection, os.getpid()
        return self._connection


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
