"""Typed models of the Freshdesk API v2 answers payverify reads; nothing else leaves the edge.

Shapes follow https://developers.freshdesk.com/api/#tickets , #conversations , #contacts ,
#companies and #groups . Unknown fields are ignored.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

# https://developers.freshdesk.com/api/#ticket_attributes : priority and status are numbers.
PRIORITY_NUMBERS = {"low": 1, "normal": 2, "high": 3, "urgent": 4}
PRIORITY_NAMES = {number: name for name, number in PRIORITY_NUMBERS.items()}
STATUS_NUMBERS = {"open": 2, "pending": 3, "solved": 4}
STATUS_NAMES = {2: "open", 3: "pending", 4: "solved", 5: "closed"}


class _Payload(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class FreshdeskRequester(_Payload):
    """The `requester` embedded by `include=requester`: id, name, email, mobile, phone."""

    id: int
    name: str | None = None
    email: str | None = None


class FreshdeskCompanyRef(_Payload):
    """The `company` embedded by `include=company`: id and name."""

    id: int
    name: str | None = None


class FreshdeskConversation(_Payload):
    id: int
    body: str | None = None  # HTML
    body_text: str | None = None
    incoming: bool = False
    private: bool = False
    user_id: int | None = None
    created_at: datetime | None = None


class FreshdeskTicket(_Payload):
    id: int
    subject: str | None = None
    description: str | None = None  # HTML
    description_text: str | None = None
    created_at: datetime
    priority: int | None = None
    status: int | None = None
    tags: list[str] = []
    requester_id: int | None = None
    company_id: int | None = None
    group_id: int | None = None
    requester: FreshdeskRequester | None = None
    company: FreshdeskCompanyRef | None = None
    conversations: list[FreshdeskConversation] = []


class FreshdeskContact(_Payload):
    id: int
    name: str | None = None
    email: str | None = None
    language: str | None = None
    tags: list[str] = []
    company_id: int | None = None


class FreshdeskCompany(_Payload):
    id: int
    name: str | None = None
    account_tier: str | None = None  # a default company field: Basic, Premium, Enterprise


class FreshdeskGroup(_Payload):
    id: int
    name: str
