"""The embedded default's batch: claims and jobs in one transaction of the shared SQLite file.

The store and huey's queue share one SQLite file, so a batch of deliveries is one
transaction on the writer thread's own `sqlite3` connection: the claims into `deliveries`
(the store's own statement), the new jobs into huey's `task` table, synced to disk. Raw
`sqlite3` costs ~0.1 ms of CPU a batch where the store's SQLAlchemy path cost ~0.45 ms, CPU
that holds the GIL the web process's event loop needs (docs/BENCHMARKS.md).

Two things keep the commit short, since the other web processes wait for it:
- `WriterTurn`, an advisory file lock: the processes' writers take turns instead of meeting
  SQLite's busy handler, which sleeps 1, 2, 5, 10 ... up to 100 ms between tries
  (https://www.sqlite.org/c3ref/busy_timeout.html) and put whole seconds into the tail;
- no checkpoint inside the commit: SQLite runs one in the committing connection each time
  the WAL passes 1,000 pages (4 MB, about every second at saturation), copying and syncing
  it under the turn lock. The writer's connection turns that off and `Checkpointer`, a thread
  with its own connection, runs a PASSIVE checkpoint (which never blocks a writer) every
  half second instead (https://www.sqlite.org/wal.html#automatic_checkpoint).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import sqlite3
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from huey.storage import SqliteStorage

from plugin.intake import Delivery, answers, unique_jobs

log = logging.getLogger(__name__)

INSERT_TASK = "INSERT INTO task (queue, data, priority) VALUES (?, ?, 0)"
_CLAIM = (  # the store's own claim statement (connectors.store.repository), for sqlite3
    "INSERT INTO deliveries (key, created_at) SELECT value, ? FROM json_each(?) "
    "WHERE true ON CONFLICT (key) DO NOTHING RETURNING key"
)
_STORED_AT = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy keeps a UTC DateTime in SQLite
CHECKPOINT_EVERY_SECONDS = 0.5


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
            connection.execute("PRAGMA wal_autocheckpoint=0")  # Checkpointer's job
            self._connection, self._pid = connection, os.getpid()
            Checkpointer(self.path, self.busy_timeout).start()
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


class Checkpointer(threading.Thread):
    """Copies the WAL back into the database file every half second, off the commit path.

    PASSIVE: it copies what no reader still needs and never waits for, or blocks, a writer;
    the next writer then starts the WAL over from its beginning. One per web process (the
    worker's own commits also checkpoint, as SQLite does by default).
    """

    def __init__(self, path: str, busy_timeout: float) -> None:
        super().__init__(name="payverify-checkpoint", daemon=True)
        self.path, self.busy_timeout = path, busy_timeout

    def run(self) -> None:
        """Checkpoint until the process ends; a failure is logged and tried again later."""
        connection = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None)
        stop = threading.Event()  # never set: the thread lives as long as its process
        while not stop.wait(CHECKPOINT_EVERY_SECONDS):
            try:
                connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            except sqlite3.Error as exc:
                log.warning("WAL checkpoint of %s failed: %s", self.path, exc)
