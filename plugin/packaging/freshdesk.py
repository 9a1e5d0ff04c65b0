"""The Freshdesk app package (Freshworks platform 3.0): validate it and build the zip.

`fdk pack` needs Node and the FDK; the layout it packs is manifest.json, app/, config/
at the root, which is what the zip holds. The rules `fdk validate` applies are in
freshdesk_rules.py; the code checks (no secret in the app's code) are here.
"""

from __future__ import annotations

import re
from pathlib import Path

from plugin.packaging.deployment import GENERATED_NOTE, MANIFESTS, Deployment
from plugin.packaging.freshdesk_rules import (
    iparams_problems,
    manifest_problems,
    requests_problems,
)
from plugin.packaging.package_files import PackageFiles

SOURCE = MANIFESTS / "freshdesk"
TEXT_FILES = (".json", ".html", ".js", ".css", ".svg")
# Credentials that must never be written into an app's code (they would reach browsers).
SECRET_LITERALS = {
    "a Stripe secret key": re.compile(r"\b[sr]k_(live|test)_[A-Za-z0-9]{8,}"),
    "an AWS access key": re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    "a private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "a literal bearer token": re.compile(r"Bearer\s+[A-Za-z0-9._~+/-]{20,}=*"),
    "a literal API key or password": re.compile(
        r"(api[_-]?key|password|secret)[\"']?\s*[:=]\s*[\"'][A-Za-z0-9+/_-]{12,}[\"']", re.I
    ),
}
# postMessage to any origin would hand the reply (customer data) to whatever page frames the app.
# https://developer.mozilla.org/en-US/docs/Web/API/Window/postMessage#security_concerns
POST_TO_ANY = re.compile(r"postMessage\([^;]*,\s*[\"']\*[\"']\s*\)")
# A message listener must check who sent the message before acting on it.
LISTENS = re.compile(r"addEventListener\(\s*[\"']message[\"']")
IPARAM_READ = re.compile(r"iparams\.get\(\s*[\"']([A-Za-z0-9_]+)[\"']")


def validate_freshdesk(path: str | Path) -> list[str]:
    """Every problem `fdk validate` (and payverify's secret check) finds; [] if none."""
    try:
        package = PackageFiles.read(path)
    except FileNotFoundError as exc:
        return [str(exc)]
    problems: list[str] = []
    manifest = package.json("manifest.json", problems)
    iparams = package.json("config/iparams.json", problems)
    templates = (
        package.json("config/requests.json", problems)
        if package.has("config/requests.json")
        else {}
    )
    if manifest is not None:
        problems += manifest_problems(manifest, package)
    if iparams is not None:
        problems += iparams_problems(iparams)
    if manifest is not None and templates is not None:
        problems += requests_problems(manifest, templates, iparams or {})
    problems += _code(package, iparams if isinstance(iparams, dict) else {})
    problems += package.unfilled_tokens()
    return problems


def _code(package: PackageFiles, iparams: dict) -> list[str]:
    problems = []
    secure = {
        name for name, spec in iparams.items() if isinstance(spec, dict) and spec.get("secure")
    }
    for name in package.under("app") + package.under("server"):
        if not name.endswith(TEXT_FILES):
            continue
        text = package.files[name].decode("utf-8", "replace")
        for what, pattern in SECRET_LITERALS.items():
            if pattern.search(text):
                problems.append(f"{name}: contains {what}; secrets belong in secure iparams")
        for read in sorted(set(IPARAM_READ.findall(text)) & secure):
            problems.append(f"{name}: reads the secure iparam {read!r} in the browser; "
                            "use it only in a request template")  # fmt: skip
        if POST_TO_ANY.search(text):
            problems.append(f'{name}: posts a message to any origin ("*"); name the origin')
        if name.endswith(".js") and LISTENS.search(text) and "event.origin" not in text:
            problems.append(f"{name}: listens to messages without checking event.origin")
        if name.endswith(".html") and "{{{appclient}}}" not in text and name.startswith("app/"):
            problems.append(f"{name}: does not load the Freshworks client ({{{{{{appclient}}}}}})")
    return problems


def freshdesk_package(deployment: Deployment, source: Path = SOURCE) -> PackageFiles:
    """The package files with the deployment's values filled in."""
    files: dict[str, bytes] = {}
    for name, data in PackageFiles.read(source).files.items():
        if name.endswith(TEXT_FILES):
            data = deployment.fill(data.decode("utf-8")).encode("utf-8")
        files[name] = data
    note = GENERATED_NOTE.format(helpdesk="freshdesk", backend_url=deployment.backend_url)
    files["GENERATED.txt"] = (note + "\n").encode("utf-8")
    return PackageFiles(files, f"{source} for {deployment.backend_url}")


def build_freshdesk_zip(out: str | Path, deployment: Deployment, source: Path = SOURCE) -> Path:
    """Write the Freshdesk app zip into `out` (a directory or a .zip path) and return its path."""
    out = Path(out)
    target = out if out.suffix == ".zip" else out / f"payverify-freshdesk-{deployment.version}.zip"
    return freshdesk_package(deployment, source).write_zip(target)
