"""Zendesk manifest.json rules, as zendesk_apps_support applies them when zcli uploads an app.

Source: https://github.com/zendesk/zendesk_apps_support, lib/zendesk_apps_support/
validations/manifest.rb, manifest.rb, manifest/parameter.rb, location.rb, app_version.rb
and validations/secure_settings.rb (whose warnings payverify refuses outright).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from plugin.packaging.package_files import PackageFiles
from plugin.packaging.zendesk_parameters import parameter_problems

VALID_LOCALE = re.compile(r"^[a-z]{2}(-\w{2,3})?$")
FRAMEWORK_VERSIONS = ("0.5", "1.0", "2.0")  # AppVersion::TO_BE_SERVED
CREATABLE_VERSIONS = ("2.0",)  # AppVersion::VALID_FOR_CREATE
BOOLEAN_KEYS = ("requirementsOnly", "marketingOnly", "singleInstall", "signedUrls", "private")
STRING_KEYS = ("defaultLocale", "version", "frameworkVersion", "remoteInstallationURL",
               "termsConditionsURL", "gaID")  # fmt: skip
LOCATIONS = {
    "support": {"top_bar", "nav_bar", "ticket_sidebar", "new_ticket_sidebar", "user_sidebar",
                "organization_sidebar", "background", "modal", "ticket_editor",
                "system_top_bar", "ticket_module"},
    "chat": {"chat_sidebar", "background"},
    "standalone_chat": {"nav_bar", "system_top_bar"},
}  # fmt: skip
LEGACY_HOSTS = {"zendesk": "support", "zopim": "chat"}
OAUTH_KEYS = ("client_id", "client_secret", "authorize_uri", "access_token_uri")


def manifest_problems(package: PackageFiles) -> list[str]:
    """Every reason Zendesk would refuse this package's manifest.json."""
    if not package.has("manifest.json"):
        nested = [n for n in package.files if re.fullmatch(r"[^/]+/manifest\.json", n)]
        if nested:
            return [f"manifest.json is at {nested[0]}: zip the folder's contents, not the folder"]
        return ["manifest.json: missing at the package root"]
    problems: list[str] = []
    manifest = package.json("manifest.json", problems)
    if manifest is None:
        return problems
    if not isinstance(manifest, dict):
        return ["manifest.json: must be a JSON object"]
    problems += _keys_and_types(manifest)
    problems += _default_locale(manifest, package)
    marketing = manifest.get("requirementsOnly") is True or manifest.get("marketingOnly") is True
    if marketing:
        if manifest.get("location"):
            problems.append("manifest.json: location: not allowed in a requirements-only app")
    else:
        problems += _framework_version(manifest)
        problems += _locations(manifest, package)
    problems += parameter_problems(manifest)
    return problems


def _keys_and_types(manifest: dict[str, Any]) -> list[str]:
    problems = []
    required = ["author", "defaultLocale"]
    if not (manifest.get("requirementsOnly") or manifest.get("marketingOnly")):
        required += ["location", "frameworkVersion"]
    missing = [key for key in required if manifest.get(key) is None]
    if missing:
        problems.append(f"manifest.json: missing required key(s): {', '.join(missing)}")
    for key in BOOLEAN_KEYS:
        if key in manifest and not isinstance(manifest[key], bool):
            problems.append(f"manifest.json: {key} must be true or false, not {manifest[key]!r}")
    for key in STRING_KEYS:
        if key in manifest and not isinstance(manifest[key], str):
            problems.append(f"manifest.json: {key} must be a string, not {manifest[key]!r}")
    author = manifest.get("author")
    if author is not None:
        if not isinstance(author, dict):
            problems.append("manifest.json: author must be an object with name, email and url")
        else:
            for field in ("name", "email", "url"):
                if field in author and not isinstance(author[field], str):
                    problems.append(f"manifest.json: author {field} must be a string")
            if isinstance(author.get("url"), str) and not _absolute_url(author["url"]):
                problems.append(f"manifest.json: author url {author['url']!r} is not a URL")
    for key in ("termsConditionsURL",):
        if isinstance(manifest.get(key), str) and not _absolute_url(manifest[key]):
            problems.append(f"manifest.json: {key} {manifest[key]!r} is not a URL")
    whitelist = manifest.get("domainWhitelist")
    if whitelist is not None and not (
        isinstance(whitelist, list) and all(isinstance(d, str) for d in whitelist)
    ):
        problems.append("manifest.json: domainWhitelist must be an array of strings")
    oauth = manifest.get("oauth")
    if oauth is not None:
        lacking = [k for k in OAUTH_KEYS if not (isinstance(oauth, dict) and oauth.get(k))]
        if lacking:
            problems.append(f"manifest.json: oauth is missing {', '.join(lacking)}")
    return problems


