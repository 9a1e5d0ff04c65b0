"""The one place that wires real or fake adapters, at call time (never at import).

`bootstrap()` reads the settings and builds the helpdesk, billing source, store and mail
sender they name; tests and the demo pass their own (`bootstrap(helpdesk=FakeHelpdesk())`)
and only what is missing is built. Connector modules are imported inside the builders, so
importing payverify never imports zenpy or stripe, and an install that uses Freshdesk and
PayPal never loads the others.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core.policy import Policy
from core.ports import BillingSource, Helpdesk, Store
from plugin.settings import Settings, SettingsError


@dataclass
class Services:
    """What the application works with: one of each port, the policy and the settings."""

    settings: Settings
    policy: Policy
    helpdesk: Helpdesk
    billing: BillingSource
    store: Store
    mail: Any | None = None  # connectors.mail sender when SMTP_HOST is set

    @property
    def installation(self) -> str:
        """The key the store files this install's rows under (zendesk:acme, demo)."""
        return self.settings.installation

    @property
    def mode(self) -> str:
        """auto, draft or shadow (PAYVERIFY_MODE)."""
        return self.settings.mode


def bootstrap(
    settings: Settings | None = None,
    *,
    helpdesk: Helpdesk | None = None,
    billing: BillingSource | None = None,
    store: Store | None = None,
    policy: Policy | None = None,
    mail: Any | None = None,
) -> Services:
    """Build the services from settings (the environment by default); given ones are kept."""
    settings = settings if settings is not None else Settings()
    policy = policy if policy is not None else settings.load_policy()
    if store is None:
        from connectors.store import create_store

        store = create_store(settings.store_url())
    if helpdesk is None:
        helpdesk = build_helpdesk(settings, store)
    if billing is None:
        billing = build_billing(settings, store)
    if mail is None and settings.smtp_host:
        mail = build_mail(settings)
    return Services(settings, policy, helpdesk, billing, store, mail)


def build_helpdesk(settings: Settings, store: Store) -> Helpdesk:
    """The helpdesk PAYVERIFY_HELPDESK names, with its credentials and base URL."""
    choice = settings.helpdesk
    if choice is None:
        raise SettingsError("PAYVERIFY_HELPDESK is required: zendesk, freshdesk or demo")
    if choice == "zendesk":
        zendesk = _connector("connectors.zendesk", "PAYVERIFY_HELPDESK=zendesk")
        return zendesk.ZendeskHelpdesk(
            settings.zendesk_base_url,
            settings.zendesk_email or "",
            _secret(settings.zendesk_api_token),
        )
    if choice == "freshdesk":
        freshdesk = _connector("connectors.freshdesk", "PAYVERIFY_HELPDESK=freshdesk")
        return freshdesk.FreshdeskHelpdesk(
            settings.freshdesk_base_url, _secret(settings.freshdesk_api_key)
        )
    return _hook("connectors.demo_helpdesk", "PAYVERIFY_HELPDESK=demo")(settings, store)


def build_billing(settings: Settings, store: Store) -> BillingSource:
    """The billing source PAYVERIFY_BILLING names, with its credentials and base URL."""
    choice = settings.billing
    if choice is None:
        raise SettingsError("PAYVERIFY_BILLING is required: stripe, paypal, sql or demo")
    if choice == "stripe":
        stripe = _connector("connectors.stripe", "PAYVERIFY_BILLING=stripe")
        return stripe.StripeBilling(
            _secret(settings.stripe_api_key),
            base_url=settings.stripe_api_base or "https://api.stripe.com",
        )
    if choice == "paypal":
        paypal = _connector("connectors.paypal", "PAYVERIFY_BILLING=paypal")
        return paypal.PayPalBilling(
            settings.paypal_client_id or "",
            _secret(settings.paypal_client_secret),
            base_url=settings.paypal_api_base or "https://api-m.paypal.com",
        )
    # sql, and demo (the SQL ledger on the store's own database, seeded by `payverify demo`).
    return _hook("connectors.sql_ledger", f"PAYVERIFY_BILLING={choice}")(settings, store)


def build_mail(settings: Settings) -> Any:
    """The SMTP sender for installs that answer by mail (SMTP_HOST and friends)."""
    mail = _connector("connectors.mail", "SMTP_HOST")
    return mail.from_settings(settings)


def _hook(module: str, setting: str) -> Callable[[Settings, Store], Any]:
    """`module.from_settings(settings, store)`: the hook a connector needing the store exposes."""
    factory = getattr(_connector(module, setting), "from_settings", None)
    if factory is None:
        raise SettingsError(f"{setting}: {module} has no from_settings(settings, store)")
    return factory  # type: ignore[no-any-return]


def _connector(module: str, setting: str) -> Any:
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name is not None and module.startswith(exc.name):
            raise SettingsError(f"{setting}: the connector {module} is not installed") from None
        raise


def _secret(value: Any) -> str:
    return value.get_secret_value() if value is not None else ""
