"""`payverify serve`: the web backend under gunicorn (gthread); the job consumer beside it.

On the embedded default (no REDIS_URL) it also starts `payverify worker` as a child process,
so one command is a working install; with Redis, run workers yourself (docs/BACKEND.md).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from typing import Any

from gunicorn.app.base import BaseApplication


class Gunicorn(BaseApplication):  # type: ignore[misc]
    """gunicorn run from Python: each worker builds its own app with create_app()."""

    def __init__(self, options: dict[str, Any], app_factory: Any = None) -> None:
        self.options = options
        self.app_factory = app_factory
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        if self.app_factory is not None:
            return self.app_factory()
        from plugin.web import create_app

        return create_app()


def gunicorn_options(bind: str, workers: int, threads: int) -> dict[str, Any]:
    """gthread workers: the webhook handler waits on the database, never on the CPU."""
    return {
        "bind": bind,
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "accesslog": None,
        "timeout": 60,
        "graceful_timeout": 10,
        "keepalive": 5,
    }


def start_worker(extra: list[str] | None = None) -> subprocess.Popen[bytes]:
    """The job consumer as a child process (`payverify worker`)."""
    command = [sys.executable, "-m", "plugin.cli", "worker", *(extra or [])]
    return subprocess.Popen(command)  # noqa: S603 - our own interpreter and module


def run(args: argparse.Namespace) -> int:
    """Serve until stopped; stop the child consumer with it."""
    from plugin.settings import Settings

    settings = Settings()
    consumer = None
    if settings.redis_url is None and not args.no_worker:
        consumer = start_worker()
    try:
        Gunicorn(gunicorn_options(args.bind, args.workers, args.threads)).run()
    finally:
        if consumer is not None:
            consumer.terminate()
            consumer.wait(timeout=15)
    return 0


def register(subparsers: Any) -> None:
    """Add `payverify serve`."""
    parser = subparsers.add_parser("serve", help="run the web backend (gunicorn)")
    parser.add_argument("--bind", default="127.0.0.1:8000", help="host:port (127.0.0.1:8000)")
    parser.add_argument("--workers", type=int, default=2, help="web worker processes (2)")
    parser.add_argument("--threads", type=int, default=8, help="threads per worker (8)")
    parser.add_argument(
        "--no-worker", action="store_true", help="do not start the job consumer beside it"
    )
    parser.set_defaults(func=run)
