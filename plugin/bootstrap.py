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


def connect(
    settings: Settings | None = None,
    *,
    helpdesk: Helpdesk | None = None,
    billing: BillingSource | None = None,
) -> tuple[Helpdesk, BillingSource]:
    """Only the helpdesk and billing source (for `case export`): no store unless one needs it."""
    settings = settings if settings is not None else Settings()
    store: Store | None = None
    embedded_ledger = settings.billing == "sql" and not settings.ledger_database_url
    needs_store = (helpdesk is None and settings.helpdesk == "demo") or (
        billing is None and (settings.billing == "demo" or embedded_ledger)
    )
    if needs_store:
        from connectors.store import create_store

        store = create_store(settings.store_url())
    helpdesk = helpdesk if helpdesk is not None else build_helpdesk(settings, store)
    billing = billing if billing is not None else build_billing(settings, store)
    return helpdesk, billing


def build_helpdesk(settings: Settings, store: Store | None) -> Helpdesk:
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
    if store is None:
        raise SettingsError("PAYVERIFY_HELPDESK=demo keeps its tickets in the store: none given")
    return _hook("connectors.demo_helpdesk", "PAYVERIFY_HELPDESK=demo")(settings, store)


def build_billing(settings: Settings, store: Store | None) -> BillingSource:
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
    sql_ledger = _connector("connectors.sql_ledger", f"PAYVERIFY_BILLING={choice}")
    if choice == "sql" and settings.ledger_database_url:
        # The company's own tables: read and written as they are, never created.
        return sql_ledger.SqlLedger(settings.ledger_url())  # type: ignore[no-any-return]
    # The embedded ledger in the store's database (demo, or sql without LEDGER_DATABASE_URL).
    engine = getattr(store, "engine", None)
    if engine is None:
        raise SettingsError(f"PAYVERIFY_BILLING={choice} needs LEDGER_DATABASE_URL")
    return sql_ledger.SqlLedger(engine, create_schema=True)  # type: ignore[no-any-return]


def build_mail(settings: Settings) -> Any:
    """The SMTP sender for installs that answer by mail (SMTP_HOST and friends)."""
    mail = _connector("connectors.mail", "SMTP_HOST")
    if not settings.support_email_from:
        raise SettingsError("SUPPORT_EMAIL_FROM is required when SMTP_HOST is set")
    return mail.Mailer(
        settings.smtp_host or "",
        settings.smtp_port,
        sender=settings.support_email_from,
        user=settings.smtp_user,
        password=_secret(settings.smtp_password) or None,
        starttls=settings.smtp_starttls,
    )


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
