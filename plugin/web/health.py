"""`GET /health`: liveness and readiness — the store answers and the queue can be reached."""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, Response, jsonify

bp = Blueprint("health", __name__)


def _check(probe: Any) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        probe()
    except Exception as exc:  # noqa: BLE001 - every failure is a "down", reported by name
        return {"ok": False, "error": type(exc).__name__ + ": " + str(exc)[:200]}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


@bp.get("/health")
def health() -> tuple[Response, int]:
    """200 when the store and the queue answer, 503 (with which one failed) otherwise."""
    from plugin.web import current_jobs, current_services

    jobs = current_jobs()
    checks = {
        "store": _check(current_services().store.ping),
        "queue": _check(lambda: jobs.huey.pending_count()),
    }
    ok = all(c["ok"] for c in checks.values())
    body = {"status": "ok" if ok else "unavailable", "checks": checks}
    if ok:
        body["queue"] = {"pending": jobs.huey.pending_count(), "in_flight": len(jobs.in_flight())}
    return jsonify(body), 200 if ok else 503
