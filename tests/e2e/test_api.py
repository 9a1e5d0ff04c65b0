"""/api: the OpenAPI document matches the routes; verification, actions and KPIs."""

from __future__ import annotations

import re

import pytest

from tests.e2e.backend_support import Backend, load_case

CASE = "en_vip_customer_no_date_not_found"


@pytest.fixture
def backend(tmp_path) -> Backend:
    return Backend(load_case(CASE), f"sqlite:///{tmp_path}/s.sqlite3", mode="draft")


def test_every_api_route_is_documented_and_vice_versa(backend: Backend) -> None:
    routes = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method.lower())
        for rule in backend.app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    document = backend.client.get("/api/openapi.json").get_json()
    documented = {(path, method) for path, ops in document["paths"].items() for method in ops}
    assert document["openapi"] == "3.1.0"
    assert routes == documented


def test_verify_case_json_and_field_named_errors(backend: Backend) -> None:
    case = load_case(CASE).model_dump(mode="json")
    answer = backend.api("POST", "/api/verify", json=case)
    assert answer.status_code == 200 and answer.get_json()["verdict"] == "not_found"
    del case["ticket"]["created_at"]
    bad = backend.api("POST", "/api/verify", json=case)
    assert bad.status_code == 400 and "ticket.created_at" in bad.get_json()["error"]
    assert backend.client.post("/api/verify", json=case).status_code == 401


def test_verification_then_credit_action_once(backend: Backend) -> None:
    tid = backend.ticket_id
    assert backend.api("GET", f"/api/tickets/{tid}/verification").status_code == 404
    made = backend.api("POST", f"/api/tickets/{tid}/verify").get_json()
    assert made["verdict"] == "not_found" and made["actions"]["credit"]["available"] is True
    shown = backend.api("GET", f"/api/tickets/{tid}/verification?lang=de").get_json()
    assert shown["reply"]["lang"] == "de" and shown["customer"]["identity_verified"] is True
    refused = backend.api("POST", f"/api/tickets/{tid}/actions/credit", json={})
    assert refused.status_code == 422 and "confirm" in refused.get_json()["error"]
    first = backend.api("POST", f"/api/tickets/{tid}/actions/credit", json={"confirm": True})
    again = backend.api("POST", f"/api/tickets/{tid}/actions/credit", json={"confirm": True})
    assert first.get_json()["already_done"] is False and again.get_json()["already_done"] is True
    assert len(backend.billing.credits) == 1
    assert backend.api("POST", f"/api/tickets/{tid}/actions/nope").status_code == 404


def test_session_is_scoped_to_its_ticket(backend: Backend) -> None:
    from plugin.web.auth import new_session

    with backend.app.test_request_context():
        token, _ = new_session(backend.ticket_id, "agent@example.com", "zendesk")
    mine = backend.client.post(
        f"/api/tickets/{backend.ticket_id}/verify", headers={"Authorization": f"Bearer {token}"}
    )
    other = backend.client.post(
        "/api/tickets/999/verify", headers={"Authorization": f"Bearer {token}"}
    )
    forged = backend.client.post(
        f"/api/tickets/{backend.ticket_id}/verify", headers={"Authorization": f"Bearer {token}x"}
    )
    assert (mine.status_code, other.status_code, forged.status_code) == (200, 403, 401)
    # An agent without the approver role cannot approve a credit for an unverified customer.
    over = backend.client.post(
        f"/api/tickets/{backend.ticket_id}/actions/credit",
        json={"confirm": True, "approved_by": "me"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert over.status_code == 200  # verified identity, under the cap: no approval needed


def test_track_and_kpis(backend: Backend) -> None:
    ok = backend.api(
        "POST",
        "/api/metrics/track",
        json={
            "ticket_id": "T-1",
            "scenario": "RECENT_PAYMENT",
            "customer_tier": "vip",
            "resolution_time": 2.5,
            "customer_satisfaction": 4.8,
        },
    )
    assert ok.status_code == 201 and ok.get_json()["resolution_seconds"] == "9000"
    bad = backend.api(
        "POST",
        "/api/metrics/track",
        json={"ticket_id": "T-1", "scenario": "X", "customer_tier": "vip"},
    )
    assert bad.status_code == 422 and "scenario" in bad.get_json()["error"]
    kpis = backend.api("GET", "/api/metrics/kpis").get_json()
    assert kpis["overall"]["csat_responses"] == 1 and kpis["overall"]["csat_average"].startswith(
        "4.8"
    )


def test_health_and_metrics(backend: Backend) -> None:
    health = backend.client.get("/health")
    assert health.status_code == 200 and health.get_json()["checks"]["store"]["ok"] is True
    backend.zendesk({"ticket_id": backend.ticket_id})
    text = backend.client.get("/metrics").get_data(as_text=True)
    assert 'payverify_webhooks_total{source="zendesk",result="accepted"}' in text
    assert "# TYPE payverify_http_request_duration_seconds histogram" in text


def test_root_points_to_the_pages(backend: Backend) -> None:
    response = backend.client.get("/")
    assert response.status_code == 200 and b"/sidebar" in response.data
