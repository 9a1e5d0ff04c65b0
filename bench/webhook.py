"""Webhook answer latency and throughput: `payverify serve` against a bare Flask endpoint.

Run: `.venv/bin/python bench/webhook.py [--duration 10] [--connections 100] [--threads 8]`.

Method: `payverify serve` as shipped (gunicorn's asyncio worker, 2 workers) and the bare
Flask app as a Flask app is best served (gunicorn's thread worker, 2 workers × `--threads`),
both with gunicorn's C parser and the app frozen out of the garbage collector, on 127.0.0.1.
`wrk` (a second process, 2 threads, keep-alive, `--connections` open at once) posts properly
signed Zendesk deliveries, each with its own ticket id and invocation id, precomputed just
before the run (the signature covers timestamp + body, so wrk cannot sign) and read by a Lua
script, each wrk thread taking its own share so no delivery repeats. A 3-second warm-up with
other deliveries comes first. The bare endpoint is a minimal Flask app answering 202 at the
same path, measured in the same run, before and after payverify ("of bare" is of the better
of the two). payverify runs on its embedded SQLite default, then with REDIS_URL (queue and
claims on Redis, store on SQLite); its job consumer is not started (`--no-worker`) so the
figures are the web path alone. Afterwards the claims and the queued jobs are counted: each
request answered 202 must have left one of each.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import free_port, machine, running  # noqa: E402

SECRET = "bench-webhook-secret"
REDIS_BENCH_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
WRK_THREADS = 2
LUA = r"""
local lines = {}
function setup(thread)
  thread:set("tid", NEXT_TID or 0)
  NEXT_TID = (NEXT_TID or 0) + 1
end
function init(args)
  local file, nthreads, i = args[1], tonumber(args[2]), 0
  for line in io.lines(file) do
    if i % nthreads == tid then
      local inv, stamp, sig, body = line:match("([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)")
      lines[#lines + 1] = wrk.format("POST", "/triggers/zendesk", {
        ["Content-Type"] = "application/json",
        ["X-Zendesk-Webhook-Invocation-Id"] = inv,
        ["X-Zendesk-Webhook-Signature-Timestamp"] = stamp,
        ["X-Zendesk-Webhook-Signature"] = sig,
      }, body)
    end
    i = i + 1
  end
  counter = 0
