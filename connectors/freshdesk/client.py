"""Raw Freshdesk API v2 calls over connectors.http (API key basic auth `key:X`), typed answers.

https://developers.freshdesk.com/api/#authentication , #view_a_ticket , #list_all_tickets ,
#reply_ticket , #add_note_to_a_ticket , #update_ticket , #view_contact , #view_company ,
#list_all_groups .
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
from pydantic import TypeAdapter, ValidationError

from connectors.http import DEFAULT_TIMEOUT, call, resilient_session
from core.errors import ExternalError, NotFound

from .payloads import (
    FreshdeskCompany,
    FreshdeskContact,
    FreshdeskConversation,
    FreshdeskGroup,
    FreshdeskTicket,
)

SERVICE = "freshdesk"
PER_PAGE = 100  # the API's maximum page size
MAX_PAGES = 10
T = TypeVar("T")


class FreshdeskClient:
    """The endpoints payverify needs, against `base_url` (https://{domain}.freshdesk.com)."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        retries: int = 3,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not api_key:
            raise ValueError("Freshdesk needs an API key")
        parts = urlsplit(base_url.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"FRESHDESK_BASE_URL must be an http(s) URL, got {base_url!r}")
        if parts.username or parts.password or parts.query:
            raise ValueError("FRESHDESK_BASE_URL must not carry credentials or a query")
        self.base_url = base_url.strip().rstrip("/")
        self.timeout = timeout
        self._session = resilient_session(retries=retries, sleep=sleep, timeout=timeout)
        self._session.auth = (api_key, "X")  # the key is the user name, any password

    def __repr__(self) -> str:
        return f"FreshdeskClient({self.base_url!r})"

    def ticket(self, ticket_id: int, include: str = "") -> FreshdeskTicket:
        """One ticket; `include` embeds requester, company, conversations (up to ten)."""
        params = {"include": include} if include else None
        return self._get(f"/api/v2/tickets/{ticket_id}", FreshdeskTicket, params)

    def conversations(self, ticket_id: int) -> list[FreshdeskConversation]:
        """Every conversation of a ticket, oldest first."""
        return self._pages(f"/api/v2/tickets/{ticket_id}/conversations", FreshdeskConversation)

    def contact(self, contact_id: int) -> FreshdeskContact:
        return self._get(f"/api/v2/contacts/{contact_id}", FreshdeskContact)

    def company(self, company_id: int) -> FreshdeskCompany:
        return self._get(f"/api/v2/companies/{company_id}", FreshdeskCompany)

    def tickets_by_email(self, email: str, since: datetime) -> list[FreshdeskTicket]:
        """One request: the requester's tickets updated since `since`, newest first."""
        # Without updated_since the list holds only the last 30 days' tickets.
        params = {
            "email": email,
            "updated_since": since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "order_by": "created_at",
            "order_type": "desc",
            "per_page": str(PER_PAGE),
            "include": "description",
        }
        return self._get("/api/v2/tickets", list[FreshdeskTicket], params)

    def groups(self) -> list[FreshdeskGroup]:
        return self._pages("/api/v2/groups", FreshdeskGroup)

    def update(self, ticket_id: int, fields: dict[str, Any]) -> FreshdeskTicket:
        """`PUT /api/v2/tickets/{id}`: tags given here replace the ticket's tags."""
        url = f"{self.base_url}/api/v2/tickets/{ticket_id}"
        response = call(SERVICE, lambda: self._session.put(url, json=fields, timeout=self.timeout))
        return parse(response, FreshdeskTicket)

    def reply(self, ticket_id: int, html: str) -> None:
        """A public reply emailed to the requester (a POST, never repeated once sent)."""
        self._post(f"/api/v2/tickets/{ticket_id}/reply", {"body": html})

    def note(self, ticket_id: int, html: str) -> None:
        """A private note that only agents see."""
        self._post(f"/api/v2/tickets/{ticket_id}/notes", {"body": html, "private": True})

    def _post(self, path: str, body: dict[str, Any]) -> None:
        url = f"{self.base_url}{path}"
        call(SERVICE, lambda: self._session.post(url, json=body, timeout=self.timeout))

    def _get(self, path: str, shape: Any, params: dict[str, str] | None = None) -> Any:
        url = f"{self.base_url}{path}"
        response = call(
            SERVICE, lambda: self._session.get(url, params=params, timeout=self.timeout)
        )
        return parse(response, shape)

    def _pages(self, path: str, item: type[T]) -> list[T]:
        collected: list[T] = []
        for page in range(1, MAX_PAGES + 1):
            params = {"page": str(page), "per_page": str(PER_PAGE)}
            rows = self._get(path, list[item], params)  # type: ignore[valid-type]
            collected.extend(rows)
            if len(rows) < PER_PAGE:
                break
        return collected


def parse(response: requests.Response, shape: Any) -> Any:
    """Validate a JSON answer into `shape`; a malformed answer is a permanent error."""
    try:
        return TypeAdapter(shape).validate_json(response.content)
    except ValidationError as exc:
        where = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'body'}: {err['msg']}"
            for err in exc.errors()[:3]
        )
        path = urlsplit(response.request.path_url or "").path
        raise ExternalError(
            SERVICE,
            f"unexpected answer to {response.request.method} {path}: {where}",
            permanent=True,
            status=response.status_code,
        ) from None


def ticket_number(ticket_id: str | int) -> int:
    """Freshdesk ticket ids are positive integers; anything else names no ticket."""
    text = str(ticket_id).strip()
    if not text.isdigit() or int(text) == 0:
        raise NotFound(SERVICE, f"{text!r} is not a Freshdesk ticket id", status=None)
    return int(text)
