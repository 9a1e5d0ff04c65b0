"""`/api`: the engine, the ticket's verification, pipeline steps, agent actions, metrics.

Every route but the OpenAPI document needs `Authorization: Bearer` (plugin/web/auth.py);
the document, kept in sync with these routes, is plugin/web/openapi.py.
"""

from __future__ import annotations

import hmac
import uuid
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from pydantic import ValidationError

from core.errors import ExternalError, NotFound
from plugin.actions import ActionRefused, ActionRequest, run_action
from plugin.web import current_services, current_settings
from plugin.web.auth import (
    AuthError,
    check_ticket_access,
    current_principal,
    new_session,
    require_ticket,
    secret_value,
)
from plugin.web.summary import verification_summary

bp = Blueprint("api", __name__, url_prefix="/api")


class BadRequest(Exception):
    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.message, self.status = message, status


@bp.errorhandler(BadRequest)
def _bad_request(exc: BadRequest) -> tuple[Response, int]:
    return jsonify(error=exc.message), exc.status


@bp.errorhandler(ActionRefused)
def _refused(exc: ActionRefused) -> tuple[Response, int]:
    return jsonify(error=exc.message), exc.status


@bp.errorhandler(ExternalError)
def _external(exc: ExternalError) -> tuple[Response, int]:
    status = 404 if isinstance(exc, NotFound) else 502
    return jsonify(error=str(exc), service=exc.service, retryable=not exc.permanent), status


def _body() -> dict[str, Any]:
    if not request.get_data():
        return {}
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object", 400)
    return body


def _installation() -> str:
    return current_app.config["PAYVERIFY_INSTALLATION"]


def _ticket_principal(ticket_id: str) -> Any:
    principal = current_principal()
    require_ticket(principal, ticket_id)
    return principal


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 document of /api."""
    from plugin.web.openapi import document

    return jsonify(document())


@bp.post("/verify")
def verify_case() -> Response:
    """Decide a case JSON (the offline engine): a decision out, nothing written anywhere."""
    from core.decide import decide
    from core.models import Case

    current_principal()
    try:
        case = Case.model_validate(_body())
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "case"
        raise BadRequest(f"{field}: {first['msg']}", 400) from None
    decision = decide(case, current_services().policy)
    return jsonify(decision.model_dump(mode="json"))


@bp.post("/session/ticket")
def session_for_ticket() -> Response:
    """Exchange a session for one scoped to a ticket the helpdesk confirms exists."""
    principal = current_principal()
    ticket_id = _ticket_id(_body().get("ticket_id"))
    if principal.ticket_id is not None and principal.ticket_id != ticket_id:
        raise AuthError("this session is scoped to another ticket", 403)
    check_ticket_access(ticket_id)
    token, session = new_session(ticket_id, principal.user, principal.source)
    return jsonify(token=token, ticket_id=ticket_id, expires_at=session.expires_at)


@bp.post("/session/freshdesk")
def session_for_freshdesk() -> Response:
    """A session for the Freshworks app; its request template adds the secure install secret."""
    secret = secret_value(current_settings(), "freshdesk_install_secret")
    given = request.headers.get("X-Payverify-Install-Secret", "")
    if not secret or not given or not hmac.compare_digest(given.encode(), secret.encode()):
        raise AuthError("missing or wrong X-Payverify-Install-Secret")
    body = _body()
    ticket_id = _ticket_id(body.get("ticket_id"))
    check_ticket_access(ticket_id)
    user = str(body.get("agent_email") or body.get("user") or "freshdesk-agent")[:254]
    token, session = new_session(ticket_id, f"freshdesk:{user}", "freshdesk")
    return jsonify(token=token, ticket_id=ticket_id, expires_at=session.expires_at)


def _ticket_id(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int) or not str(value).strip():
        raise BadRequest("ticket_id: required (a string or an integer)")
    text = str(value).strip()
    if len(text) > 64 or not all(c.isalnum() or c in "_.:-" for c in text):
        raise BadRequest("ticket_id: letters, digits and _ . : - only, at most 64")
    return text


@bp.get("/tickets/<ticket_id>/verification")
def verification(ticket_id: str) -> Response | tuple[Response, int]:
    """The latest decision for a ticket, the reply in `lang`, and the actions available."""
    _ticket_principal(ticket_id)
    record = current_services().store.latest_verification(_installation(), ticket_id)
    if record is None:
        return jsonify(error=f"ticket {ticket_id} has not been verified yet"), 404
    return jsonify(verification_summary(current_services(), record, request.args.get("lang")))


@bp.post("/tickets/<ticket_id>/verify")
def verify_ticket(ticket_id: str) -> Response:
    """Assemble and decide now (nothing is posted); the new verification."""
    from plugin.pipeline import Pipeline

    principal = _ticket_principal(ticket_id)
    services = current_services()
    source = (
        "api" if principal.is_service else ("demo" if principal.source == "demo" else "sidebar")
    )
    run_key = f"verify:{_installation()}:{ticket_id}:{uuid.uuid4().hex}"
    pipeline = Pipeline(services, current_settings())
    pipeline.run(ticket_id, run_key=run_key, source=source, until="decision")
    record = services.store.latest_verification(_installation(), ticket_id)
    return jsonify(verification_summary(services, record, request.args.get("lang")))


@bp.post("/tickets/<ticket_id>/steps/<step>")
def run_step(ticket_id: str, step: str) -> Response:
    """Run one pipeline step for a run key (the Kestra flow); its saved result."""
    from plugin.pipeline import STEPS, Pipeline

    _ticket_principal(ticket_id)
    if step not in STEPS:
        raise BadRequest(f"step: {step!r} is not one of {', '.join(STEPS)}", 404)
    body = _body()
    run_key = str(body.get("run_key") or f"api:{_installation()}:{ticket_id}")[:200]
    email = body.get("requester_email")
    if email is not None and (not isinstance(email, str) or "@" not in email):
        raise BadRequest("requester_email: not an email address")
    pipeline = Pipeline(current_services(), current_settings())
    result = pipeline.run_step(ticket_id, step, run_key=run_key, requester_email=email)
    return jsonify(step=step, run_key=run_key, result=result)


@bp.post("/tickets/<ticket_id>/actions/<action>")
def run_ticket_action(ticket_id: str, action: str) -> Response:
    """One agent action (note, reply, credit, ...), once; a repeat returns the first result."""
    principal = _ticket_principal(ticket_id)
    action_request = ActionRequest(
        _installation(), ticket_id, principal.user, principal.is_approver, _body()
    )
    return jsonify(run_action(current_services(), action, action_request))


@bp.get("/metrics/kpis")
def kpis() -> Response:
    """The seed's KPIs overall and by scenario, tier and language (`since`/`until` ISO 8601)."""
    from plugin.web.summary import kpis_json, parse_instant

    current_principal()
    since = parse_instant("since", request.args.get("since"))
    until = parse_instant("until", request.args.get("until"))
    return jsonify(kpis_json(current_services().store.kpis(_installation(), since, until)))


