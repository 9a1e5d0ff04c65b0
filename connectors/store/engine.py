"""The store's database engine: URL normalisation, pool settings, SQLite pragmas, JSON encoding."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url

DEFAULT_DATABASE_URL = "sqlite:///var/payverify.sqlite3"
SQLITE_BUSY_TIMEOUT_MS = 30_000
_WRITE = "payverify_write"


def normalize_url(url: str) -> str:
    """Map `postgres://` and `postgresql://` (Heroku, the seed guide) to the psycopg 3 driver."""
    url = url.strip()
    if not url:
        raise ValueError("the database URL is empty")
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps(value: Any) -> str:
    """JSON for the store's JSON columns: Decimal as a string, timestamps in ISO 8601."""
    return json.dumps(value, default=_json_default, ensure_ascii=False, separators=(",", ":"))


def make_engine(url: str) -> sa.Engine:
    """An engine for SQLite (file, WAL, busy timeout) or PostgreSQL (psycopg 3, pre-ping)."""
    parsed = make_url(normalize_url(url))
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed)
    if backend == "postgresql":
        return sa.create_engine(
            parsed,
            json_serializer=dumps,
            pool_pre_ping=True,  # a server restart must not surface as a failed request
            pool_size=5,
            max_overflow=10,
            pool_recycle=1800,
            pool_timeout=10,
            connect_args={"connect_timeout": 10},
        )
    raise ValueError(
        f"unsupported database {backend!r}: DATABASE_URL must be sqlite:///PATH or postgresql://..."
    )


def _sqlite_engine(parsed: sa.URL) -> sa.Engine:
    database = parsed.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(
        parsed,
        json_serializer=dumps,
        # The web process and the worker share one file: wait for the lock, never fail at once.
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
    )

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from pysqlite so writes can BEGIN IMMEDIATE: a deferred
        # transaction that reads then writes fails with SQLITE_BUSY under WAL instead of waiting.
        # https://docs.sqlalchemy.org/en/20/dialects/sqlite.html#serializable-isolation-savepoints-transactional-ddl
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL, much faster than FULL
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        write = connection.get_execution_options().get(_WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


@contextmanager
def writing(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A transaction that intends to write: on SQLite it takes the write lock up front."""
    with engine.connect() as connection:
        connection.execution_options(**{_WRITE: True})
        with connection.begin():
            yield connection


@contextmanager
def reading(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A read-only transaction."""
    with engine.connect() as connection, connection.begin():
        yield connection
