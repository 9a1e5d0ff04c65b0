"""Typed models of the Zendesk Support API answers payverify reads; nothing else leaves the edge.

Shapes follow https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/ ,
.../ticketing/tickets/ticket_comments/ , .../ticketing/ticket-management/search/ and
.../ticketing/groups/groups/ . Unknown fields are ignored, so new API fields never break us.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Payload(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class ZendeskTicket(_Payload):
    id: int
    subject: str | None = None
    description: str | None = None  # the first comment, as plain text
    created_at: datetime
    priority: str | None = None  # low | normal | high | urgent, or null
    status: str | None = None
    tags: list[str] = []
    requester_id: int | None = None
    organization_id: int | None = None
    group_id: int | None = None
    # Present only with the `comment_count` sideload: tells whether the customer wrote again.
    comment_count: int | None = None


class ZendeskUser(_Payload):
    id: int
    name: str | None = None
    email: str | None = None
    locale: str | None = None
    tags: list[str] = []


class ZendeskOrganization(_Payload):
    id: int
    name: str | None = None
    tags: list[str] = []


class ZendeskComment(_Payload):
    id: int
    author_id: int | None = None
    public: bool = True
    html_body: str | None = None
    plain_body: str | None = None
    body: str | None = None
    created_at: datetime | None = None


class TicketShow(_Payload):
    """`GET /api/v2/tickets/{id}.json?include=users,organizations,comment_count`."""

    ticket: ZendeskTicket
    users: list[ZendeskUser] = []
    organizations: list[ZendeskOrganization] = []


class CursorMeta(_Payload):
    has_more: bool = False
    after_cursor: str | None = None


class CursorLinks(_Payload):
    next: str | None = None


class CommentsPage(_Payload):
    comments: list[ZendeskComment] = []
    meta: CursorMeta = CursorMeta()
    links: CursorLinks = CursorLinks()


class SearchResult(_Payload):
    """One row of `GET /api/v2/search.json`; only tickets are asked for."""

    id: int
    result_type: str = "ticket"
    created_at: datetime
    subject: str | None = None
    description: str | None = None
    tags: list[str] = []


class SearchPage(_Payload):
    results: list[SearchResult] = []
    count: int | None = None
    next_page: str | None = None


class ZendeskGroup(_Payload):
    id: int
    name: str
    deleted: bool = False


class GroupsPage(_Payload):
    groups: list[ZendeskGroup] = []
    meta: CursorMeta = CursorMeta()
    links: CursorLinks = CursorLinks()


class TicketUpdateBody(_Payload):
    """The `ticket` object of `PUT /api/v2/tickets/{id}.json`: only what changes is sent."""

    comment: dict[str, object] | None = None
    additional_tags: list[str] | None = Field(default=None)
    priority: str | None = None
    group_id: int | None = None
    status: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The request body, leaving out every field that does not change."""
        return {"ticket": self.model_dump(exclude_none=True)}
