"""Freshdesk: `FreshdeskHelpdesk` implements the `Helpdesk` port (requests + connectors.http)."""

from .adapter import FreshdeskHelpdesk
from .client import FreshdeskClient

__all__ = ["FreshdeskClient", "FreshdeskHelpdesk"]
