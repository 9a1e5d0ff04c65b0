"""Who may frame the UI: the CSP frame-ancestors header, PAYVERIFY_FRAME_ANCESTORS, and the
origin check the Freshdesk bridge applies in the browser (the same rules in Python and JS)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from plugin.web.sidebar import FRAME_ANCESTORS, origin_allowed, parse_frame_ancestors
from tests.e2e.hosts.serving import CHROMIUM_ARGS
from tests.fakes import FakeBilling, FakeHelpdesk

BRIDGE_JS = Path(__file__).resolve().parents[2] / "plugin" / "web" / "static" / "sidebar-bridge.js"
INSTALL_SECRET = "frame-policy-install-secret-0123"


@pytest.fixture
def app_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, samples_dir: Path) -> Any:
    """A backend (fakes, SQLite store) built with the given extra frame ancestors."""
    from core.models import Case
    from plugin.bootstrap import bootstrap
    from plugin.settings import Settings
    from plugin.web import create_app

    case = Case.model_validate_json(
        (samples_dir / "cases" / "es_vip_recent_transfer_not_found.json").read_text()
    )

    def build(extra: str | None) -> Any:
        env = {
            "PAYVERIFY_HELPDESK": "freshdesk",
            "PAYVERIFY_BILLING": "stripe",
            "FRESHDESK_DOMAIN": "acme",
            "FRESHDESK_API_KEY": "fd-key",
            "FRESHDESK_INSTALL_SECRET": INSTALL_SECRET,
            "STRIPE_API_KEY": "sk_test_unused",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'store.sqlite3'}",
        }
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        if extra is None:
            monkeypatch.delenv("PAYVERIFY_FRAME_ANCESTORS", raising=False)
        else:
            monkeypatch.setenv("PAYVERIFY_FRAME_ANCESTORS", extra)
        settings = Settings()
        services = bootstrap(
            settings, helpdesk=FakeHelpdesk.from_case(case), billing=FakeBilling.from_case(case)
        )
        return create_app(services, settings)

    return build


def _ancestors(response: Any) -> list[str]:
    policy = response.headers["Content-Security-Policy"]
    directive = next(d.strip() for d in policy.split(";") if "frame-ancestors" in d)
    return directive.split()[1:]


def _session(client: Any) -> str:
    answer = client.post(
        "/api/session/freshdesk",
        json={"ticket_id": "TKT-123", "agent_email": "agent@example.com"},
        headers={"X-Payverify-Install-Secret": INSTALL_SECRET},
    )
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()["token"]


def test_sidebar_may_be_framed_by_zendesk_freshworks_and_the_configured_origins(
    app_for: Any,
) -> None:
    client = app_for("https://helpdesk.example.org http://127.0.0.1:8080").test_client()
    token = _session(client)
    for host in ("freshdesk", "zendesk"):
        response = client.get(f"/sidebar?host={host}&session={token}")
        assert response.status_code == 200
        ancestors = _ancestors(response)
        for origin in ("https://*.zendesk.com", "https://*.zdassets.com", "https://*.freshdesk.com",
                       "https://*.freshworks.com", "https://*.myfreshworks.com",
                       "https://*.freshdev.io", "https://helpdesk.example.org",
                       "http://127.0.0.1:8080"):  # fmt: skip
            assert origin in ancestors, (host, origin)
    # The Freshdesk page tells its bridge the same list, and loads no Freshworks code.
    page = client.get(f"/sidebar?host=freshdesk&session={token}").get_data(as_text=True)
    assert 'data-frame-ancestors="https://*.zendesk.com' in page
    assert "http://127.0.0.1:8080" in page and "freshdev.io/fdk" not in page
    policy = client.get(f"/sidebar?host=freshdesk&session={token}").headers
    assert "freshdev" not in policy["Content-Security-Policy"].split("frame-ancestors")[0]


def test_standalone_pages_may_be_framed_only_by_themselves(app_for: Any) -> None:
    client = app_for(None).test_client()
    response = client.get(f"/sidebar?session={_session(client)}")
    assert _ancestors(response) == ["'self'"]
    assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    "bad", ["helpdesk.example.org", "https://x.org; script-src *", "'unsafe-inline'", "https://"]
)
def test_a_malformed_frame_ancestor_stops_the_app_at_start(app_for: Any, bad: str) -> None:
    with pytest.raises(ValueError, match="PAYVERIFY_FRAME_ANCESTORS"):
        app_for(bad)


ORIGINS = [
    ("https://acme.zendesk.com", True),
    ("https://a.b.freshworks.com", True),
    ("https://acme.freshdesk.com:443", True),
    ("https://zendesk.com", False),  # *.zendesk.com is a subdomain only
    ("https://evilzendesk.com", False),
    ("https://acme.zendesk.com.evil.io", False),
    ("http://acme.zendesk.com", False),  # scheme must match
    ("https://acme.freshdesk.com:8443", False),  # port must match
    ("https://helpdesk.example.org", True),
    ("http://127.0.0.1:8080", True),
    ("http://127.0.0.1:8081", False),
    ("null", False),  # a sandboxed or file: page
    ("https://*.zendesk.com", False),
]


def test_origin_matching_follows_csp_host_sources() -> None:
    sources = parse_frame_ancestors("https://helpdesk.example.org http://127.0.0.1:8080")
    assert sources[: len(FRAME_ANCESTORS)] == FRAME_ANCESTORS
    for origin, allowed in ORIGINS:
        assert origin_allowed(origin, sources) is allowed, origin


@pytest.fixture
def page(chromium_path: str) -> Iterator[Any]:
    """A blank Chromium page (Debian's, through Playwright)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser.new_page()
        browser.close()


@pytest.mark.browser
def test_the_bridge_checks_origins_exactly_as_the_server_does(page: Any) -> None:
    sources = list(parse_frame_ancestors("https://helpdesk.example.org http://127.0.0.1:8080"))
    page.add_script_tag(content=BRIDGE_JS.read_text(encoding="utf-8"))
    answers = page.evaluate(
        "([origins, sources]) => origins.map(o => PayverifyBridge.originAllowed(o, sources))",
        [[origin for origin, _ in ORIGINS], sources],
    )
    assert answers == [allowed for _, allowed in ORIGINS]
