"""Shared fixtures: the real services this machine runs, and the rule that CI never skips them.

PostgreSQL (127.0.0.1:5432, database `test`), Redis (127.0.0.1:6379) and Debian's Chromium
(/usr/bin/chromium) are used for real. On a developer's machine without one of them the
tests that need it are skipped; in CI (`CI=true`) a missing service is a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
# Each pytest-xdist worker gets its own Redis database (15, 14, ...) so flushes never collide.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
_REDIS_DB = 15 - int(_WORKER[2:] or 0) % 8 if _WORKER.startswith("gw") else 15
REDIS_URL = os.environ.get("TEST_REDIS_URL", f"redis://127.0.0.1:6379/{_REDIS_DB}")
CHROMIUM = os.environ.get("TEST_CHROMIUM", "/usr/bin/chromium")
SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"
if not SAMPLES.exists():  # a clone beside shared/ (CI: /tmp/ci/main + /tmp/ci/shared)
    SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "samples"


def missing(what: str) -> None:
    """Skip on a developer's machine, fail in CI: CI never passes by skipping."""
    if IN_CI:
        pytest.fail(f"{what} is required in CI (CI=true) and is not available", pytrace=False)
    pytest.skip(f"{what} not available")


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    """The URL of the real PostgreSQL server (database `test`)."""
    if not _port_open("127.0.0.1", 5432):
        missing("PostgreSQL at 127.0.0.1:5432")
    return POSTGRES_URL


@pytest.fixture
def postgres_url(postgres_server_url: str) -> Iterator[str]:
    """A fresh, empty schema on the real PostgreSQL for one test, dropped afterwards."""
    import sqlalchemy as sa

    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(postgres_server_url)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{postgres_server_url}?options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


@pytest.fixture
def redis_url() -> Iterator[str]:
    """The real Redis (a database of this test worker's own), flushed before and after."""
    if not _port_open("127.0.0.1", 6379):
        missing("Redis at 127.0.0.1:6379")
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield REDIS_URL
    client.flushdb()
    client.close()


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium, never a downloaded browser."""
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        missing(f"Chromium at {CHROMIUM}")
    return CHROMIUM if os.path.exists(CHROMIUM) else str(shutil.which("chromium"))


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    """shared/samples beside the project (the public worked cases)."""
    if not SAMPLES.exists():
        missing(f"shared/samples at {SAMPLES}")
    return SAMPLES
