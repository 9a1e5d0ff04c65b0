"""PayPal billing: `PayPalBilling` implements `core.ports.BillingSource` over PayPal REST."""

from connectors.paypal.adapter import PayPalBilling
from connectors.paypal.client import DEFAULT_BASE, SANDBOX_BASE, PayPalApi

__all__ = ["DEFAULT_BASE", "SANDBOX_BASE", "PayPalApi", "PayPalBilling"]
