"""Serve the real Flask app and the test host pages on 127.0.0.1, each in a thread."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from werkzeug.serving import make_server

HOSTS_DIR = Path(__file__).resolve().parent
ZAF_SDK_SHIM = HOSTS_DIR / "zaf_sdk_shim.js"
FRESH_CLIENT_SHIM = HOSTS_DIR / "fresh_client_shim.js"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextmanager
def serve_app(app: Any, *, tls: bool = False) -> Iterator[str]:
    """The app on a free loopback port (threaded, as gunicorn would answer in parallel).

    With `tls`, over https with a throwaway self-signed certificate: the Freshworks app page
    only talks to an https backend, as in production.
    """
    server = make_server("127.0.0.1", 0, app, threaded=True, ssl_context="adhoc" if tls else None)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"{'https' if tls else 'http'}://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass


@contextmanager
def serve_hosts() -> Iterator[str]:
    """The host pages (another origin than the app, as Zendesk and Freshdesk are)."""
    handler = functools.partial(_QuietHandler, directory=str(HOSTS_DIR))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
