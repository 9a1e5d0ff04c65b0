"""The seed guide's Python API, kept: thin calls onto the engine.

    get_payment_verification_response_template(
        ticket_data, invoice_number, invoice_amount, credit_amount)
    get_advanced_payment_verification_template(
        ticket_data, invoice_number, invoice_amount, scenario, customer_tier, language)

Both return {"subject", "html_body", "text_body"}. The guide passed floats for money; they are
read through their decimal text (299.99 stays 299.99) and never used as floats.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from core.actions import decide_actions
from core.decide import decide, with_messages
from core.models import SUPPORTED_LANGUAGES, Case, Credit, Scenario, Tier
from core.money import quantize
from core.policy import DEFAULT_POLICY, Policy

PaymentScenario = Scenario
CustomerTier = Tier


def _decimal(value: Any, name: str) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise ValueError(f"{name}: not an amount")
    try:
        amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))
    except ArithmeticError as exc:
        raise ValueError(f"{name}: not an amount") from exc
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"{name}: not an amount")
    return amount


def _case(
    ticket_data: dict[str, Any],
    invoice_number: str,
    invoice_amount: Decimal,
    tier: Tier,
    language: str | None,
) -> Case:
    """A case for the guide's simple inputs: one open invoice, no payment found yet."""
    currency = str(ticket_data.get("currency") or "EUR").upper()
    created = ticket_data.get("created_at") or datetime.now(UTC).isoformat()
    return Case.model_validate(
        {
            "ticket": {
                "id": ticket_data.get("ticket_id") or ticket_data.get("id") or "TKT",
                "subject": ticket_data.get("subject", ""),
                "description": ticket_data.get("description")
                or f"I paid invoice {invoice_number} but it still shows unpaid.",
                "created_at": created,
                "requester": {
                    "name": ticket_data.get("customer_name") or ticket_data.get("name") or "",
                    "email": ticket_data.get("customer_email") or ticket_data.get("email") or "",
                    "locale": language or ticket_data.get("locale"),
                },
            },
            "customer": {"id": ticket_data.get("customer_id"), "tier": tier.value},
            "billing": {
                "invoices": [
                    {
                        "id": invoice_number,
                        "number": invoice_number,
                        "status": "open",
                        "currency": currency,
                        "amount_due": str(invoice_amount),
                        "created": created,
                        "hosted_invoice_url": ticket_data.get("payment_url"),
                    }
                ]
            },
        }
    )


def _render(
    ticket_data: dict[str, Any],
    invoice_number: str,
    invoice_amount: Any,
    *,
    scenario: Scenario | None,
    tier: Tier,
    language: str | None,
    credit_amount: Any = None,
    policy: Policy = DEFAULT_POLICY,
) -> dict[str, str]:
    if language is not None and language not in SUPPORTED_LANGUAGES:
        raise ValueError(f"language: not one of {', '.join(SUPPORTED_LANGUAGES)}")
    amount = _decimal(invoice_amount, "invoice_amount")
    case = _case(ticket_data, invoice_number, amount, Tier(tier), language)
    # The guide's templates answer a claim: a ticket whose text says otherwise is read as one.
    decision = decide(case, policy, language=language or "es", messages=False)  # type: ignore[arg-type]
    if decision.verdict is None:
        claim = f"I paid invoice {invoice_number} but it still shows unpaid."
        case = case.model_copy(
            update={"ticket": case.ticket.model_copy(update={"description": claim})}
        )
        decision = decide(case, policy, language=language or "es", messages=False)  # type: ignore[arg-type]
    updates: dict[str, Any] = {}
    if credit_amount is not None:
        credit = _decimal(credit_amount, "credit_amount")
        currency = case.billing.invoices[0].currency
        cap = policy.credit_cap(decision.tier)
        updates["credit"] = Credit(
            amount=quantize(credit, currency), currency=currency, requires_approval=credit > cap
        )
    if scenario is not None:
        scenario = Scenario(scenario)
        actions = decide_actions(
            scenario, decision.verdict, updates.get("credit", decision.credit), decision.tier,  # type: ignore[arg-type]
            case.ticket.priority, policy,
        )  # fmt: skip
        updates.update(scenario=scenario, **actions.decision_fields())
    decision = with_messages(case, decision.model_copy(update=updates), policy)
    assert decision.reply is not None
    return {
        "subject": decision.reply.subject,
        "html_body": decision.reply.html,
        "text_body": decision.reply.text,
    }


def get_payment_verification_response_template(
    ticket_data: dict[str, Any],
    invoice_number: str,
    invoice_amount: Any,
    credit_amount: Any = None,
    language: str = "es",
) -> dict[str, str]:
    """The guide's basic reply: we are verifying the payment, with the temporary credit."""
    return _render(
        ticket_data,
        invoice_number,
        invoice_amount,
        scenario=None,
        tier=Tier.STANDARD,
        language=language,
        credit_amount=invoice_amount if credit_amount is None else credit_amount,
    )


def get_advanced_payment_verification_template(
    ticket_data: dict[str, Any],
    invoice_number: str,
    invoice_amount: Any,
    scenario: Scenario | str = Scenario.RECENT_PAYMENT,
    customer_tier: Tier | str = Tier.STANDARD,
    language: str = "es",
) -> dict[str, str]:
    """The guide's advanced reply for a given scenario, tier and language."""
    return _render(
        ticket_data,
        invoice_number,
        invoice_amount,
        scenario=Scenario(scenario),
        tier=Tier(str(customer_tier).upper() if isinstance(customer_tier, str) else customer_tier),
        language=language,
    )
