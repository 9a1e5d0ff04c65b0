"""bootstrap() wires the adapters the settings name, at call time; given ones are kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.store import SqlStore
from core.ports import BillingSource, Helpdesk, Store
from plugin.bootstrap import bootstrap, connect
from plugin.settings import Settings, SettingsError
from tests.fakes import FakeBilling, FakeHelpdesk

TOKEN = "zd-secret-token-never-printed"
KEY = "sk_test_never_printed_4242"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for field in Settings.model_fields.values():
        if isinstance(field.validation_alias, str):
            monkeypatch.delenv(field.validation_alias, raising=False)
            monkeypatch.delenv(f"{field.validation_alias}_FILE", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'store.sqlite3'}")
    return monkeypatch


def test_demo_install_runs_on_the_store_database(env: pytest.MonkeyPatch) -> None:
    env.setenv("PAYVERIFY_HELPDESK", "demo")
    env.setenv("PAYVERIFY_BILLING", "demo")
    services = bootstrap()
    assert isinstance(services.store, SqlStore) and isinstance(services.store, Store)
    assert isinstance(services.helpdesk, Helpdesk) and services.helpdesk.name == "demo"
    assert isinstance(services.billing, BillingSource) and services.billing.name == "sql"
    assert services.billing.engine is services.store.engine  # type: ignore[attr-defined]
    assert (services.installation, services.mode, services.mail) == ("demo", "auto", None)


def test_live_adapters_from_settings(env: pytest.MonkeyPatch) -> None:
    env.setenv("PAYVERIFY_HELPDESK", "zendesk")
    env.setenv("PAYVERIFY_BILLING", "stripe")
    env.setenv("ZENDESK_SUBDOMAIN", "acme")
    env.setenv("ZENDESK_EMAIL", "bot@acme.test")
    env.setenv("ZENDESK_API_TOKEN", TOKEN)
    env.setenv("STRIPE_API_KEY", KEY)
    env.setenv("STRIPE_API_BASE", "http://127.0.0.1:9/")
    services = bootstrap()
    assert services.helpdesk.name == "zendesk" and "https://acme.zendesk.com" in repr(
        services.helpdesk
    )
    assert services.billing.name == "stripe" and "http://127.0.0.1:9" in repr(services.billing)
    assert services.installation == "zendesk:acme"
    text = repr(services)
    assert TOKEN not in text and KEY not in text


def test_given_adapters_are_kept_and_nothing_else_is_required(env: pytest.MonkeyPatch) -> None:
    helpdesk, billing = FakeHelpdesk(), FakeBilling()
    services = bootstrap(Settings(), helpdesk=helpdesk, billing=billing)
    assert services.helpdesk is helpdesk and services.billing is billing
    assert connect(Settings(), helpdesk=helpdesk, billing=billing) == (helpdesk, billing)


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({}, "PAYVERIFY_HELPDESK is required: zendesk, freshdesk or demo"),
        ({"PAYVERIFY_HELPDESK": "demo"}, "PAYVERIFY_BILLING is required"),
        (
            {"PAYVERIFY_HELPDESK": "demo", "PAYVERIFY_BILLING": "demo", "SMTP_HOST": "smtp.test"},
            "SUPPORT_EMAIL_FROM is required when SMTP_HOST is set",
        ),
    ],
)
def test_missing_choices_are_named(
    env: pytest.MonkeyPatch, variables: dict[str, str], message: str
) -> None:
    for name, value in variables.items():
        env.setenv(name, value)
    with pytest.raises(SettingsError, match=message):
        bootstrap()


def test_smtp_mailer_is_built_when_configured(env: pytest.MonkeyPatch) -> None:
    for name, value in {
        "PAYVERIFY_HELPDESK": "demo",
        "PAYVERIFY_BILLING": "demo",
        "SMTP_HOST": "smtp.acme.test",
        "SMTP_PORT": "2525",
        "SUPPORT_EMAIL_FROM": "billing@acme.test",
    }.items():
        env.setenv(name, value)
    mail = bootstrap().mail
    assert (mail.host, mail.port, mail.sender) == ("smtp.acme.test", 2525, "billing@acme.test")


def test_paypal_from_settings(env: pytest.MonkeyPatch) -> None:
    env.setenv("PAYVERIFY_HELPDESK", "demo")
    env.setenv("PAYVERIFY_BILLING", "paypal")
    env.setenv("PAYPAL_CLIENT_ID", "client-id")
    env.setenv("PAYPAL_CLIENT_SECRET", "paypal-secret-never-printed")
    env.setenv("PAYPAL_API_BASE", "https://api-m.sandbox.paypal.com")
    services = bootstrap()
    assert services.billing.name == "paypal"
    assert "paypal-secret-never-printed" not in repr(services)
