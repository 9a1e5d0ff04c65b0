"""The Freshdesk app package passes the platform 3.0 rules; each broken variant is refused."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from plugin.packaging import Deployment, build_freshdesk_zip, validate_freshdesk
from plugin.packaging.freshdesk import SOURCE, freshdesk_package

DEPLOYMENT = Deployment("https://payverify.example.com/pv", "1.2.3", "billing@example.com")


def _files() -> dict[str, bytes]:
    return dict(freshdesk_package(DEPLOYMENT).files)


def _zip(tmp_path: Path, files: dict[str, bytes]) -> Path:
    target = tmp_path / "app.zip"
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return target


def test_the_built_zip_passes_with_fdk_layout(tmp_path: Path) -> None:
    path = build_freshdesk_zip(tmp_path, DEPLOYMENT)
    assert validate_freshdesk(path) == []
    archive = zipfile.ZipFile(path)
    expected = {"manifest.json", "config/iparams.json", "config/requests.json", "app/index.html",
                "app/scripts/app.js", "app/styles/images/icon.svg"}  # fmt: skip
    assert expected <= set(archive.namelist())
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["platform-version"] == "3.0"
    assert (
        manifest["modules"]["support_ticket"]["location"]["ticket_sidebar"]["url"] == "index.html"
    )
    template = json.loads(archive.read("config/requests.json"))["createSession"]["schema"]
    assert (template["method"], template["path"]) == ("POST", "/pv/api/session/freshdesk")
    assert template["headers"]["X-Payverify-Install-Secret"] == "<%= iparam.install_secret %>"
    iparams = json.loads(archive.read("config/iparams.json"))
    assert iparams["install_secret"]["secure"] is True
    assert iparams["backend_host"]["default_value"] == "payverify.example.com"
    assert "'/pv/sidebar'" in archive.read("app/scripts/app.js").decode()


def test_the_unbuilt_source_is_refused() -> None:
    assert any("not filled in" in p for p in validate_freshdesk(SOURCE))


def _edit(name: str, edit: Callable[[dict], None]) -> Callable[[dict[str, bytes]], None]:
    def apply(files: dict[str, bytes]) -> None:
        content = json.loads(files[name])
        edit(content)
        files[name] = json.dumps(content).encode()

    return apply


def _sidebar(**change: object) -> Callable[[dict], None]:
    return lambda m: m["modules"]["support_ticket"]["location"]["ticket_sidebar"].update(change)


def _schema(**change: object) -> Callable[[dict], None]:
    return lambda r: r["createSession"]["schema"].update(change)


def _text(name: str, data: bytes | None) -> Callable[[dict[str, bytes]], None]:
    def apply(files: dict[str, bytes]) -> None:
        if data is None:
            files.pop(name)
        else:
            files[name] = data

    return apply


SECRET_JS = b"var key = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc';"
BEARER_JS = b"headers: {Authorization: 'Bearer abcdefghijklmnopqrstuvwxyz0123'}"
POSTS_TO_ANY = b"frame.contentWindow.postMessage({type: 'payverify:hello'}, '*');"
TRUSTS_ANY = b"window.addEventListener('message', function (e) { run(e.data); });"
READS_SECRET = b"client.iparams.get('install_secret').then(function (v) {});"

BROKEN = {
    "wrong platform version": (
        _edit("manifest.json", lambda m: m.update({"platform-version": "2.3"})),
        "platform-version is '2.3', must be \"3.0\"",
    ),
    "no modules": (_edit("manifest.json", lambda m: m.update(modules={})), "modules must name"),
    "unknown module": (
        _edit("manifest.json", lambda m: m["modules"].update(deal={})),
        "modules.deal: not a Freshdesk module",
    ),
    "unknown location": (
        _edit(
            "manifest.json",
            lambda m: m["modules"]["support_ticket"]["location"].update(
                ticket_footer={"url": "index.html", "icon": "styles/images/icon.svg"}
            ),
        ),
        "ticket_footer: not a location of support_ticket",
    ),
    "sidebar page missing": (_edit("manifest.json", _sidebar(url="sidebar.html")), "is not a file"),
    "icon missing": (_edit("manifest.json", _sidebar(icon="logo.svg")), "icon 'logo.svg' is not"),
    "no engines": (_edit("manifest.json", lambda m: m.pop("engines")), "engines must give"),
    "template referenced but missing": (
        _edit("manifest.json", lambda m: m["modules"]["common"]["requests"].update(getVerdict={})),
        "requests.getVerdict: no such template in config/requests.json",
    ),
    "template not declared": (
        _edit("manifest.json", lambda m: m["modules"]["common"].update(requests={})),
        "createSession: not declared in manifest.json",
    ),
    "bad method": (_edit("config/requests.json", _schema(method="FETCH")), "method 'FETCH'"),
    "host with scheme": (
        _edit("config/requests.json", _schema(host="https://payverify.example.com")),
        "must be a host name only",
    ),
    "path without slash": (_edit("config/requests.json", _schema(path="api")), "must start with /"),
    "plain http": (
        _edit("config/requests.json", _schema(protocol="http")),
        "protocol must be https",
    ),
    "undeclared iparam": (
        _edit("config/requests.json", _schema(headers={"X-Key": "<%= iparam.api_key %>"})),
        "uses iparam.api_key, not declared",
    ),
    "too many attempts": (
        _edit(
            "config/requests.json", lambda r: r["createSession"].update(options={"maxAttempts": 9})
        ),
        "maxAttempts must be 1 to 5",
    ),
    "iparam secret not secure": (
        _edit("config/iparams.json", lambda i: i["install_secret"].pop("secure")),
        'install_secret: holds a secret; set "secure": true',
    ),
    "iparam unknown type": (
        _edit("config/iparams.json", lambda i: i["backend_host"].update(type="hostname")),
        "unknown type 'hostname'",
    ),
    "dropdown without options": (
        _edit(
            "config/iparams.json",
            lambda i: i.update(region={"display_name": "Region", "type": "dropdown"}),
        ),
        "region: a dropdown needs options",
    ),
    "iparam without label": (
        _edit("config/iparams.json", lambda i: i["backend_host"].pop("display_name")),
        "backend_host: display_name is missing",
    ),
    "secret in code": (_text("app/scripts/extra.js", SECRET_JS), "contains a Stripe secret key"),
    "bearer in code": (_text("app/scripts/extra.js", BEARER_JS), "contains a literal bearer token"),
    "secure iparam read in browser": (
        _text("app/scripts/extra.js", READS_SECRET),
        "reads the secure iparam 'install_secret' in the browser",
    ),
    "message to any origin": (
        _text("app/scripts/extra.js", POSTS_TO_ANY),
        'posts a message to any origin ("*")',
    ),
    "message listener trusting anyone": (
        _text("app/scripts/extra.js", TRUSTS_ANY),
        "listens to messages without checking event.origin",
    ),
    "page without app client": (
        _text("app/index.html", b"<html><body></body></html>"),
        "does not load the Freshworks client",
    ),
    "manifest not json": (_text("manifest.json", b"{"), "manifest.json: not valid JSON"),
    "iparams missing": (_text("config/iparams.json", None), "config/iparams.json: missing"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_package_is_refused_with_a_clear_message(tmp_path: Path, case: str) -> None:
    breaks, expected = BROKEN[case]
    files = _files()
    breaks(files)
    problems = validate_freshdesk(_zip(tmp_path, files))
    assert any(expected in problem for problem in problems), problems