end
function request()
  counter = counter + 1
  return lines[(counter - 1) % #lines + 1]
end
function done(summary, latency, requests)
  io.write(string.format(
    "WRK_JSON {\"requests\": %d, \"duration_us\": %d, \"errors_status\": %d, " ..
    "\"errors_other\": %d, \"p50\": %d, \"p95\": %d, \"p99\": %d, \"max\": %d}\n",
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


def bare_app() -> Any:
    """The baseline: a minimal Flask app that answers 202 at the trigger's path."""
    from flask import Flask

    app = Flask("bare")

    @app.post("/triggers/zendesk")
    def accept() -> tuple[str, int]:
        return "", 202

    @app.get("/health")
    def health() -> tuple[str, int]:
        return "ok", 200

    return app


def serve_bare(bind: str, workers: int, threads: int) -> None:
    """The bare app as a Flask app is best served: gunicorn's thread worker, same settings."""
    from plugin.commands.serve import Gunicorn, gunicorn_options

    Gunicorn(gunicorn_options(bind, workers, threads, asgi=False), app_factory=bare_app).run()


def write_deliveries(path: Path, count: int, prefix: str) -> None:
    """`count` signed deliveries, one a line: invocation, timestamp, signature, body."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    with path.open("w", encoding="utf-8") as out:
        for index in range(count):
            body = json.dumps({"ticket_id": f"{prefix}{index}", "requester_email": None})
            mac = hmac.new(SECRET.encode(), (stamp + body).encode(), hashlib.sha256).digest()
            signature = base64.b64encode(mac).decode()
            out.write(f"{prefix}-inv-{index}\t{stamp}\t{signature}\t{body}\n")


def wrk(url: str, work: Path, prefix: str, seconds: int, connections: int) -> dict[str, float]:
    """One wrk run over fresh deliveries; requests/s and latency percentiles in ms."""
    data = work / f"{prefix}.tsv"
    write_deliveries(data, 150_000, prefix)
    script = work / "deliveries.lua"
    script.write_text(LUA)
    output = subprocess.run(  # noqa: S603 - wrk from the distribution
        [shutil.which("wrk") or "wrk", f"-t{WRK_THREADS}", f"-c{connections}", f"-d{seconds}s",
         "--timeout", "10s", "-s", str(script), url, "--", str(data), str(WRK_THREADS)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if output.returncode != 0:
        raise RuntimeError(f"wrk failed ({output.returncode}): {output.stdout} {output.stderr}")
    output = output.stdout
    line = next(x for x in output.splitlines() if x.startswith("WRK_JSON "))
    raw = json.loads(line.removeprefix("WRK_JSON "))
    return {
        "requests": raw["requests"],
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "errors": raw["errors_status"] + raw["errors_other"],
        "p50": raw["p50"] / 1000,
        "p95": raw["p95"] / 1000,
        "p99": raw["p99"] / 1000,
        "max": raw["max"] / 1000,
    }


def signed_requests(host: str, prefix: str) -> Any:
    """Endless raw HTTP/1.1 requests, each a distinct signed delivery (for the open loop)."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    index = 0
    while True:
        body = json.dumps({"ticket_id": f"{prefix}{index}", "requester_email": None}).encode()
        mac = hmac.new(SECRET.encode(), stamp.encode() + body, hashlib.sha256).digest()
        yield (
            f"POST /triggers/zendesk HTTP/1.1\r\nHost: {host}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            f"X-Zendesk-Webhook-Invocation-Id: {prefix}-inv-{index}\r\n"
            f"X-Zendesk-Webhook-Signature-Timestamp: {stamp}\r\n"
            f"X-Zendesk-Webhook-Signature: {base64.b64encode(mac).decode()}\r\n\r\n"
        ).encode() + body
        index += 1


def measure(url: str, work: Path, name: str, args: argparse.Namespace) -> dict[str, float]:
    """Saturation (wrk, closed loop) then latency at a fixed rate (open loop), same server."""
    from bench.common import percentile
    from bench.openloop import open_loop

    warm = wrk(url, work, f"{name}-warm-", 3, args.connections)
    result = wrk(url, work, f"{name}-run-", args.duration, args.connections)
    host, port = url.removeprefix("http://").split(":")
    latencies, statuses = open_loop(
        host, int(port), signed_requests(f"{host}:{port}", f"{name}-open-"),
        rate=args.rate, seconds=args.duration, connections=args.connections,
    )  # fmt: skip
    for share in (50, 95, 99):
        result[f"open_p{share}"] = percentile(latencies, share) * 1000
    result["open_non_2xx"] = sum(n for status, n in statuses.items() if status >= 300)
    # Answered 202 (wrk counts a non-2xx as an error): each must have left one claim and one job.
    result["accepted"] = (
        warm["requests"] - warm["errors"] + result["requests"] - result["errors"]
        + statuses.get(202, 0)
    )  # fmt: skip
    return result


def claims_and_jobs(database_url: str, redis: bool) -> tuple[int, int]:
    """Deliveries claimed and jobs queued, where this configuration keeps them."""
    import sqlalchemy as sa

    if redis:
        import redis as redis_client

        client = redis_client.Redis.from_url(REDIS_BENCH_URL)
        claims = sum(1 for _ in client.scan_iter("payverify.delivery.*", count=10_000))
        jobs = client.llen("huey.redis.payverify")
        client.close()
        return claims, int(jobs)
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        claims = conn.execute(sa.text("SELECT count(*) FROM deliveries")).scalar_one()
        jobs = conn.execute(sa.text("SELECT count(*) FROM task")).scalar_one()
    engine.dispose()
    return int(claims), int(jobs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per measured run")
    parser.add_argument("--connections", type=int, default=100, help="concurrent connections")
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads per worker")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--rate", type=float, default=200, help="open-loop requests/s (200)")
    parser.add_argument(
        "--servers", default="bare,sqlite,redis", help="which to measure (bare,sqlite,redis)"
    )
    parser.add_argument("--serve-bare", help=argparse.SUPPRESS)  # internal: host:port
    args = parser.parse_args()
    if args.serve_bare:
        serve_bare(args.serve_bare, args.workers, args.threads)
        return 0
    if shutil.which("wrk") is None:
        sys.exit("wrk is required: apt-get install -y wrk")
    print(f"machine: {machine()}")
    print(f"load: wrk {WRK_THREADS} threads, {args.connections} connections, {args.duration} s;"
          f" open loop {args.rate:.0f} req/s over {args.connections} connections")  # fmt: skip
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="pv-bench-") as tmp:
        work = Path(tmp)
        env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "POSTGRES_URL")}
        port = free_port()
        bind = f"127.0.0.1:{port}"
        servers = args.servers.split(",")
        bare = [str(Path(__file__)), "--serve-bare", bind, "--workers", str(args.workers),
                "--threads", str(args.threads)]  # fmt: skip
        if "bare" in servers:
            with running(bare, env, work / "bare.log", f"http://{bind}/health"):
                results["bare Flask"] = measure(f"http://{bind}", work, "bare", args)
        variants = [
            ("payverify (SQLite)", {}),
            ("payverify (REDIS_URL)", {"REDIS_URL": REDIS_BENCH_URL}),
        ]
        for index, (name, extra) in enumerate(variants):
            if ("redis" if extra else "sqlite") not in servers:
                continue
            database_url = f"sqlite:///{work}/store{index}.sqlite3"
            served = env | extra | {
                "PAYVERIFY_HELPDESK": "demo", "PAYVERIFY_BILLING": "demo",
                "DATABASE_URL": database_url, "ZENDESK_WEBHOOK_SECRET": SECRET,
                "PAYVERIFY_API_TOKEN": "bench-api-token",
            }  # fmt: skip
            if extra:
                _flush_redis()
            port = free_port()
            bind = f"127.0.0.1:{port}"
            serve = ["-m", "plugin.cli", "serve", "--bind", bind, "--workers", str(args.workers),
                     "--threads", str(args.threads), "--no-worker"]  # fmt: skip
            # Create the schema once first: workers booting at once on a fresh SQLite file race
            # to create the demo ledger's tables (a boot failure, not a webhook figure).
            subprocess.run(  # noqa: S603 - our own interpreter and module
                [sys.executable, "-c", "from plugin.web import create_app; create_app()"],
                env=served, cwd=Path(__file__).resolve().parents[1], check=True,
            )  # fmt: skip
            try:
                with running(serve, served, work / f"serve{index}.log", f"http://{bind}/health"):
                    results[name] = measure(f"http://{bind}", work, f"pv{index}", args)
                claims, jobs = claims_and_jobs(database_url, bool(extra))
                results[name] |= {"claimed": claims, "queued": jobs}
            finally:
                if extra:
                    _flush_redis()
        if "bare" in servers:  # again, so a quieter moment favours the baseline too
            bind = f"127.0.0.1:{free_port()}"
            bare[2] = bind
            with running(bare, env, work / "bare2.log", f"http://{bind}/health"):
                results["bare Flask (again)"] = measure(f"http://{bind}", work, "bare2", args)
    _report(results, args.connections)
    _report_open(results, args.rate)
    return 0


