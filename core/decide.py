"""The engine: a case in, a decision out (CASE_FORMAT.md), by the rules of POLICY.md."""

from __future__ import annotations

from core.actions import decide_actions
from core.credit import temporary_credit
from core.evidence import invoices_in_question, matching_payments
from core.extract import extract
from core.intent import classify_intent
from core.language import detect_language
from core.models import Case, Decision, Language, PreviousTicket
from core.policy import DEFAULT_POLICY, Policy
from core.scenario import decide_scenario, similar_previous_tickets
from core.text import claim_parts, message_text
from core.tier import customer_tier
from core.verdict import decide_verdict, payment_age_days, payment_day


def _previous_is_claim(previous: PreviousTicket) -> bool:
    """POLICY §9: an earlier ticket that was itself a payment claim counts as similar."""
    text = f"{previous.subject}\n\n{message_text(previous.description)}"
    return classify_intent(text) == "payment_claim"


def decide(
    case: Case,
    policy: Policy = DEFAULT_POLICY,
    *,
    language: Language | None = None,
    messages: bool = True,
) -> Decision:
    """Decide one case; `language` forces the reply language (the sidebar's switch).

    With `messages=False` the reply and the note are left out (a decision-only replay).
    """
    ticket = case.ticket
    parts = claim_parts(ticket)
    text = "\n\n".join(parts)
    detected = detect_language(text, ticket.requester.locale, policy)
    tier = customer_tier(case)
    extracted = extract(ticket, detected, parts=parts)
    intent = classify_intent(text, detected)
    if intent == "other":
        return Decision(
            ticket_id=ticket.id,
            intent=intent,
            language=language or detected,
            tier=tier,
            extracted=extracted,
            priority=ticket.priority,
        )

    all_invoices = list(case.billing.invoices)
    invoices = invoices_in_question(all_invoices, extracted)
    evidence = matching_payments(
        invoices, list(case.billing.payments), extracted, ticket.created_at, policy
    )
    verdict, decided_by = decide_verdict(invoices, evidence)
    age = payment_age_days(
        payment_day(extracted.payment_date, decided_by, list(case.billing.payments)),
        ticket.created_at,
    )
    similar = similar_previous_tickets(
        list(case.history.previous_tickets),
        ticket.id,
        ticket.created_at,
        policy,
        _previous_is_claim,
    )
    scenario = decide_scenario(
        similar_previous=len(similar),
        age_days=age,
        verdict=verdict,
        customer_invoices=all_invoices,
        tier=tier,
        policy=policy,
    )
    matched_by = case.customer.matched_by if case.customer else "email"
    credit = temporary_credit(verdict, invoices, tier, matched_by, policy)
    actions = decide_actions(scenario, verdict, credit, tier, ticket.priority, policy)
    if decided_by is not None:
        # The deciding payment goes first: the reply and the note speak of it.
        evidence = [decided_by] + [e for e in evidence if e is not decided_by]
    decision = Decision(
        ticket_id=ticket.id,
        intent=intent,
        language=language or detected,
        tier=tier,
        extracted=extracted,
        invoices=[inv.id for inv in invoices],
        evidence=evidence,
        verdict=verdict,
        scenario=scenario,
        payment_age_days=age,
        credit=credit,
        **actions.decision_fields(),  # type: ignore[arg-type]
    )
    return with_messages(case, decision, policy) if messages else decision


def with_messages(case: Case, decision: Decision, policy: Policy) -> Decision:
    """The decision with its reply (in the decision's language) and the agent's note."""
    from core.render import render_note, render_reply

    return decision.model_copy(
        update={
            "reply": render_reply(case, decision, policy, decision.language),
            "internal_note": render_note(case, decision, policy),
        }
    )
