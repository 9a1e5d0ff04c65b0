"""The Flask backend: `create_app()` wires services, the job queue and one blueprint per surface."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, current_app, jsonify
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


def create_app(services: Any = None, settings: Any = None, *, jobs: Any = None) -> Flask:
    """Build the app: services from `bootstrap()` unless given, the queue from settings."""
    from plugin import jobs as jobs_module
    from plugin.pipeline import installation_of, mode_of
    from plugin.web import api, auth, billing_events, front, health, prometheus, triggers

    if services is None:
        from plugin.bootstrap import bootstrap

        services = bootstrap(settings)
    settings = settings if settings is not None else getattr(services, "settings", None)

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024  # webhook and case bodies are small
    app.config["JSON_SORT_KEYS"] = False
    app.extensions["payverify"] = services
    app.extensions["payverify.settings"] = settings
    demo = getattr(settings, "helpdesk", None) == "demo" or (
        getattr(getattr(services, "helpdesk", None), "name", "") == "demo"
    )
    app.config["PAYVERIFY_DEMO"] = demo
    app.config["PAYVERIFY_MODE"] = mode_of(settings)
    app.config["PAYVERIFY_INSTALLATION"] = installation_of(services, settings)
    auth.init_app(app, settings, app.config["PAYVERIFY_INSTALLATION"], demo)
    app.extensions["payverify.jobs"] = jobs or jobs_module.Jobs(services, settings)
    prometheus.init_app(app)
    # The trigger POSTs are answered in front of Flask; their routes stay for the OpenAPI
    # document and for what the fast path hands on (docs/BENCHMARKS.md).
    app.wsgi_app = front.TriggerFastPath(app, app.wsgi_app)  # type: ignore[method-assign]

    for module in (triggers, billing_events, api, health, prometheus):
        app.register_blueprint(module.bp)
    _register_ui(app)
    _register_errors(app)
    return app


def _register_ui(app: Flask) -> None:
    # The sidebar and dashboard are built in parallel; the backend works without them.
    import importlib

    for name in ("plugin.web.sidebar", "plugin.web.dashboard"):
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            log.warning("%s is not installed; its pages are not served", name)
            continue
        app.register_blueprint(module.bp)


def _register_errors(app: Flask) -> None:
    from plugin.web.auth import AuthError

    @app.errorhandler(AuthError)
    def _auth_error(exc: AuthError) -> Any:
        return jsonify(error=exc.message), exc.status

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Any:
        return jsonify(error=exc.description or exc.name), exc.code


def current_services() -> Any:
    """The `Services` (helpdesk, billing, store, policy) of the running app."""
    return current_app.extensions["payverify"]


def current_settings() -> Any:
    """The settings of the running app."""
    return current_app.extensions["payverify.settings"]


def current_jobs() -> Any:
    """The job queue of the running app (`plugin.jobs.Jobs`)."""
    return current_app.extensions["payverify.jobs"]
