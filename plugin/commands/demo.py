"""`payverify demo`: one command, no account anywhere — SQLite, a demo helpdesk, a demo ledger.

Serving (default): seeds examples/*.json, starts the backend (gunicorn + the job consumer)
and prints the URLs. `--once`: runs every demo ticket through the pipeline, prints a summary
table and exits (what CI runs).
"""

from __future__ import annotations

import argparse
import os
import secrets
from pathlib import Path
from typing import Any

DEMO_DATABASE = Path("var") / "demo.sqlite3"


def demo_environment(database: Path) -> dict[str, str]:
    """The settings of a demo install (secrets random per run; nothing leaves this machine)."""
    return {
        "PAYVERIFY_HELPDESK": "demo",
        "PAYVERIFY_BILLING": "demo",
        "DATABASE_URL": f"sqlite:///{database}",
        "ZENDESK_WEBHOOK_SECRET": os.environ.get("ZENDESK_WEBHOOK_SECRET") or secrets.token_hex(16),
        "PAYVERIFY_API_TOKEN": os.environ.get("PAYVERIFY_API_TOKEN") or secrets.token_hex(16),
        "PAYVERIFY_SECRET_KEY": os.environ.get("PAYVERIFY_SECRET_KEY") or secrets.token_hex(32),
    }


def demo_services(settings: Any) -> Any:
    """The services on the demo database: demo helpdesk and the SQL ledger, both seeded."""
    from connectors.demo_helpdesk import DemoHelpdesk
    from connectors.sql_ledger import SqlLedger
    from connectors.store import create_store
    from plugin.bootstrap import bootstrap

    store = create_store(settings.store_url())
    ledger = SqlLedger(settings.ledger_url(), create_schema=True)
    return bootstrap(settings, store=store, helpdesk=DemoHelpdesk(store.engine), billing=ledger)


def run_once(services: Any, examples: Path | None = None) -> list[dict[str, Any]]:
    """Every demo ticket through the ten steps; one summary row per ticket."""
    from plugin.demo import EXAMPLES, seed_demo
    from plugin.pipeline import Pipeline

    rows = []
    pipeline = Pipeline(services, services.settings)
    for ticket_id in seed_demo(services, examples or EXAMPLES):
        run = pipeline.run(ticket_id, run_key=f"demo-once:{ticket_id}", source="demo")
        decision = run.results["decision"]
        credit = run.results["credit"]
        rows.append(
            {
                "ticket": ticket_id,
                "language": decision["language"],
                "verdict": decision["verdict"] or "(not a claim)",
                "scenario": decision["scenario"] or "",
                "credit": f"{credit['amount']} {credit['currency']}"
                if credit.get("state") == "applied"
                else credit.get("why", ""),
                "reply": "posted" if run.results["reply"].get("posted") else "-",
            }
        )
    return rows


def print_table(rows: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="payverify demo: every ticket through the pipeline")
    for column in ("ticket", "language", "verdict", "scenario", "credit", "reply"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            *(str(row[c]) for c in ("ticket", "language", "verdict", "scenario", "credit", "reply"))
        )
    Console().print(table)


def run(args: argparse.Namespace) -> int:
    """Seed and serve (or run once and print)."""
    from plugin.settings import Settings

    database = Path(args.database)
    if database.exists() and args.fresh:
        database.unlink()
    os.environ.update(demo_environment(database))
    services = demo_services(Settings())
    if args.once:
        print_table(run_once(services, Path(args.examples) if args.examples else None))
        return 0
    from plugin.demo import seed_demo

    tickets = seed_demo(services, *([Path(args.examples)] if args.examples else []))
    base = f"http://127.0.0.1:{args.port}"
    print(f"payverify demo at {base}/  (Ctrl+C to stop)")
    print(f"  demo tickets (fire a trigger per ticket): {base}/demo")
    print(f"  dashboard: {base}/dashboard")
    for ticket_id in tickets:
        print(f"  sidebar for ticket {ticket_id}: {base}/sidebar?ticket={ticket_id}")
    from plugin.commands.serve import Gunicorn, gunicorn_options, start_worker

    consumer = start_worker(["--workers", "2"])
    try:
        Gunicorn(gunicorn_options(f"127.0.0.1:{args.port}", 1, 8), threads=8).run()
    finally:
        consumer.terminate()
        consumer.wait(timeout=15)
    return 0


def register(subparsers: Any) -> None:
    """Add `payverify demo`."""
    parser = subparsers.add_parser("demo", help="try payverify locally, no account needed")
    parser.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (8000)")
    parser.add_argument("--database", default=str(DEMO_DATABASE), help="the demo SQLite file")
    parser.add_argument("--examples", help="a directory of case files (default: examples/)")
    parser.add_argument("--fresh", action="store_true", help="start from an empty database")
    parser.add_argument(
        "--once", "--no-serve", action="store_true", help="process every ticket, print, exit"
    )
    parser.set_defaults(func=run)
