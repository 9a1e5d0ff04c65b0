"""The KPI dashboard in a real browser: seeded metric events render the right figures."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from tests.e2e.hosts.serving import CHROMIUM_ARGS, serve_app
from tests.fakes import FakeBilling, FakeHelpdesk

pytestmark = pytest.mark.browser


@pytest.fixture
def dashboard(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, str]]:
    """The real app with two verified tickets' events; yields (base URL, session token)."""
    from plugin.bootstrap import bootstrap
    from plugin.settings import Settings
    from plugin.web import create_app

    for name, value in {
        "PAYVERIFY_HELPDESK": "freshdesk",
        "PAYVERIFY_BILLING": "stripe",
        "FRESHDESK_DOMAIN": "acme",
        "FRESHDESK_API_KEY": "fd-key",
        "FRESHDESK_INSTALL_SECRET": "install-secret-for-dashboard",
        "STRIPE_API_KEY": "sk_test_unused",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'store.sqlite3'}",
    }.items():
        monkeypatch.setenv(name, value)
    settings = Settings()
    services = bootstrap(settings, helpdesk=FakeHelpdesk(), billing=FakeBilling())
    store, inst = services.store, settings.installation
    at = datetime.now(UTC) - timedelta(hours=1)
    vip = {"scenario": "RECENT_PAYMENT", "tier": "VIP", "language": "es", "at": at}
    std = {"scenario": "OLD_PAYMENT", "tier": "STANDARD", "language": "en", "at": at}
    store.record_event(inst, "t1", "verified", **vip)
    store.record_event(inst, "t1", "replied", value=Decimal(120), **vip)
    store.record_event(inst, "t1", "resolved", value=Decimal(3600), **vip)
    store.record_event(inst, "t1", "csat", value=Decimal(5), **vip)
    store.record_event(inst, "t1", "credit_applied", value=Decimal("100"), currency="EUR", **vip)
    store.record_event(inst, "t2", "verified", **std)
    store.record_event(inst, "t2", "escalated", **std)
    store.record_event(inst, "t2", "replied", value=Decimal(300), **std)
    store.record_event(inst, "t2", "csat", value=Decimal(3), **std)
    store.record_event(inst, "t2", "credit_applied", value=Decimal("50"), currency="EUR", **std)
    store.record_event(inst, "t2", "credit_reversed", value=Decimal("50"), currency="EUR", **std)
    app = create_app(services, settings)
    with app.test_request_context():
        from plugin.web import auth

        token, _session = auth.new_session(None, "freshdesk:admin@example.com", "freshdesk")
    with serve_app(app) as base:
        yield base, token


def test_seeded_events_render_the_kpis(dashboard: tuple[str, str], chromium_path: str) -> None:
    from playwright.sync_api import sync_playwright

    base, token = dashboard
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{base}/dashboard?session={token}")
        page.locator("#kpi-verified").wait_for()
        assert page.locator("#kpi-verified").inner_text() == "2"
        assert page.locator("#kpi-auto-resolution").inner_text() == "50.0 %"
        assert page.locator("#kpi-escalation").inner_text() == "50.0 %"
        assert page.locator("#kpi-csat").inner_text() == "4.00 / 5"
        assert page.locator("#kpi-credits-issued").inner_text() == "€150.00 (2)"
        assert page.locator("#kpi-credits-reversed").inner_text() == "€50.00 (1)"
        scenario = page.locator("#pv-by_scenario")
        recent = scenario.locator("tr", has=page.locator("th", has_text="RECENT_PAYMENT"))
        assert recent.locator("td").nth(1).inner_text() == "100.0 %"  # auto-resolution
        bars = scenario.locator("figure").first.locator("rect[data-value]")
        assert sorted(bars.evaluate_all("els => els.map(e => e.dataset.value)")) == [
            "0",
            "0",
            "1",
            "1",
        ]
        assert page.locator("#pv-by_tier th", has_text="VIP").count() == 1
        assert page.locator("#pv-by_language th", has_text="es").count() >= 1
        page.screenshot(path="/tmp/payverify-dashboard.png", full_page=True)

        tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
        page.fill("#pv-since", tomorrow)
        page.click("#pv-range button[type=submit]")
        page.locator("#pv-live", has_text="0 tickets verified").wait_for()
        assert page.locator("#kpi-verified").inner_text() == "0"
        browser.close()
        assert not errors, errors
