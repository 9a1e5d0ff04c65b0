"""Money amounts in the conventions of the five languages, with their currency.

Own grammar rather than a locale parser: customers mix conventions (an English speaker
writing `€1.299,00`, a German one `$1,299.00`), so the decimal separator is read from the
number's own shape — the last of `.`/`,` followed by one or two digits is the decimal point,
any other separator groups thousands — and the symbol or ISO code next to it gives the
currency (`$` alone is USD, `R$` BRL; POLICY §4).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from core.models import ExtractedAmount
from core.money import quantize

_SYMBOLS = {
    "R$": "BRL",
    "US$": "USD",
    "U$S": "USD",
    "USD$": "USD",
    "C$": "CAD",
    "CA$": "CAD",
    "A$": "AUD",
    "AU$": "AUD",
    "MX$": "MXN",
    "NZ$": "NZD",
    "$": "USD",
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "₹": "INR",
    "Fr.": "CHF",
    "S/": "PEN",
}
_CODES = [
    "USD",
    "EUR",
    "BRL",
    "GBP",
    "CHF",
    "MXN",
    "ARS",
    "COP",
    "CLP",
    "PEN",
    "UYU",
    "CAD",
    "AUD",
    "JPY",
    "INR",
    "SEK",
    "NOK",
    "DKK",
    "PLN",
    "CZK",
    "NZD",
    "ZAR",
]
_WORDS = {
    "euro": "EUR", "euros": "EUR", "eur": "EUR", "dollars": "USD", "dollar": "USD", "dólares": "USD",
    "dolares": "USD", "dólar": "USD", "reais": "BRL", "real": "BRL", "libras": "GBP", "pounds": "GBP",
    "franken": "CHF", "francs suisses": "CHF",
}  # fmt: skip
_NUMBER = r"\d{1,3}(?:[.,'\u2019 \u00a0\u202f\u2009]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_SYMBOL_RE = "|".join(re.escape(s) for s in sorted(_SYMBOLS, key=len, reverse=True))
_CODE_RE = "|".join(_CODES)
_WORD_RE = "|".join(re.escape(w) for w in sorted(_WORDS, key=len, reverse=True))

_AMOUNT = re.compile(
    rf"""
    (?:(?P<pre_sym>{_SYMBOL_RE})|(?<![A-Za-z])(?P<pre_code>{_CODE_RE})\b)\s?(?P<n1>{_NUMBER})(?![\d])
  | (?<![\w.,/])(?<!\w-)(?P<n2>{_NUMBER})(?![\d]|[.,]\d)\s?(?:(?P<post_sym>{_SYMBOL_RE})|(?P<post_code>{_CODE_RE})\b|(?P<post_word>{_WORD_RE})\b)
  | (?<![\w.,/\-:#$€£])(?P<n3>\d{{1,3}}(?:[.,'\u2019 \u00a0\u202f]\d{{3}})*[.,]\d{{2}})(?![\d%]|[.,/\-]\d|\s?%)(?P<time>\s?(?:h|uhr|am|pm|a\.m\.|p\.m\.)\b)?
    """,
    re.X | re.I,
)


_CODE_AFTER = re.compile(rf"\s?({_CODE_RE})\b")


def parse_number(raw: str) -> Decimal | None:
    """A number as written (`1.299,00`, `1,299.00`, `4 200,00`, `299.99`) as a Decimal."""
    raw = re.sub(r"[\s\u00a0\u202f\u2009'\u2019]", "", raw)
    last_dot, last_comma = raw.rfind("."), raw.rfind(",")
    decimal_at = max(last_dot, last_comma)
    if decimal_at >= 0 and len(raw) - decimal_at - 1 in (1, 2):
        integer, fraction = raw[:decimal_at], raw[decimal_at + 1 :]
    else:
        integer, fraction = raw, ""
    integer = integer.replace(".", "").replace(",", "")
    try:
        return Decimal(f"{integer}.{fraction}" if fraction else integer)
    except InvalidOperation:
        return None


def find_amounts(text: str, language: str | None = None) -> list[ExtractedAmount]:
    """Money amounts in order of appearance, each distinct amount once."""
    found: list[ExtractedAmount] = []
    for match in _AMOUNT.finditer(text):
        raw = match.group("n1") or match.group("n2") or match.group("n3")
        amount = parse_number(raw)
        if amount is None or amount == 0:
            continue
        if match.group("time") and amount < 24:
            continue  # "um 10.30 Uhr", "at 9.15 am": a time, not money
        if match.group("n3") and _looks_like_day_month(raw, text, match.end("n3")):
            continue  # "am 02.04. überwiesen": a date without its year
        currency = _currency(match)
        # "$75.00 AUD", "275,00 $ CAD": the code after a symbol says which dollar it is.
        code_after = _CODE_AFTER.match(text, match.end())
        if code_after and (match.group("pre_sym") or match.group("post_sym")):
            currency = code_after.group(1).upper()
        found.append(ExtractedAmount(amount=quantize(amount, currency), currency=currency))
    return distinct_amounts(found)


def _looks_like_day_month(raw: str, text: str, end: int) -> bool:
    parts = re.fullmatch(r"(\d{1,2})[.](\d{2})", raw)
    if not parts:
        return False
    day, month = int(parts[1]), int(parts[2])
    valid = 1 <= day <= 31 and 1 <= month <= 12
    return valid and (raw.startswith("0") or text[end : end + 1] == ".")


def _currency(match: re.Match[str]) -> str | None:
    symbol = match.group("pre_sym") or match.group("post_sym")
    if symbol:
        return _SYMBOLS[symbol]
    code = match.group("pre_code") or match.group("post_code")
    if code:
        return code.upper()
    word = match.group("post_word")
    return _WORDS[word.lower()] if word else None


def distinct_amounts(amounts: list[ExtractedAmount]) -> list[ExtractedAmount]:
    """Each amount once; a bare number is dropped when the same amount appears with a currency."""
    with_currency = {a.amount for a in amounts if a.currency}
    seen: set[tuple[Decimal, str | None]] = set()
    result = []
    for item in amounts:
        key = (item.amount, item.currency)
        if key in seen or (item.currency is None and item.amount in with_currency):
            continue
        seen.add(key)
        result.append(item)
    return result
