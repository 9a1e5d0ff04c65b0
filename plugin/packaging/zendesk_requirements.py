"""Zendesk requirements.json rules: resource types and the fields each one needs.

Sources: zendesk_apps_support validations/requirements.rb and app_requirement.rb, and
https://developer.zendesk.com/documentation/apps/app-developer-guide/apps_requirements/
with the Webhooks API's mandatory fields
(https://developer.zendesk.com/api-reference/webhooks/webhooks-api/webhooks/).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from plugin.packaging.package_files import PackageFiles

MAX_REQUIREMENTS = 5000
TYPES = ("automations", "channel_integrations", "custom_objects", "macros", "targets", "views",
         "ticket_fields", "triggers", "user_fields", "organization_fields", "webhooks")  # fmt: skip
UNTITLED = ("channel_integrations", "custom_objects", "webhooks")
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
REQUEST_FORMATS = ("json", "xml", "form_encoded")
WEBHOOK_STATUSES = ("active", "inactive")
AUTH_TYPES = ("basic_auth", "bearer_token", "api_key")


def requirements_problems(package: PackageFiles) -> list[str]:
    """Every reason Zendesk would refuse this package's requirements.json (none if absent)."""
    if not package.has("requirements.json"):
        return []
    problems: list[str] = []
    requirements = package.json("requirements.json", problems)
    if requirements is None:
        return problems
    if not isinstance(requirements, dict):
        return ["requirements.json: must be a JSON object of resource types"]
    unknown = [key for key in requirements if key not in TYPES]
    if unknown:
        problems.append(f"requirements.json: unknown requirement type(s): {', '.join(unknown)} "
                        f"(allowed: {', '.join(TYPES)})")  # fmt: skip
    count = 0
    for kind, resources in requirements.items():
        if kind not in TYPES or kind == "custom_objects":
            continue
        if not isinstance(resources, dict):
            problems.append(f"requirements.json: {kind} must be an object keyed by identifier")
            continue
        count += len(resources)
        for identifier, fields in resources.items():
            where = f"requirements.json: {kind}.{identifier}"
            if not isinstance(fields, dict):
                problems.append(f"{where}: must be an object")
                continue
            problems += _resource(kind, where, fields, requirements)
    if count > MAX_REQUIREMENTS:
        problems.append(f"requirements.json: {count} requirements, more than {MAX_REQUIREMENTS}")
    if len(requirements.get("channel_integrations") or {}) > 1:
        problems.append("requirements.json: at most one channel integration")
    return problems


def _resource(kind: str, where: str, fields: dict[str, Any], requirements: dict) -> list[str]:
    problems = []
    if kind not in UNTITLED and not fields.get("title"):
        problems.append(f"{where}: missing required field title")
    if kind in ("user_fields", "organization_fields") and not fields.get("key"):
        problems.append(f"{where}: missing required field key")
    if kind == "channel_integrations" and not fields.get("manifest_url"):
        problems.append(f"{where}: missing required field manifest_url")
    typed = ("ticket_fields", "user_fields", "organization_fields", "targets")
    if kind in typed and not fields.get("type"):
        problems.append(f"{where}: missing required field type")
    if kind == "webhooks":
        problems += _webhook(where, fields)
    if kind in ("triggers", "automations", "views"):
        problems += _conditions(where, fields.get("conditions"))
    if kind in ("triggers", "automations", "macros"):
        webhooks = requirements.get("webhooks") if isinstance(requirements, dict) else None
        problems += _actions(where, fields.get("actions"), webhooks or {})
    return problems


def _webhook(where: str, hook: dict[str, Any]) -> list[str]:
    problems = []
    for field in ("name", "endpoint", "http_method", "request_format", "status"):
        if not hook.get(field):
            problems.append(f"{where}: webhook missing required field {field}")
    endpoint = hook.get("endpoint")
    if isinstance(endpoint, str) and endpoint:
        parts = urlsplit(endpoint)
        if parts.scheme != "https" or not parts.netloc:
            problems.append(f"{where}: endpoint {endpoint!r} must be an https URL")
    if hook.get("http_method") and hook["http_method"] not in HTTP_METHODS:
        problems.append(f"{where}: http_method {hook['http_method']!r} is not one of "
                        f"{', '.join(HTTP_METHODS)}")  # fmt: skip
    if hook.get("request_format") and hook["request_format"] not in REQUEST_FORMATS:
        problems.append(f"{where}: request_format {hook['request_format']!r} is not one of "
                        f"{', '.join(REQUEST_FORMATS)}")  # fmt: skip
    if hook.get("status") and hook["status"] not in WEBHOOK_STATUSES:
        problems.append(f"{where}: status {hook['status']!r} is not active or inactive")
    subscriptions = hook.get("subscriptions")
    if not (isinstance(subscriptions, list) and subscriptions):
        problems.append(f"{where}: subscriptions must list at least one event type")
    elif "conditional_ticket_events" in subscriptions and (
        hook.get("http_method"),
        hook.get("request_format"),
    ) != ("POST", "json"):
        # A trigger posts its JSON body only through a POST webhook with request_format json.
        problems.append(f"{where}: a trigger webhook must use http_method POST and format json")
    secret = hook.get("signing_secret")
    if secret is not None and not (
        isinstance(secret, dict) and secret.get("algorithm") == "SHA256" and secret.get("secret")
    ):
        problems.append(f"{where}: signing_secret must be {{\"algorithm\": \"SHA256\", "
                        "\"secret\": ...}}")  # fmt: skip
    auth = hook.get("authentication")
    if auth is not None and not (isinstance(auth, dict) and auth.get("type") in AUTH_TYPES):
        problems.append(f"{where}: authentication type must be one of {', '.join(AUTH_TYPES)}")
    return problems


def _conditions(where: str, conditions: Any) -> list[str]:
    if not isinstance(conditions, dict) or not (conditions.get("all") or conditions.get("any")):
        return [f"{where}: conditions must hold an all or any list of conditions"]
    problems = []
    for group in ("all", "any"):
        items = conditions.get(group, [])
        if not isinstance(items, list):
            problems.append(f"{where}: conditions.{group} must be a list")
            continue
        for index, item in enumerate(items):
            if not (isinstance(item, dict) and item.get("field") and item.get("operator")):
                problems.append(f"{where}: conditions.{group}[{index}] needs field and operator")
    return problems


def _actions(where: str, actions: Any, webhooks: dict[str, Any]) -> list[str]:
    if not isinstance(actions, list) or not actions:
        return [f"{where}: actions must list at least one action"]
    problems = []
    for index, action in enumerate(actions):
        if not (isinstance(action, dict) and action.get("field") and "value" in action):
            problems.append(f"{where}: actions[{index}] needs field and value")
            continue
        if action["field"] == "notification_webhook":
            problems += _webhook_action(f"{where}: actions[{index}]", action["value"], webhooks)
    return problems


def _webhook_action(where: str, value: Any, webhooks: dict[str, Any]) -> list[str]:
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)):
        return [f"{where}: notification_webhook value must be [webhook, JSON body]"]
    hook, body = value
    problems = []
    if hook not in webhooks:
        problems.append(f"{where}: notification_webhook names {hook!r}, not a declared webhook")
    try:
        json.loads(body)
    except json.JSONDecodeError as exc:
        problems.append(f"{where}: notification_webhook body is not JSON ({exc.msg})")
    return problems
