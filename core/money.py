"""Money helpers: amounts are Decimal in the currency's major unit, never float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from babel.numbers import get_currency_precision


@lru_cache(maxsize=256)
def minor_digits(currency: str | None) -> int:
    """How many decimals the currency has (2 when unknown or not stated)."""
    if not currency:
        return 2
    try:
        return get_currency_precision(currency.upper())
    except Exception:  # an unknown ISO code still gets cents
        return 2


def quantize(amount: Decimal, currency: str | None) -> Decimal:
    """Round an amount to the currency's minor unit."""
    exponent = Decimal(1).scaleb(-minor_digits(currency))
    return amount.quantize(exponent, rounding=ROUND_HALF_UP)


def money_str(amount: Decimal, currency: str | None) -> str:
    """The decimal string written in case files and decisions ("299.99", "1500" for JPY)."""
    return format(quantize(amount, currency), "f")
