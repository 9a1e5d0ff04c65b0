"""`POST /billing/stripe/events`: a payment moved for a customer under verification; re-verify now.

The Stripe-Signature header is checked by stripe-python (`t=...,v1=...`, HMAC-SHA256 of
"t.payload", 5 minutes' tolerance): https://docs.stripe.com/webhooks#verify-events
"""

from __future__ import annotations

from typing import Any

import stripe
from flask import Blueprint, Response, current_app, jsonify, request

from plugin.web.auth import AuthError, secret_value

bp = Blueprint("billing_events", __name__)

TOLERANCE_SECONDS = 300
EVENTS = frozenset({"invoice.paid", "payment_intent.succeeded", "payment_intent.payment_failed"})


def _event() -> dict[str, Any]:
    from plugin.web import current_settings

    secret = secret_value(current_settings(), "stripe_webhook_secret")
    if not secret:
        raise AuthError("Stripe events are not configured (STRIPE_WEBHOOK_SECRET)")
    header = request.headers.get("Stripe-Signature", "")
    if not header:
        raise AuthError("missing Stripe-Signature")
    payload = request.get_data(as_text=True)
    try:
        stripe.WebhookSignature.verify_header(payload, header, secret, TOLERANCE_SECONDS)
    except stripe.SignatureVerificationError:
        raise AuthError("the Stripe signature does not match or is stale") from None
    event = request.get_json(silent=True)
    if not isinstance(event, dict) or not isinstance(event.get("type"), str):
        raise ValueError("the body is not a Stripe event (type missing)")
    return event


def _customer(event: dict[str, Any]) -> str | None:
    obj = (event.get("data") or {}).get("object") or {}
    customer = obj.get("customer") if isinstance(obj, dict) else None
    if isinstance(customer, dict):  # an expanded customer object
        customer = customer.get("id")
    return customer if isinstance(customer, str) and customer else None


@bp.post("/billing/stripe/events")
def stripe_events() -> tuple[Response, int]:
    """Re-verify the tickets of the event's customer that await a follow-up."""
    from plugin.web import current_jobs, current_services
    from plugin.web.prometheus import WEBHOOKS

    try:
        event = _event()
    except AuthError:
        WEBHOOKS.inc("stripe", "unauthorized")
        raise
    except ValueError as exc:
        WEBHOOKS.inc("stripe", "invalid")
        return jsonify(error=str(exc)), 400
    customer = _customer(event)
    if event["type"] not in EVENTS or customer is None:
        WEBHOOKS.inc("stripe", "ignored")
        return jsonify(received=True, reverify=[]), 200
    store = current_services().store
    event_id = str(event.get("id") or "")
    if event_id and not store.claim_delivery(f"stripe:{event_id}"):
        WEBHOOKS.inc("stripe", "duplicate")
        return jsonify(received=True, duplicate=True, reverify=[]), 200
    installation = current_app.config["PAYVERIFY_INSTALLATION"]
    tickets = sorted(tickets_under_verification(store, installation, customer))
    jobs = current_jobs()
    for ticket_id in tickets:
        jobs.enqueue_reverify(ticket_id, f"stripe {event['type']} {event_id}")
    WEBHOOKS.inc("stripe", "accepted")
    return jsonify(received=True, reverify=tickets), 200


def tickets_under_verification(store: Any, installation: str, customer: str) -> set[str]:
    """The customer's tickets awaiting a follow-up, with or without an open credit.

    A claim that earned no credit (a failed card, a payment processing) also waits for its
    follow-up: `pending_follow_ups_for_customer` finds it when the store offers it; otherwise
    only the tickets holding an open credit are known to belong to the customer.
    """
    tickets = {
        credit.ticket_id
        for credit in store.open_credits_for_customer(installation, customer)
        if store.pending_follow_up(installation, credit.ticket_id) is not None
    }
    by_customer = getattr(store, "pending_follow_ups_for_customer", None)
    if by_customer is not None:
        tickets |= {str(f.ticket_id) for f in by_customer(installation, customer)}
    return tickets
