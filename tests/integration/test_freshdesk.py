"""FreshdeskHelpdesk over real HTTP against the Freshdesk double on 127.0.0.1."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from connectors.freshdesk import FreshdeskHelpdesk
from core.errors import ExternalError, NotFound
from core.models import Reply
from core.ports import Helpdesk, TicketUpdate
from tests.integration.doubles.helpdesk_freshdesk import (
    API_KEY,
    FIRST_HTML,
    FOLLOW_UP_HTML,
    FreshdeskDouble,
)
from tests.integration.doubles.helpdesk_server import Fault

REPLY = Reply(subject="Fatura NF-2025-0193", html="<p>Olá João, já está paga.</p>", text="Olá")
GROUPS = {"Billing Specialists": 6002}


@pytest.fixture
def double() -> Iterator[FreshdeskDouble]:
    server = FreshdeskDouble().start()
    yield server
    server.stop()


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def freshdesk(double: FreshdeskDouble, sleeps: list[float]) -> FreshdeskHelpdesk:
    return FreshdeskHelpdesk(double.url, API_KEY, timeout=(1.0, 0.4), sleep=sleeps.append)


def test_implements_the_port(freshdesk) -> None:
    assert isinstance(freshdesk, Helpdesk)
    assert freshdesk.name == "freshdesk"


def test_ticket_with_requester_company_and_messages_in_one_request(freshdesk, double) -> None:
    found = freshdesk.get_ticket("41207")

    [sent] = double.requests
    assert (sent.method, sent.path) == ("GET", "/api/v2/tickets/41207")
    assert sent.query == {"include": "requester,company,conversations"}
    ticket = found.ticket
    assert (ticket.id, ticket.subject) == ("41207", "Fatura NF-2025-0193 em aberto")
    assert ticket.description == FIRST_HTML  # the HTML: core.text reads it as text
    assert ticket.comments == [FOLLOW_UP_HTML]  # the agent's private note is left out
    assert ticket.created_at == datetime(2025, 4, 28, 13, 20, tzinfo=UTC)
    assert (ticket.priority, ticket.tags) == ("low", ["cobranca"])
    assert ticket.requester.model_dump() == {
        "name": "João Pereira",
        "email": "joao.pereira@exemplo.com.br",
        "locale": None,
    }
    assert (found.organization_name, found.organization_tags) == ("Padaria Aurora Ltda", ())
    assert (found.status, found.requester_id) == ("open", "77010042")
    assert found.url == f"{double.url}/a/tickets/41207"


def test_contact_details_add_tags_language_and_account_tier(double) -> None:
    freshdesk = FreshdeskHelpdesk(double.url, API_KEY, contact_details=True)
    found = freshdesk.get_ticket("41207")

    assert [r.path for r in double.requests] == [
        "/api/v2/tickets/41207",
        "/api/v2/contacts/77010042",
        "/api/v2/companies/8803001",
    ]
    assert found.requester_tags == ("vip",)
    assert found.ticket.requester.locale == "pt-BR"
    assert found.organization_tags == ("enterprise",)


def test_long_threads_are_read_in_full(freshdesk, double) -> None:
    ticket = freshdesk.get_ticket("41208").ticket

    assert [r.path for r in double.requests] == [
        "/api/v2/tickets/41208",
        "/api/v2/tickets/41208/conversations",
    ]
    assert ticket.comments == [f"<div>msg {i}</div>" for i in range(0, 11, 2)] + [FOLLOW_UP_HTML]
    assert (ticket.priority, ticket.requester.name) == ("high", "João Pereira")


def test_previous_tickets_in_one_request_newest_first(freshdesk, double) -> None:
    before = datetime(2025, 4, 28, 13, 20, tzinfo=UTC)
    found = freshdesk.previous_tickets(
        "joao.pereira@exemplo.com.br", before=before, exclude_id="41207"
    )

    [sent] = double.requests
    assert (sent.method, sent.path) == ("GET", "/api/v2/tickets")
    assert sent.query == {
        "email": "joao.pereira@exemplo.com.br",
        "updated_since": "2024-04-28T13:20:00Z",
        "order_by": "created_at",
        "order_type": "desc",
        "per_page": "100",
        "include": "description",
    }
    assert [t.id for t in found] == ["41208", "41100", "40990"]
    assert found[2].tags == ["payment_verification"]
    assert found[2].description == "<div>Não aparece meu pagamento.</div>"


def test_reply_after_fields_with_tags_merged(double) -> None:
    freshdesk = FreshdeskHelpdesk(double.url, API_KEY)
    freshdesk.get_ticket("41207")
    update = TicketUpdate(
        add_tags=("payment_verification", "pv_verdict_paid", "cobranca"),
        priority="high",
        group="billing specialists",
        status="pending",
    )
    freshdesk.post_reply("41207", REPLY, update)

    _, groups, put, post = double.requests
    assert (groups.method, groups.path) == ("GET", "/api/v2/groups")
    assert (put.method, put.path) == ("PUT", "/api/v2/tickets/41207")
    # Freshdesk's PUT replaces tags: the ticket's own tag is sent again with the new ones.
    assert put.body == {
        "tags": ["cobranca", "payment_verification", "pv_verdict_paid"],
        "priority": 3,
        "status": 3,
        "group_id": 6002,
    }
    assert (post.method, post.path, post.body) == (
        "POST",
        "/api/v2/tickets/41207/reply",
        {"body": REPLY.html},
    )
    assert double.state["tickets"][41207]["tags"] == put.body["tags"]


def test_update_of_a_ticket_not_read_first_fetches_its_tags(freshdesk, double) -> None:
    freshdesk.update_ticket("40990", TicketUpdate(add_tags=("pv_escalated",)))
    freshdesk.update_ticket("40990", TicketUpdate(add_tags=("pv_escalated",)))  # already there

    get, put = double.requests
    assert (get.method, get.path, get.query) == ("GET", "/api/v2/tickets/40990", {})
    assert put.body == {"tags": ["payment_verification", "pv_escalated"]}


def test_note_is_private(freshdesk, double) -> None:
    freshdesk.post_note("41207", "<p>Pagamento encontrado</p>")

    [sent] = double.requests
    assert (sent.method, sent.path) == ("POST", "/api/v2/tickets/41207/notes")
    assert sent.body == {"body": "<p>Pagamento encontrado</p>", "private": True}


def test_automatic_path_stays_within_five_requests(double) -> None:
    freshdesk = FreshdeskHelpdesk(double.url, API_KEY, group_ids=GROUPS)
    found = freshdesk.get_ticket("41207")
    freshdesk.previous_tickets(
        found.ticket.requester.email, before=found.ticket.created_at, exclude_id="41207"
    )
    update = TicketUpdate(
        add_tags=("payment_verification",), priority="urgent", group="Billing Specialists"
    )
    freshdesk.post_reply("41207", REPLY, update)
    freshdesk.post_note("41207", "<p>note</p>")

    assert [(r.method, r.path) for r in double.requests] == [
        ("GET", "/api/v2/tickets/41207"),
        ("GET", "/api/v2/tickets"),
        ("PUT", "/api/v2/tickets/41207"),
        ("POST", "/api/v2/tickets/41207/reply"),
        ("POST", "/api/v2/tickets/41207/notes"),
    ]


@pytest.mark.parametrize(
    ("fault", "slept"),
    [
        (Fault(429, None, {"Retry-After": "11"}), [11.0]),
        (Fault(500, {"code": "internal_error"}), None),
        (Fault(503, None), None),
        (Fault(200, delay=0.8), None),
    ],
    ids=["429-retry-after", "500", "503", "timeout"],
)
def test_reads_recover_from_transient_faults(freshdesk, double, sleeps, fault, slept) -> None:
    double.inject(fault)
    assert freshdesk.get_ticket("41207").ticket.id == "41207"
    assert len(double.requests) == 2
    if slept is not None:
        assert sleeps == slept


@pytest.mark.parametrize(
    ("fault", "permanent", "status"),
    [
        (Fault(503, None, times=10), False, 503),
        (
            Fault(401, {"code": "invalid_credentials", "message": "You have to be logged in"}),
            True,
            401,
        ),
        (Fault(403, {"code": "access_denied", "message": "You are not authorized"}), True, 403),
        (Fault(200, {"id": 41207, "created_at": "yesterday"}), True, 200),
    ],
    ids=["503-exhausted", "401", "403", "malformed"],
)
def test_read_failures_become_external_errors(freshdesk, double, fault, permanent, status) -> None:
    double.inject(fault)
    with pytest.raises(ExternalError) as caught:
        freshdesk.get_ticket("41207")
    assert (caught.value.permanent, caught.value.status) == (permanent, status)
    assert caught.value.service == "freshdesk"


def test_missing_ticket_is_not_found(freshdesk, double) -> None:
    with pytest.raises(NotFound):
        freshdesk.get_ticket("123456")
    with pytest.raises(NotFound):
        freshdesk.post_note("#41207", "<p>x</p>")
    assert len(double.requests) == 1


@pytest.mark.parametrize(
    "fault",
    [Fault(500, {"code": "internal_error"}), Fault(200, delay=0.8), Fault(502, None)],
    ids=["500", "timeout", "502"],
)
def test_a_reply_is_never_posted_twice(freshdesk, double, fault) -> None:
    double.inject(Fault(fault.status, fault.body, delay=fault.delay, method="POST"))
    with pytest.raises(ExternalError) as caught:
        freshdesk.post_reply("41207", REPLY)
    assert not caught.value.permanent
    assert [r.method for r in double.requests] == ["POST"]


def test_a_rate_limited_reply_waits_and_lands_once(freshdesk, double, sleeps) -> None:
    double.inject(Fault(429, None, {"Retry-After": "3"}, method="POST"))
    freshdesk.post_reply("41207", REPLY)

    assert [r.method for r in double.requests] == ["POST", "POST"]  # 429: nothing was done
    assert sleeps == [3.0]
    assert [c["body"] for c in double.state["conversations"][41207]].count(REPLY.html) == 1


def test_validation_refusal_is_permanent_and_named(freshdesk, double) -> None:
    body = {"description": "Validation failed", "errors": [{"field": "group_id"}]}
    double.inject(Fault(400, body, method="PUT"))
    with pytest.raises(ExternalError) as caught:
        freshdesk.update_ticket("41207", TicketUpdate(status="solved"))
    assert caught.value.permanent and caught.value.status == 400
    assert "Validation failed" in str(caught.value)


def test_api_key_never_in_reprs_errors_or_logs(double, caplog) -> None:
    freshdesk = FreshdeskHelpdesk(double.url, "wrong-key-secret-987", sleep=lambda s: None)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ExternalError) as caught:
        freshdesk.get_ticket("41207")
    assert caught.value.status == 401 and caught.value.permanent
    for text in (repr(freshdesk), str(caught.value), caplog.text):
        assert "wrong-key-secret-987" not in text


@pytest.mark.parametrize("base_url", ["acme.freshdesk.com", "https://k:X@acme.freshdesk.com"])
def test_bad_base_url_is_refused_clearly(base_url) -> None:
    with pytest.raises(ValueError, match="FRESHDESK_BASE_URL"):
        FreshdeskHelpdesk(base_url, API_KEY)
