"""Every number of POLICY.md in one object, with its defaults, loadable from a TOML file."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from core.models import SUPPORTED_LANGUAGES, Language, PaymentMethod, Tier


class PolicyError(ValueError):
    """A policy file that cannot be used; the message names the file and the setting."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LanguagePolicy(_Section):
    default: Language = "en"
    supported: tuple[Language, ...] = SUPPORTED_LANGUAGES
    # Below this confidence the text is not trusted and the requester's locale decides (§2).
    min_confidence: float = Field(0.70, ge=0, le=1)
    # Shorter texts say too little to identify a language reliably.
    min_letters: int = Field(12, ge=0)


class EvidencePolicy(_Section):
    # §6.3: an unlinked payment of the exact remaining amount counts if made this recently.
    amount_match_window_days: int = Field(45, ge=0)


class ScenarioPolicy(_Section):
    recurring_min_previous: int = Field(2, ge=1)
    recurring_window_days: int = Field(90, ge=1)
    old_payment_days: int = Field(7, ge=0)
    multiple_invoices_min: int = Field(2, ge=2)


_DEFAULT_CAPS = {
    Tier.STANDARD: Decimal("500"),
    Tier.PREMIUM: Decimal("2000"),
    Tier.VIP: Decimal("10000"),
    Tier.ENTERPRISE: Decimal("25000"),
}


class CreditPolicy(_Section):
    # §10 caps in major units of the invoice currency.
    caps: dict[Tier, Decimal] = dict(_DEFAULT_CAPS)

    @field_validator("caps", mode="before")
    @classmethod
    def _merge_with_defaults(cls, value: object) -> object:
        # A file that tunes one tier keeps the others' defaults.
        if isinstance(value, dict):
            merged: dict[str, object] = {tier.value: cap for tier, cap in _DEFAULT_CAPS.items()}
            merged.update({str(k).upper(): v for k, v in value.items()})
            return merged
        return value


class EscalationPolicy(_Section):
    group: str = "billing-specialists"
    follow_up_hours_priority: int = Field(24, ge=1)
    follow_up_hours_default: int = Field(48, ge=1)


class ReplyPolicy(_Section):
    company_name: str = "Tessera"
    team_name: str = "Billing Support"
    account_manager_name: str = "Your account manager"
    receipts_url: str = ""
    # How many business days each method usually takes to settle (§12, processing).
    settlement_days: dict[PaymentMethod, tuple[int, int]] = {
        "card": (1, 2),
        "bank_transfer": (1, 3),
        "sepa_debit": (2, 5),
        "ach_debit": (3, 5),
        "paypal": (0, 1),
        "other": (1, 3),
    }
    # Links for the agent's note; {id} is the object's id.
    dashboard_invoice_url: str = "https://dashboard.stripe.com/invoices/{id}"
    dashboard_payment_url: str = "https://dashboard.stripe.com/payments/{id}"
    dashboard_customer_url: str = "https://dashboard.stripe.com/customers/{id}"


class Policy(_Section):
    """The tunable rules; `Policy()` is POLICY.md's defaults."""

    language: LanguagePolicy = LanguagePolicy()
    evidence: EvidencePolicy = EvidencePolicy()
    scenario: ScenarioPolicy = ScenarioPolicy()
    credit: CreditPolicy = CreditPolicy()
    escalation: EscalationPolicy = EscalationPolicy()
    reply: ReplyPolicy = ReplyPolicy()

    @classmethod
    def from_toml(cls, path: str | Path) -> Policy:
        """Load a policy file; keys left out keep their defaults, unknown keys are refused."""
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise PolicyError(f"{path}: cannot read: {exc.strerror or exc}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise PolicyError(f"{path}: not valid TOML: {exc}") from exc
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "(top)"
            raise PolicyError(f"{path}: {where}: {first['msg']}") from exc

    def credit_cap(self, tier: Tier) -> Decimal:
        return self.credit.caps.get(tier, self.credit.caps[Tier.STANDARD])


DEFAULT_POLICY = Policy()
