"""A Zendesk Support double: tickets, sideloads, comments, search, groups and ticket updates.

Payloads are authored for payverify's tests, shaped like Zendesk's API v2 answers.
"""

from __future__ import annotations

import base64
import copy
from datetime import datetime
from typing import Any

from tests.integration.doubles.helpdesk_server import HelpdeskServer, Recorded

AGENT_EMAIL = "payverify-bot@tiendanorte.example"
API_TOKEN = "zd-test-token-6f1c2a"  # noqa: S105 - a test double's token


def _user(uid: int, name: str, email: str | None, locale: str, tags: list[str], org: int | None):
    return {
        "id": uid, "url": f"https://tiendanorte.zendesk.com/api/v2/users/{uid}.json",
        "name": name, "email": email, "created_at": "2023-05-02T08:00:00Z",
        "time_zone": "Madrid", "iana_time_zone": "Europe/Madrid", "locale_id": 2,
        "locale": locale, "organization_id": org, "role": "end-user", "verified": True,
        "tags": tags, "active": True, "suspended": False, "user_fields": {},
    }  # fmt: skip


def _ticket(tid: int, subject: str, description: str, created: str, requester: int, **extra):
    ticket = {
        "url": f"https://tiendanorte.zendesk.com/api/v2/tickets/{tid}.json", "id": tid,
        "external_id": None, "via": {"channel": "email", "source": {"from": {}, "to": {}}},
        "created_at": created, "updated_at": created, "type": None, "subject": subject,
        "raw_subject": subject, "description": description, "priority": None,
        "status": "new", "recipient": "soporte@tiendanorte.example", "requester_id": requester,
        "submitter_id": requester, "assignee_id": None, "organization_id": None,
        "group_id": None, "collaborator_ids": [], "follower_ids": [], "tags": [],
        "custom_fields": [], "is_public": True, "brand_id": 360000111,
    }  # fmt: skip
    ticket.update(extra)
    return ticket


def _comment(cid: int, author: int, html: str, text: str, created: str, public: bool = True):
    return {
        "id": cid, "type": "Comment", "author_id": author, "body": text, "html_body": html,
        "plain_body": text, "public": public, "attachments": [], "audit_id": cid + 1,
        "via": {"channel": "email"}, "created_at": created, "metadata": {"system": {}},
    }  # fmt: skip


LUCIA, AGENT, ORG = 90412001, 90400007, 71230005
FIRST = "Hola, pagué la factura FAC-2025-000871 de 349,90 € ayer con tarjeta y sigue pendiente."
FOLLOW_UP = "Les adjunto el justificante: la transferencia es la referencia TRX-55120."


def seed() -> dict[str, Any]:
    """The double's starting state: a new ticket, one with a follow-up, two old ones."""
    return {
        "users": {
            LUCIA: _user(
                LUCIA,
                "Lucía Fernández",
                "lucia.fernandez@example.es",
                "es-ES",
                ["vip", "cliente_2019"],
                ORG,
            ),
            AGENT: _user(AGENT, "Andrés Soporte", "andres@tiendanorte.example", "es", [], None),
        },  # fmt: skip
        "organizations": {
            ORG: {
                "id": ORG,
                "name": "Ferretería Norte SL",
                "tags": ["premium"],
                "domain_names": ["ferreterianorte.example"],
                "organization_fields": {},
            },
        },  # fmt: skip
        "tickets": {
            8801: _ticket(
                8801,
                "Factura FAC-2025-000871 sigue impaga",
                FIRST,
                "2025-03-12T09:15:00Z",
                LUCIA,
                organization_id=ORG,
                tags=["billing"],
            ),
            8802: _ticket(
                8802,
                "Pago duplicado",
                "Pagué dos veces la factura FAC-2025-000802.",
                "2025-03-10T11:00:00Z",
                LUCIA,
                priority="high",
                status="open",
                organization_id=ORG,
                group_id=360011,
            ),
            8600: _ticket(
                8600,
                "Factura de enero",
                "No veo reflejado mi pago de enero.",
                "2025-01-20T16:40:00Z",
                LUCIA,
                status="solved",
                tags=["payment_verification", "pv_verdict_paid"],
            ),
            8700: _ticket(
                8700,
                "Otra vez mi pago",
                "El pago de febrero tampoco aparece.",
                "2025-02-18T10:05:00Z",
                LUCIA,
                status="solved",
                tags=["payment_verification"],
            ),
        },  # fmt: skip
        "comments": {
            8801: [_comment(1001, LUCIA, f"<p>{FIRST}</p>", FIRST, "2025-03-12T09:15:00Z")],
            8802: [
                _comment(
                    2001,
                    LUCIA,
                    "<p>Pagué dos veces la factura FAC-2025-000802.</p>",
                    "Pagué dos veces la factura FAC-2025-000802.",
                    "2025-03-10T11:00:00Z",
                ),
                _comment(
                    2002, AGENT, "<p>Lo revisamos.</p>", "Lo revisamos.", "2025-03-10T12:00:00Z"
                ),
                _comment(
                    2003,
                    AGENT,
                    "<p>Nota interna</p>",
                    "Nota interna",
                    "2025-03-10T12:05:00Z",
                    public=False,
                ),
                _comment(2004, LUCIA, f"<p>{FOLLOW_UP}</p>", FOLLOW_UP, "2025-03-11T08:30:00Z"),
            ],
        },  # fmt: skip
        "groups": [
            {"id": 360011, "name": "Soporte general", "deleted": False},
            {"id": 360012, "name": "Billing Specialists", "deleted": False},
            {"id": 360013, "name": "Old billing", "deleted": True},
        ],  # fmt: skip
    }


