"""Resident memory (VmRSS) of one `payverify serve` web worker after warm-up and after load.

Run: `.venv/bin/python bench/memory.py [--seconds 20]`.

Method: `payverify serve --workers 1 --threads 8 --no-worker` on the embedded SQLite default
(demo helpdesk and billing); the gunicorn worker is the master's child, read from
/proc/PID/status (VmRSS now, VmHWM the peak). Warm-up: 200 requests to each of /health,
/metrics, /api/openapi.json, /sidebar and a signed trigger. Then wrk posts distinct signed
Zendesk deliveries for `--seconds` with 100 connections (bench/webhook.py's script), and the
figures are read again.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import free_port, machine, running  # noqa: E402
from bench.webhook import SECRET, signed_requests, wrk  # noqa: E402

WARM_PATHS = ("/health", "/metrics", "/api/openapi.json", "/sidebar")


def status_kb(pid: int, field: str) -> int:
    """A field of /proc/PID/status in kB (VmRSS, VmHWM)."""
    with open(f"/proc/{pid}/status", encoding="utf-8") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/{pid}/status")


def worker_pid(master: int) -> int:
    """The one gunicorn worker: the master's child process."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    if len(children) != 1:
        raise RuntimeError(f"expected one worker under {master}, found {children}")
    return int(children[0])


def warm_up(base: str, host: str) -> None:
    session = requests.Session()
    for _ in range(200):
        for path in WARM_PATHS:
            session.get(base + path, timeout=10)
    deliveries = signed_requests(host, "warm-")
    for _ in range(200):
        head, body = next(deliveries).split(b"\r\n\r\n", 1)
        headers = dict(
            line.split(": ", 1) for line in head.decode().split("\r\n")[1:] if ": " in line
        )
        headers.pop("Content-Length", None)
        answer = session.post(base + "/triggers/zendesk", data=body, headers=headers, timeout=10)
        answer.raise_for_status()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=20, help="seconds of load (20)")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="pv-bench-") as tmp:
        work = Path(tmp)
        env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "POSTGRES_URL")}
        env |= {
            "PAYVERIFY_HELPDESK": "demo", "PAYVERIFY_BILLING": "demo",
            "DATABASE_URL": f"sqlite:///{work}/store.sqlite3", "ZENDESK_WEBHOOK_SECRET": SECRET,
            "PAYVERIFY_API_TOKEN": "bench-api-token",
        }  # fmt: skip
        bind = f"127.0.0.1:{free_port()}"
        serve = ["-m", "plugin.cli", "serve", "--bind", bind, "--workers", "1", "--threads",
                 "8", "--no-worker"]  # fmt: skip
        with running(serve, env, work / "serve.log", f"http://{bind}/health") as master:
            pid = worker_pid(master.pid)
            started = status_kb(pid, "VmRSS")
            warm_up(f"http://{bind}", bind)
            warm = status_kb(pid, "VmRSS")
            load = wrk(f"http://{bind}", work, "mem-", args.seconds, 100)
            after, peak = status_kb(pid, "VmRSS"), status_kb(pid, "VmHWM")
    print(f"requests under load: {int(load['requests'])} ({load['rps']:.0f}/s), "
          f"errors {int(load['errors'])}")  # fmt: skip
    print(f"{'worker RSS':24} {'MB':>7}")
    for name, kb in (("after start", started), ("after warm-up", warm),
                     ("after the load", after), ("peak (VmHWM)", peak)):  # fmt: skip
        print(f"{name:24} {kb / 1024:7.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
