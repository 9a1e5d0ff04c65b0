"""Amounts with their currency exactly as Babel writes them, its pattern prepared once."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from babel import Locale
from babel.numbers import (
    format_currency,
    get_currency_precision,
    get_currency_symbol,
    get_decimal_symbol,
    get_group_symbol,
)

# Amounts the prepared formatter must write as Babel does before it is trusted.
_PROBES = [
    Decimal(s)
    for s in ("0", "0.5", "1", "7.005", "12.345", "299.99", "999.995", "1000", "1234567.891")
]
CurrencyFormatter = Callable[[Decimal], str]


def currency_formatter(locale: Locale, currency: str) -> CurrencyFormatter:
    """A function writing amounts in `currency` as babel's format_currency does for `locale`.

    format_currency parses the locale, looks up the pattern, the currency's digits and
    symbol and the number symbols, then builds the text, on every call (~16 µs). The
    pieces of a plain pattern (`¤#,##0.00`, `#,##0.00 ¤`) are taken once here; a pattern
    this does not cover, or any probe written differently from Babel, keeps Babel's way.
    https://babel.pocoo.org/en/latest/api/numbers.html#babel.numbers.format_currency
    """

    def babel(amount: Decimal) -> str:
        return format_currency(amount, currency, locale=locale)

    pattern = locale.currency_formats["standard"]
    affixes = pattern.prefix[0] + pattern.suffix[0]
    group = get_group_symbol(locale)
    point = get_decimal_symbol(locale)
    if (
        pattern.scale
        or pattern.exp_prec
        or "@" in pattern.pattern
        or not pattern.number_pattern
        or "¤¤¤" in affixes  # the currency's name, which depends on the amount
        or any(c in group + point for c in "'¤")
    ):
        return babel
    symbol = get_currency_symbol(currency, locale)

    def affix(text: str) -> str:
        text = text.replace("¤¤", currency.upper()).replace("¤", symbol)
        return text.replace("''", "\0").replace("'", "").replace("\0", "'")

    prefix, suffix = affix(pattern.prefix[0]), affix(pattern.suffix[0])
    digits = get_currency_precision(currency)
    quantum = Decimal(1).scaleb(-digits)
    min_int = pattern.int_prec[0]
    first_size, next_size = pattern.grouping

    def prepared(amount: Decimal) -> str:
        if not isinstance(amount, Decimal) or amount.is_signed() or not amount.is_finite():
            return babel(amount)  # negatives and the odd value: Babel's full path
        try:
            rounded = amount.normalize().quantize(quantum)
        except InvalidOperation:
            return babel(amount)
        whole, _, fraction = f"{rounded:f}".partition(".")
        whole = whole.rjust(min_int, "0")
        grouped, size = "", first_size
        while len(whole) > size:
            grouped = group + whole[-size:] + grouped
            whole, size = whole[:-size], next_size
        number = whole + grouped + (point + fraction.ljust(digits, "0") if digits else "")
        return prefix + number + suffix

    if all(prepared(probe) == babel(probe) for probe in _PROBES):
        return prepared
    return babel
