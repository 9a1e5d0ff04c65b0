"""Follow-ups: payment found since → credit reversed and confirmation; Stripe events re-verify."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import UTC, datetime, timedelta

from core.models import Payment
from tests.e2e.backend_support import Backend, load_case

CASE = "en_vip_customer_no_date_not_found"


def _credited(tmp_path) -> Backend:
    backend = Backend(load_case(CASE), f"sqlite:///{tmp_path}/s.sqlite3")
    backend.zendesk({"ticket_id": backend.ticket_id})
    backend.jobs.drain()
    assert len(backend.billing.credits) == 1
    return backend


def _pay_invoice(backend: Backend) -> str:
    customer_id = next(iter(backend.billing.customers))
    invoice = backend.billing.invoices_by_customer[customer_id][0]
    backend.billing.payments_by_customer.setdefault(customer_id, []).append(
        Payment(
            id="pi_late",
            status="succeeded",
            currency=invoice.currency,
            amount=invoice.amount_due,
            created=datetime.now(UTC),
            invoice=invoice.id,
        )
    )
    backend.billing.invoices_by_customer[customer_id][0] = invoice.model_copy(
        update={"status": "paid", "amount_paid": invoice.amount_due}
    )
    return customer_id


def test_payment_found_at_follow_up_reverses_credit_and_confirms(tmp_path) -> None:
    backend = _credited(tmp_path)
    _pay_invoice(backend)
    later = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    from plugin.followups import run_due_follow_ups

    results = run_due_follow_ups(backend.services, backend.settings, datetime.fromisoformat(later))
    assert [r["outcome"] for r in results] == ["resolved"]
    assert len(backend.billing.reversals) == 1
    assert len(backend.helpdesk.replies) == 2  # the first answer and the confirmation
    [credit] = backend.services.store.credits_for_ticket("demo", backend.ticket_id)
    assert credit.state == "reversed"
    again = run_due_follow_ups(backend.services, backend.settings, datetime.fromisoformat(later))
    assert again == [] and len(backend.billing.reversals) == 1


def test_no_payment_at_follow_up_escalates_with_a_note(tmp_path) -> None:
    backend = _credited(tmp_path)
    answer = backend.api("POST", "/api/follow-ups/run")
    assert answer.status_code == 200 and answer.get_json()["results"] == []  # not due yet
    from plugin.followups import run_due_follow_ups

    [result] = run_due_follow_ups(
        backend.services, backend.settings, datetime.now(UTC) + timedelta(days=2)
    )
    assert result["outcome"] == "escalated" and not backend.billing.reversals
    assert "still not confirmed" in backend.helpdesk.notes[-1][1]
    assert backend.helpdesk.updates[-1][1].priority == "high"


def _stripe_headers(payload: bytes, secret: str = "whsec_test", at: int | None = None) -> dict:
    stamp = str(at or int(time.time()))
    mac = hmac.new(secret.encode(), f"{stamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return {"Stripe-Signature": f"t={stamp},v1={mac}", "Content-Type": "application/json"}


def test_stripe_invoice_paid_reverifies_at_once(tmp_path) -> None:
    backend = _credited(tmp_path)
    customer_id = _pay_invoice(backend)
    event = {"id": "evt_1", "type": "invoice.paid", "data": {"object": {"customer": customer_id}}}
    payload = json.dumps(event).encode()
    answer = backend.client.post(
        "/billing/stripe/events", data=payload, headers=_stripe_headers(payload)
    )
    assert answer.status_code == 200 and answer.get_json()["reverify"] == [backend.ticket_id]
    backend.jobs.drain()
    assert len(backend.billing.reversals) == 1
    assert backend.services.store.pending_follow_up("demo", backend.ticket_id) is None
    stale = _stripe_headers(payload, at=int(time.time()) - 600)
    forged = _stripe_headers(payload, secret="whsec_other")
    for headers in (stale, forged, {"Content-Type": "application/json"}):
        assert (
            backend.client.post("/billing/stripe/events", data=payload, headers=headers).status_code
            == 401
        )
