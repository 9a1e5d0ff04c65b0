"""Amounts, dates, lists, names and links as a reader of one locale expects them (Babel/CLDR)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any
from urllib.parse import quote, urlsplit

from babel import Locale
from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import format_currency, format_decimal

from core.render.money import CurrencyFormatter, currency_formatter

# Words that can open a requester's name without being their first name.
_HONORIFICS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "dr",
        "dra",
        "prof",
        "sr",
        "sra",
        "srta",
        "don",
        "doña",
        "dona",
        "sir",
        "herr",
        "frau",
        "m",
        "mme",
        "mlle",
    ]
)
_MAX_NAME = 40


def money(amount: Decimal, currency: str, *, locale: Locale) -> str:
    """An amount with its currency as the locale writes it (`€299.99`, `299,99 €`)."""
    return format_currency(amount, currency, locale=locale)


def day(value: date | datetime | None, *, locale: Locale) -> str:
    """A calendar day in the locale's long form (`March 8, 2025`, `8 de marzo de 2025`)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        # Case timestamps are UTC (CASE_FORMAT.md); the customer's time zone is unknown.
        value = value.date()
    return format_date(value, format="long", locale=locale)


def number(value: int | Decimal, *, locale: Locale) -> str:
    """A plain number with the locale's separators."""
    return format_decimal(value, locale=locale)


def join(items: list[str], *, locale: Locale) -> str:
    """`A, B and C` in the locale's words."""
    return format_list([str(item) for item in items], locale=locale) if items else ""


def first_name(full_name: str | None) -> str:
    """The requester's first name for the greeting, or "" when there is none to use."""
    words = [w for w in re.split(r"\s+", (full_name or "").strip()) if w]
    while words and words[0].rstrip(".").lower() in _HONORIFICS:
        words.pop(0)
    if not words or "@" in words[0] or not any(ch.isalpha() for ch in words[0]):
        return ""
    name = words[0].strip(",;:")[:_MAX_NAME]
    # "MARÍA" or "maría" typed in a form reads better as "María"; "McKenzie" is left alone.
    if name.isupper() or name.islower():
        name = name.title()
    return name


@lru_cache(maxsize=4096)
def safe_url(url: str | None) -> str:
    """The URL when it is an absolute http(s) link, else "" (never a javascript: link)."""
    if not url:
        return ""
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return ""
    return url


@lru_cache(maxsize=4096)
def dashboard_url(template: str, object_id: str) -> str:
    """A billing dashboard link from a policy template with `{id}`, the id URL-encoded."""
    if not template or "{id}" not in template:
        return ""
    return safe_url(template.replace("{id}", quote(str(object_id), safe="")))


# Every cache of formatted text, for clear_caches().
_CACHES: list[Any] = [safe_url, dashboard_url]


def clear_caches() -> None:
    """Forget every formatted amount, date and checked link (a benchmark of new tickets)."""
    for cache in _CACHES:
        cache.cache_clear()


def template_helpers(locale_name: str) -> dict[str, Callable[..., Any]]:
    """The formatting functions a language's templates call, bound to its locale.

    They give what money(), day() and number() give, with the locale's CLDR patterns
    prepared once (babel's format_currency and format_date look them up on every call;
    core/render/money.py) and each amount and day formatted once (bounded caches).
    https://babel.pocoo.org/en/latest/api/numbers.html#babel.numbers.NumberPattern
    """
    locale = Locale.parse(locale_name)
    date_pattern = locale.date_formats["long"]

    currencies: dict[str, CurrencyFormatter] = {}

    @lru_cache(maxsize=4096)
    def locale_money(amount: Decimal, currency: str) -> str:
        write = currencies.get(currency)
        if write is None:
            write = currencies[currency] = currency_formatter(locale, currency)
        return write(amount)

    @lru_cache(maxsize=4096)
    def locale_date(value: date) -> str:
        return date_pattern.apply(value, locale)

    def locale_day(value: date | datetime | None) -> str:
        if value is None:
            return ""
        # Case timestamps are UTC (CASE_FORMAT.md); the customer's time zone is unknown.
        return locale_date(value.date() if isinstance(value, datetime) else value)

    def locale_number(value: int | Decimal) -> str:
        return number(value, locale=locale)

    @lru_cache(maxsize=4096)
    def joined(items: tuple[str, ...]) -> str:
        return join(list(items), locale=locale)

    def locale_join(items: list[str]) -> str:
        return joined(tuple([str(item) for item in items])) if items else ""

    _CACHES.extend([locale_money, locale_date, joined])
    return {
        "money": locale_money,
        "day": locale_day,
        "number": locale_number,
        "join": locale_join,
        "dashboard_url": dashboard_url,
        "safe_url": safe_url,
    }
