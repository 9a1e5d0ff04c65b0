"""`payverify serve`: the web backend under gunicorn; the job consumer beside it.

gunicorn runs its asyncio (ASGI) worker with uvloop and its C HTTP parser, the app being
`plugin.web.front.AsgiFront`: the webhooks are coroutines that wait for their durable write
without holding a thread, and the Flask app answers everything else from `--threads` threads
(docs/BACKEND.md, docs/BENCHMARKS.md). On the embedded default (no REDIS_URL) it also starts
`payverify worker` as a child process, so one command is a working install; with Redis, run
workers yourself.
"""

from __future__ import annotations

import argparse
import gc
import subprocess
import sys
from typing import Any

from gunicorn.app.base import BaseApplication

# How often a thread holding the GIL hands it over (Python's default is 5 ms). The webhook's
# writer thread needs the GIL back after each durable commit, while the event loop keeps it
# busy: at 5 ms it waits that long, holding the SQLite turn lock, and at saturation the p99
# doubled (docs/BENCHMARKS.md). https://docs.python.org/3/library/sys.html#sys.setswitchinterval
SWITCH_INTERVAL_SECONDS = 0.001
# The collector's thresholds in a web worker (Python's are 700, 10, 10). A webhook allocates a
# few hundred short-lived objects and makes no cycles worth chasing, so a young-generation
# pass every few requests is wasted work; docs/BENCHMARKS.md has the p99 either way.
GC_THRESHOLDS = (20_000, 20, 20)


class Gunicorn(BaseApplication):  # type: ignore[misc]
    """gunicorn run from Python: each worker builds its own app with create_app()."""

    def __init__(self, options: dict[str, Any], app_factory: Any = None, threads: int = 8) -> None:
        self.options = options
        self.app_factory = app_factory
        self.threads = threads  # for the Flask routes behind the ASGI front
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        if self.app_factory is not None:
            app = self.app_factory()
        else:
            from plugin.web import create_app
            from plugin.web.front import AsgiFront

            app = AsgiFront(create_app(), threads=self.threads)
            sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
        # What the app built lives as long as the worker: move it out of the collector's
        # reach, so a full collection walks only what requests allocate (without it the
        # webhook's p99 at saturation was 3-4x higher: docs/BENCHMARKS.md).
        # https://docs.python.org/3/library/gc.html#gc.freeze
        gc.collect()
        gc.freeze()
        if self.app_factory is None:
            gc.set_threshold(*GC_THRESHOLDS)
        return app


def gunicorn_options(bind: str, workers: int, threads: int, *, asgi: bool = True) -> dict[str, Any]:
    """gunicorn's asyncio worker (uvloop, C parser) for `payverify serve` (its Flask threads
    are `Gunicorn(threads=...)`); `asgi=False` is gunicorn's thread worker with `threads`, for
    a plain WSGI app (bench/webhook.py's bare Flask baseline).
    """
    options: dict[str, Any] = {
        "bind": bind,
        "workers": workers,
        "accesslog": None,
        "timeout": 60,
        "graceful_timeout": 10,
        "keepalive": 5,
        "http_parser": "fast",  # gunicorn_h1c, a dependency: fail loudly if it is missing
    }
    if asgi:
        return options | {"worker_class": "asgi", "asgi_loop": "uvloop"}
    return options | {"worker_class": "gthread", "threads": threads}


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
        options = gunicorn_options(args.bind, args.workers, args.threads)
        Gunicorn(options, threads=args.threads).run()
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
    parser.add_argument(
        "--threads", type=int, default=8, help="threads per worker for the Flask routes (8)"
    )
    parser.add_argument(
        "--no-worker", action="store_true", help="do not start the job consumer beside it"
    )
    parser.set_defaults(func=run)