@bp.post("/metrics/track")
def track() -> tuple[Response, int]:
    """The seed's track_payment_verification_metrics(...) over HTTP."""
    from plugin.metrics import MetricsInputError, track_payment_verification_metrics

    current_principal()
    body = _body()
    try:
        tracked = track_payment_verification_metrics(
            body.get("ticket_id"),
            body.get("scenario"),
            body.get("customer_tier"),
            body.get("resolution_time"),
            body.get("customer_satisfaction"),
            store=current_services().store,
            installation=_installation(),
            language=body.get("language") if body.get("language") in _LANGUAGES else None,
        )
    except MetricsInputError as exc:
        raise BadRequest(str(exc)) from None
    return jsonify(
        ticket_id=tracked.ticket_id,
        scenario=tracked.scenario,
        customer_tier=tracked.tier,
        resolution_seconds=_text(tracked.resolution_seconds),
        customer_satisfaction=_text(tracked.csat),
    ), 201


_LANGUAGES = ("en", "es", "pt", "fr", "de")


def _text(value: Any) -> str | None:
    return None if value is None else format(value, "f")


@bp.post("/follow-ups/run")
def run_follow_ups() -> Response:
    """Run the follow-ups that are due now (servers only)."""
    from plugin.followups import run_due_follow_ups

    if not current_principal().is_service:
        raise AuthError("running follow-ups needs the server token (PAYVERIFY_API_TOKEN)", 403)
    return jsonify(results=run_due_follow_ups(current_services(), current_settings()))


@bp.post("/demo/tickets/<ticket_id>/trigger")
def demo_trigger(ticket_id: str) -> tuple[Response, int]:
    """Demo only: fire the ticket's trigger as the helpdesk would (a signed delivery)."""
    from plugin.web.triggers import enqueue_delivery

    if not current_app.config.get("PAYVERIFY_DEMO"):
        return jsonify(error="only in demo mode"), 404
    _ticket_principal(ticket_id)
    check_ticket_access(ticket_id)
    return enqueue_delivery("demo", ticket_id, None, f"demo:{uuid.uuid4().hex}")
