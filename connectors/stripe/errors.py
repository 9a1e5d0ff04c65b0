"""Stripe errors as `core.errors.ExternalError`, with any API key masked."""

from __future__ import annotations

import re

import stripe
from pydantic import ValidationError

from connectors.http import retry_after_seconds
from core.errors import ExternalError, NotFound

SERVICE = "stripe"
_KEY_PATTERN = re.compile(r"\b(sk|rk|pk)_(live|test)_[A-Za-z0-9*]+")


def first_error(exc: ValidationError) -> str:
    """Where and why a Stripe answer did not fit its model."""
    error = exc.errors()[0]
    return f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}"


def external_error(exc: stripe.StripeError) -> ExternalError:
    """A stripe-python error as `ExternalError`: 4xx permanent (not 408/409/425/429), 5xx not."""
    # Stripe echoes a masked key in authentication errors; mask what is left of it too.
    message = _KEY_PATTERN.sub("[key]", exc.user_message or str(exc) or type(exc).__name__)
    status = exc.http_status
    if isinstance(exc, stripe.APIConnectionError) or status is None:
        return ExternalError(SERVICE, f"could not reach Stripe: {message}", permanent=False)
    if status == 404:
        return NotFound(SERVICE, message)
    retry_after = retry_after_seconds((exc.headers or {}).get("Retry-After"))
    permanent = status < 500 and status not in (408, 409, 425, 429)
    code = f" ({exc.code})" if exc.code else ""
    return ExternalError(
        SERVICE,
        f"HTTP {status}{code}: {message}",
        permanent=permanent,
        status=status,
        retry_after=retry_after,
    )