def _absolute_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _default_locale(manifest: dict[str, Any], package: PackageFiles) -> list[str]:
    locale = manifest.get("defaultLocale")
    if not isinstance(locale, str):
        return []
    if not VALID_LOCALE.match(locale):
        return [f"manifest.json: defaultLocale {locale!r} is not a locale like en or pt-br"]
    if not package.has(f"translations/{locale}.json"):
        return [f"manifest.json: defaultLocale {locale!r} has no translations/{locale}.json"]
    return []


def _framework_version(manifest: dict[str, Any]) -> list[str]:
    version = manifest.get("frameworkVersion")
    if version is None or not isinstance(version, str):
        return []
    if version not in FRAMEWORK_VERSIONS:
        return [f"manifest.json: frameworkVersion {version!r} is not served by Zendesk "
                f"(served: {', '.join(FRAMEWORK_VERSIONS)})"]  # fmt: skip
    if version not in CREATABLE_VERSIONS:
        return [f"manifest.json: frameworkVersion {version!r} cannot be used by a new app; use 2.0"]
    return []


def _locations(manifest: dict[str, Any], package: PackageFiles) -> list[str]:
    locations = manifest.get("location")
    if locations is None:
        return []
    if not isinstance(locations, dict) or not locations:
        return ['manifest.json: location must be an object of products, e.g. {"support": {...}}']
    problems = []
    signed = manifest.get("signedUrls") is True
    for host, places in locations.items():
        product = LEGACY_HOSTS.get(host, host)
        if product == "sell":
            continue  # Sell's locations are not checked here; payverify ships none
        if product not in LOCATIONS:
            problems.append(f"manifest.json: location: unknown host {host!r} "
                            f"(known: {', '.join(sorted(LOCATIONS))})")  # fmt: skip
            continue
        if not isinstance(places, dict) or not places:
            problems.append(f"manifest.json: location.{host} must name at least one location")
            continue
        for name, options in places.items():
            where = f"manifest.json: location.{host}.{name}"
            if name not in LOCATIONS[product]:
                problems.append(f"{where}: not a {product} location "
                                f"(known: {', '.join(sorted(LOCATIONS[product]))})")  # fmt: skip
                continue
            options = {"url": options} if isinstance(options, str) else options
            if not isinstance(options, dict):
                problems.append(f"{where}: must be a URL or an object with url")
                continue
            if "flexible" in options and not isinstance(options["flexible"], bool):
                problems.append(f"{where}: flexible must be true or false")
            problems += _location_url(where, options.get("url"), package, signed)
    return problems


def _location_url(where: str, url: Any, package: PackageFiles, signed: bool) -> list[str]:
    if not isinstance(url, str) or not url:
        return [f"{where}: url is missing"]
    if "{{setting." in url:
        return []  # filled from an installation setting; Zendesk checks it at install
    parts = urlsplit(url)
    if parts.scheme:
        if parts.scheme != "https" and parts.hostname != "localhost":
            return [f"{where}: url {url!r} must use https (or be an assets/ file)"]
        return []
    if signed:
        return [f"{where}: url {url!r} is a package file, but signedUrls POSTs to a server URL"]
    if not parts.path.startswith("assets/") or not package.has(parts.path):
        return [f"{where}: url {url!r} is neither https nor a file under assets/ in the package"]
    return []
