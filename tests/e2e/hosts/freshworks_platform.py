"""A Freshworks-like platform for browser tests: serves our built Freshdesk app and runs its
request templates server-side, as Freshworks does.

- `GET /app/<file>`: the app package built by `freshdesk_package` (the real index.html and
  app.js), with `{{{appclient}}}` replaced by the fake client, as the FDK replaces it by
  fresh_client.js.
- `GET /fresh_client.js`: tests/e2e/hosts/fresh_client_shim.js (the fake `app`/`client`).
- `POST /invoke/<template>`: renders config/requests.json's template with the installation
  parameters (the secure ones never reach the browser) and sends it to the backend, answering
  `{status, response, headers}` like `client.request.invokeTemplate`.
https://developers.freshworks.com/docs/app-sdk/v3.0/support_ticket/advanced-interfaces/request-method/
"""

from __future__ import annotations

import json
import re
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests
from urllib3.exceptions import InsecureRequestWarning

from plugin.packaging import Deployment
from plugin.packaging.freshdesk import freshdesk_package

SHIM = Path(__file__).resolve().parent / "fresh_client_shim.js"
IPARAM = re.compile(r"<%=\s*iparam\.([A-Za-z_][A-Za-z0-9_]*)\s*%>")
TYPES = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
}


class Platform:
    """The served app files, the installation parameters and the template calls made."""

    def __init__(self, backend_url: str, iparams: dict[str, str]) -> None:
        deployment = Deployment(backend_url, "0.0.0-test", "support@example.com")
        self.files = freshdesk_package(deployment).files
        self.templates = json.loads(self.files["config/requests.json"])
        self.iparams = iparams
        self.invoked: list[dict[str, Any]] = []

    def app_file(self, name: str) -> bytes | None:
        data = self.files.get(f"app/{name}")
        if data is not None and name.endswith(".html"):
            data = data.replace(b"{{{appclient}}}", b"/fresh_client.js")
        return data

    def invoke(self, name: str, options: dict[str, Any]) -> dict[str, Any]:
        """Send one request template, its iparams filled in here, never in the browser."""
        schema = self.templates[name]["schema"]

        def fill(text: str) -> str:
            return IPARAM.sub(lambda m: self.iparams[m.group(1)], text)

        url = f"{schema.get('protocol', 'https')}://{fill(schema['host'])}{fill(schema['path'])}"
        headers = {k: fill(v) for k, v in schema.get("headers", {}).items()}
        # The backend's certificate is a throwaway self-signed one on 127.0.0.1.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", InsecureRequestWarning)
            answer = requests.request(
                schema["method"], url, headers=headers, data=options.get("body"), timeout=10,
                verify=False,
            )  # fmt: skip
        self.invoked.append({"template": name, "url": url, "status": answer.status_code})
        return {"status": answer.status_code, "response": answer.text, "headers": {}}


def _handler(platform: Platform) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            pass

        def _send(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 - stdlib name
            path = self.path.split("?", 1)[0]
            if path == "/fresh_client.js":
                return self._send(200, SHIM.read_bytes(), TYPES[".js"])
            data = (
                platform.app_file(path.removeprefix("/app/")) if path.startswith("/app/") else None
            )
            if data is None:
                return self._send(404, b"not found", "text/plain")
            return self._send(200, data, TYPES.get(Path(path).suffix, "application/octet-stream"))

        def do_POST(self) -> None:  # noqa: N802 - stdlib name
            name = self.path.removeprefix("/invoke/")
            if name not in platform.templates:
                return self._send(
                    404, b'{"message": "no such request template"}', "application/json"
                )
            length = int(self.headers.get("Content-Length") or 0)
            options = json.loads(self.rfile.read(length) or b"{}")
            answer = json.dumps(platform.invoke(name, options)).encode()
            return self._send(200, answer, "application/json")

    return Handler


@contextmanager
def serve_platform(backend_url: str, iparams: dict[str, str]) -> Iterator[tuple[str, Platform]]:
    """The platform on a free port, reached as http://localhost:PORT (another origin than the
    host page on 127.0.0.1, as the app's frame is another origin than Freshdesk's page)."""
    platform = Platform(backend_url, iparams)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(platform))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_port}", platform
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
