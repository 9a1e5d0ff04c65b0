"""connectors.mail against a real SMTP server (aiosmtpd) on 127.0.0.1 with STARTTLS and AUTH."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from connectors.mail import Mailer, send_email
from core.errors import ExternalError

USER, PASSWORD = "payverify", "smtp-pass-Wq7!"  # noqa: S105 - the test server's account
SENDER = "soporte@tiendanorte.example"


class Inbox:
    """An aiosmtpd handler keeping what it received; refuses recipients it is told to."""

    def __init__(self) -> None:
        self.envelopes: list = []
        self.refuse: dict[str, str] = {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted"


def _authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and auth_data == LoginPassword(
        USER.encode(), PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> Path:
    """A self-signed certificate for 127.0.0.1, made here with `cryptography`."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return folder


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _server(inbox: Inbox, certificate: Path | None, **smtp_options) -> Controller:
    tls = None
    if certificate is not None:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(certificate / "cert.pem", certificate / "key.pem")
    controller = Controller(
        inbox, hostname="127.0.0.1", port=_free_port(), tls_context=tls, **smtp_options
    )
    controller.start()
    return controller


@pytest.fixture
def inbox() -> Inbox:
    return Inbox()


@pytest.fixture
def tls_server(inbox, certificate) -> Iterator[Controller]:
    controller = _server(
        inbox, certificate, require_starttls=True, authenticator=_authenticate, auth_required=True
    )
    yield controller
    controller.stop()


@pytest.fixture
def client_tls(certificate) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(certificate / "cert.pem"))


def _mailer(server: Controller, context: ssl.SSLContext, **options) -> Mailer:
    settings = {"sender": SENDER, "user": USER, "password": PASSWORD, "timeout": 5.0} | options
    return Mailer("127.0.0.1", server.port, ssl_context=context, **settings)


@pytest.mark.parametrize(
    ("subject", "html", "text"),
    [
        (
            "Factura FAC-2025-000871: pago recibido",
            "<p>Hola Lucía, recibimos 349,90 €.</p>",
            "Hola Lucía, recibimos 349,90 €.",
        ),
        (
            "Fatura NF-2025-0193: pagamento confirmado",
            "<p>Olá João, confirmámos R$ 150,00.</p>",
            "Olá João, confirmámos R$ 150,00.",
        ),
        ("Facture F-0042 : paiement reçu", "<p>Bonjour Léa, nous avons reçu 1 299,00 €.</p>", None),
        (
            "Rechnung RE-7781: Zahlung eingegangen",
            "<p>Guten Tag Jürgen, Größe &amp; Maß: 99,50 €.</p>",
            None,
        ),
    ],
    ids=["es", "pt", "fr", "de"],
)
def test_multipart_utf8_over_starttls_with_auth(tls_server, inbox, client_tls, subject, html, text):
    message_id = _mailer(tls_server, client_tls).send("cliente@example.org", subject, html, text)

    [envelope] = inbox.envelopes
    assert envelope.mail_from == SENDER and envelope.rcpt_tos == ["cliente@example.org"]
    received = message_from_bytes(envelope.original_content, policy=policy.default)
    assert received["Subject"] == subject  # RFC 2047-encoded on the wire, equal once decoded
    assert received["From"] == SENDER and received["To"] == "cliente@example.org"
    assert received["Message-ID"] == message_id and message_id.endswith("@tiendanorte.example>")
    assert received["Date"]
    assert received.get_content_type() == "multipart/alternative"
    plain, rich = received.get_payload()
    assert (plain.get_content_type(), rich.get_content_type()) == ("text/plain", "text/html")
    assert plain.get_content_charset() == rich.get_content_charset() == "utf-8"
    assert (
        plain["Content-Transfer-Encoding"]
        == rich["Content-Transfer-Encoding"]
        == "quoted-printable"
    )
    assert rich.get_content().strip() == html
    expected_text = text or html.removeprefix("<p>").removesuffix("</p>").replace("&amp;", "&")
    assert plain.get_content().strip() == expected_text
    assert all(byte < 128 for byte in envelope.original_content)  # 7-bit safe on the wire


