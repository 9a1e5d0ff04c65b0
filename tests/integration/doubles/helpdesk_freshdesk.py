"""A Freshdesk API v2 double: tickets with embeds, conversations, contacts, companies, groups,
ticket lists by email, replies, notes and updates (tags replaced, as Freshdesk does).

Payloads are authored for payverify's tests, shaped like Freshdesk's answers.
"""

from __future__ import annotations

import base64
import copy
from typing import Any

from tests.integration.doubles.helpdesk_server import HelpdeskServer, Recorded

API_KEY = "fd-test-key-Zq81LmT0"
JOAO, AGENT, COMPANY = 77010042, 77000001, 8803001
FIRST_HTML = "<div>Olá, paguei a fatura NF-2025-0193 de R$ 150,00 por Pix ontem.</div>"
FOLLOW_UP_HTML = "<div>Segue o comprovante: E2E-7731-PIX.</div>"


def _ticket(tid: int, subject: str, html: str, created: str, **extra: Any) -> dict[str, Any]:
    text = html.removeprefix("<div>").removesuffix("</div>")
    ticket = {
        "cc_emails": [], "fwd_emails": [], "reply_cc_emails": [], "email_config_id": None,
        "fr_escalated": False, "group_id": None, "priority": 1, "requester_id": JOAO,
        "responder_id": None, "source": 1, "spam": False, "status": 2, "subject": subject,
        "type": "Billing", "company_id": COMPANY, "id": tid, "to_emails": None,
        "product_id": None, "created_at": created, "updated_at": created,
        "due_by": "2025-04-30T12:00:00Z", "fr_due_by": "2025-04-28T12:00:00Z",
        "is_escalated": False, "description_text": text, "description": html,
        "custom_fields": {}, "tags": [], "attachments": [],
    }  # fmt: skip
    ticket.update(extra)
    return ticket


def _conversation(cid: int, tid: int, user: int, html: str, incoming: bool, private: bool):
    return {
        "body": html, "body_text": html.removeprefix("<div>").removesuffix("</div>"),
        "id": cid, "incoming": incoming, "private": private, "user_id": user,
        "support_email": None, "source": 0 if incoming else 2, "ticket_id": tid,
        "to_emails": [], "from_email": None, "cc_emails": [], "bcc_emails": None,
        "created_at": f"2025-04-2{cid % 10}T10:00:00Z", "updated_at": "2025-04-29T10:00:00Z",
        "attachments": [],
    }  # fmt: skip


def seed() -> dict[str, Any]:
    """A new ticket, one with a long conversation, and two older ones from the same contact."""
    # Eleven messages alternating customer and agent: more than `include` embeds.
    long_thread = [
        _conversation(
            500 + i,
            41208,
            JOAO if i % 2 == 0 else AGENT,
            f"<div>msg {i}</div>",
            incoming=i % 2 == 0,
            private=False,
        )
        for i in range(11)
    ]
    long_thread.append(_conversation(599, 41208, JOAO, FOLLOW_UP_HTML, True, False))
    return {
        "tickets": {
            41207: _ticket(
                41207,
                "Fatura NF-2025-0193 em aberto",
                FIRST_HTML,
                "2025-04-28T13:20:00Z",
                tags=["cobranca"],
            ),
            41208: _ticket(
                41208,
                "Pagamento não reconhecido",
                "<div>Paguei duas vezes.</div>",
                "2025-04-20T09:00:00Z",
                priority=3,
                status=3,
                group_id=6001,
            ),
            40990: _ticket(
                40990,
                "Fatura de fevereiro",
                "<div>Não aparece meu pagamento.</div>",
                "2025-02-11T08:00:00Z",
                status=4,
                tags=["payment_verification"],
            ),
            41100: _ticket(
                41100, "Boleto", "<div>Paguei o boleto.</div>", "2025-03-15T08:00:00Z", status=5
            ),
        },  # fmt: skip
        "conversations": {
            41207: [
                _conversation(401, 41207, AGENT, "<div>Nota interna</div>", False, True),
                _conversation(402, 41207, JOAO, FOLLOW_UP_HTML, True, False),
            ],
            41208: long_thread,
        },
        "contacts": {
            JOAO: {
                "id": JOAO,
                "name": "João Pereira",
                "email": "joao.pereira@exemplo.com.br",
                "language": "pt-BR",
                "tags": ["vip"],
                "company_id": COMPANY,
                "active": True,
                "time_zone": "Brasilia",
                "custom_fields": {},
            },
        },  # fmt: skip
        "companies": {
            COMPANY: {
                "id": COMPANY,
                "name": "Padaria Aurora Ltda",
                "description": None,
                "domains": ["padariaaurora.example"],
                "account_tier": "Enterprise",
                "health_score": "Happy",
                "custom_fields": {},
            },
        },  # fmt: skip
        "groups": [
            {"id": 6001, "name": "Atendimento", "description": "Primeiro nível"},
            {"id": 6002, "name": "Billing Specialists", "description": "Cobrança"},
        ],
    }


