"""`POST /triggers/zendesk|freshdesk`: authenticate, validate, answer 202 and queue the work.

A delivery is processed once: its key (the helpdesk's invocation id when it sends one, else
the ticket id and a hash of the body) is claimed in the store before the job is queued, and
the job's run key is derived from it, so a redelivery or twenty at once make one run.
The two POSTs are answered in front of Flask (`plugin.web.front`: no request context, hooks or
response objects; docs/BENCHMARKS.md): by a coroutine under `payverify serve` (ASGI), by a
WSGI middleware under a WSGI server; the Flask routes below do the same work through the same
`answer()` for the tests, the OpenAPI document and whatever a front hands on.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, current_app, request
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from plugin.intake import QueueUnavailable
from plugin.web.auth import AuthError, secret_value
from plugin.web.prometheus import WEBHOOKS
from plugin.web.webhook_auth import (
    ZENDESK_INVOCATION,
    check_freshdesk,
    check_zendesk_body,
    check_zendesk_headers,
)

bp = Blueprint("triggers", __name__)
log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 10
# A trigger body is a ticket id and an email; the fronts refuse more than this before reading
# it (the app's MAX_CONTENT_LENGTH, 1 MiB, is for the case files of /api/verify).
MAX_TRIGGER_BODY = 64 * 1024
ROUTES = {"/triggers/zendesk": "zendesk", "/triggers/freshdesk": "freshdesk"}
JSON = [("Content-Type", "application/json")]
REASONS = {202: "ACCEPTED", 400: "BAD REQUEST", 401: "UNAUTHORIZED", 403: "FORBIDDEN",
           413: "REQUEST ENTITY TOO LARGE", 422: "UNPROCESSABLE ENTITY", 500: "INTERNAL SERVER "
           "ERROR", 503: "SERVICE UNAVAILABLE"}  # fmt: skip
Answer = tuple[int, bytes, list[tuple[str, str]]]


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


class BodyError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


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


def error(status: int, message: str, headers: list[tuple[str, str]] = JSON) -> Answer:
    return status, json.dumps({"error": message}).encode(), headers


@dataclass(frozen=True)
class Accepted:
    """A delivery that passed authentication and validation, ready to be claimed and queued."""

    source: str  # zendesk, freshdesk or demo
    ticket_id: str
    requester_email: str | None
    delivery: str  # the key a repeat of this delivery shares
    run_key: str


def authenticate(
    app: Any, source: str, header: Any, raw: bytes | None = None, *, headers_checked: bool = False
) -> Answer | None:
    """A 401 answer, or None when the trigger comes from the helpdesk.

    `raw=None` checks what the headers alone can refuse, before a body is read: Freshdesk's
    secret; Zendesk's signature headers and their freshness. `headers_checked` says a first
    call did that already, so only Zendesk's signature of the body is left to check.
    """
    secret = _secret(app, source)
    try:
        if source == "zendesk":
            if not headers_checked:
                check_zendesk_headers(secret, header)
            if raw is not None:
                check_zendesk_body(secret, header, raw)
        elif not headers_checked:
            check_freshdesk(secret, header("Authorization") or None)
    except AuthError as exc:
        WEBHOOKS.inc(source, "unauthorized")
        return error(exc.status, exc.message)
    return None


def _secret(app: Any, source: str) -> bytes | None:
    secrets = app.extensions.setdefault("payverify.webhook_secrets", {})
    name = f"{source}_webhook_secret"
    if name not in secrets:  # read once per app: settings do not change while it runs
        value = secret_value(app.extensions["payverify.settings"], name)
        secrets[name] = value.encode() if value else None
    return secrets[name]


def check(
    app: Any, source: str, header: Any, raw: bytes, *, headers_checked: bool = False
) -> Answer | Accepted:
    """Authenticate and validate a trigger; `header(name)` reads a request header.

    An error answer (401, 400, 422) or the delivery to queue, with its key: the helpdesk's
    invocation id when it sends one, else the ticket id and a hash of the body.
    """
    refused = authenticate(app, source, header, raw, headers_checked=headers_checked)
    if refused is not None:
        return refused
    try:
        body = parse_body(raw)
    except BodyError as exc:
        WEBHOOKS.inc(source, "invalid")
        return error(exc.status, exc.message)
    delivery_id = header(ZENDESK_INVOCATION if source == "zendesk" else "X-Request-Id")
    if delivery_id:
        delivery = f"{source}:{delivery_id[:128]}"
    else:
        delivery = f"{source}:{body.ticket_id}:{hashlib.sha256(raw).hexdigest()[:32]}"
    return accepted(app, source, body.ticket_id, body.requester_email, delivery)


def accepted(app: Any, source: str, ticket_id: str, email: str | None, delivery: str) -> Accepted:
    """The delivery with its run key: the installation, the ticket and the delivery's hash."""
    installation = app.config["PAYVERIFY_INSTALLATION"]
    digest = hashlib.sha256(delivery.encode()).hexdigest()[:24]
    return Accepted(source, ticket_id, email, delivery, f"{installation}:{ticket_id}:{digest}")


