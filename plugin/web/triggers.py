"""`POST /triggers/zendesk|freshdesk`: authenticate, validate, answer 202 and queue the work.

A delivery is processed once: its key (the helpdesk's invocation id when it sends one, else
the ticket id and a hash of the body) is claimed in the store before the job is queued, and
the job's run key is derived from it, so a redelivery or twenty at once make one run.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from plugin.intake import QueueUnavailable
from plugin.web.auth import AuthError, secret_value
from plugin.web.prometheus import WEBHOOKS

bp = Blueprint("triggers", __name__)
log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 10
MAX_SKEW_SECONDS = 300  # a signed timestamp older (or newer) than this is a replay
# https://developer.zendesk.com/documentation/webhooks/verifying/
ZENDESK_SIGNATURE = "X-Zendesk-Webhook-Signature"
ZENDESK_TIMESTAMP = "X-Zendesk-Webhook-Signature-Timestamp"
ZENDESK_INVOCATION = "X-Zendesk-Webhook-Invocation-Id"


class TriggerBody(BaseModel):
    """The JSON the helpdesk's trigger sends: the ticket, and the requester's email if known."""

    model_config = ConfigDict(extra="ignore")
    ticket_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    requester_email: str | None = Field(default=None, max_length=254)

    @field_validator("ticket_id", mode="before")
    @classmethod
    def _id_text(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError("not a ticket id")
        return str(value).strip() if isinstance(value, int | str) else value

    @field_validator("requester_email", mode="before")
    @classmethod
    def _email(cls, value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None  # a helpdesk placeholder left empty
        if not isinstance(value, str) or "@" not in value:
            raise ValueError("not an email address")
        return value.strip()


def parse_body(raw: bytes) -> TriggerBody:
    """The validated body, or a 400/422 whose message names the field."""
    try:
        return TriggerBody.model_validate_json(raw or b"null")
    except ValidationError as exc:
        first = exc.errors()[0]
        if first["type"] in ("json_invalid", "model_type", "json_type"):
            raise BodyError(400, "the body must be a JSON object with ticket_id") from None
        field = ".".join(str(p) for p in first["loc"]) or "body"
        raise BodyError(422, f"{field}: {first['msg']}") from None


class BodyError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def zendesk_signature(secret: str | bytes, timestamp: str, body: bytes) -> bytes:
    """base64(HMAC-SHA256(secret, timestamp + body)), as Zendesk signs a webhook."""
    key = secret.encode() if isinstance(secret, str) else secret
    return base64.b64encode(hmac.digest(key, timestamp.encode() + body, "sha256"))


def _check_zendesk(secret: bytes | None, headers: Any, raw: bytes) -> None:
    if not secret:
        raise AuthError("webhook signing is not configured (ZENDESK_WEBHOOK_SECRET)")
    signature = headers.get(ZENDESK_SIGNATURE, "")
    timestamp = headers.get(ZENDESK_TIMESTAMP, "")
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
    expected = zendesk_signature(secret, timestamp, raw)
    if not hmac.compare_digest(expected, signature.encode("utf-8", "replace")):
        raise AuthError("the webhook signature does not match")


def _check_freshdesk(secret: bytes | None) -> None:
    if not secret:
        raise AuthError("webhook secret is not configured (FRESHDESK_WEBHOOK_SECRET)")
    given = request.authorization.password if request.authorization else None
    if request.authorization and request.authorization.type == "bearer":
        given = request.authorization.token
    if not given or not hmac.compare_digest(given.encode(), secret):
        raise AuthError("missing or wrong webhook secret (Basic password or Bearer token)")


def _secret(name: str) -> bytes | None:
    """A webhook secret as bytes, read from the settings once per app (they do not change)."""
    from plugin.web import current_settings

    cache = current_app.extensions.setdefault("payverify.webhook_secrets", {})
    if name not in cache:
        value = secret_value(current_settings(), name)
        cache[name] = value.encode() if value else None
    return cache[name]


def _accept(source: str, raw: bytes, delivery_id: str | None) -> tuple[Response, int]:
    try:
        body = parse_body(raw)
    except BodyError as exc:
        WEBHOOKS.inc(source, "invalid")
        return jsonify(error=exc.message), exc.status
    if delivery_id:
        delivery = f"{source}:{delivery_id[:128]}"
    else:
        digest = hashlib.sha256(raw).hexdigest()[:32]
        delivery = f"{source}:{body.ticket_id}:{digest}"
    return enqueue_delivery(source, body.ticket_id, body.requester_email, delivery)


def enqueue_delivery(
    source: str, ticket_id: str, requester_email: str | None, delivery: str
) -> tuple[Response, int]:
    """Claim a delivery and queue its run, once; 202 with the job and whether it was a repeat.

    The claim and the job are written together by the process's group commit
    (`plugin.intake`): 202 is sent only once both are durable, and when they cannot be
    written neither is kept, so the 503's redelivery is taken as new.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # one proxy lookup
    installation = app.config["PAYVERIFY_INSTALLATION"]
    run_key = f"{installation}:{ticket_id}:{hashlib.sha256(delivery.encode()).hexdigest()[:24]}"
    try:
        new = app.extensions["payverify.jobs"].accept_delivery(
            delivery,
            ticket_id,
            run_key=run_key,
            requester_email=requester_email,
            source="demo" if source == "demo" else "trigger",
        )
    except QueueUnavailable as exc:  # Redis down, a locked SQLite file: nothing was kept
        log.warning("could not queue %s for ticket %s: %s", run_key, ticket_id, exc)
        WEBHOOKS.inc(source, "unavailable")
        return _unavailable()
    WEBHOOKS.inc(source, "accepted" if new else "duplicate")
    answer = json.dumps({"job": run_key, "duplicate": not new})  # jsonify costs 40 µs more
    return app.response_class(answer, mimetype="application/json"), 202


def _unavailable() -> tuple[Response, int]:
    """503 so the helpdesk delivers again.

    Zendesk retries a 503 whose Retry-After is under 60 seconds
    (https://developer.zendesk.com/api-reference/webhooks/introduction/#webhook-retries).
    """
    answer = jsonify(error="the job queue is unavailable; deliver again later")
    answer.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return answer, 503


@bp.post("/triggers/zendesk")
def zendesk() -> tuple[Response, int]:
    """A Zendesk webhook (signed) asks for a ticket to be verified."""
    current = request._get_current_object()  # type: ignore[attr-defined]  # one proxy lookup
    raw = current.get_data()
    try:
        _check_zendesk(_secret("zendesk_webhook_secret"), current.headers, raw)
    except AuthError:
        WEBHOOKS.inc("zendesk", "unauthorized")
        raise
    return _accept("zendesk", raw, current.headers.get(ZENDESK_INVOCATION))


@bp.post("/triggers/freshdesk")
def freshdesk() -> tuple[Response, int]:
    """A Freshdesk automation rule (shared secret) asks for a ticket to be verified."""
    try:
        _check_freshdesk(_secret("freshdesk_webhook_secret"))
    except AuthError:
        WEBHOOKS.inc("freshdesk", "unauthorized")
        raise
    return _accept("freshdesk", request.get_data(), request.headers.get("X-Request-Id"))
