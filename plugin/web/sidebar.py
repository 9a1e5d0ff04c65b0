"""The agent sidebar (/sidebar) in Zendesk, Freshdesk or standalone, and the demo's ticket list."""

from __future__ import annotations

import functools
import os
import re
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)

# The blueprint carries the templates and static assets of every page of the UI (sidebar, demo,
# dashboard), so the pages work whatever static folder the app itself was given.
bp = Blueprint(
    "sidebar",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/ui-assets",
)

HOSTS = ("zendesk", "freshdesk", "standalone")
LANGUAGES = ("en", "es", "pt", "fr", "de")

# Where the Zendesk SDK is loaded from in a real install; the sidebar never bundles it.
# https://developer.zendesk.com/api-reference/apps/apps-core-api/client_api/
ZAF_SDK_URL = "https://static.zdassets.com/zendesk_app_framework_sdk/2.0/zaf_sdk.min.js"

# Who may frame the sidebar (CSP frame-ancestors checks every ancestor, not just the parent).
# Zendesk: the agent UI (SUB.zendesk.com) frames the app; Zendesk serves app assets and its
# SDK from *.zdusercontent.com and *.zdassets.com.
# https://developer.zendesk.com/documentation/apps/app-developer-guide/using-the-apps-framework/
# Freshdesk: the agent UI (*.freshdesk.com, or *.freshworks.com / *.myfreshworks.com on the
# Freshworks suite) frames our Freshworks app page, which frames this page; the FDK's app
# assets come from *.freshdev.io.
# https://developers.freshworks.com/docs/app-sdk/v3.0/support_ticket/front-end-apps/placeholders/
FRAME_ANCESTORS = (
    "https://*.zendesk.com",
    "https://*.zdusercontent.com",
    "https://*.zdassets.com",
    "https://*.freshdesk.com",
    "https://*.freshworks.com",
    "https://*.myfreshworks.com",
    "https://*.freshdev.io",
)
# A CSP host-source with a scheme: https://host, https://*.host, http://127.0.0.1:8080.
HOST_SOURCE = re.compile(
    r"^(?P<scheme>https?)://(?P<wild>\*\.)?(?P<host>[a-z0-9-]+(\.[a-z0-9-]+)*)(:(?P<port>\d{1,5}))?$"
)


@functools.lru_cache(maxsize=16)
def parse_frame_ancestors(extra: str) -> tuple[str, ...]:
    """The default ancestors plus `extra` (space-separated origins), or ValueError naming one."""
    sources = list(FRAME_ANCESTORS)
    for source in extra.split():
        if not HOST_SOURCE.match(source.lower()):
            raise ValueError(
                f"PAYVERIFY_FRAME_ANCESTORS: {source!r} is not an origin like "
                "https://helpdesk.example.com or https://*.example.com"
            )
        sources.append(source.lower())
    return tuple(dict.fromkeys(sources))


@bp.record_once
def _check_frame_ancestors(state: Any) -> None:
    # A malformed PAYVERIFY_FRAME_ANCESTORS stops the app at start, not on an agent's request.
    extra = getattr(state.app.extensions.get("payverify.settings"), "frame_ancestors", None)
    parse_frame_ancestors(str(extra or os.environ.get("PAYVERIFY_FRAME_ANCESTORS", "")))


def frame_ancestors() -> tuple[str, ...]:
    """Who may frame the UI: the helpdesks and PAYVERIFY_FRAME_ANCESTORS (config or environment)."""
    extra = current_app.config.get("PAYVERIFY_FRAME_ANCESTORS")
    if extra is None:
        from plugin.web import current_settings

        extra = getattr(current_settings(), "frame_ancestors", None)
        extra = extra or os.environ.get("PAYVERIFY_FRAME_ANCESTORS", "")
    return parse_frame_ancestors(str(extra))


def origin_allowed(origin: str, sources: tuple[str, ...]) -> bool:
    """Whether a browser origin (scheme://host[:port]) matches one of the CSP host-sources."""
    found = HOST_SOURCE.match(origin.lower())
    if not found or found["wild"]:
        return False
    default = {"https": "443", "http": "80"}
    for source in sources:
        allowed = HOST_SOURCE.match(source)
        if not allowed or allowed["scheme"] != found["scheme"]:
            continue
        port = found["port"] or default[found["scheme"]]
        if (allowed["port"] or default[allowed["scheme"]]) != port:
            continue
        host, pattern = found["host"], allowed["host"]
        if host.endswith("." + pattern) if allowed["wild"] else host == pattern:
            return True
    return False


