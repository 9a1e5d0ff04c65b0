"""Who may call the backend: helpdesk sessions for the sidebar, a bearer token for servers.

Contract (the sidebar blueprint and /api rely on it):

- `sidebar_session_from_request()` reads the sidebar page's request and returns a
  `SidebarContext` (a short-lived session token for the page's JS, and the ticket when
  known), `None` when the request carries no credentials (in Freshdesk the app page gets
  one first via `POST /api/session/freshdesk` and passes it as `?session=`), and raises `AuthError`
  for a forged, expired or foreign credential. It accepts: a Zendesk signed-URL POST
  (form field `token`, a ZAF JWT, RS256, verified with `ZENDESK_APP_PUBLIC_KEY`); a
  `?session=` token issued earlier; and, in demo mode only, `?ticket=ID` (a demo session).
- `current_principal()` authenticates an /api request: `Authorization: Bearer` with
  either `PAYVERIFY_API_TOKEN` (a server: every ticket, may approve) or a session token
  (one installation, one ticket or — before the ticket is known — none).
- `require_ticket(principal, ticket_id)` refuses a session scoped to another ticket.
- A Zendesk signed URL does not carry the ticket: the page's JS reads `ticket.id` from the
  ZAF client and exchanges its installation session for a ticket-scoped one with
  `POST /api/session/ticket {"ticket_id"}`; the server re-checks the ticket through the
  helpdesk first (`check_ticket_access`).
- Session tokens are `base64url(json).base64url(HMAC-SHA256)`, valid 15 minutes; the
  signing key is derived server-side and never leaves it. No secret reaches the browser.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import jwt
from flask import current_app, request

SESSION_TTL_SECONDS = 15 * 60
SERVICE = "service"


class AuthError(Exception):
    """A request that is not authenticated (401) or not allowed (403); the message is public."""

    def __init__(self, message: str, status: int = 401) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Session:
    """Who is calling: an installation, the ticket they may see (None: any for servers)."""

    installation: str
    ticket_id: str | None
    user: str
    source: str  # zendesk | freshdesk | demo | service
    roles: tuple[str, ...] = ()
    expires_at: int = 0

    @property
    def is_service(self) -> bool:
        return self.source == SERVICE

    @property
    def is_approver(self) -> bool:
        """Whether this caller may approve a credit above the cap or for an unverified customer."""
        return self.is_service or "approver" in self.roles


@dataclass(frozen=True)
class SidebarContext:
    """What the sidebar page needs: its session token and the ticket, when known."""

    token: str
    session: Session
    ticket_id: str | None = None
    demo: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def secret_value(settings: Any, name: str) -> str | None:
    """A secret setting as plain text (pydantic SecretStr or str), or None when unset."""
    value = getattr(settings, name, None)
    if value is None:
        return None
    if hasattr(value, "get_secret_value"):
        value = value.get_secret_value()
    return str(value) or None


def signing_key(settings: Any) -> bytes:
    """The session-signing key, derived from the configured secrets (same in every worker)."""
    names = (
        "secret_key",
        "api_token",
        "zendesk_app_public_key",
        "freshdesk_install_secret",
        "zendesk_webhook_secret",
        "freshdesk_webhook_secret",
    )
    material = "\x00".join(secret_value(settings, n) or "" for n in names)
    if not material.strip("\x00"):
        # Nothing configured (a bare test app): a per-process key; sessions do not cross workers.
        return secrets.token_bytes(32)
    return hmac.new(b"payverify-session-v1", material.encode(), hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue_session_token(key: bytes, session: Session, ttl: int = SESSION_TTL_SECONDS) -> str:
    """Sign a session for `ttl` seconds."""
    payload = asdict(session) | {"expires_at": int(time.time()) + ttl}
    body = _b64(json.dumps(payload, separators=(",", ":")).encode())
    mac = hmac.new(key, body.encode(), hashlib.sha256).digest()
    return f"{body}.{_b64(mac)}"


def read_session_token(key: bytes, token: str, now: float | None = None) -> Session:
    """The session a token carries, or AuthError when it is forged, malformed or expired."""
    try:
        body, mac = token.split(".")
        expected = hmac.new(key, body.encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _unb64(mac)):
            raise AuthError("session token signature does not match")
        data = json.loads(_unb64(body))
        session = Session(**{**data, "roles": tuple(data.get("roles", ()))})
    except AuthError:
        raise
    except (ValueError, TypeError, UnicodeDecodeError):
        raise AuthError("malformed session token") from None
    if session.expires_at < (now if now is not None else time.time()):
        raise AuthError("session token expired")
    return session


@dataclass(frozen=True)
class ZendeskAppClaims:
    subdomain: str
    installation_id: str
    user_id: str
    location: str | None


def verify_zendesk_app_jwt(
    token: str, public_key: str, subdomain: str | None = None, leeway: int = 10
) -> ZendeskAppClaims:
    """Check a ZAF signed-URL JWT: RS256 signature, exp/nbf, iss and aud as Zendesk issues them.

    https://developer.zendesk.com/documentation/apps/build-an-app/building-a-server-side-app/part-5-secure-the-app/
    iss is "{subdomain}.zendesk.com"; aud is
    "https://{subdomain}.zendesk.com/api/v2/apps/installations/{installation_id}.json".
    """
    try:
        claims = jwt.decode(
            token,
            public_key,
            algorithms=["RS256"],
            options={"require": ["exp", "iss", "aud", "sub"], "verify_aud": False},
            leeway=leeway,
        )
    except jwt.PyJWTError as exc:
        raise AuthError(f"Zendesk app token refused: {exc}") from None
    iss, aud = str(claims["iss"]), claims["aud"]
    host = iss.removeprefix("https://").rstrip("/")
    if subdomain and host != f"{subdomain}.zendesk.com":
        raise AuthError("Zendesk app token issued by another account")
    prefix = f"https://{host}/api/v2/apps/installations/"
    if not (isinstance(aud, str) and aud.startswith(prefix) and aud.endswith(".json")):
        raise AuthError("Zendesk app token audience is not an app installation of its issuer")
    context = claims.get("context") or {}
    return ZendeskAppClaims(
        subdomain=host.split(".", 1)[0],
        installation_id=aud[len(prefix) : -len(".json")],
        user_id=str(claims["sub"]),
        location=context.get("location") if isinstance(context, dict) else None,
    )


def _state() -> dict[str, Any]:
    return current_app.extensions["payverify.auth"]


def init_app(app: Any, settings: Any, installation: str, demo: bool) -> None:
    """Keep the signing key, the installation and the server token on the app."""
    app.extensions["payverify.auth"] = {
        "key": signing_key(settings),
        "installation": installation,
        "api_token": secret_value(settings, "api_token"),
        "zendesk_public_key": secret_value(settings, "zendesk_app_public_key"),
        "zendesk_subdomain": getattr(settings, "zendesk_subdomain", None),
        "install_secret": secret_value(settings, "freshdesk_install_secret"),
        "approvers": _approvers(settings),
        "demo": demo,
    }


def _approvers(settings: Any) -> frozenset[str]:
    raw = getattr(settings, "approvers", None)
    if isinstance(raw, str):
        raw = raw.split(",")
    return frozenset(str(a).strip().lower() for a in (raw or ()) if str(a).strip())


def new_session(ticket_id: str | None, user: str, source: str) -> tuple[str, Session]:
    """Issue a session for this installation; approvers come from the server-side list."""
    state = _state()
    roles = ("approver",) if source == "demo" or user.lower() in state["approvers"] else ()
    session = Session(state["installation"], ticket_id, user, source, roles)
    token = issue_session_token(state["key"], session)
    return token, read_session_token(state["key"], token)


def check_ticket_access(ticket_id: str) -> None:
    """Re-check server-side that the helpdesk knows this ticket before showing anything."""
    from core.errors import ExternalError
    from plugin.web import current_services

    try:
        current_services().helpdesk.get_ticket(str(ticket_id))
    except ExternalError as exc:
        raise AuthError(f"ticket {ticket_id} is not accessible: {exc.message}", 403) from None


def sidebar_session_from_request() -> SidebarContext | None:
    """Authenticate the sidebar page request (see the module docstring)."""
    state = _state()
    ticket_id = request.values.get("ticket") or request.values.get("ticket_id") or None
    if request.method == "POST" and request.form.get("token"):
        if not state["zendesk_public_key"]:
            raise AuthError("Zendesk signed URLs are not configured (ZENDESK_APP_PUBLIC_KEY)")
        claims = verify_zendesk_app_jwt(
            request.form["token"], state["zendesk_public_key"], state["zendesk_subdomain"]
        )
        if ticket_id:
            check_ticket_access(ticket_id)
        token, session = new_session(ticket_id, f"zendesk:{claims.user_id}", "zendesk")
        return SidebarContext(token, session, ticket_id, extra={"claims": asdict(claims)})
    if request.values.get("session"):
        session = read_session_token(state["key"], request.values["session"])
        return SidebarContext(request.values["session"], session, session.ticket_id)
    if state["demo"]:
        token, session = new_session(ticket_id, "demo-agent", "demo")
        return SidebarContext(token, session, ticket_id, demo=True)
    return None


def current_principal() -> Session:
    """Authenticate an /api request by its bearer token, or raise AuthError (401)."""
    state = _state()
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError("missing Authorization: Bearer token")
    token = token.strip()
    api_token = state["api_token"]
    if api_token and hmac.compare_digest(token.encode(), api_token.encode()):
        return Session(state["installation"], None, "api", SERVICE, ("approver",))
    session = read_session_token(state["key"], token)
    if session.installation != state["installation"]:
        raise AuthError("session belongs to another installation", 403)
    return session


def require_ticket(principal: Session, ticket_id: str) -> None:
    """Refuse a session scoped to another ticket (servers may act on any)."""
    if principal.is_service:
        return
    if principal.ticket_id is None or str(principal.ticket_id) != str(ticket_id):
        raise AuthError(f"this session is not for ticket {ticket_id}", 403)
