"""Stripe billing: `StripeBilling` implements `core.ports.BillingSource` with stripe-python.

The exports load lazily (PEP 562), so importing `connectors.stripe.shared_fetch` does not
import the stripe SDK.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from connectors.stripe.adapter import StripeBilling
    from connectors.stripe.client import StripeApi

__all__ = ["StripeApi", "StripeBilling"]
_WHERE = {"StripeBilling": "connectors.stripe.adapter", "StripeApi": "connectors.stripe.client"}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'connectors.stripe' has no attribute {name!r}")
