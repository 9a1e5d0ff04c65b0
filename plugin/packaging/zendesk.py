"""The Zendesk app package: validate it as Zendesk would, build it as zcli lays it out.

zcli's layout: manifest.json, requirements.json, assets/ and translations/ at the zip's
root (https://developer.zendesk.com/documentation/apps/zendesk-app-tools-zcli/).
`zcli apps:validate` needs a live account, so the rules are applied here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from plugin.packaging.deployment import GENERATED_NOTE, MANIFESTS, Deployment
from plugin.packaging.package_files import PackageFiles, png_size
from plugin.packaging.zendesk_manifest import VALID_LOCALE, manifest_problems
from plugin.packaging.zendesk_requirements import requirements_problems

SOURCE = MANIFESTS / "zendesk"
# Brand assets: https://developer.zendesk.com/documentation/marketplace/building-a-marketplace-app/create-app-brand-assets/
LOGOS = {"assets/logo.png": (320, 320), "assets/logo-small.png": (128, 128)}
SCREENSHOT = re.compile(r"assets/screenshot-(\d+)\.png")
SCREENSHOT_SIZES = ((1024, 768), (2048, 1536))
MAX_ASSET_BYTES = 500 * 1024
MAX_PACKAGE_BYTES = 5 * 1024 * 1024  # payverify's ceiling: the app is an iframe, not a bundle
CODE = re.compile(r"^(app\.js|app\.css|lib/.+\.js|templates/.+\.hdbs)$")
PUBLIC_APP_KEYS = ("name", "short_description", "long_description", "installation_instructions")


def validate_zendesk(path: str | Path) -> list[str]:
    """Every problem Zendesk would raise for this package (a directory or a zip); [] if none."""
    try:
        package = PackageFiles.read(path)
    except FileNotFoundError as exc:
        return [str(exc)]
    problems = manifest_problems(package)
    problems += _translations(package)
    problems += _assets(package)
    problems += requirements_problems(package)
    problems += _package(package)
    problems += package.unfilled_tokens()
    return problems


def _manifest(package: PackageFiles) -> dict:
    try:
        manifest = json.loads(package.files.get("manifest.json", b"{}"))
    except ValueError:
        return {}
    return manifest if isinstance(manifest, dict) else {}


def _translations(package: PackageFiles) -> list[str]:
    manifest = _manifest(package)
    default = manifest.get("defaultLocale")
    required = ("name",) if manifest.get("private", True) else PUBLIC_APP_KEYS
    parameters = [
        p["name"] for p in manifest.get("parameters") or [] if isinstance(p, dict) and "name" in p
    ]
    problems: list[str] = []
    for name in package.under("translations"):
        locale = name.removeprefix("translations/").removesuffix(".json")
        if not name.endswith(".json") or not VALID_LOCALE.match(locale):
            problems.append(f"{name}: not a translation file named like translations/pt-br.json")
            continue
        content = package.json(name, problems)
        if content is None:
            continue
        if not isinstance(content, dict) or not isinstance(content.get("app", {}), dict):
            problems.append(f"{name}: must be a JSON object with an app object")
            continue
        if locale != default:
            continue
        app = content.get("app", {})
        missing = [key for key in required if not app.get(key)]
        if missing:
            problems.append(f"{name}: app is missing required key(s): {', '.join(missing)}")
        labels = app.get("parameters") or {}
        unlabeled = [p for p in parameters if not (labels.get(p) or {}).get("label")]
        if unlabeled:
            problems.append(f"{name}: no app.parameters.<name>.label for {', '.join(unlabeled)}")
    return problems


def _assets(package: PackageFiles) -> list[str]:
    problems = []
    for name, size in LOGOS.items():
        if not package.has(name):
            problems.append(f"{name}: missing (a {size[0]}x{size[1]} PNG)")
            continue
        found = png_size(package.files[name])
        if found is None:
            problems.append(f"{name}: not a PNG image")
        elif found != size:
            problems.append(f"{name}: is {found[0]}x{found[1]}, must be {size[0]}x{size[1]}")
    shots = sorted(
        (int(m.group(1)), n) for n in package.under("assets") if (m := SCREENSHOT.fullmatch(n))
    )
    if [index for index, _ in shots] != list(range(len(shots))):
        problems.append("assets: screenshots must be numbered from screenshot-0.png without gaps")
    for _, name in shots:
        found = png_size(package.files[name])
        if found not in SCREENSHOT_SIZES:
            shape = "not a PNG image" if found is None else f"{found[0]}x{found[1]}"
            problems.append(f"{name}: is {shape}, must be a 1024x768 or 2048x1536 PNG")
    for name in package.under("assets"):
        if len(package.files[name]) > MAX_ASSET_BYTES and name.endswith(".png"):
            problems.append(f"{name}: {len(package.files[name]) // 1024} KB, over 500 KB")
    return problems


def _package(package: PackageFiles) -> list[str]:
    problems = []
    size = sum(len(data) for data in package.files.values())
    if size > MAX_PACKAGE_BYTES:
        problems.append(f"package: {size // 1024} KB, over {MAX_PACKAGE_BYTES // 1024} KB")
    if _manifest(package).get("frameworkVersion") == "2.0":
        code = [name for name in package.files if CODE.match(name)]
        if code:
            # Framework 2.0 apps are iframes; app.js and templates belong to 1.0 apps.
            problems.append(f"package: {', '.join(sorted(code))} not allowed in a 2.0 app")
    return problems


def zendesk_package(deployment: Deployment, source: Path = SOURCE) -> PackageFiles:
    """The package files with the deployment's values filled in."""
    files: dict[str, bytes] = {}
    for name, data in PackageFiles.read(source).files.items():
        if name.endswith(".json"):
            text = deployment.fill(data.decode("utf-8"))
            if name == "requirements.json":
                text = _with_signing_secret(text, deployment)
            data = text.encode("utf-8")
        files[name] = data
    note = GENERATED_NOTE.format(helpdesk="zendesk", backend_url=deployment.backend_url)
    files["GENERATED.txt"] = (note + "\n").encode("utf-8")
    return PackageFiles(files, f"{source} for {deployment.backend_url}")


def _with_signing_secret(text: str, deployment: Deployment) -> str:
    # With ZENDESK_WEBHOOK_SECRET set, the webhook signs with the secret the backend checks;
    # otherwise Zendesk generates one and the admin copies it (docs/INSTALL_ZENDESK.md).
    if not deployment.zendesk_webhook_secret:
        return text
    requirements = json.loads(text)
    for hook in (requirements.get("webhooks") or {}).values():
        hook["signing_secret"] = {
            "algorithm": "SHA256",
            "secret": deployment.zendesk_webhook_secret,
        }
    return json.dumps(requirements, indent=2, ensure_ascii=False) + "\n"


def build_zendesk_zip(out: str | Path, deployment: Deployment, source: Path = SOURCE) -> Path:
    """Write the Zendesk app zip into `out` (a directory or a .zip path) and return its path."""
    out = Path(out)
    target = out if out.suffix == ".zip" else out / f"payverify-zendesk-{deployment.version}.zip"
    return zendesk_package(deployment, source).write_zip(target)
