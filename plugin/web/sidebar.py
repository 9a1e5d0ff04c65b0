"""The agent sidebar (/sidebar) in Zendesk, Freshdesk or standalone, and the demo's ticket list."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request

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

# Where the host SDKs are loaded from in a real install; the sidebar never bundles them.
# https://developer.zendesk.com/api-reference/apps/apps-core-api/client_api/
ZAF_SDK_URL = "https://static.zdassets.com/zendesk_app_framework_sdk/2.0/zaf_sdk.min.js"
# https://developers.freshworks.com/docs/app-sdk/v2.3/freshdesk/front-end-apps/
FRESHWORKS_CLIENT_URL = "https://static.freshdev.io/fdk/2.0/assets/fresh_client.js"


# Who may frame the sidebar: the helpdesks' agent UIs. Tests and self-hosted helpdesks
# override it with the app config key PAYVERIFY_FRAME_ANCESTORS.
FRAME_ANCESTORS = (
    "https://*.zendesk.com https://*.zdusercontent.com https://*.freshdesk.com "
    "https://*.freshworks.com https://*.myfreshworks.com https://*.freshdev.io"
)


def page_headers(response: Response, *, framed: bool) -> Response:
    """Add the security headers of a UI page: scripts only from here and the host SDKs."""
    ancestors = current_app.config.get("PAYVERIFY_FRAME_ANCESTORS", FRAME_ANCESTORS)
    sdks = " ".join(
        current_app.config.get(key, default).rsplit("/", 1)[0] + "/"
        for key, default in (
            ("PAYVERIFY_ZAF_SDK_URL", ZAF_SDK_URL),
            ("PAYVERIFY_FRESHWORKS_CLIENT_URL", FRESHWORKS_CLIENT_URL),
        )
    )
    # Inline styles stay allowed: the reply preview is e-mail HTML with inline CSS, shown in a
    # sandboxed srcdoc iframe (which inherits this policy); scripts never run there.
    response.headers["Content-Security-Policy"] = (
        f"default-src 'self'; script-src 'self' {sdks}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: https:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        "frame-ancestors " + (ancestors if framed else "'self'")
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
    if context is None and host != "freshdesk":
        # Only the Freshworks client can fetch a session from inside the page.
        return error_page("This page needs a helpdesk session: open it from the ticket.", 401)
    ticket_id = (context.ticket_id if context else None) or request.args.get("ticket", "")
    ticket_id = ticket_id or request.args.get("ticket_id", "")
    if host == "standalone" and not ticket_id:
        abort(400, description="ticket: required when the sidebar runs standalone")
    html = render_template(
        "sidebar.html",
        host=host,
        ticket_id=ticket_id,
        session_token=context.token if context else "",
        demo=bool(context and context.demo),
        zaf_sdk_url=current_app.config.get("PAYVERIFY_ZAF_SDK_URL", ZAF_SDK_URL),
        freshworks_client_url=current_app.config.get(
            "PAYVERIFY_FRESHWORKS_CLIENT_URL", FRESHWORKS_CLIENT_URL
        ),
    )
    return page_headers(Response(html, mimetype="text/html"), framed=host != "standalone")


@bp.route("/demo")
def demo() -> Response:
    """The demo's tickets, each with its sidebar link, latest verdict and a trigger button."""
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
        tickets.append(
            {
                "id": str(ticket.id),
                "subject": ticket.subject,
                "requester": ticket.requester.name,
                "locale": ticket.requester.locale or "",
                "verdict": record.verdict if record else None,
                "token": token,
            }
        )
    html = render_template("demo.html", tickets=tickets)
    return page_headers(Response(html, mimetype="text/html"), framed=False)