class ZendeskDouble(HelpdeskServer):
    """Zendesk on 127.0.0.1, checking API-token basic auth (`{email}/token:{token}`)."""

    def __init__(self) -> None:
        self.state = seed()
        expected = base64.b64encode(f"{AGENT_EMAIL}/token:{API_TOKEN}".encode()).decode()
        super().__init__(
            [
                ("GET", "/api/v2/tickets/<int:tid>.json", self.show),
                ("GET", "/api/v2/tickets/<int:tid>/comments.json", self.comments),
                ("GET", "/api/v2/search.json", self.search),
                ("GET", "/api/v2/groups.json", self.groups),
                ("PUT", "/api/v2/tickets/<int:tid>.json", self.update),
            ],
            authorized=lambda h: h.get("Authorization") == f"Basic {expected}",
            unauthorized_body={"error": "Couldn't authenticate you"},
            not_found_body={"error": "InvalidEndpoint", "description": "Not found"},
        )

    def _missing(self) -> tuple[int, Any]:
        return 404, {"error": "RecordNotFound", "description": "Not found"}

    def show(self, rec: Recorded, tid: int) -> tuple[int, Any]:
        if tid not in self.state["tickets"]:
            return self._missing()
        ticket = copy.deepcopy(self.state["tickets"][tid])
        include = rec.query.get("include", "").split(",")
        body: dict[str, Any] = {"ticket": ticket}
        if "comment_count" in include:
            ticket["comment_count"] = len(self.state["comments"].get(tid, []))
        if "users" in include:
            ids = {ticket["requester_id"], ticket["submitter_id"]}
            body["users"] = [u for i, u in self.state["users"].items() if i in ids]
        if "organizations" in include:
            org = ticket["organization_id"]
            body["organizations"] = [o for i, o in self.state["organizations"].items() if i == org]
        return 200, body

    def comments(self, rec: Recorded, tid: int) -> tuple[int, Any]:
        if tid not in self.state["tickets"]:
            return self._missing()
        found = self.state["comments"].get(tid, [])
        return 200, {"comments": found, "meta": {"has_more": False}, "links": {"next": None}}

    def search(self, rec: Recorded) -> tuple[int, Any]:
        terms = rec.query.get("query", "").split()
        email = next((t.split(":", 1)[1] for t in terms if t.startswith("requester:")), None)
        before = next((t[len("created<") :] for t in terms if t.startswith("created<")), None)
        by_email = {u["email"]: uid for uid, u in self.state["users"].items()}
        results = [
            dict(t, result_type="ticket")
            for t in self.state["tickets"].values()
            if "type:ticket" in terms
            and t["requester_id"] == by_email.get(email)
            and (before is None or _when(t["created_at"]) < _when(before))
        ]
        results.sort(key=lambda t: t["created_at"], reverse=rec.query.get("sort_order") == "desc")
        return 200, {"results": results, "facets": None, "next_page": None,
                     "previous_page": None, "count": len(results)}  # fmt: skip

    def groups(self, rec: Recorded) -> tuple[int, Any]:
        return 200, {"groups": self.state["groups"], "meta": {"has_more": False},
                     "links": {"next": None}}  # fmt: skip

    def update(self, rec: Recorded, tid: int) -> tuple[int, Any]:
        if tid not in self.state["tickets"]:
            return self._missing()
        ticket, change = self.state["tickets"][tid], rec.body["ticket"]
        for tag in change.get("additional_tags", []):
            if tag not in ticket["tags"]:
                ticket["tags"].append(tag)
        for name in ("priority", "group_id", "status"):
            if name in change:
                ticket[name] = change[name]
        if "comment" in change:
            comments = self.state["comments"].setdefault(tid, [])
            html = change["comment"]["html_body"]
            public = change["comment"].get("public", True)
            comments.append(_comment(9000 + len(comments), AGENT, html, html,
                                     "2025-03-12T10:00:00Z", public))  # fmt: skip
        return 200, {"ticket": ticket, "audit": {"id": 555000 + tid, "ticket_id": tid,
                                                 "events": []}}  # fmt: skip


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
