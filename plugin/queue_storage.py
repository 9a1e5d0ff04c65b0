"""Where the huey queue lives: Redis with REDIS_URL, else SQLite in the store's own file."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any

from huey import RedisHuey, SqliteHuey
from huey.api import Huey
from huey.storage import SqliteStorage

log = logging.getLogger(__name__)


def queue_path(database_url: str | None) -> Path:
    """The SQLite queue's file: the SQLite store's own (or ./var for another database).

    Sharing the store's file lets a webhook's claim and its job commit in one transaction
    (`plugin.intake_commits`); huey's tables (task, schedule, kv, counter) sit beside the
    store's. Earlier versions kept a `.queue.sqlite3` file beside it: see `adopt_old_queue`.
    """
    url = database_url or "sqlite:///var/payverify.sqlite3"
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        return Path(url.removeprefix("sqlite:///").split("?", 1)[0])
    return Path("var") / "payverify.queue.sqlite3"


def adopt_old_queue(storage: Any, store_file: Path) -> int:
    """Move the jobs left in an earlier version's `.queue.sqlite3` file into the queue; how many.

    Rows are copied then deleted: a crash in between queues a job twice under the same run
    key, which the pipeline's saved steps and run lock keep to one run.
    """
    old = store_file.with_name(store_file.stem + ".queue.sqlite3")
    if not old.exists() or not isinstance(storage, SqliteStorage):
        return 0
    source = sqlite3.connect(old, timeout=30, isolation_level=None)
    try:
        source.execute("BEGIN IMMEDIATE")
        tasks = source.execute("SELECT queue, data, priority FROM task").fetchall()
        later = source.execute("SELECT queue, data, timestamp FROM schedule").fetchall()
        with storage.db(commit=True) as cursor:
            cursor.executemany("INSERT INTO task (queue, data, priority) VALUES (?, ?, ?)", tasks)
            cursor.executemany(
                "INSERT INTO schedule (queue, data, timestamp) VALUES (?, ?, ?)", later
            )
        source.execute("DELETE FROM task")
        source.execute("DELETE FROM schedule")
        source.execute("COMMIT")
    except sqlite3.OperationalError as exc:  # not a huey queue file after all
        log.warning("could not read the old queue file %s: %s", old, exc)
        return 0
    finally:
        source.close()
    if tasks or later:
        log.warning("moved %d queued jobs from %s", len(tasks) + len(later), old)
    return len(tasks) + len(later)


def make_huey(settings: Any) -> Huey:
    """RedisHuey with REDIS_URL, else SqliteHuey beside the store."""
    from plugin.web.auth import secret_value

    redis_url = secret_value(settings, "redis_url")
    if redis_url:
        return RedisHuey("payverify", url=redis_url, utc=True)
    store_url = settings.store_url() if hasattr(settings, "store_url") else None
    path = queue_path(store_url)
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("payverify", filename=str(path), utc=True, timeout=30)
