"""The README's main command, served for real: `payverify demo` in its own processes.

Everything here crosses gunicorn's ASGI worker: the signed webhooks are answered by the ASGI
front (`plugin.web.front.AsgiFront`), the sidebar, assets, dashboard, OpenAPI and metrics by
Flask through a2wsgi, and the job consumer beside them runs the pipeline into the demo
helpdesk, which the test reads from the same SQLite file.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.e2e.backend_support import signed_headers
from tests.e2e.hosts.serving import served_demo

TICKET = "61204"  # es_recurring_untagged_claims_linked_short_unapplied.json


class Served:
    def __init__(self, base: str, services: Any, secret: str, log: Path) -> None:
        self.base, self.services, self.secret, self.log = base, services, secret, log

    def zendesk(self, body: dict[str, Any] | bytes, **headers: str) -> requests.Response:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        signed = signed_headers(raw, secret=self.secret) | {"Content-Type": "application/json"}
        return requests.post(
            f"{self.base}/triggers/zendesk", data=raw, headers=signed | headers, timeout=10
        )


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    from plugin.commands.demo import demo_environment, demo_services
    from plugin.settings import Settings

    work = tmp_path_factory.mktemp("served")
    environment = demo_environment(work / "demo.sqlite3")
    with pytest.MonkeyPatch.context() as patch:
        for name, value in environment.items():
            patch.setenv(name, value)
        with served_demo(work / "demo.sqlite3", environment, work / "demo.log") as base:
            services = demo_services(Settings())
            secret = environment["ZENDESK_WEBHOOK_SECRET"]
            yield Served(base, services, secret, work / "demo.log")


def _wait_for_comments(served: Served, ticket: str, seconds: float = 30) -> dict[str, int]:
    helpdesk = served.services.helpdesk
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        counts = {kind: len(helpdesk.comments(ticket, kind)) for kind in ("note", "reply")}
        if counts["reply"]:
            return counts
        time.sleep(0.2)
    raise AssertionError(f"ticket {ticket} got no reply in {seconds} s")


def test_a_signed_trigger_runs_the_pipeline_once(served: Served) -> None:
    first = served.zendesk({"ticket_id": TICKET}, **{"X-Zendesk-Webhook-Invocation-Id": "i-1"})
    again = served.zendesk({"ticket_id": TICKET}, **{"X-Zendesk-Webhook-Invocation-Id": "i-1"})
    assert (first.status_code, again.status_code) == (202, 202)
    assert first.json()["duplicate"] is False
    assert again.json() == {"job": first.json()["job"], "duplicate": True}
    assert _wait_for_comments(served, TICKET) == {"note": 1, "reply": 1}
    time.sleep(1.0)  # a second run, were there one, would have posted by now
    helpdesk = served.services.helpdesk
    assert len(helpdesk.comments(TICKET, "reply")) == 1
    assert "Hola" in helpdesk.comments(TICKET, "reply")[0]["body"]


@pytest.mark.parametrize(
    ("headers", "body", "status", "words"),
    [
        ({"X-Zendesk-Webhook-Signature": "Zm9yZ2Vk"}, {"ticket_id": TICKET}, 401, "signature"),
        ({}, {"ticket": TICKET}, 422, "ticket_id"),
        ({}, b"{not json", 400, "JSON"),
    ],
)
def test_bad_deliveries_are_refused_with_a_reason(
    served: Served, headers: dict[str, str], body: Any, status: int, words: str
) -> None:
    answer = served.zendesk(body, **headers)
    assert answer.status_code == status
    assert words in answer.json()["error"]


def test_an_unsigned_delivery_is_401(served: Served) -> None:
    answer = requests.post(
        f"{served.base}/triggers/zendesk", json={"ticket_id": TICKET}, timeout=10
    )
    assert answer.status_code == 401
    assert "X-Zendesk-Webhook-Signature" in answer.json()["error"]


def test_an_oversized_delivery_is_413_and_queues_nothing(served: Served) -> None:
    body = json.dumps({"ticket_id": "99999", "padding": "x" * (1024 * 1024 + 1)}).encode()
    answer = served.zendesk(body)
    assert answer.status_code == 413


def test_flask_surfaces_answer_through_the_asgi_server(served: Served) -> None:
    sidebar = requests.get(f"{served.base}/sidebar", params={"ticket": TICKET}, timeout=10)
    assert sidebar.status_code == 200
    assert sidebar.headers["Content-Type"].startswith("text/html")
    assets = re.findall(r'(?:src|href)="(/[^"]+\.(?:js|css))"', sidebar.text)
    assert assets, "the sidebar page should load its script and style"
    for asset in assets:
        answer = requests.get(f"{served.base}{asset.split('?')[0]}", timeout=10)
        assert answer.status_code == 200, asset
    for path, kind in (("/dashboard", "text/html"), ("/api/openapi.json", "application/json"),
                       ("/demo", "text/html"), ("/health", "")):  # fmt: skip
        answer = requests.get(f"{served.base}{path}", timeout=10)
        assert answer.status_code == 200, path
        assert answer.headers.get("Content-Type", "").startswith(kind), path
    assert requests.get(f"{served.base}/no-such-page", timeout=10).status_code == 404


def _accepted(served: Served) -> int:
    text = requests.get(f"{served.base}/metrics", timeout=10).text
    found = re.search(r'payverify_webhooks_total\{source="zendesk",result="accepted"\} (\d+)', text)
    return int(found.group(1)) if found else 0


def test_metrics_count_the_webhooks_answered_in_front_of_flask(served: Served) -> None:
    # `payverify demo` runs one web process, so its counters are the whole server's.
    before = _accepted(served)
    answer = served.zendesk({"ticket_id": TICKET}, **{"X-Zendesk-Webhook-Invocation-Id": "i-m"})
    assert answer.status_code == 202
    assert _accepted(served) == before + 1
    text = requests.get(f"{served.base}/metrics", timeout=10).text
    assert 'payverify_http_request_duration_seconds_count{route="/triggers/zendesk"}' in text


def test_the_log_holds_no_secret(served: Served) -> None:
    served.zendesk({"ticket_id": TICKET}, **{"X-Zendesk-Webhook-Signature": "Zm9yZ2Vk"})
    assert served.secret not in served.log.read_text(encoding="utf-8", errors="replace")
