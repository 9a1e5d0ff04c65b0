"""Zendesk Support: `ZendeskHelpdesk` implements the `Helpdesk` port (zenpy + connectors.http)."""

from .adapter import ZendeskHelpdesk
from .client import ZendeskClient

__all__ = ["ZendeskClient", "ZendeskHelpdesk"]
