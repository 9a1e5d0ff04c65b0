"""Stripe billing: `StripeBilling` implements `core.ports.BillingSource` with stripe-python."""

from connectors.stripe.adapter import StripeBilling
from connectors.stripe.client import StripeApi

__all__ = ["StripeApi", "StripeBilling"]
