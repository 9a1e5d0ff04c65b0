"""The OpenAPI 3.1 document of /api (served at /api/openapi.json; a test keeps it in sync)."""

from __future__ import annotations

from typing import Any

from plugin.actions import ACTIONS
from plugin.pipeline import STEPS

_OBJECT = {"type": "object"}
_ERROR = {
    "description": "refused; `error` says what is wrong",
    "content": {
        "application/json": {
            "schema": {"type": "object", "properties": {"error": {"type": "string"}}}
        }
    },
}


def _json(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": schema or _OBJECT}},
    }


def _op(
    summary: str,
    ok: str = "200",
    *,
    body: bool = False,
    params: list[Any] | None = None,
    secure: bool = True,
) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": summary,
        "responses": {
            ok: _json("done"),
            "400": _ERROR,
            "401": _ERROR,
            "403": _ERROR,
            "422": _ERROR,
        },
    }
    if params:
        operation["parameters"] = list(params)
    if body:
        operation["requestBody"] = {
            "required": False,
            "content": {"application/json": {"schema": _OBJECT}},
        }
    if not secure:
        operation["security"] = []
    return operation


def _path_param(name: str, enum: tuple[str, ...] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if enum:
        schema["enum"] = list(enum)
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _query(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": {"type": "string"},
        "description": description,
    }


TICKET = _path_param("ticket_id")


def document() -> dict[str, Any]:
    """The document: every /api route with its parameters, bodies and answers."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "payverify backend API",
            "version": "1",
            "description": "Verify unpaid-invoice tickets; see docs/BACKEND.md.",
        },
        "servers": [{"url": "/"}],
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "PAYVERIFY_API_TOKEN (servers) or a sidebar session token",
                }
            }
        },
        "security": [{"bearer": []}],
        "paths": {
            "/api/openapi.json": {"get": _op("This document", secure=False)},
            "/api/verify": {"post": _op("Decide a case JSON (CASE_FORMAT.md) offline", body=True)},
            "/api/session/ticket": {
                "post": _op("Exchange a session for one scoped to a ticket", body=True)
            },
            "/api/session/freshdesk": {
                "post": {
                    **_op("A sidebar session for the Freshworks app", body=True, secure=False),
                    "parameters": [
                        {
                            "name": "X-Payverify-Install-Secret",
                            "in": "header",
                            "required": True,
                            "schema": {"type": "string"},
                        }
                    ],
                }
            },
            "/api/tickets/{ticket_id}/verification": {
                "get": _op(
                    "The latest decision for a ticket, the reply in `lang`",
                    params=[TICKET, _query("lang", "en, es, pt, fr or de")],
                )
            },
            "/api/tickets/{ticket_id}/verify": {
                "post": _op("Assemble and decide now (nothing posted)", params=[TICKET])
            },
            "/api/tickets/{ticket_id}/steps/{step}": {
                "post": _op(
                    "Run one pipeline step (body: run_key, requester_email)",
                    body=True,
                    params=[TICKET, _path_param("step", STEPS)],
                )
            },
            "/api/tickets/{ticket_id}/actions/{action}": {
                "post": _op(
                    "One agent action, idempotent (body: confirm, approved_by, lang, invoice, "
                    "reference, reason)",
                    body=True,
                    params=[TICKET, _path_param("action", ACTIONS)],
                )
            },
            "/api/metrics/kpis": {
                "get": _op(
                    "KPIs overall and by scenario, tier and language",
                    params=[_query("since", "ISO 8601"), _query("until", "ISO 8601")],
                )
            },
            "/api/metrics/track": {
                "post": _op(
                    "track_payment_verification_metrics(ticket_id, scenario, customer_tier, "
                    "resolution_time, customer_satisfaction)",
                    "201",
                    body=True,
                )
            },
            "/api/follow-ups/run": {"post": _op("Run the follow-ups due now (server token)")},
            "/api/demo/tickets/{ticket_id}/trigger": {
                "post": _op("Demo only: fire the ticket's trigger", "202", params=[TICKET])
            },
        },
    }
