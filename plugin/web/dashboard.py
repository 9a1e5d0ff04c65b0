"""The admins' KPI dashboard (/dashboard): charts drawn in the browser from /api/metrics/kpis."""

from __future__ import annotations

from flask import Blueprint, Response, render_template

from plugin.web.sidebar import page_headers

bp = Blueprint("dashboard", __name__, template_folder="templates")


@bp.route("/dashboard")
def dashboard() -> Response:
    """The dashboard page; its script fetches the KPIs with the admin's session."""
    html = render_template("dashboard.html")
    return page_headers(Response(html, mimetype="text/html"), framed=True)