def page_headers(response: Response, *, framed: bool) -> Response:
    """Add the security headers of a UI page: scripts only from here and the Zendesk SDK."""
    sdk = current_app.config.get("PAYVERIFY_ZAF_SDK_URL", ZAF_SDK_URL).rsplit("/", 1)[0] + "/"
    ancestors = " ".join(frame_ancestors()) if framed else "'self'"
    # Inline styles stay allowed: the reply preview is e-mail HTML with inline CSS, shown in a
    # sandboxed srcdoc iframe (which inherits this policy); scripts never run there.
    response.headers["Content-Security-Policy"] = (
        f"default-src 'self'; script-src 'self' {sdk}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: https:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors " + ancestors
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"  # the page carries a session token
    return response


def _host() -> str:
    """The host the sidebar runs in: a ZAF signed-URL POST is Zendesk, else the `host` query."""
    if request.method == "POST":
        return "zendesk"
    host = request.args.get("host", "standalone")
    if host not in HOSTS:
        abort(400, description=f"host must be one of {', '.join(HOSTS)}, not {host!r}")
    return host


def error_page(message: str, status: int) -> Response:
    """A readable page (not JSON) for an agent whose sidebar could not be opened."""
    html = render_template("sidebar.html", host="error", error=message, status=status)
    return page_headers(Response(html, status=status, mimetype="text/html"), framed=True)


@bp.route("/sidebar", methods=["GET", "POST"])
def sidebar() -> Response:
    """The sidebar page; its script learns the ticket from the host client (or the URL)."""
    from plugin.web import auth  # the app factory initialises it before any request

    host = _host()
    try:
        context = auth.sidebar_session_from_request()
    except auth.AuthError as exc:
        return error_page(exc.message, exc.status)
    if context is None:
        # Zendesk posts a signed URL; the Freshworks app page asks the backend for a session
        # (request template createSession) before it opens this page.
        return error_page("This page needs a helpdesk session: open it from the ticket.", 401)
    ticket_id = context.ticket_id or request.args.get("ticket", "")
    if host == "standalone" and not ticket_id:
        abort(400, description="ticket: required when the sidebar runs standalone")
    html = render_template(
        "sidebar.html",
        host=host,
        ticket_id=ticket_id,
        session_token=context.token,
        demo=bool(context.demo),
        zaf_sdk_url=current_app.config.get("PAYVERIFY_ZAF_SDK_URL", ZAF_SDK_URL),
        # The Freshdesk bridge answers only a parent frame on one of these origins.
        frame_ancestors=" ".join(frame_ancestors()) if host == "freshdesk" else "",
    )
    return page_headers(Response(html, mimetype="text/html"), framed=host != "standalone")


@bp.route("/")
def home() -> Response:
    """The demo's ticket list in demo mode; elsewhere, where the backend's pages are."""
    if current_app.config.get("PAYVERIFY_DEMO"):
        return redirect(url_for("sidebar.demo"))
    return Response(
        "payverify backend: /sidebar (helpdesk app), /dashboard, /api/openapi.json, /health\n",
        mimetype="text/plain",
    )


@bp.route("/demo")
def demo() -> Response:
    """The demo's tickets with language, subject and latest verdict, a trigger button each."""
    from core.language import detect_language
    from core.text import claim_text
    from plugin.web import auth, current_services

    if not current_app.config.get("PAYVERIFY_DEMO"):
        abort(404, description="the demo page exists only when payverify runs as `payverify demo`")
    services = current_services()
    installation = current_app.config["PAYVERIFY_INSTALLATION"]
    list_tickets = getattr(services.helpdesk, "list_tickets", None)
    if list_tickets is None:
        abort(501, description="the demo helpdesk does not list its tickets (list_tickets)")
    tickets = []
    for item in list_tickets():
        ticket = item.ticket
        record = services.store.latest_verification(installation, str(ticket.id))
        token, _session = auth.new_session(str(ticket.id), "demo-agent", "demo")
        language = record.language if record else None
        language = language or detect_language(
            claim_text(ticket), ticket.requester.locale, services.policy
        )
        tickets.append(
            {
                "id": str(ticket.id),
                "subject": ticket.subject,
                "requester": ticket.requester.name,
                "language": language,
                "verdict": (record.verdict or "not a payment claim") if record else None,
                "scenario": record.scenario if record else None,
                "token": token,
            }
        )
    html = render_template("demo.html", tickets=tickets)
    return page_headers(Response(html, mimetype="text/html"), framed=False)
