"""Raw Zendesk Support API calls: zenpy builds the authenticated session and the URLs,
connectors.http sends them (timeouts, retries, 429), and answers parse into typed payloads.

zenpy's own object layer is not used for reads: with its cache on it serves stale tickets,
and with the cache off it drops sideloaded users and organisations (one more request each).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar
from urllib.parse import urlsplit

import requests
from pydantic import BaseModel, ValidationError
from zenpy import Zenpy

from connectors.http import DEFAULT_TIMEOUT, call, resilient_session
from core.errors import ExternalError, NotFound

from .payloads import CommentsPage, GroupsPage, SearchPage, TicketShow, TicketUpdateBody

SERVICE = "zendesk"
MAX_PAGES = 10  # comments and groups: a bound on cursor pages, never an endless loop
Payload = TypeVar("Payload", bound=BaseModel)


class ZendeskClient:
    """The few endpoints payverify needs, against `base_url` (https://{subdomain}.zendesk.com)."""

    def __init__(
        self,
        base_url: str,
        email: str,
        api_token: str,
        *,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        retries: int = 3,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not email or not api_token:
            raise ValueError("Zendesk needs an agent email and an API token")
        scheme, subdomain, domain, prefix = _split_base_url(base_url)
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        session = resilient_session(retries=retries, sleep=sleep, timeout=timeout)
        # zenpy sets API-token basic auth (`{email}/token`, token) on the session it is given.
        self._zenpy = Zenpy(
            subdomain=subdomain, domain=domain, email=email, token=api_token, session=session,
            disable_cache=True, timeout=timeout[1],
        )  # fmt: skip
        for api in (self._zenpy.tickets, self._zenpy.search, self._zenpy.groups):
            api.protocol = scheme
            api.api_prefix = f"{prefix}api/v2"
        self._session = session
        # A PUT carrying a comment is not idempotent: after a 5xx or a read timeout the comment
        # may exist, so it is never repeated here (0 retries); the job queue decides.
        self._comment_session = resilient_session(retries=0, timeout=timeout)
        self._comment_session.auth = session.auth

    def __repr__(self) -> str:
        return f"ZendeskClient({self.base_url!r})"

    def show_ticket(self, ticket_id: int) -> TicketShow:
        """One request: the ticket with its requester, organisation and comment count."""
        tickets = self._zenpy.tickets
        url = tickets._build_url(
            tickets.endpoint(id=ticket_id, include=["users", "organizations", "comment_count"])
        )
        return self._get(url, TicketShow)

    def comments(self, ticket_id: int) -> CommentsPage:
        """All comments of a ticket, oldest first (cursor pages of 100)."""
        tickets = self._zenpy.tickets
        url: str | None = tickets._build_url(tickets.endpoint.comments(id=ticket_id))
        url = f"{url}?page[size]=100"
        collected: list = []
        for _ in range(MAX_PAGES):
            page = self._get(url, CommentsPage)
            collected.extend(page.comments)
            url = page.links.next if page.meta.has_more else None
            if not url:
                break
        return CommentsPage(comments=collected)

    def search_tickets(self, requester_email: str, before: datetime) -> SearchPage:
        """One request: the requester's tickets created before `before`, newest first."""
        search = self._zenpy.search
        created_before = before.astimezone(UTC).replace(tzinfo=None)
        url = search._build_url(
            search.endpoint(
                type="ticket", requester=requester_email, created_less_than=created_before,
                sort_by="created_at", sort_order="desc",
            )
        )  # fmt: skip
        return self._get(url, SearchPage)

    def groups(self) -> GroupsPage:
        """Every group of the account (cursor pages of 100)."""
        groups = self._zenpy.groups
        url: str | None = groups._build_url(groups.endpoint(cursor_pagination=True))
        collected: list = []
        for _ in range(MAX_PAGES):
            page = self._get(url, GroupsPage)
            collected.extend(page.groups)
            url = page.links.next if page.meta.has_more else None
            if not url:
                break
        return GroupsPage(groups=collected)

    def update_ticket(self, ticket_id: int, body: TicketUpdateBody) -> None:
        """One `PUT /api/v2/tickets/{id}.json` with the comment and field changes together."""
        tickets = self._zenpy.tickets
        url = tickets._build_url(tickets.endpoint(id=ticket_id))
        session = self._comment_session if body.comment is not None else self._session
        call(SERVICE, lambda: session.put(url, json=body.as_json(), timeout=self.timeout))

    def _get(self, url: str | None, model: type[Payload]) -> Payload:
        assert url is not None
        response = call(SERVICE, lambda: self._session.get(url, timeout=self.timeout))
        return parse(response, model)


def parse(response: requests.Response, model: type[Payload]) -> Payload:
    """Validate a JSON answer into `model`; a malformed answer is a permanent error."""
    try:
        return model.model_validate_json(response.content)
    except ValidationError as exc:
        where = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'body'}: {err['msg']}"
            for err in exc.errors()[:3]
        )
        path = urlsplit(response.request.path_url or "").path
        raise ExternalError(
            SERVICE, f"unexpected answer to {response.request.method} {path}: {where}",
            permanent=True, status=response.status_code,
        ) from None  # fmt: skip


def ticket_number(ticket_id: str | int) -> int:
    """Zendesk ticket ids are positive integers; anything else names no ticket."""
    text = str(ticket_id).strip()
    if not text.isdigit() or int(text) == 0:
        raise NotFound(SERVICE, f"{text!r} is not a Zendesk ticket id", status=None)
    return int(text)


def _split_base_url(base_url: str) -> tuple[str, str, str, str]:
    """zenpy builds `{scheme}://{subdomain}.{domain}/{prefix}api/v2`; split a base URL so."""
    parts = urlsplit(base_url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"ZENDESK_BASE_URL must be an http(s) URL, got {base_url!r}")
    if parts.username or parts.password or parts.query:
        raise ValueError("ZENDESK_BASE_URL must not carry credentials or a query")
    if "." not in parts.netloc:
        raise ValueError("ZENDESK_BASE_URL host must contain a dot (use 127.0.0.1, not localhost)")
    subdomain, domain = parts.netloc.split(".", 1)
    prefix = parts.path.strip("/")
    return parts.scheme, subdomain, domain, f"{prefix}/" if prefix else ""
