"""`payverify worker`: the job consumer (pipeline jobs, follow-ups every minute, recovery)."""

from __future__ import annotations

import argparse
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

log = logging.getLogger(__name__)


def serve_metrics(port: int) -> ThreadingHTTPServer:
    """This process's Prometheus series on 127.0.0.1:PORT/metrics (a daemon thread)."""
    from plugin.web.prometheus import render_registry

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            body = render_registry().encode()
            self.send_response(200 if self.path == "/metrics" else 404)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.end_headers()
            self.wfile.write(body if self.path == "/metrics" else b"")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def run(args: argparse.Namespace) -> int:
    """Consume jobs until stopped (SIGINT graceful, SIGTERM at once: huey's signals)."""
    from plugin.bootstrap import bootstrap
    from plugin.jobs import Jobs

    services = bootstrap()
    jobs = Jobs(services, lease_seconds=args.lease)
    requeued = jobs.recover()
    if requeued:
        log.warning("requeued %d interrupted runs", len(requeued))
    if args.metrics_port:
        serve_metrics(args.metrics_port)
    jobs.consumer(workers=args.workers).run()
    return 0


def register(subparsers: Any) -> None:
    """Add `payverify worker`."""
    parser = subparsers.add_parser("worker", help="run the job consumer")
    parser.add_argument("--workers", type=int, default=4, help="worker threads (4)")
    parser.add_argument(
        "--lease", type=int, default=120, help="seconds before a dead worker's run is retaken"
    )
    parser.add_argument("--metrics-port", type=int, default=0, help="serve /metrics on this port")
    parser.set_defaults(func=run)