def test_module_level_send_email(tls_server, inbox, client_tls) -> None:
    send_email(
        ["a@example.org", "b@example.org"], "Pago", "<b>ok</b>",
        host="127.0.0.1", port=tls_server.port, sender=SENDER, user=USER, password=PASSWORD,
        ssl_context=client_tls,
    )  # fmt: skip
    [envelope] = inbox.envelopes
    assert envelope.rcpt_tos == ["a@example.org", "b@example.org"]


@pytest.mark.parametrize(
    ("options", "refuse", "permanent", "status", "says"),
    [
        ({"password": "wrong"}, {}, True, 535, "535"),
        ({}, {"nadie@example.org": "550 5.1.1 No such user"}, True, 550, "No such user"),
        ({}, {"nadie@example.org": "451 4.3.0 Try again later"}, False, 451, "Try again later"),
    ],
    ids=["bad-login", "recipient-unknown", "greylisted"],
)
def test_refusals_are_clear_external_errors(
    tls_server, inbox, client_tls, options, refuse, permanent, status, says
):
    inbox.refuse = refuse
    with pytest.raises(ExternalError) as caught:
        _mailer(tls_server, client_tls, **options).send("nadie@example.org", "x", "<p>x</p>")
    assert (caught.value.permanent, caught.value.status) == (permanent, status)
    assert says in str(caught.value) and caught.value.service == "smtp"
    assert PASSWORD not in str(caught.value) and "wrong" not in repr(caught.value)
    assert inbox.envelopes == []


def test_untrusted_certificate_is_permanent(tls_server) -> None:
    with pytest.raises(ExternalError) as caught:
        _mailer(tls_server, ssl.create_default_context()).send("c@example.org", "x", "<p>x</p>")
    assert caught.value.permanent and "certificate" in caught.value.message


def test_credentials_never_sent_in_plaintext(inbox, client_tls) -> None:
    plain = _server(inbox, None, auth_require_tls=False, authenticator=_authenticate)
    try:
        with pytest.raises(ExternalError) as caught:
            _mailer(plain, client_tls).send("c@example.org", "x", "<p>x</p>")
        assert caught.value.permanent and "unencrypted" in caught.value.message
        with pytest.raises(ExternalError) as required:
            _mailer(plain, client_tls, user=None, password=None, starttls=True).send(
                "c@example.org", "x", "<p>x</p>"
            )
        assert required.value.permanent and "STARTTLS" in required.value.message
        # A local relay without credentials or required TLS is allowed.
        _mailer(plain, client_tls, user=None, password=None).send("c@example.org", "x", "<p>x</p>")
    finally:
        plain.stop()
    assert len(inbox.envelopes) == 1


def test_unreachable_server_is_transient(client_tls) -> None:
    mailer = Mailer("127.0.0.1", _free_port(), sender=SENDER, timeout=2.0, ssl_context=client_tls)
    with pytest.raises(ExternalError) as caught:
        mailer.send("c@example.org", "x", "<p>x</p>")
    assert not caught.value.permanent


@pytest.mark.parametrize(
    ("to", "subject"),
    [("c@example.org", "Hola\r\nBcc: everyone@example.org"), ("not-an-address", "x"), ([], "x")],
    ids=["header-injection", "bad-recipient", "no-recipient"],
)
def test_bad_input_is_refused_before_connecting(to, subject) -> None:
    mailer = Mailer("127.0.0.1", _free_port(), sender=SENDER)
    with pytest.raises(ValueError):
        mailer.send(to, subject, "<p>x</p>")


def test_password_not_in_repr() -> None:
    mailer = Mailer("smtp.example.org", sender=SENDER, user=USER, password=PASSWORD)
    assert PASSWORD not in repr(mailer)
    with pytest.raises(ValueError, match="SMTP_USER and SMTP_PASSWORD"):
        Mailer("smtp.example.org", sender=SENDER, user=USER)
