"""The admins' KPI dashboard (/dashboard): charts drawn in the browser from /api/metrics/kpis."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template

from plugin.web.sidebar import error_page, page_headers

bp = Blueprint("dashboard", __name__, template_folder="templates")


@bp.route("/dashboard", methods=["GET", "POST"])
def dashboard() -> Response:
    """The dashboard page; its script fetches the KPIs with the admin's session.

    Same sessions as the sidebar (a Zendesk signed-URL POST from a nav-bar location, a
    `?session=` token, or the open demo); /api/metrics/kpis decides who may read them.
    """
    from plugin.web import auth

    try:
        context = auth.sidebar_session_from_request()
    except auth.AuthError as exc:
        return error_page(exc.message, exc.status)
    if context is None:
        return error_page("The dashboard needs an admin session: open it from the helpdesk.", 401)
    html = render_template(
        "dashboard.html",
        session_token=context.token,
        demo=bool(current_app.config.get("PAYVERIFY_DEMO")),
    )
    return page_headers(Response(html, mimetype="text/html"), framed=True)