def _flush_redis() -> None:
    import redis

    client = redis.Redis.from_url(REDIS_BENCH_URL)
    client.flushdb()
    client.close()


def _report(results: dict[str, dict[str, float]], connections: int) -> None:
    bares = [r["rps"] for name, r in results.items() if name.startswith("bare")]
    bare_rps = max(bares, default=float("nan"))  # "of bare": of the better bare run
    print("saturation (wrk, closed loop):")
    print(f"{'server':24} {'req/s':>8} {'of bare':>8} {'p50 ms':>7} {'p95 ms':>7} "
          f"{'p99 ms':>7} {'max ms':>7} {'errors':>6}")  # fmt: skip
    for name, r in results.items():
        print(
            f"{name:24} {r['rps']:8.0f} {r['rps'] / bare_rps:8.0%} {r['p50']:7.1f} "
            f"{r['p95']:7.1f} {r['p99']:7.1f} {r['max']:7.1f} {int(r['errors']):6d}"
        )
    for name, r in results.items():
        if "claimed" in r:
            # wrk stops with up to `connections` requests in flight per run (warm-up and
            # measured): the server may have accepted those though wrk did not count them.
            slack = r["claimed"] - r["accepted"]
            same = r["claimed"] == r["queued"] and 0 <= slack <= 2 * connections
            verdict = "ok" if same else "MISMATCH"
            print(f"{name}: {int(r['accepted'])} answered 202, {int(r['claimed'])} claims, "
                  f"{int(r['queued'])} jobs queued, {int(slack)} in flight when wrk stopped: "
                  f"{verdict}")  # fmt: skip


def _report_open(results: dict[str, dict[str, float]], rate: float) -> None:
    print(f"fixed rate {rate:.0f} req/s (open loop, latency from the scheduled send):")
    print(f"{'server':24} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'non-2xx':>8}")
    for name, r in results.items():
        print(
            f"{name:24} {r['open_p50']:7.1f} {r['open_p95']:7.1f} {r['open_p99']:7.1f} "
            f"{int(r['open_non_2xx']):8d}"
        )


if __name__ == "__main__":
    sys.exit(main())
