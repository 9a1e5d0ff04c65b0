"""Freshworks platform 3.0 rules for the Freshdesk app, as `fdk validate` applies them.

Sources: https://developers.freshworks.com/docs/app-sdk/v3.0/support_ticket/app-manifest/
(platform-version, modules, locations, engines), .../advanced-interfaces/request-method/
(config/requests.json templates, declared under modules.common.requests) and
.../installation-parameters/ (config/iparams.json, `secure` iparams usable only in templates).
"""

from __future__ import annotations

import re
from typing import Any

from plugin.packaging.package_files import PackageFiles

PLATFORM_VERSION = "3.0"
MODULE_LOCATIONS = {
    "common": {"full_page_app", "cti_global_sidebar"},
    "support_ticket": {"ticket_sidebar", "ticket_requester_info", "ticket_conversation_editor",
                       "ticket_top_navigation", "ticket_background", "ticket_attachment",
                       "new_ticket_requester_info", "new_ticket_background",
                       "time_entry_background"},
    "support_contact": {"contact_sidebar"},
    "support_company": {"company_sidebar"},
    "support_agent": set(),
    "support_email": set(),
}  # fmt: skip
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
IPARAM_TYPES = ("text", "paragraph", "dropdown", "email", "number", "phone_number", "url",
                "radio", "checkbox", "multiselect", "date", "api_key", "domain")  # fmt: skip
CHOICE_TYPES = ("dropdown", "radio", "multiselect")
MAX_ATTEMPTS = 5  # request-method options: maxAttempts 1-5, retryDelay up to 1000 ms
MAX_RETRY_DELAY_MS = 1000
IPARAM_USE = re.compile(r"<%=\s*iparam\.([A-Za-z_][A-Za-z0-9_]*)\s*%>")
TEMPLATE = re.compile(r"<%=.*?%>")
SECRET_NAME = re.compile(r"secret|token|password|api_?key", re.IGNORECASE)
SEMVER = re.compile(r"^\d+\.\d+\.\d+$")


def manifest_problems(manifest: Any, package: PackageFiles) -> list[str]:
    """Problems of manifest.json: platform version, modules and locations, engines."""
    if not isinstance(manifest, dict):
        return ["manifest.json: must be a JSON object"]
    problems = []
    version = manifest.get("platform-version")
    if version != PLATFORM_VERSION:
        problems.append(f'manifest.json: platform-version is {version!r}, must be "3.0"')
    modules = manifest.get("modules")
    if not isinstance(modules, dict) or not modules:
        problems.append("manifest.json: modules must name at least one module, e.g. support_ticket")
        modules = {}
    for module, body in modules.items():
        if module not in MODULE_LOCATIONS:
            problems.append(f"manifest.json: modules.{module}: not a Freshdesk module "
                            f"(known: {', '.join(sorted(MODULE_LOCATIONS))})")  # fmt: skip
            continue
        if not isinstance(body, dict):
            problems.append(f"manifest.json: modules.{module} must be an object")
            continue
        for name, place in (body.get("location") or {}).items():
            problems += _location(f"manifest.json: modules.{module}.location.{name}",
                                  module, name, place, package)  # fmt: skip
    engines = manifest.get("engines")
    if not isinstance(engines, dict):
        problems.append("manifest.json: engines must give the node and fdk versions")
    else:
        for engine in ("node", "fdk"):
            if not SEMVER.match(str(engines.get(engine, ""))):
                problems.append(f"manifest.json: engines.{engine} must be a version like 18.20.4")
    return problems


def _location(where: str, module: str, name: str, place: Any, package: PackageFiles) -> list[str]:
    if name not in MODULE_LOCATIONS[module]:
        return [f"{where}: not a location of {module}"]
    if not isinstance(place, dict):
        return [f"{where}: must be an object with url and icon"]
    problems = []
    url, icon = place.get("url"), place.get("icon")
    if not isinstance(url, str) or not package.has(f"app/{url}"):
        problems.append(f"{where}: url {url!r} is not a file under app/")
    if not name.endswith("_background"):
        if not isinstance(icon, str) or not icon.endswith((".svg", ".png")):
            problems.append(f"{where}: icon must be an .svg or .png file under app/")
        elif not package.has(f"app/{icon}"):
            problems.append(f"{where}: icon {icon!r} is not a file under app/")
    return problems


