"""A worker killed mid-job (SIGKILL right after the note) loses nothing and doubles nothing.

A signed webhook queues the ticket; a worker whose pipeline pauses after step 6 (note) takes
it and is killed with SIGKILL while paused; a real `payverify worker --lease 2` started after
the lease ran out resumes the run: the ticket ends with exactly one note, one reply, one
credit (in the billing ledger and in the store's credit ledger) and one follow-up. On SQLite
(embedded queue) and on PostgreSQL + Redis. Every process is killed at the end.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.e2e.backend_support import SECRET, load_case, signed_headers

ROOT = Path(__file__).resolve().parents[2]
LEASE = 2
CASE = "en_vip_customer_no_date_not_found"  # a VIP not-found claim: it earns a credit
WAIT_SECONDS = 60


class Processes:
    """Child processes of one test, each with its log; all killed at the end."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs, self.started = env, logs, []

    def start(self, name: str, *argv: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("wb")
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and modules
            [sys.executable, "-m", *argv], cwd=ROOT, env=self.env, stdout=log, stderr=log
        )
        self.started.append((process, log))
        return process

    def output(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in self.logs.glob("*.log"))

    def kill_all(self) -> None:
        for process, log in self.started:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=10)
            log.close()


def wait_for(what: str, check: Callable[[], Any], processes: Processes) -> Any:
    """Poll `check` until it is truthy, for at most WAIT_SECONDS; fail with the logs if not."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}\n{processes.output()}")


@pytest.fixture(params=["sqlite", "postgres+redis"])
def deployment(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """The settings of one install: SQLite with its embedded queue, or PostgreSQL + Redis."""
    env = {
        "PAYVERIFY_HELPDESK": "demo",
        "PAYVERIFY_BILLING": "demo",
        "PAYVERIFY_MODE": "auto",
        "ZENDESK_WEBHOOK_SECRET": SECRET,
        "PAYVERIFY_API_TOKEN": "crash-test-api-token",
    }
    if request.param == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{tmp_path}/store.sqlite3"
    else:
        env["DATABASE_URL"] = request.getfixturevalue("postgres_url")
        env["REDIS_URL"] = request.getfixturevalue("redis_url")
    yield env


def _seed(database_url: str) -> str:
    from connectors.demo_helpdesk import DemoHelpdesk
    from connectors.sql_ledger import SqlLedger
    from connectors.sql_ledger.seed import seed_ledger_from_case
    from connectors.store import create_store

    case = load_case(CASE)
    store = create_store(database_url)
    DemoHelpdesk(store.engine).add_ticket(case.ticket)
    seed_ledger_from_case(SqlLedger(store.engine, create_schema=True), case)
    store.engine.dispose()
    return str(case.ticket.id)


def _counts(engine: sa.Engine, ticket_id: str) -> dict[str, int]:
    """Notes, replies, billing credits, credit-ledger lines and follow-ups of the ticket."""
    queries = {
        "note": "SELECT count(*) FROM demo_comments WHERE ticket_id = :t AND kind = 'note'",
        "reply": "SELECT count(*) FROM demo_comments WHERE ticket_id = :t AND kind = 'reply'",
        "billing_credit": "SELECT count(*) FROM ledger_credits WHERE kind = 'credit'",
        "ledger_applied": "SELECT count(*) FROM credits WHERE ticket_id = :t AND state = 'applied'",
        "ledger_lines": "SELECT count(*) FROM credits WHERE ticket_id = :t",
        "follow_up": "SELECT count(*) FROM follow_ups WHERE ticket_id = :t",
    }
    with engine.connect() as conn:
        return {
            k: conn.execute(sa.text(q), {"t": ticket_id}).scalar_one() for k, q in queries.items()
        }


def test_killed_worker_loses_nothing_and_doubles_nothing(
    deployment: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from plugin.bootstrap import bootstrap
    from plugin.settings import Settings
    from plugin.web import create_app

    ticket_id = _seed(deployment["DATABASE_URL"])
    for name, value in deployment.items():
        monkeypatch.setenv(name, value)
    if "REDIS_URL" not in deployment:
        monkeypatch.delenv("REDIS_URL", raising=False)
    settings = Settings()
    app = create_app(bootstrap(settings), settings)
    engine = sa.create_engine(deployment["DATABASE_URL"])
    inherited = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "POSTGRES_URL")}
    processes = Processes(inherited | deployment, tmp_path)
    marker = tmp_path / "paused"
    try:
        paused = processes.start(
            "pausing", "tests.e2e.pausing_worker", "note", str(marker), str(LEASE)
        )
        body = f'{{"ticket_id": "{ticket_id}"}}'.encode()
        answer = app.test_client().post(
            "/triggers/zendesk", data=body, headers=signed_headers(body),
            content_type="application/json",
        )  # fmt: skip
        assert answer.status_code == 202, answer.get_data(as_text=True)
        wait_for("the worker to pause after the note", marker.exists, processes)
        before = _counts(engine, ticket_id)
        assert (before["note"], before["reply"], before["follow_up"]) == (1, 0, 0)
        assert before["billing_credit"] == before["ledger_applied"] == 1

        os.kill(paused.pid, signal.SIGKILL)
        assert paused.wait(timeout=10) == -signal.SIGKILL
        # The next worker retakes the run once its lease (renewed at each step) has run out.
        time.sleep(max(0.0, marker.stat().st_mtime + LEASE + 0.5 - time.time()))
        processes.start("worker", "plugin.cli", "worker", "--workers", "2", "--lease", str(LEASE))
        wait_for("the reply", lambda: _counts(engine, ticket_id)["follow_up"], processes)
        jobs = app.extensions["payverify.jobs"]
        wait_for("the run to leave the journal", lambda: not jobs.in_flight(), processes)
        time.sleep(1.5)  # a duplicate run still in flight would show up now
        after = _counts(engine, ticket_id)
    finally:
        processes.kill_all()
        engine.dispose()
    assert after == {
        "note": 1,
        "reply": 1,
        "billing_credit": 1,
        "ledger_applied": 1,
        "ledger_lines": 1,
        "follow_up": 1,
    }, processes.output()
