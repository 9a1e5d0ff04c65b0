"""`payverify demo`'s data: the example cases as tickets in the demo helpdesk and the SQL ledger."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.models import Case, Ticket

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


class DemoDataError(ValueError):
    """An example file that cannot be seeded; the message names the file and the field."""


def load_examples(directory: Path = EXAMPLES) -> list[tuple[str, Case]]:
    """Every examples/*.json case, sorted by file name."""
    from pydantic import ValidationError

    files = sorted(directory.glob("*.json"))
    if not files:
        raise DemoDataError(f"{directory}: no example cases (*.json) to seed the demo with")
    cases = []
    for path in files:
        try:
            cases.append((path.stem, Case.model_validate_json(path.read_text(encoding="utf-8"))))
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"])
            raise DemoDataError(f"{path.name}: {field}: {first['msg']}") from None
    return cases


def seed_demo(services: Any, directory: Path = EXAMPLES) -> list[str]:
    """Put each example's ticket (and earlier tickets) in the demo helpdesk and its billing in
    the ledger; returns the ticket ids. Seeding twice leaves the same data (ids are the cases')."""
    from connectors.sql_ledger.seed import seed_ledger_from_case

    helpdesk, ledger = services.helpdesk, services.billing
    tickets = []
    for _name, case in load_examples(directory):
        organization = None
        if case.customer and case.customer.tags:
            organization = {"name": None, "tags": list(case.customer.tags)}
        helpdesk.add_ticket(case.ticket, organization=organization)
        for previous in case.history.previous_tickets:
            helpdesk.add_ticket(
                Ticket(
                    id=previous.id,
                    subject=previous.subject,
                    description=previous.description or previous.subject,
                    created_at=previous.created_at,
                    tags=previous.tags,
                    requester=case.ticket.requester,
                ),
            )
        if case.customer is not None:
            seed_ledger_from_case(ledger, case)
        tickets.append(str(case.ticket.id))
    return tickets