def requests_problems(manifest: Any, templates: Any, iparams: dict[str, Any]) -> list[str]:
    """Problems of config/requests.json and of the templates the manifest declares."""
    declared = (((manifest or {}).get("modules") or {}).get("common") or {}).get("requests") or {}
    if not isinstance(templates, dict):
        return ["config/requests.json: must be a JSON object of request templates"]
    problems = []
    for name in declared:
        if name not in templates:
            problems.append(f"manifest.json: modules.common.requests.{name}: "
                            "no such template in config/requests.json")  # fmt: skip
    for name, template in templates.items():
        where = f"config/requests.json: {name}"
        if name not in declared:
            problems.append(f"{where}: not declared in manifest.json modules.common.requests")
        problems += _template(where, template, iparams)
    return problems


def _template(where: str, template: Any, iparams: dict[str, Any]) -> list[str]:
    schema = template.get("schema") if isinstance(template, dict) else None
    if not isinstance(schema, dict):
        return [f"{where}: schema is missing"]
    problems = []
    if schema.get("method") not in HTTP_METHODS:
        problems.append(f"{where}: method {schema.get('method')!r} is not one of "
                        f"{', '.join(HTTP_METHODS)}")  # fmt: skip
    host = schema.get("host")
    bare_host = TEMPLATE.sub("x", host) if isinstance(host, str) else ""
    if not bare_host:
        problems.append(f"{where}: host is missing")
    elif "/" in bare_host or ":" in bare_host:
        problems.append(f"{where}: host {host!r} must be a host name only (no scheme or path)")
    path = schema.get("path", "/")
    if not isinstance(path, str) or not path.startswith("/"):
        problems.append(f"{where}: path {path!r} must start with /")
    if schema.get("protocol", "https") != "https":
        problems.append(f"{where}: protocol must be https")
    headers = schema.get("headers", {})
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        problems.append(f"{where}: headers must be an object of strings")
    options = template.get("options") or {}
    attempts, delay = options.get("maxAttempts", 1), options.get("retryDelay", 0)
    if not (isinstance(attempts, int) and 1 <= attempts <= MAX_ATTEMPTS):
        problems.append(f"{where}: options.maxAttempts must be 1 to {MAX_ATTEMPTS}")
    if not (isinstance(delay, int) and 0 <= delay <= MAX_RETRY_DELAY_MS):
        problems.append(f"{where}: options.retryDelay must be 0 to {MAX_RETRY_DELAY_MS} ms")
    for used in sorted(set(IPARAM_USE.findall(str(schema)))):
        if used not in iparams:
            problems.append(f"{where}: uses iparam.{used}, not declared in config/iparams.json")
    return problems


def iparams_problems(iparams: Any) -> list[str]:
    """Problems of config/iparams.json: types, labels, choices, secrets marked secure."""
    if not isinstance(iparams, dict):
        return ["config/iparams.json: must be a JSON object of installation parameters"]
    problems = []
    for name, spec in iparams.items():
        where = f"config/iparams.json: {name}"
        if not isinstance(spec, dict):
            problems.append(f"{where}: must be an object")
            continue
        if not spec.get("display_name"):
            problems.append(f"{where}: display_name is missing")
        kind = spec.get("type")
        if kind not in IPARAM_TYPES:
            problems.append(f"{where}: unknown type {kind!r} (allowed: {', '.join(IPARAM_TYPES)})")
        if kind in CHOICE_TYPES and not spec.get("options"):
            problems.append(f"{where}: a {kind} needs options")
        for flag in ("required", "secure"):
            if flag in spec and not isinstance(spec[flag], bool):
                problems.append(f"{where}: {flag} must be true or false")
        if SECRET_NAME.search(name) and spec.get("secure") is not True:
            problems.append(f"{where}: holds a secret; set \"secure\": true so that Freshworks "
                            "encrypts it and keeps it out of the browser")  # fmt: skip
        if spec.get("secure") is True and "default_value" in spec:
            problems.append(f"{where}: a secure iparam cannot ship a default value")
    return problems
