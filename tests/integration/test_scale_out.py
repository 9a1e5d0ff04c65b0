"""Scale-out: 2 web processes and 3 workers on PostgreSQL + Redis process each ticket once.

500 signed Zendesk deliveries for 400 tickets (a quarter of them repeated, the repeat sent
to the other web process, as Zendesk redelivers), concurrently; then every ticket has one
note, one reply and at most one credit per invoice, and none is missed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
SECRET = "scale-out-webhook-secret"
TICKETS = 400
DUPLICATES = 100
DRAIN_SECONDS = 100


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _case(samples_dir: Path, index: int) -> dict:
    """A not-found VIP case made unique per ticket (ids, email), so it earns a credit."""
    case = json.loads((samples_dir / "cases" / "es_vip_recent_transfer_not_found.json").read_text())
    suffix = f"{index:04d}"
    case["ticket"]["id"] = f"90{suffix}"
    case["ticket"]["requester"]["email"] = f"cliente{suffix}@example.com"
    case.setdefault("customer", {})["id"] = f"cus_scale_{suffix}"
    case["customer"]["email"] = case["ticket"]["requester"]["email"]
    for invoice in case["billing"]["invoices"]:
        invoice["id"] = f"{invoice['id']}_{suffix}"
        invoice["number"] = f"{invoice.get('number') or 'INV'}-{suffix}"  # numbers are unique
    for payment in case["billing"]["payments"]:
        payment["id"] = f"{payment['id']}_{suffix}"
        if payment.get("invoice"):
            payment["invoice"] = f"{payment['invoice']}_{suffix}"
    return case


def _seed(database_url: str, samples_dir: Path) -> list[str]:
    from connectors.demo_helpdesk import DemoHelpdesk
    from connectors.sql_ledger import SqlLedger
    from connectors.sql_ledger.seed import seed_ledger_from_case
    from connectors.store import create_store
    from core.models import Case

    store = create_store(database_url)
    helpdesk = DemoHelpdesk(store.engine)
    ledger = SqlLedger(store.engine, create_schema=True)
    ids = []
    for index in range(TICKETS):
        case = Case.model_validate(_case(samples_dir, index))
        helpdesk.add_ticket(case.ticket)
        seed_ledger_from_case(ledger, case)
        ids.append(str(case.ticket.id))
    store.engine.dispose()
    return ids


@pytest.fixture
def cluster(postgres_url: str, redis_url: str, tmp_path: Path) -> Iterator[list[str]]:
    """Two `payverify serve` and three `payverify worker` processes; always killed at the end."""
    env = os.environ | {
        "PAYVERIFY_HELPDESK": "demo",
        "PAYVERIFY_BILLING": "demo",
        "PAYVERIFY_MODE": "auto",
        "DATABASE_URL": postgres_url,
        "REDIS_URL": redis_url,
        "ZENDESK_WEBHOOK_SECRET": SECRET,
        "PAYVERIFY_API_TOKEN": "scale-out-api-token",
    }
    command = [sys.executable, "-m", "plugin.cli"]
    ports = [_free_port(), _free_port()]
    processes: list[subprocess.Popen[bytes]] = []
    logs = []
    try:
        for index, port in enumerate(ports):
            log = (tmp_path / f"web{index}.log").open("wb")
            logs.append(log)
            processes.append(subprocess.Popen(  # noqa: S603 - our own CLI
                [*command, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2",
                 "--threads", "8", "--no-worker"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))  # fmt: skip
        for index in range(3):
            log = (tmp_path / f"worker{index}.log").open("wb")
            logs.append(log)
            processes.append(subprocess.Popen(  # noqa: S603
                [*command, "worker", "--workers", "4"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))  # fmt: skip
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        deadline = time.monotonic() + 60
        for url in urls:
            while True:
                try:
                    if requests.get(f"{url}/health", timeout=5).status_code == 200:
                        break
                except requests.RequestException:  # not listening yet, or still starting
                    pass
                crashed = [p.args for p in processes if p.poll() is not None]
                if crashed or time.monotonic() > deadline:
                    output = "\n".join(p.read_text()[-2000:] for p in tmp_path.glob("*.log"))
                    pytest.fail(f"cluster did not start ({crashed}):\n{output}")
                time.sleep(0.3)
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for log in logs:
            log.close()


def _deliver(url: str, ticket_id: str, invocation: str) -> int:
    body = json.dumps({"ticket_id": ticket_id, "requester_email": None}).encode()
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    digest = hmac.new(SECRET.encode(), stamp.encode() + body, hashlib.sha256).digest()
    response = requests.post(
        f"{url}/triggers/zendesk",
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-Zendesk-Webhook-Signature": base64.b64encode(digest).decode(),
            "X-Zendesk-Webhook-Signature-Timestamp": stamp,
            "X-Zendesk-Webhook-Invocation-Id": invocation,
        },
        timeout=15,
    )
    return response.status_code


def test_every_ticket_is_processed_exactly_once(
    cluster: list[str], postgres_url: str, samples_dir: Path
) -> None:
    ticket_ids = _seed(postgres_url, samples_dir)
    deliveries = [(cluster[i % 2], t, f"inv-{t}") for i, t in enumerate(ticket_ids)]
    # A quarter of the 500 deliveries repeat one, to the other web process, at the same time.
    deliveries += [
        (cluster[(i + 1) % 2], t, f"inv-{t}") for i, t in enumerate(ticket_ids[:DUPLICATES])
    ]
    deliveries.sort(key=lambda d: hashlib.sha256(f"{d[1]}{d[0]}".encode()).hexdigest())
    with ThreadPoolExecutor(max_workers=32) as pool:
        statuses = list(pool.map(lambda d: _deliver(*d), deliveries))
    assert len(statuses) == TICKETS + DUPLICATES
    assert set(statuses) == {202}, sorted(set(statuses))

    engine = sa.create_engine(postgres_url)
    count_kinds = sa.text(
        "SELECT ticket_id, kind, count(*) FROM demo_comments "
        "WHERE kind IN ('note', 'reply') GROUP BY ticket_id, kind"
    )
    deadline = time.monotonic() + DRAIN_SECONDS
    while True:
        with engine.connect() as conn:
            counts = {(row[0], row[1]): row[2] for row in conn.execute(count_kinds)}
        replied = {ticket for (ticket, kind) in counts if kind == "reply"}
        if len(replied) == TICKETS or time.monotonic() > deadline:
            break
        time.sleep(1)
    time.sleep(2)  # a duplicate run still in flight would show up now
    with engine.connect() as conn:
        counts = {(row[0], row[1]): row[2] for row in conn.execute(count_kinds)}
        credits = conn.execute(
            sa.text("SELECT ticket_id, invoice_id, count(*) FROM credits GROUP BY 1, 2")
        ).all()
    engine.dispose()

    missed = [t for t in ticket_ids if (t, "reply") not in counts]
    assert not missed, f"{len(missed)} tickets never answered, e.g. {missed[:5]}"
    twice = {key: n for key, n in counts.items() if n != 1}
    assert not twice, f"tickets with more than one note or reply: {list(twice.items())[:5]}"
    assert all((t, "note") in counts for t in ticket_ids)
    assert credits, "the not-found VIP cases should each have earned a temporary credit"
    assert all(n == 1 for _, _, n in credits)
    assert {row[0] for row in credits} <= set(ticket_ids)
