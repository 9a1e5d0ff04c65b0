"""Serve the real Flask app and the test host pages on 127.0.0.1, each in a thread."""

from __future__ import annotations

import functools
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests
from werkzeug.serving import make_server

HOSTS_DIR = Path(__file__).resolve().parent
ROOT = HOSTS_DIR.parents[2]
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


@contextmanager
def served_demo(database: Path, environment: dict[str, str], log: Path) -> Iterator[str]:
    """`payverify demo` as the README runs it, in its own process group: gunicorn's ASGI
    worker (the webhooks in front, Flask through a2wsgi) and the job consumer beside it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "plugin.cli", "demo", "--port", str(port),
               "--database", str(database), "--fresh"]  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            command, cwd=ROOT, env=os.environ | environment, stdout=out,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            _wait_healthy(base, process, log)
            yield base
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)


def _wait_healthy(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"payverify demo exited {process.returncode}: {log.read_text()}")
        try:
            if requests.get(f"{base}/health", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"payverify demo did not answer /health in 60 s: {log.read_text()}")