class FreshdeskDouble(HelpdeskServer):
    """Freshdesk on 127.0.0.1, checking API key basic auth (`key:X`)."""

    def __init__(self) -> None:
        self.state = seed()
        expected = "Basic " + base64.b64encode(f"{API_KEY}:X".encode()).decode()
        tickets = "/api/v2/tickets"
        super().__init__(
            [
                ("GET", f"{tickets}/<int:tid>", self.show),
                ("GET", f"{tickets}/<int:tid>/conversations", self.conversations),
                ("GET", tickets, self.list_tickets),
                ("GET", "/api/v2/contacts/<int:cid>", self.contact),
                ("GET", "/api/v2/companies/<int:cid>", self.company),
                ("GET", "/api/v2/groups", self.groups),
                ("POST", f"{tickets}/<int:tid>/reply", self.reply),
                ("POST", f"{tickets}/<int:tid>/notes", self.note),
                ("PUT", f"{tickets}/<int:tid>", self.update),
            ],
            authorized=lambda h: h.get("Authorization") == expected,
            unauthorized_body={
                "code": "invalid_credentials",
                "message": "You have to be logged in to perform this action.",
            },
            not_found_body=None,
        )

    def show(self, rec: Recorded, tid: int) -> tuple[int, Any]:
        if tid not in self.state["tickets"]:
            return 404, None
        ticket = copy.deepcopy(self.state["tickets"][tid])
        include = rec.query.get("include", "").split(",")
        if "requester" in include:
            contact = self.state["contacts"][ticket["requester_id"]]
            ticket["requester"] = {k: contact.get(k) for k in ("id", "name", "email")} | {
                "mobile": None, "phone": None,
            }  # fmt: skip
        if "company" in include and ticket["company_id"]:
            company = self.state["companies"][ticket["company_id"]]
            ticket["company"] = {"id": company["id"], "name": company["name"]}
        if "conversations" in include:
            ticket["conversations"] = self.state["conversations"].get(tid, [])[:10]
        return 200, ticket

    def conversations(self, rec: Recorded, tid: int) -> tuple[int, Any]:
        page, per_page = int(rec.query.get("page", 1)), int(rec.query.get("per_page", 30))
        found = self.state["conversations"].get(tid, [])
        return 200, found[(page - 1) * per_page : page * per_page]

    def list_tickets(self, rec: Recorded) -> tuple[int, Any]:
        email = rec.query.get("email")
        requester = next((c for c, v in self.state["contacts"].items() if v["email"] == email), 0)
        since = rec.query.get("updated_since", "2025-04-01T00:00:00Z")  # else: last 30 days
        rows = [
            copy.deepcopy(t)
            for t in self.state["tickets"].values()
            if t["requester_id"] == requester and t["updated_at"] >= since
        ]
        if rec.query.get("include") != "description":
            for row in rows:
                del row["description"], row["description_text"]
        rows.sort(key=lambda t: t["created_at"], reverse=rec.query.get("order_type") == "desc")
        return 200, rows

    def contact(self, rec: Recorded, cid: int) -> tuple[int, Any]:
        return (200, self.state["contacts"][cid]) if cid in self.state["contacts"] else (404, None)

    def company(self, rec: Recorded, cid: int) -> tuple[int, Any]:
        found = self.state["companies"].get(cid)
        return (200, found) if found else (404, None)

    def groups(self, rec: Recorded) -> tuple[int, Any]:
        return 200, self.state["groups"]

    def _add(self, tid: int, body: dict[str, Any], private: bool) -> tuple[int, Any]:
        if tid not in self.state["tickets"]:
            return 404, None
        thread = self.state["conversations"].setdefault(tid, [])
        added = _conversation(900 + len(thread), tid, AGENT, body["body"], False, private)
        thread.append(added)
        return 201, added

    def reply(self, rec: Recorded, tid: int) -> tuple[int, Any]:
        return self._add(tid, rec.body, private=False)

    def note(self, rec: Recorded, tid: int) -> tuple[int, Any]:
        return self._add(tid, rec.body, private=rec.body.get("private", True))

    def update(self, rec: Recorded, tid: int) -> tuple[int, Any]:
        if tid not in self.state["tickets"]:
            return 404, None
        ticket = self.state["tickets"][tid]
        for name in ("tags", "priority", "status", "group_id"):  # tags are replaced
            if name in rec.body:
                ticket[name] = rec.body[name]
        return 200, ticket
