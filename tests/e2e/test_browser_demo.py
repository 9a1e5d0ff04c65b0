"""`payverify demo` in a real browser: the /demo page lists the seeded tickets, a trigger runs
the whole pipeline on the job queue, and the ticket's standalone sidebar shows the result.

Twice: in-process (the services built the way `payverify demo` builds them, on one SQLite
file seeded from examples/, the real huey queue drained by a worker thread), and served: the
real `payverify demo` command in its own processes (gunicorn's ASGI worker, a2wsgi, the job
consumer), the test reading the same SQLite file.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.hosts.serving import CHROMIUM_ARGS, serve_app, served_demo

pytestmark = pytest.mark.browser
SPANISH_CREDIT_TICKET = "61204"  # es_recurring_untagged_claims_linked_short_unapplied.json


class Demo:
    """The demo app on 127.0.0.1 and its services."""

    def __init__(self, base: str, services: Any, tickets: list[str]) -> None:
        self.base, self.services, self.tickets = base, services, tickets


@pytest.fixture(params=["in-process", "served"])
def demo(request: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Demo]:
    """The demo backend with its queue worker running, as `payverify demo` starts it."""
    from plugin.commands.demo import demo_environment, demo_services
    from plugin.settings import Settings

    environment = demo_environment(tmp_path / "demo.sqlite3")
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    if request.param == "served":
        with served_demo(tmp_path / "demo.sqlite3", environment, tmp_path / "demo.log") as base:
            services = demo_services(Settings())
            yield Demo(base, services, _example_tickets())
        return
    yield from _in_process(Settings())


def _example_tickets() -> list[str]:
    """The tickets `payverify demo` seeds: one per case file in examples/."""
    examples = Path(__file__).resolve().parents[2] / "examples"
    return [str(json.loads(f.read_text())["ticket"]["id"]) for f in sorted(examples.glob("*.json"))]


def _in_process(settings: Any) -> Iterator[Demo]:
    from plugin.commands.demo import demo_services
    from plugin.demo import seed_demo
    from plugin.jobs import Jobs
    from plugin.web import create_app

    services = demo_services(settings)
    tickets = seed_demo(services)
    jobs = Jobs(services, settings, retry_delay=0)
    app = create_app(services, settings, jobs=jobs)
    stop = threading.Event()

    def worker() -> None:
        while not stop.is_set():
            if not jobs.drain():
                stop.wait(0.05)

    thread = threading.Thread(target=worker, daemon=True)
    thread.start()
    try:
        with serve_app(app) as base:
            yield Demo(base, services, tickets)
    finally:
        stop.set()
        thread.join(10)


@pytest.fixture
def page(chromium_path: str) -> Iterator[Any]:
    """A Chromium page (Debian's, through Playwright) that fails the test on a script error."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 1400})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        yield page
        browser.close()
        assert not errors, errors


def test_demo_page_lists_every_ticket_fires_one_and_opens_its_sidebar(
    demo: Demo, page: Any
) -> None:
    page.goto(f"{demo.base}/demo")
    rows = page.locator("tr[data-ticket]")
    listed = rows.evaluate_all("rows => rows.map(r => r.dataset.ticket)")
    assert set(demo.tickets) <= set(listed)
    assert len(demo.tickets) == 14
    languages = set(page.locator("tr[data-ticket] .pv-lang").all_inner_texts())
    assert {"en", "es", "pt", "fr", "de"} <= languages
    assert page.locator("a[href='/dashboard']").count() == 1

    row = page.locator(f"tr[data-ticket='{SPANISH_CREDIT_TICKET}']")
    assert row.locator(".pv-lang").inner_text() == "es"
    assert "not verified yet" in row.locator(".pv-verdict-cell").inner_text()
    row.locator(".pv-fire").click()
    row.locator(".pv-verdict-name").filter(has_text="payment_found_unapplied").wait_for(
        timeout=20_000
    )
    assert "RECURRING_ISSUE" in row.locator(".pv-verdict-cell").inner_text()
    assert "payment_found_unapplied" in page.locator("#pv-live").inner_text()

    # The pipeline ran for real in the demo helpdesk: a note and a Spanish reply.
    helpdesk = demo.services.helpdesk
    assert len(helpdesk.comments(SPANISH_CREDIT_TICKET, "note")) == 1
    replies = helpdesk.comments(SPANISH_CREDIT_TICKET, "reply")
    assert len(replies) == 1 and "Hola" in replies[0]["body"]

    row.get_by_role("link", name=f"Open the sidebar of ticket {SPANISH_CREDIT_TICKET}").click()
    page.locator("#pv-verdict").wait_for()
    assert "Payment found, not applied" in page.locator("#pv-verdict").inner_text()
    preview = page.locator("#pv-preview").get_attribute("srcdoc") or ""
    assert '<html lang="es"' in preview and "Hola" in preview
    assert page.locator("#pv-lang").input_value() == "es"
