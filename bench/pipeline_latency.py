"""Ticket created → reply posted, p50/p95, with 100 ms injected per external call.

Run: `.venv/bin/python bench/pipeline_latency.py [--tickets 60] [--rate 2] [--latency 0.1]`.

Method: the helpdesk and billing are the test fakes (tests/fakes.py) holding one distinct
copy of a not-found VIP claim per ticket (so every run makes the credit, the note and the
reply), each call sleeping `--latency` seconds. Tickets arrive at `--rate` a second (evenly
spaced); each is a signed Zendesk delivery to the real trigger (Flask app in this process)
which claims it and queues it; the real huey consumer (4 thread workers, as `payverify
worker`) runs the ten steps. The figure is from the moment the trigger is sent to the moment
the fake helpdesk records the public reply. On the embedded SQLite queue, then on Redis.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import machine, percentile  # noqa: E402

CASE = "en_vip_customer_no_date_not_found"
REDIS_BENCH_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")


class TimedHelpdesk:
    """Marks when each ticket's reply was posted (time.perf_counter)."""

    def __init__(self, helpdesk: Any) -> None:
        self.helpdesk = helpdesk
        self.replied: dict[str, float] = {}
        self.done = threading.Condition()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.helpdesk, name)

    def post_reply(self, ticket_id: str, reply: Any, update: Any = None) -> None:
        self.helpdesk.post_reply(ticket_id, reply, update)
        with self.done:
            self.replied[str(ticket_id)] = time.perf_counter()
            self.done.notify_all()


def fakes(count: int, latency: float) -> tuple[Any, Any, list[str]]:
    """A helpdesk and a billing system holding `count` distinct copies of the case."""
    from core.models import Case
    from tests.e2e.backend_support import load_case
    from tests.fakes import FakeBilling, FakeHelpdesk

    helpdesk, billing, ids = FakeHelpdesk(latency=latency), FakeBilling(latency=latency), []
    for index in range(count):
        data = json.loads(load_case(CASE).model_dump_json())
        data["ticket"]["id"] = 700000 + index
        data["ticket"]["requester"]["email"] = f"vip{index}@example.com"
        data["customer"]["id"] = f"cus_bench_{index}"
        data["customer"]["email"] = data["ticket"]["requester"]["email"]
        for invoice in data["billing"]["invoices"]:
            invoice["id"] = f"{invoice['id']}_{index}"
            invoice["number"] = f"{invoice.get('number') or 'INV'}-{index}"
        for payment in data["billing"]["payments"]:
            payment["id"] = f"{payment['id']}_{index}"
            payment["invoice"] = payment.get("invoice") and f"{payment['invoice']}_{index}"
        case = Case.model_validate(data)
        one_helpdesk, one_billing = FakeHelpdesk.from_case(case), FakeBilling.from_case(case)
        helpdesk.tickets.update(one_helpdesk.tickets)
        helpdesk.history.update(one_helpdesk.history)
        billing.customers.update(one_billing.customers)
        billing.invoices_by_customer.update(one_billing.invoices_by_customer)
        billing.payments_by_customer.update(one_billing.payments_by_customer)
        ids.append(str(case.ticket.id))
    return TimedHelpdesk(helpdesk), billing, ids


def run(queue: str, args: argparse.Namespace, work: Path) -> list[float]:
    """Seconds from trigger to reply for each ticket, on one queue backend."""
    from plugin.bootstrap import bootstrap
    from plugin.jobs import Jobs
    from plugin.web import create_app
    from tests.e2e.backend_support import make_settings, signed_headers

    extra = {"redis_url": REDIS_BENCH_URL} if queue == "redis" else {}
    settings = make_settings(f"sqlite:///{work}/{queue}.sqlite3", **extra)
    helpdesk, billing, ids = fakes(args.tickets, args.latency)
    services = bootstrap(settings, helpdesk=helpdesk, billing=billing)
    jobs = Jobs(services, settings)
    if queue == "redis":
        jobs.huey.storage.flush_all()
    client = create_app(services, settings, jobs=jobs).test_client()
    consumer = jobs.consumer(workers=4, periodic=False)
    consumer.start()
    sent: dict[str, float] = {}
    try:
        time.sleep(1.0)  # the workers idle (polling) before the first ticket, as in production
        start = time.perf_counter()
        for index, ticket_id in enumerate(ids):
            time.sleep(max(0.0, start + index / args.rate - time.perf_counter()))
            body = json.dumps({"ticket_id": ticket_id}).encode()
            sent[ticket_id] = time.perf_counter()
            answer = client.post("/triggers/zendesk", data=body, headers=signed_headers(body),
                                 content_type="application/json")  # fmt: skip
            assert answer.status_code == 202, answer.get_data(as_text=True)
        with helpdesk.done:
            helpdesk.done.wait_for(lambda: len(helpdesk.replied) == len(ids), timeout=120)
    finally:
        consumer.stop(graceful=True)
        if queue == "redis":
            jobs.huey.storage.flush_all()
    missing = [t for t in ids if t not in helpdesk.replied]
    if missing:
        raise SystemExit(f"{len(missing)} tickets never got their reply, e.g. {missing[:3]}")
    calls = len(helpdesk.calls) + len(billing.calls)
    print(f"  {queue}: {calls / len(ids):.1f} external calls per ticket")
    return [helpdesk.replied[t] - sent[t] for t in ids]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=60)
    parser.add_argument("--rate", type=float, default=2.0, help="tickets per second (2)")
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per external call")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    print(f"{args.tickets} tickets at {args.rate}/s, {args.latency * 1000:.0f} ms per call")
    figures = {}
    with tempfile.TemporaryDirectory(prefix="pv-bench-") as tmp:
        for queue in ("sqlite", "redis"):
            figures[queue] = run(queue, args, Path(tmp))
    print(f"{'queue':8} {'p50 s':>6} {'p95 s':>6} {'max s':>6}")
    for queue, seconds in figures.items():
        print(f"{queue:8} {percentile(seconds, 50):6.2f} {percentile(seconds, 95):6.2f} "
              f"{max(seconds):6.2f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
