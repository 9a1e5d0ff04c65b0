"""How a trigger proves it comes from the helpdesk: Zendesk's signature, Freshdesk's secret.

Zendesk signs each webhook: base64(HMAC-SHA256(secret, timestamp + body)) in
X-Zendesk-Webhook-Signature, the timestamp in X-Zendesk-Webhook-Signature-Timestamp
(https://developer.zendesk.com/documentation/webhooks/verifying/); a timestamp further than
MAX_SKEW_SECONDS from now is a replay. A Freshdesk automation rule sends the shared secret
as the Basic-auth password or a Bearer token.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
from datetime import UTC, datetime
from typing import Any

from werkzeug.datastructures import Authorization

from plugin.web.auth import AuthError

MAX_SKEW_SECONDS = 300
ZENDESK_SIGNATURE = "X-Zendesk-Webhook-Signature"
ZENDESK_TIMESTAMP = "X-Zendesk-Webhook-Signature-Timestamp"
ZENDESK_INVOCATION = "X-Zendesk-Webhook-Invocation-Id"


def zendesk_signature(secret: str | bytes, timestamp: str, body: bytes) -> bytes:
    """base64(HMAC-SHA256(secret, timestamp + body)), as Zendesk signs a webhook."""
    mac = _keyed(secret.encode() if isinstance(secret, str) else secret).copy()
    mac.update(timestamp.encode())
    mac.update(body)
    return base64.b64encode(mac.digest())


@functools.lru_cache(maxsize=8)
def _keyed(key: bytes) -> hmac.HMAC:
    # The key's schedule once per secret; each request copies it (a third cheaper).
    return hmac.new(key, digestmod=hashlib.sha256)


def check_zendesk_headers(secret: bytes | None, header: Any) -> None:
    """Raise AuthError unless signing is configured and the headers are there and fresh."""
    signature, timestamp = header(ZENDESK_SIGNATURE), header(ZENDESK_TIMESTAMP)
    if not secret:
        raise AuthError("webhook signing is not configured (ZENDESK_WEBHOOK_SECRET)")
    if not signature or not timestamp:
        raise AuthError(f"missing {ZENDESK_SIGNATURE} or {ZENDESK_TIMESTAMP}")
    try:
        signed_at = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except ValueError:
        raise AuthError(f"{ZENDESK_TIMESTAMP} is not an ISO 8601 timestamp") from None
    if signed_at.tzinfo is None:
        signed_at = signed_at.replace(tzinfo=UTC)
    if abs((datetime.now(UTC) - signed_at).total_seconds()) > MAX_SKEW_SECONDS:
        raise AuthError("the signature timestamp is stale")


def check_zendesk_body(secret: bytes | None, header: Any, raw: bytes) -> None:
    """Raise AuthError unless the signature header is the body's (headers checked already)."""
    timestamp, signature = header(ZENDESK_TIMESTAMP), header(ZENDESK_SIGNATURE)
    expected = zendesk_signature(secret or b"", timestamp, raw)
    if not hmac.compare_digest(expected, signature.encode("utf-8", "replace")):
        raise AuthError("the webhook signature does not match")


def check_freshdesk(secret: bytes | None, header: str | None) -> None:
    """Raise AuthError unless the Authorization header carries the secret (Basic or Bearer)."""
    if not secret:
        raise AuthError("webhook secret is not configured (FRESHDESK_WEBHOOK_SECRET)")
    auth = Authorization.from_header(header)
    given = (auth.token if auth.type == "bearer" else auth.password) if auth else None
    if not given or not hmac.compare_digest(given.encode(), secret):
        raise AuthError("missing or wrong webhook secret (Basic password or Bearer token)")