def answer(app: Any, source: str, header: Any, raw: bytes) -> Answer:
    """The whole trigger for a thread: status, body and headers."""
    result = check(app, source, header, raw)
    return result if isinstance(result, tuple) else settle(app, result)


async def answer_async(
    app: Any, source: str, header: Any, raw: bytes, *, headers_checked: bool = False
) -> Answer:
    """The whole trigger for a coroutine, which holds no thread while its batch commits."""
    result = check(app, source, header, raw, headers_checked=headers_checked)
    if isinstance(result, tuple):
        return result
    jobs = app.extensions["payverify.jobs"]
    try:
        new = await jobs.intake.submit_async(jobs.delivery_job(result))
    except QueueUnavailable as exc:
        return _unavailable(result, exc)
    return _queued(result, new)


def settle(app: Any, delivery: Accepted) -> Answer:
    """Claim the delivery and queue its run, once (`plugin.intake`); 202 or 503."""
    jobs = app.extensions["payverify.jobs"]
    try:
        new = jobs.intake.submit(jobs.delivery_job(delivery))
    except QueueUnavailable as exc:
        return _unavailable(delivery, exc)
    return _queued(delivery, new)


def _queued(delivery: Accepted, new: bool) -> Answer:
    WEBHOOKS.inc(delivery.source, "accepted" if new else "duplicate")
    return 202, json.dumps({"job": delivery.run_key, "duplicate": not new}).encode(), JSON


def _unavailable(delivery: Accepted, exc: QueueUnavailable) -> Answer:
    # Redis down, a locked SQLite file: nothing was kept.
    log.warning("could not queue %s for ticket %s: %s", delivery.run_key, delivery.ticket_id, exc)
    WEBHOOKS.inc(delivery.source, "unavailable")
    # Zendesk retries a 503 whose Retry-After is under 60 seconds
    # (https://developer.zendesk.com/api-reference/webhooks/introduction/#webhook-retries).
    message = "the job queue is unavailable; deliver again later"
    return error(503, message, [*JSON, ("Retry-After", str(RETRY_AFTER_SECONDS))])


def enqueue_delivery(
    source: str, ticket_id: str, requester_email: str | None, delivery: str
) -> tuple[Response, int]:
    """Claim a delivery and queue its run, once; 202 with the job and whether it was a repeat.

    The claim and the job are written together by the process's group commit
    (`plugin.intake`): 202 is sent only once both are durable, and when they cannot be
    written neither is kept, so the 503's redelivery is taken as new.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    return _response(settle(app, accepted(app, source, ticket_id, requester_email, delivery)))


def _response(result: Answer) -> tuple[Response, int]:
    status, body, headers = result
    return Response(body, status, headers), status


@bp.post("/triggers/zendesk")
def zendesk() -> tuple[Response, int]:
    """A Zendesk webhook (signed) asks for a ticket to be verified."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    return _response(answer(app, "zendesk", request.headers.get, request.get_data()))


@bp.post("/triggers/freshdesk")
def freshdesk() -> tuple[Response, int]:
    """A Freshdesk automation rule (shared secret) asks for a ticket to be verified."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    return _response(answer(app, "freshdesk", request.headers.get, request.get_data()))
