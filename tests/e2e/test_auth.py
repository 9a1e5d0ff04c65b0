"""Zendesk signed URLs (ZAF JWT, RS256) and Freshdesk install-secret sessions."""

from __future__ import annotations

import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from plugin.web.auth import AuthError, verify_zendesk_app_jwt
from tests.e2e.backend_support import Backend, load_case


@pytest.fixture(scope="module")
def keys() -> tuple[object, str]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


def _token(private, *, sub="42", iss="acme.zendesk.com", exp_in=300, install="123") -> str:
    claims = {
        "iss": iss,
        "aud": f"https://{iss}/api/v2/apps/installations/{install}.json",
        "sub": sub,
        "exp": int(time.time()) + exp_in,
        "iat": int(time.time()),
        "context": {"product": "support", "location": "ticket_sidebar"},
    }
    return jwt.encode(claims, private, algorithm="RS256")


def test_zaf_jwt_claims_are_checked(keys) -> None:
    private, public = keys
    claims = verify_zendesk_app_jwt(_token(private), public, "acme")
    assert (claims.subdomain, claims.installation_id, claims.user_id) == ("acme", "123", "42")
    for bad in (_token(private, exp_in=-60), _token(private, iss="evil.zendesk.com")):
        with pytest.raises(AuthError):
            verify_zendesk_app_jwt(bad, public, "acme")
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(AuthError):
        verify_zendesk_app_jwt(_token(other), public, "acme")


def test_freshdesk_session_needs_the_install_secret_and_a_real_ticket(tmp_path) -> None:
    backend = Backend(
        load_case("en_vip_customer_no_date_not_found"),
        f"sqlite:///{tmp_path}/s.sqlite3",
        freshdesk_install_secret="install-s3cret",
    )
    url = "/api/session/freshdesk"
    body = {"ticket_id": backend.ticket_id}
    assert backend.client.post(url, json=body).status_code == 401
    wrong = backend.client.post(url, json=body, headers={"X-Payverify-Install-Secret": "no"})
    assert wrong.status_code == 401
    secret = {"X-Payverify-Install-Secret": "install-s3cret"}
    missing = backend.client.post(url, json={"ticket_id": "404404"}, headers=secret)
    assert missing.status_code == 403
    token = backend.client.post(url, json=body, headers=secret).get_json()["token"]
    assert "install-s3cret" not in token
    answer = backend.client.post(
        f"/api/tickets/{backend.ticket_id}/verify", headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 200
