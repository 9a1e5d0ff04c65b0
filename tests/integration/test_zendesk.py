"""ZendeskHelpdesk over real HTTP against the Zendesk double on 127.0.0.1."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from connectors.zendesk import ZendeskHelpdesk
from core.errors import ExternalError, NotFound
from core.models import Reply
from core.ports import Helpdesk, TicketUpdate
from tests.integration.doubles.helpdesk_server import Fault
from tests.integration.doubles.helpdesk_zendesk import (
    AGENT_EMAIL,
    API_TOKEN,
    FIRST,
    FOLLOW_UP,
    ZendeskDouble,
)

REPLY = Reply(subject="Factura FAC-2025-000871", html="<p>Hola Lucía, ya está.</p>", text="Hola")


@pytest.fixture
def double() -> Iterator[ZendeskDouble]:
    server = ZendeskDouble().start()
    yield server
    server.stop()


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def zendesk(double: ZendeskDouble, sleeps: list[float]) -> ZendeskHelpdesk:
    return ZendeskHelpdesk(
        double.url, AGENT_EMAIL, API_TOKEN, timeout=(1.0, 0.4), sleep=sleeps.append
    )


def test_implements_the_port(zendesk: ZendeskHelpdesk) -> None:
    assert isinstance(zendesk, Helpdesk)
    assert zendesk.name == "zendesk"


def test_new_ticket_in_one_request_with_sideloads(zendesk, double) -> None:
    found = zendesk.get_ticket("8801")

    [sent] = double.requests
    assert (sent.method, sent.path) == ("GET", "/api/v2/tickets/8801.json")
    assert sent.query["include"].split(",") == ["users", "organizations", "comment_count"]
    assert sent.headers["Authorization"].startswith("Basic ")
    ticket = found.ticket
    assert (ticket.id, ticket.subject, ticket.description) == (
        "8801",
        "Factura FAC-2025-000871 sigue impaga",
        FIRST,
    )
    assert ticket.comments == []
    assert ticket.created_at == datetime(2025, 3, 12, 9, 15, tzinfo=UTC)
    assert (ticket.priority, ticket.tags) == ("normal", ["billing"])
    assert ticket.requester.model_dump() == {
        "name": "Lucía Fernández",
        "email": "lucia.fernandez@example.es",
        "locale": "es-ES",
    }
    assert found.requester_tags == ("vip", "cliente_2019")
    assert (found.organization_name, found.organization_tags) == (
        "Ferretería Norte SL",
        ("premium",),
    )
    assert found.status == "new"
    assert found.url == f"{double.url}/agent/tickets/8801"


def test_customer_follow_ups_read_from_comments_only_when_there_are_more(zendesk, double) -> None:
    ticket = zendesk.get_ticket("8802").ticket

    assert [r.path for r in double.requests] == [
        "/api/v2/tickets/8802.json",
        "/api/v2/tickets/8802/comments.json",
    ]
    # The agent's reply, the private note and the first message (the description) are left out.
    assert ticket.comments == [f"<p>{FOLLOW_UP}</p>"]
    assert ticket.priority == "high"


def test_without_a_comment_count_a_touched_ticket_reads_its_comments(zendesk, double) -> None:
    ticket = {"id": 8802, "created_at": "2025-03-10T11:00:00Z", "status": "open"}
    users = [{"id": 90412001, "name": "Lucía Fernández", "email": "lucia.fernandez@example.es"}]
    double.inject(Fault(200, {"ticket": ticket | {"requester_id": 90412001}, "users": users}))

    assert zendesk.get_ticket("8802").ticket.comments == [f"<p>{FOLLOW_UP}</p>"]
    assert len(double.requests) == 2


def test_previous_tickets_in_one_search_newest_first(zendesk, double) -> None:
    before = datetime(2025, 3, 12, 10, 15, tzinfo=UTC)
    found = zendesk.previous_tickets("lucia.fernandez@example.es", before=before, exclude_id="8801")

    [sent] = double.requests
    assert sent.path == "/api/v2/search.json"
    assert sorted(sent.query["query"].split()) == [
        "created<2025-03-12T10:15:00Z",
        "requester:lucia.fernandez@example.es",
        "type:ticket",
    ]
    assert sent.query["sort_by"] == "created_at" and sent.query["sort_order"] == "desc"
    assert [t.id for t in found] == ["8802", "8700", "8600"]
    assert found[2].tags == ["payment_verification", "pv_verdict_paid"]
    assert found[1].description == "El pago de febrero tampoco aparece."


def test_reply_and_field_changes_in_one_put(zendesk, double) -> None:
    update = TicketUpdate(
        add_tags=("payment_verification", "pv_verdict_paid", "payment_verification"),
        priority="high",
        group="billing specialists",
        status="pending",
    )
    zendesk.post_reply("8801", REPLY, update)
    zendesk.post_reply("8801", REPLY, update)

    groups, put, second = double.requests
    assert (groups.method, groups.path) == ("GET", "/api/v2/groups.json")
    assert (put.method, put.path, second.method) == ("PUT", "/api/v2/tickets/8801.json", "PUT")
    assert put.body == {
        "ticket": {
            "comment": {"html_body": REPLY.html, "public": True},
            "additional_tags": ["payment_verification", "pv_verdict_paid"],
            "priority": "high",
            "group_id": 360012,
            "status": "pending",
        }
    }
    # Existing tags are kept: additional_tags adds, never replaces.
    assert double.state["tickets"][8801]["tags"] == [
        "billing",
        "payment_verification",
        "pv_verdict_paid",
    ]


def test_note_is_a_private_comment(zendesk, double) -> None:
    zendesk.post_note("8801", "<p>Pago encontrado: pi_3Q</p>")

    [sent] = double.requests
    assert sent.body == {
        "ticket": {"comment": {"html_body": "<p>Pago encontrado: pi_3Q</p>", "public": False}}
    }
    assert double.state["comments"][8801][-1]["public"] is False


def test_update_without_changes_sends_nothing(zendesk, double) -> None:
    zendesk.update_ticket("8801", TicketUpdate())
    zendesk.update_ticket("8801", TicketUpdate(add_tags=("pv_escalated",), status="open"))

    [sent] = double.requests
    assert sent.body == {"ticket": {"additional_tags": ["pv_escalated"], "status": "open"}}


def test_automatic_path_stays_within_four_requests(double, sleeps) -> None:
    zendesk = ZendeskHelpdesk(
        double.url, AGENT_EMAIL, API_TOKEN, group_ids={"Billing Specialists": 360012}
    )
    found = zendesk.get_ticket("8801")
    zendesk.previous_tickets(
        found.ticket.requester.email, before=found.ticket.created_at, exclude_id="8801"
    )
    update = TicketUpdate(
        add_tags=("payment_verification",), priority="urgent", group="Billing Specialists"
    )
    zendesk.post_reply("8801", REPLY, update)
    zendesk.post_note("8801", "<p>note</p>")

    assert len(double.requests) == 4


def test_unknown_group_is_a_permanent_error(zendesk, double) -> None:
    with pytest.raises(ExternalError) as caught:
        zendesk.update_ticket("8801", TicketUpdate(group="Old billing"))
    assert caught.value.permanent
    assert "Old billing" in caught.value.message
    assert [r.method for r in double.requests] == ["GET"]  # nothing was written


@pytest.mark.parametrize(
    ("fault", "requests_seen", "slept"),
    [
        (Fault(429, {"error": "TooManyRequests"}, {"Retry-After": "7"}), 2, [7.0]),
        (Fault(500, {"error": "InternalError"}), 2, None),
        (Fault(503, None, times=1), 2, None),
        (Fault(200, delay=0.8), 2, None),  # read timeout, then a retry
    ],
    ids=["429-retry-after", "500", "503", "timeout"],
)
def test_reads_recover_from_transient_faults(zendesk, double, sleeps, fault, requests_seen, slept):
    double.inject(fault)
    found = zendesk.get_ticket("8801")

    assert found.ticket.id == "8801"
    assert len(double.requests) == requests_seen
    if slept is not None:
        assert sleeps == slept


@pytest.mark.parametrize(
    ("fault", "permanent", "status"),
    [
        (Fault(503, {"error": "Unavailable"}, times=10), False, 503),
        (Fault(429, {"error": "TooManyRequests"}, {"Retry-After": "120"}), False, 429),
        (Fault(401, {"error": "Couldn't authenticate you"}), True, 401),
        (Fault(403, {"error": "Forbidden", "description": "You do not have access"}), True, 403),
        (Fault(200, {"ticket": {"id": "not-a-number"}}), True, 200),
    ],
    ids=["503-exhausted", "429-too-long", "401", "403", "malformed"],
)
def test_read_failures_become_external_errors(zendesk, double, fault, permanent, status):
    double.inject(fault)
    with pytest.raises(ExternalError) as caught:
        zendesk.get_ticket("8801")
    assert (caught.value.permanent, caught.value.status) == (permanent, status)
    assert caught.value.service == "zendesk"
    if status == 429:
        assert caught.value.retry_after == 120.0


def test_missing_ticket_is_not_found(zendesk, double) -> None:
    with pytest.raises(NotFound):
        zendesk.get_ticket("999999")
    with pytest.raises(NotFound):
        zendesk.get_ticket("ticket-12")
    assert len(double.requests) == 1  # a malformed id never reaches Zendesk


@pytest.mark.parametrize(
    "fault",
    [Fault(500, {"error": "InternalError"}), Fault(200, delay=0.8), Fault(502, None)],
    ids=["500", "timeout", "502"],
)
def test_a_comment_is_never_sent_twice(zendesk, double, fault) -> None:
    double.inject(fault)
    with pytest.raises(ExternalError) as caught:
        zendesk.post_reply("8801", REPLY, TicketUpdate(add_tags=("pv_x",)))
    assert not caught.value.permanent  # the job queue retries the step, with its own record
    assert len(double.requests) == 1


def test_closed_ticket_refusal_is_permanent(zendesk, double) -> None:
    double.inject(
        Fault(
            422, {"error": "RecordInvalid", "description": "Status: closed prevents ticket update"}
        )
    )
    with pytest.raises(ExternalError) as caught:
        zendesk.post_note("8801", "<p>n</p>")
    assert caught.value.permanent and caught.value.status == 422
    assert "closed prevents ticket update" in str(caught.value)


def test_bad_requester_email_never_reaches_search(zendesk, double) -> None:
    with pytest.raises(ExternalError) as caught:
        zendesk.previous_tickets("x@y.z type:user", before=datetime.now(UTC))
    assert caught.value.permanent
    assert double.requests == []


def test_token_never_in_reprs_errors_or_logs(double, caplog) -> None:
    zendesk = ZendeskHelpdesk(
        double.url, AGENT_EMAIL, "wrong-token-secret-123", sleep=lambda s: None
    )
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ExternalError) as caught:
        zendesk.get_ticket("8801")
    assert caught.value.status == 401 and caught.value.permanent
    for text in (repr(zendesk), str(caught.value), caplog.text):
        assert "wrong-token-secret-123" not in text


@pytest.mark.parametrize(
    "base_url",
    [
        "localhost:8080",
        "ftp://acme.zendesk.com",
        "http://localhost:8080",
        "https://u:p@acme.zendesk.com",
    ],
)
def test_bad_base_url_is_refused_clearly(base_url) -> None:
    with pytest.raises(ValueError, match="ZENDESK_BASE_URL"):
        ZendeskHelpdesk(base_url, AGENT_EMAIL, API_TOKEN)
