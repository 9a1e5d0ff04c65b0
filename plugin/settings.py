"""payverify's settings, read from the environment (names in docs/SETTINGS.md), failing loudly.

Every secret is a `SecretStr` (never in a repr, str or error) and can also be given as
`NAME_FILE`, a path whose content is the value (Docker and Kubernetes secrets).
Database and Redis URLs count as secrets: they carry passwords.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlsplit, urlunsplit

from pydantic import BeforeValidator, Field, SecretStr, ValidationError, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from connectors.store.engine import DEFAULT_DATABASE_URL, normalize_url
from core.policy import DEFAULT_POLICY, Policy


class SettingsError(ValueError):
    """A setting that is missing or wrong; the message names the environment variable."""


def _strict_bool(value: object) -> object:
    # "yes", "on" or "t" are typos as often as they are intent: only true/false/1/0.
    if isinstance(value, str):
        word = value.strip().lower()
        if word in ("true", "1"):
            return True
        if word in ("false", "0"):
            return False
        raise ValueError("must be true or false")
    return value


def _base_url(value: object) -> object:
    if isinstance(value, str) and value.strip():
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("must be an http(s) URL")
        return value.strip().rstrip("/")
    return value


def _comma_list(value: object) -> object:
    if isinstance(value, str):
        return tuple(item.strip().lower() for item in value.split(",") if item.strip())
    return value


StrictBool = Annotated[bool, BeforeValidator(_strict_bool)]
# NoDecode: a comma-separated list in the environment, not JSON.
AgentList = Annotated[tuple[str, ...], NoDecode, BeforeValidator(_comma_list)]
BaseUrl = Annotated[str | None, BeforeValidator(_base_url)]


def env(name: str, default: Any = None, **kwargs: Any) -> Any:
    """A field read from the environment variable `name`."""
    return Field(default, validation_alias=name, **kwargs)


class Settings(BaseSettings):
    """Everything payverify reads from the environment."""

    model_config = SettingsConfigDict(
        case_sensitive=False, extra="ignore", env_ignore_empty=True, validate_by_name=True
    )

    helpdesk: Literal["zendesk", "freshdesk", "demo"] | None = env("PAYVERIFY_HELPDESK")
    billing: Literal["stripe", "paypal", "sql", "demo"] | None = env("PAYVERIFY_BILLING")
    mode: Literal["auto", "draft", "shadow"] = env("PAYVERIFY_MODE", "auto")
    policy_path: Path | None = env("PAYVERIFY_POLICY")
    # Where helpdesks reach this backend (app packages, webhook and sidebar URLs).
    payverify_public_url: BaseUrl = env("PAYVERIFY_PUBLIC_URL")
    # Extra origins allowed to frame the sidebar (space or comma separated), e.g. `fdk run`'s.
    frame_ancestors: str | None = env("PAYVERIFY_FRAME_ANCESTORS")
    api_token: SecretStr | None = env("PAYVERIFY_API_TOKEN")
    secret_key: SecretStr | None = env("PAYVERIFY_SECRET_KEY")
    approvers: AgentList = env("PAYVERIFY_APPROVERS", ())
    apply_found_payments: StrictBool = env("PAYVERIFY_APPLY_FOUND_PAYMENTS", False)

    database_url: SecretStr | None = env("DATABASE_URL")
    postgres_url: SecretStr | None = env("POSTGRES_URL")
    postgres_user: str | None = env("POSTGRES_USER")
    postgres_password: SecretStr | None = env("POSTGRES_PASSWORD")
    ledger_database_url: SecretStr | None = env("LEDGER_DATABASE_URL")
    redis_url: SecretStr | None = env("REDIS_URL")

    zendesk_subdomain: str | None = env("ZENDESK_SUBDOMAIN", pattern=r"^[A-Za-z0-9-]+$")
    zendesk_email: str | None = env("ZENDESK_EMAIL")
    zendesk_api_token: SecretStr | None = env("ZENDESK_API_TOKEN")
    zendesk_base_url_override: BaseUrl = env("ZENDESK_BASE_URL")
    zendesk_webhook_secret: SecretStr | None = env("ZENDESK_WEBHOOK_SECRET")
    zendesk_app_public_key: str | None = env("ZENDESK_APP_PUBLIC_KEY")

    freshdesk_domain: str | None = env("FRESHDESK_DOMAIN", pattern=r"^[A-Za-z0-9.-]+$")
    freshdesk_api_key: SecretStr | None = env("FRESHDESK_API_KEY")
    freshdesk_base_url_override: BaseUrl = env("FRESHDESK_BASE_URL")
    freshdesk_webhook_secret: SecretStr | None = env("FRESHDESK_WEBHOOK_SECRET")
    freshdesk_install_secret: SecretStr | None = env("FRESHDESK_INSTALL_SECRET")

    stripe_api_key: SecretStr | None = env("STRIPE_API_KEY")
    stripe_api_base: BaseUrl = env("STRIPE_API_BASE", "https://api.stripe.com")
    stripe_webhook_secret: SecretStr | None = env("STRIPE_WEBHOOK_SECRET")

    paypal_client_id: str | None = env("PAYPAL_CLIENT_ID")
    paypal_client_secret: SecretStr | None = env("PAYPAL_CLIENT_SECRET")
    paypal_api_base: BaseUrl = env("PAYPAL_API_BASE", "https://api-m.paypal.com")

    support_email_from: str | None = env("SUPPORT_EMAIL_FROM")
    smtp_host: str | None = env("SMTP_HOST")
    smtp_port: int = env("SMTP_PORT", 587, ge=1, le=65535)
    smtp_user: str | None = env("SMTP_USER")
    smtp_password: SecretStr | None = env("SMTP_PASSWORD")
    smtp_starttls: StrictBool | None = env("SMTP_STARTTLS")  # unset: when the server offers it

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except ValidationError as exc:
            # pydantic's message quotes the input value, which may be a secret: name the variable.
            raise SettingsError(_describe(exc)) from None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, FileValueSource(settings_cls)

    @model_validator(mode="after")
    def _required_for_choice(self) -> Settings:
        missing: list[str] = []
        required: dict[tuple[str, str], list[tuple[str, object]]] = {
            ("helpdesk", "zendesk"): [
                ("ZENDESK_SUBDOMAIN", self.zendesk_subdomain or self.zendesk_base_url_override),
                ("ZENDESK_EMAIL", self.zendesk_email),
                ("ZENDESK_API_TOKEN", self.zendesk_api_token),
            ],
            ("helpdesk", "freshdesk"): [
                ("FRESHDESK_DOMAIN", self.freshdesk_domain or self.freshdesk_base_url_override),
                ("FRESHDESK_API_KEY", self.freshdesk_api_key),
            ],
            ("billing", "stripe"): [("STRIPE_API_KEY", self.stripe_api_key)],
            ("billing", "paypal"): [
                ("PAYPAL_CLIENT_ID", self.paypal_client_id),
                ("PAYPAL_CLIENT_SECRET", self.paypal_client_secret),
            ],
        }
        for (kind, choice), names in required.items():
            if getattr(self, kind) != choice:
                continue
            variable = f"PAYVERIFY_{kind.upper()}={choice}"
            missing += [f"{name} is required when {variable}" for name, value in names if not value]
        if missing:
            raise SettingsError("; ".join(missing))
        return self

    # ------------------------------------------------------------------ derived values

    @property
    def zendesk_base_url(self) -> str:
        """ZENDESK_BASE_URL, else https://{ZENDESK_SUBDOMAIN}.zendesk.com."""
        if self.zendesk_base_url_override:
            return self.zendesk_base_url_override
        if not self.zendesk_subdomain:
            raise SettingsError("ZENDESK_SUBDOMAIN or ZENDESK_BASE_URL is required for Zendesk")
        return f"https://{self.zendesk_subdomain}.zendesk.com"

    @property
    def freshdesk_base_url(self) -> str:
        """FRESHDESK_BASE_URL, else https://{FRESHDESK_DOMAIN} (acme → acme.freshdesk.com)."""
        if self.freshdesk_base_url_override:
            return self.freshdesk_base_url_override
        if not self.freshdesk_domain:
            raise SettingsError("FRESHDESK_DOMAIN or FRESHDESK_BASE_URL is required for Freshdesk")
        domain = self.freshdesk_domain
        return f"https://{domain if '.' in domain else domain + '.freshdesk.com'}"

    @property
    def installation(self) -> str:
        """The key the store files this install's rows under: zendesk:acme, freshdesk:acme, demo."""
        if self.helpdesk == "zendesk":
            account = self.zendesk_subdomain or urlsplit(self.zendesk_base_url).netloc
            return f"zendesk:{account}"
        if self.helpdesk == "freshdesk":
            return f"freshdesk:{urlsplit(self.freshdesk_base_url).netloc.split('.')[0]}"
        return "demo"

    def store_url(self) -> str:
        """DATABASE_URL, else POSTGRES_URL (with POSTGRES_USER/PASSWORD), else the SQLite file."""
        if self.database_url:
            return normalize_url(self.database_url.get_secret_value())
        if self.postgres_url:
            return normalize_url(_with_credentials(self.postgres_url.get_secret_value(), self))
        return DEFAULT_DATABASE_URL

    def ledger_url(self) -> str:
        """LEDGER_DATABASE_URL, else the store's database."""
        if self.ledger_database_url:
            return normalize_url(self.ledger_database_url.get_secret_value())
        return self.store_url()

    def load_policy(self) -> Policy:
        """The policy file named by PAYVERIFY_POLICY, else POLICY.md's defaults."""
        return Policy.from_toml(self.policy_path) if self.policy_path else DEFAULT_POLICY


