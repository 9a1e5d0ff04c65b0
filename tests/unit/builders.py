"""Small builders for cases in unit tests: a valid case with only what a test changes."""

from __future__ import annotations

from typing import Any

from core.models import Case


def case(
    *,
    subject: str = "Invoice INV-1001 still unpaid",
    description: str = "Hi, I paid invoice INV-1001 ($120.00) by card yesterday but it still shows unpaid.",
    created_at: str = "2025-03-12T10:00:00Z",
    locale: str | None = "en-US",
    tags: list[str] | None = None,
    priority: str | None = None,
    customer: dict[str, Any] | None = None,
    invoices: list[dict[str, Any]] | None = None,
    payments: list[dict[str, Any]] | None = None,
    previous: list[dict[str, Any]] | None = None,
) -> Case:
    """A valid case; every argument overrides one part of it."""
    ticket: dict[str, Any] = {
        "id": 1,
        "subject": subject,
        "description": description,
        "created_at": created_at,
        "tags": tags or [],
        "requester": {"name": "Alex Carter", "email": "alex@example.com", "locale": locale},
    }
    if priority:
        ticket["priority"] = priority
    return Case.model_validate(
        {
            "ticket": ticket,
            "customer": customer if customer is not None else {"id": "cus_1", "currency": "USD"},
            "billing": {
                "invoices": invoices if invoices is not None else [invoice()],
                "payments": payments or [],
            },
            "history": {"previous_tickets": previous or []},
        }
    )


def invoice(**fields: Any) -> dict[str, Any]:
    base = {
        "id": "in_1001",
        "number": "INV-1001",
        "status": "open",
        "currency": "USD",
        "amount_due": "120.00",
        "amount_paid": "0",
        "created": "2025-03-01T00:00:00Z",
        "hosted_invoice_url": "https://pay.example.com/in_1001",
    }
    return {**base, **fields}


def payment(**fields: Any) -> dict[str, Any]:
    base = {
        "id": "pi_1001",
        "status": "succeeded",
        "currency": "USD",
        "amount": "120.00",
        "created": "2025-03-11T09:00:00Z",
        "method": "card",
        "invoice": "in_1001",
    }
    return {**base, **fields}
