"""Case files: JSON text in, a validated `Case` out, or one clear error naming the field."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from core.models import Case

_MESSAGES = {
    "missing": "missing",
    "datetime_parsing": "not a timestamp",
    "datetime_from_date_parsing": "not a timestamp",
    "datetime_type": "not a timestamp",
    "timezone_aware": "not a timestamp",
    "date_parsing": "not a date",
    "decimal_parsing": "not an amount",
    "decimal_type": "not an amount",
    "string_type": "not a string",
    "list_type": "not a list",
    "dict_type": "not an object",
    "model_type": "not an object",
    "model_attributes_type": "not an object",
    "bool_type": "not true or false",
    "bool_parsing": "not true or false",
    "int_type": "not a whole number",
    "int_parsing": "not a whole number",
    "string_too_short": "empty",
}


class CaseError(ValueError):
    """A case file that cannot be decided; the message is `source: field: what is wrong`."""


def field_path(loc: tuple[int | str, ...]) -> str:
    """`('billing', 'invoices', 0, 'amount_due')` as `billing.invoices[0].amount_due`."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part in ("str", "int", "function-after[_as_utc(), datetime]"):
            continue  # union and validator branches pydantic adds to the location
        else:
            path += f".{part}" if path else str(part)
    return path or "(case)"


def describe(error: dict[str, Any]) -> str:
    """One pydantic error in the words of CASE_FORMAT.md."""
    kind = error.get("type", "")
    if kind == "literal_error":
        return f"must be one of {error.get('ctx', {}).get('expected', '')}"
    if kind == "value_error":
        return str(error.get("ctx", {}).get("error", error.get("msg", "")))
    return _MESSAGES.get(kind, str(error.get("msg", "invalid")))


def validation_message(exc: ValidationError) -> str:
    """The first problem of a validation error as `field: what is wrong`."""
    errors = exc.errors()
    # A union (`id` as string or integer) reports every branch: name the field once.
    first = errors[0]
    loc = tuple(p for p in first["loc"] if not (isinstance(p, str) and p in ("str", "int")))
    return f"{field_path(loc)}: {describe(dict(first))}"


def parse_case(text: str | bytes, source: str = "case") -> Case:
    """Parse a case file's text; money stays exact (JSON numbers are read as decimals)."""
    try:
        data = json.loads(text, parse_float=Decimal)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CaseError(f"{source}: not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise CaseError(f"{source}: not a case (the file must hold a JSON object)")
    try:
        return Case.model_validate(data)
    except ValidationError as exc:
        raise CaseError(f"{source}: {validation_message(exc)}") from exc
    except RecursionError as exc:  # absurdly nested input
        raise CaseError(f"{source}: nested too deeply") from exc
