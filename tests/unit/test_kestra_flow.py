"""The Kestra flow parses, runs the ten steps in order, and calls only the backend's real API."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from plugin.pipeline import STEPS
from plugin.web.openapi import document

ROOT = Path(__file__).resolve().parents[2]
FLOW = ROOT / "manifest" / "kestra" / "payment_verification_automation.yaml"
BACKEND = "{{ render(vars.backend) }}"
EXPRESSION = re.compile(r"\{\{.*?\}\}")


@pytest.fixture(scope="module")
def flow() -> dict[str, Any]:
    return yaml.safe_load(FLOW.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    return document()


def _operation(openapi: dict[str, Any], method: str, path: str) -> dict[str, Any] | None:
    """The OpenAPI operation a concrete or templated path calls, matching {param} segments."""
    segments = path.strip("/").split("/")
    for pattern, item in openapi["paths"].items():
        parts = pattern.strip("/").split("/")
        operation = item.get(method.lower())
        if operation is None or len(parts) != len(segments):
            continue
        declared = operation.get("parameters", []) + item.get("parameters", [])
        parameters = {p["name"]: p for p in declared if p.get("in") == "path"}
        pairs = zip(parts, segments, strict=True)
        if all(_segment_matches(part, segment, parameters) for part, segment in pairs):
            return operation
    return None


def _segment_matches(part: str, segment: str, parameters: dict[str, Any]) -> bool:
    if not (part.startswith("{") and part.endswith("}")):
        return part == segment
    if EXPRESSION.search(segment):
        return True  # a runtime value fills a path parameter
    enum = parameters.get(part[1:-1], {}).get("schema", {}).get("enum")
    return enum is None or segment in enum


def test_the_flow_has_an_id_namespace_inputs_and_a_webhook_trigger(flow: dict[str, Any]) -> None:
    assert (flow["id"], flow["namespace"]) == ("payment_verification_automation", "support.billing")
    assert [i["id"] for i in flow["inputs"]] == ["ticket_id", "requester_email"]
    assert [t["type"] for t in flow["triggers"]] == ["io.kestra.plugin.core.trigger.Webhook"]
    assert "secret(" in flow["triggers"][0]["key"]
    seed = flow["variables"]["seed_environment"]
    assert {"POSTGRES_URL", "SUPPORT_EMAIL_FROM", "SMTP_HOST", "STRIPE_API_KEY",
            "PAYPAL_CLIENT_ID"} <= set(seed)  # fmt: skip


def test_the_ten_steps_run_in_the_pipeline_order(flow: dict[str, Any]) -> None:
    tasks = flow["tasks"]
    assert len(tasks) == 10
    steps = [task["uri"].rsplit("/steps/", 1)[1] for task in tasks]
    assert steps == list(STEPS)
    for task in tasks:
        assert task["type"] == "io.kestra.plugin.core.http.Request"
        assert task["method"] == "POST"
        assert task["headers"]["Authorization"] == "Bearer {{ secret('PAYVERIFY_API_TOKEN') }}"
        assert task["retry"]["maxAttempt"] >= 3
        # One run key for the whole execution keeps every step idempotent across retries.
        assert '"run_key": "kestra:{{ execution.id }}"' in task["body"]


def test_every_call_names_an_existing_backend_endpoint(
    flow: dict[str, Any], openapi: dict[str, Any]
) -> None:
    for task in flow["tasks"]:
        assert task["uri"].startswith(BACKEND), task["uri"]
        path = task["uri"][len(BACKEND) :]
        operation = _operation(openapi, task["method"], path)
        assert operation is not None, f"{task['id']}: {task['method']} {path} is not in the API"


def test_the_matcher_refuses_an_unknown_step_or_path(openapi: dict[str, Any]) -> None:
    assert _operation(openapi, "POST", "/api/tickets/{{ x }}/steps/send_email") is None
    assert _operation(openapi, "POST", "/api/tickets/{{ x }}/approve") is None
    assert _operation(openapi, "GET", "/api/tickets/{{ x }}/steps/reply") is None


def test_the_body_is_json_once_rendered(flow: dict[str, Any]) -> None:
    body = flow["tasks"][0]["body"]
    rendered = re.sub(r"\{%.*?%\}", "", body.replace("{{ execution.id }}", "ex1"))
    rendered = EXPRESSION.sub('"a@example.com"', rendered).replace("null", "")
    assert json.loads(rendered) == {"run_key": "kestra:ex1", "requester_email": "a@example.com"}


def test_the_freshdesk_request_template_calls_an_existing_endpoint(
    openapi: dict[str, Any],
) -> None:
    templates = json.loads((ROOT / "manifest/freshdesk/config/requests.json").read_text())
    schema = templates["createSession"]["schema"]
    path = schema["path"].replace("{{payverify.backend_path}}", "")
    operation = _operation(openapi, schema["method"], path)
    assert operation is not None
    headers = {p["name"] for p in operation.get("parameters", []) if p.get("in") == "header"}
    assert headers <= set(schema["headers"])