def _with_credentials(url: str, settings: Settings) -> str:
    """The seed guide gives POSTGRES_USER and POSTGRES_PASSWORD beside a URL that may lack them."""
    parts = urlsplit(url)
    if "@" in parts.netloc or not settings.postgres_user:
        return url
    password = settings.postgres_password.get_secret_value() if settings.postgres_password else ""
    userinfo = quote(settings.postgres_user, safe="")
    if password:
        userinfo += ":" + quote(password, safe="")
    return urlunsplit(parts._replace(netloc=f"{userinfo}@{parts.netloc}"))


def _variable(field_name: str) -> str:
    field = Settings.model_fields.get(field_name)
    alias = field.validation_alias if field is not None else None
    return alias if isinstance(alias, str) else field_name.upper()


def _describe(exc: ValidationError) -> str:
    lines = []
    for error in exc.errors(include_input=False):
        where = str(error["loc"][0]) if error["loc"] else ""
        name = _variable(where) if where in Settings.model_fields else where.upper()
        message = error["msg"].removeprefix("Value error, ")
        lines.append(f"{name}: {message}" if name else message)
    return "; ".join(lines)


class FileValueSource(PydanticBaseSettingsSource):
    """`NAME_FILE=/run/secrets/x` gives NAME the file's content (trailing newline removed)."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        environ = {key.upper(): value for key, value in os.environ.items() if value}
        values: dict[str, Any] = {}
        for field in self.settings_cls.model_fields.values():
            name = field.validation_alias
            if not isinstance(name, str) or f"{name}_FILE" not in environ:
                continue
            path = environ[f"{name}_FILE"]
            if name in environ:
                raise SettingsError(f"{name} and {name}_FILE are both set: use one of them")
            try:
                values[name] = Path(path).read_text(encoding="utf-8").strip()
            except (OSError, UnicodeDecodeError) as exc:
                reason = getattr(exc, "strerror", None) or type(exc).__name__
                raise SettingsError(f"{name}_FILE: cannot read {path}: {reason}") from None
        return values
