"""Fuzzed bodies on every POST route get 4xx, never 5xx (hypothesis)."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.e2e.backend_support import Backend, load_case, signed_headers

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
bodies = st.one_of(
    st.binary(max_size=200),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries(
        {},
        optional={
            "ticket_id": json_values,
            "requester_email": json_values,
            "confirm": json_values,
            "ticket": json_values,
            "scenario": json_values,
            "customer_tier": json_values,
            "resolution_time": json_values,
            "customer_satisfaction": json_values,
        },
    ).map(lambda v: json.dumps(v).encode()),
)


@pytest.fixture(scope="module")
def backend(tmp_path_factory) -> Backend:
    path = tmp_path_factory.mktemp("fuzz")
    backend = Backend(load_case("en_vip_customer_no_date_not_found"), f"sqlite:///{path}/s.sqlite3")
    backend.api("POST", f"/api/tickets/{backend.ticket_id}/verify")
    return backend


POSTS = [
    "/triggers/zendesk",
    "/triggers/freshdesk",
    "/billing/stripe/events",
    "/api/verify",
    "/api/session/ticket",
    "/api/session/freshdesk",
    "/api/tickets/{t}/verify",
    "/api/tickets/{t}/steps/decision",
    "/api/tickets/{t}/actions/credit",
    "/api/tickets/{t}/actions/mark_paid",
    "/api/tickets/{t}/actions/reply",
    "/api/metrics/track",
    "/api/demo/tickets/{t}/trigger",
]


@pytest.mark.parametrize("route", POSTS)
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=bodies)
def test_fuzzed_bodies_never_5xx(backend: Backend, route: str, body: bytes) -> None:
    path = route.format(t=backend.ticket_id)
    headers = {"Content-Type": "application/json"}
    if path.startswith("/api/"):
        headers["Authorization"] = "Bearer server-token-for-tests"
    if path == "/triggers/zendesk":
        headers |= signed_headers(body)
    if path == "/triggers/freshdesk":
        headers["Authorization"] = "Bearer freshdesk-secret"
    answer = backend.client.post(path, data=body, headers=headers)
    assert answer.status_code < 500, (path, body, answer.get_data()[:300])
    backend.jobs.huey.flush()
