"""PayPal OAuth2 client credentials: one token shared by all calls until shortly before it expires.

https://developer.paypal.com/api/rest/authentication/ — `POST /v1/oauth2/token` with
HTTP Basic (client id, secret) and `grant_type=client_credentials`; the answer's
`expires_in` says how long the bearer token lives (about 9 hours).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import requests
from pydantic import BaseModel, ConfigDict, ValidationError

from connectors.http import call
from core.errors import ExternalError

SERVICE = "paypal"


class _TokenAnswer(BaseModel):
    model_config = ConfigDict(extra="ignore")
    access_token: str
    expires_in: int


class PayPalToken:
    """A cached access token, fetched once for all threads and renewed before it expires."""

    def __init__(
        self,
        session: requests.Session,
        base_url: str,
        client_id: str,
        client_secret: str,
        *,
        margin_seconds: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not client_id.strip() or not client_secret.strip():
            raise ValueError("PayPal needs PAYPAL_CLIENT_ID and PAYPAL_CLIENT_SECRET")
        self._session = session
        self._url = f"{base_url}/v1/oauth2/token"
        self._credentials = (client_id.strip(), client_secret.strip())
        self._margin = margin_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_at = 0.0

    def __repr__(self) -> str:  # neither the secret nor the token
        return f"PayPalToken(url={self._url!r}, cached={self._token is not None})"

    def bearer(self) -> str:
        """The current token, fetched when there is none or it is about to expire."""
        with self._lock:
            if self._token is None or self._clock() >= self._expires_at:
                self._fetch()
            return self._token  # type: ignore[return-value]

    def invalidate(self, token: str) -> None:
        """Drop `token` after a 401 (unless another thread already replaced it)."""
        with self._lock:
            if self._token == token:
                self._token = None

    def _fetch(self) -> None:
        response = call(
            SERVICE,
            lambda: self._session.post(
                self._url,
                auth=self._credentials,
                data={"grant_type": "client_credentials"},
                headers={"Accept": "application/json"},
            ),
        )
        try:
            answer = _TokenAnswer.model_validate(response.json())
        except (ValueError, ValidationError):
            raise ExternalError(SERVICE, "token answer is not a token", permanent=True) from None
        lifetime = float(answer.expires_in)
        # a short-lived token keeps a tenth of its life as the margin, never a negative one
        margin = min(self._margin, lifetime / 10)
        self._token = answer.access_token
        self._expires_at = self._clock() + lifetime - margin
