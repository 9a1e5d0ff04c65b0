"""Take the documentation screenshots from the real demo: `python -m tests.e2e.hosts.screenshots`.

Writes docs/img/sidebar.png (a Spanish ticket with a credit, standalone), sidebar-approval.png
(a credit above the tier's cap, the approver asked for) and dashboard.png (a month of KPI
events), with Debian's Chromium through Playwright. Then run
`python -m plugin.packaging.artwork` to rebuild the Zendesk marketplace screenshots from them.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from tests.e2e.hosts.serving import CHROMIUM_ARGS, serve_app

ROOT = Path(__file__).resolve().parents[3]
OUT = ROOT / "docs" / "img"
SPANISH_CREDIT = "61204"  # payment found, not applied: a temporary credit of EUR 600
OVER_CAP = "63414"  # French, not found, credit above the tier's cap
SCENARIOS = ("RECENT_PAYMENT", "OLD_PAYMENT", "MULTIPLE_INVOICES", "RECURRING_ISSUE",
             "PARTIAL_PAYMENT", "VIP_CUSTOMER")  # fmt: skip
TIERS = ("STANDARD", "PREMIUM", "VIP", "ENTERPRISE")
LANGUAGES = ("en", "es", "pt", "fr", "de")


def demo_app(database: Path) -> tuple[Any, Any]:
    """The demo backend as `payverify demo` builds it, every ticket decided but not acted on."""
    from plugin.commands.demo import demo_environment, demo_services
    from plugin.demo import seed_demo
    from plugin.settings import Settings
    from plugin.web import create_app

    os.environ.update(demo_environment(database))
    settings = Settings()
    services = demo_services(settings)
    seed_demo(services)
    return create_app(services, settings), services


def seed_kpis(store: Any, installation: str, tickets: int = 180, seed: int = 2025) -> None:
    """A month of metric events, as the pipeline and follow-ups record them, for the dashboard.

    The demo's own tickets are dated in 2025 (their payment ages are relative to that), so
    their response times would read as months; the screenshot uses a month of events drawn
    from the same scenarios, tiers and languages instead, reproducibly (fixed seed).
    """
    rng = random.Random(seed)
    now = datetime.now(UTC)
    for index in range(tickets):
        ticket = f"kpi-{index:04d}"
        scenario = rng.choices(SCENARIOS, weights=(40, 14, 12, 9, 10, 15))[0]
        tier = {"VIP_CUSTOMER": "VIP"}.get(scenario) or rng.choices(TIERS, weights=(70, 18, 7, 5))[
            0
        ]
        language = rng.choices(LANGUAGES, weights=(38, 24, 14, 12, 12))[0]
        facts = {"scenario": scenario, "tier": tier, "language": language}
        at = now - timedelta(days=rng.uniform(0, 30))
        escalated = scenario in ("OLD_PAYMENT", "RECURRING_ISSUE") or rng.random() < 0.08
        store.record_event(installation, ticket, "verified", at=at, **facts)
        store.record_event(installation, ticket, "replied", value=Decimal(rng.randint(4, 95)),
                           at=at + timedelta(seconds=30), **facts)  # fmt: skip
        if escalated:
            store.record_event(installation, ticket, "escalated", at=at, **facts)
        elif rng.random() < 0.85:
            hours = Decimal(rng.randint(2 * 3600, 30 * 3600))
            store.record_event(installation, ticket, "resolved", value=hours,
                               at=at + timedelta(seconds=int(hours)), **facts)  # fmt: skip
        if scenario in ("RECENT_PAYMENT", "VIP_CUSTOMER") and rng.random() < 0.5:
            amount = Decimal(rng.choice((49, 99, 149, 299, 600, 1250))).quantize(Decimal("0.01"))
            currency = rng.choices(("EUR", "USD"), weights=(3, 2))[0]
            store.record_event(installation, ticket, "credit_applied", value=amount,
                               currency=currency, at=at, **facts)  # fmt: skip
            if rng.random() < 0.6:  # the payment arrived: the follow-up reversed the credit
                store.record_event(installation, ticket, "credit_reversed", value=amount,
                                   currency=currency, at=at + timedelta(days=2), **facts)  # fmt: skip
        if rng.random() < 0.35:
            score = Decimal(rng.choices((5, 4, 3, 2), weights=(55, 28, 11, 6))[0])
            store.record_event(installation, ticket, "csat", value=score,
                               at=at + timedelta(days=1), **facts)  # fmt: skip


def shoot_sidebars(browser: Any, base: str) -> None:
    """The two sidebars as an agent first opens them: decided, nothing applied yet (2x)."""
    page = browser.new_page(viewport={"width": 360, "height": 900}, device_scale_factor=2)
    page.goto(f"{base}/sidebar?ticket={SPANISH_CREDIT}")
    page.frame_locator("#pv-preview").locator("body").filter(has_text="Hola").wait_for()
    page.wait_for_timeout(300)  # the preview frame paints after its load event
    page.screenshot(path=str(OUT / "sidebar.png"), full_page=True)
    page.goto(f"{base}/sidebar?ticket={OVER_CAP}")
    page.locator("#pv-credit").click()
    page.locator("#pv-credit-confirm-approved_by").fill("Camille Laurent (billing lead)")
    page.frame_locator("#pv-preview").locator("body").filter(has_text="Bonjour").wait_for()
    page.wait_for_timeout(300)
    page.screenshot(path=str(OUT / "sidebar-approval.png"), full_page=True)
    page.close()


def shoot_dashboard(browser: Any, base: str) -> None:
    """The KPI dashboard, all time: the cards and the charts by scenario (the top of the page)."""
    page = browser.new_page(viewport={"width": 1200, "height": 1470})
    page.goto(f"{base}/dashboard")
    page.locator("#pv-kpis[aria-busy=false]").wait_for()
    page.screenshot(path=str(OUT / "dashboard.png"))
    page.close()


def main() -> int:
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        app, services = demo_app(Path(tmp) / "demo.sqlite3")
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        with serve_app(app) as base:
            shoot_sidebars(browser, base)
            seed_kpis(services.store, app.config["PAYVERIFY_INSTALLATION"])
            shoot_dashboard(browser, base)
        browser.close()
    for name in ("sidebar.png", "sidebar-approval.png", "dashboard.png"):
        print(OUT / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
