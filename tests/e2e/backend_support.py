"""Shared set-up for the backend's end-to-end tests: an app on fakes, a store and a queue."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from core.models import Case
from plugin.bootstrap import bootstrap
from plugin.jobs import Jobs
from plugin.settings import Settings
from plugin.web import create_app
from tests.fakes import FakeBilling, FakeHelpdesk

SECRET = "zendesk-webhook-secret"
# Trigger bodies refused, with the status and the words the error must name (both fronts).
INVALID_BODIES = [
    (b"not json", 400, "JSON object"),
    (b"[1, 2]", 400, "JSON object"),
    (b"", 400, "JSON object"),
    (b"{}", 422, "ticket_id"),
    (b'{"ticket_id": ""}', 422, "ticket_id"),
    (b'{"ticket_id": "a b"}', 422, "ticket_id"),
    (b'{"ticket_id": "1", "requester_email": "nobody"}', 422, "requester_email"),
]
API_TOKEN = "server-token-for-tests"
SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples" / "cases"
if not SAMPLES.exists():
    SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "samples" / "cases"


def load_case(name: str) -> Case:
    """A sample case from shared/samples/cases."""
    return Case.model_validate_json((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def make_settings(database_url: str, **extra: Any) -> Settings:
    """Settings for a test backend: secrets known to the test, the given store."""
    values = {
        "database_url": database_url,
        "zendesk_webhook_secret": SECRET,
        "freshdesk_webhook_secret": "freshdesk-secret",
        "stripe_webhook_secret": "whsec_test",
        "api_token": API_TOKEN,
        "mode": "auto",
    }
    return Settings(**(values | extra))


class Backend:
    """A Flask test client over fakes, with the real store and the real huey queue."""

    def __init__(self, case: Case, database_url: str, *, latency: float = 0.0, **extra: Any):
        self.case = case
        self.helpdesk = FakeHelpdesk.from_case(case, latency=latency)
        self.billing = FakeBilling.from_case(case, latency=latency)
        self.settings = make_settings(database_url, **extra)
        self.services = bootstrap(self.settings, helpdesk=self.helpdesk, billing=self.billing)
        self.jobs = Jobs(self.services, retry_delay=0)
        self.app = create_app(self.services, self.settings, jobs=self.jobs)
        self.client = self.app.test_client()

    @property
    def ticket_id(self) -> str:
        return str(self.case.ticket.id)

    def zendesk(self, body: dict[str, Any] | bytes, **headers: str) -> Any:
        """POST /triggers/zendesk signed as Zendesk signs it."""
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        return self.client.post(
            "/triggers/zendesk",
            data=raw,
            headers=signed_headers(raw) | headers,
            content_type="application/json",
        )

    def api(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {API_TOKEN}"} | kwargs.pop("headers", {})
        return self.client.open(path, method=method, headers=headers, **kwargs)


def assert_one_vip_run(backend: Backend) -> None:
    """The VIP not-found case ran once: one note, one reply (tagged), one 2,150 USD credit."""
    assert backend.jobs.drain() == 1
    assert len(backend.helpdesk.notes) == 1
    assert len(backend.helpdesk.replies) == 1
    ticket, reply, update = backend.helpdesk.replies[0]
    assert ticket == backend.ticket_id and "2,150.00" in reply.text
    assert {"payment_verification", "pv_verdict_not_found"} <= set(update.add_tags)
    assert [(c[1], c[2]) for c in backend.billing.credits] == [(Decimal("2150.00"), "USD")]


def signed_headers(
    raw: bytes, *, secret: str = SECRET, at: datetime | None = None
) -> dict[str, str]:
    """The Zendesk signature headers for a body."""
    timestamp = (at or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    mac = hmac.new(secret.encode(), timestamp.encode() + raw, hashlib.sha256).digest()
    return {
        "X-Zendesk-Webhook-Signature": base64.b64encode(mac).decode(),
        "X-Zendesk-Webhook-Signature-Timestamp": timestamp,
    }
