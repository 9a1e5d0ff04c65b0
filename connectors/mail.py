"""Mail over SMTP for installs that answer outside a helpdesk: the seed's `send_email`.

One message is multipart/alternative (plain text, then HTML; UTF-8). TLS is STARTTLS on a
submission port (required when the server offers it or when configured) or implicit TLS on
465; credentials are never sent over a connection that is not encrypted. Failures become
`ExternalError`: permanent for 5xx answers and refused logins, transient for 4xx answers,
timeouts and lost connections. https://docs.python.org/3/library/smtplib.html
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from core.errors import ExternalError
from core.text import html_to_text

SERVICE = "smtp"


class Mailer:
    """An SMTP submission client; the password never appears in its repr or its errors."""

    def __init__(
        self,
        host: str,
        port: int = 587,
        *,
        sender: str,
        user: str | None = None,
        password: str | None = None,
        starttls: bool | None = None,
        implicit_tls: bool | None = None,
        timeout: float = 10.0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        if not host:
            raise ValueError("SMTP_HOST is required to send mail")
        if not sender or "@" not in sender:
            raise ValueError("SUPPORT_EMAIL_FROM must be an email address")
        if bool(user) != bool(password):
            raise ValueError("SMTP_USER and SMTP_PASSWORD go together")
        self.host, self.port, self.sender, self.user = host, port, sender, user
        self._password = password
        self.starttls = starttls  # None: when offered; True: required; False: never
        self.implicit_tls = port == 465 if implicit_tls is None else implicit_tls
        self.timeout = timeout
        self._context = ssl_context or ssl.create_default_context()

    def __repr__(self) -> str:
        return f"Mailer({self.host!r}, {self.port}, sender={self.sender!r}, user={self.user!r})"

    def message(
        self, to: str | Sequence[str], subject: str, html_body: str, text_body: str | None = None
    ) -> EmailMessage:
        """The message as sent: text and HTML alternatives, UTF-8, with Date and Message-ID."""
        recipients = [to] if isinstance(to, str) else list(to)
        if not recipients or any("@" not in r for r in recipients):
            raise ValueError("every recipient must be an email address")
        message = EmailMessage()
        try:
            message["From"] = self.sender
            message["To"] = ", ".join(recipients)
            message["Subject"] = subject
        except ValueError as exc:  # a CR or LF in a header: refuse header injection
            raise ValueError(f"not a valid mail header: {exc}") from None
        message["Date"] = formatdate(localtime=False, usegmt=True)
        message["Message-ID"] = make_msgid(domain=self.sender.rsplit("@", 1)[1])
        # quoted-printable keeps the message 7-bit: no reliance on the server's 8BITMIME.
        text = text_body or html_to_text(html_body).strip()
        message.set_content(text, charset="utf-8", cte="quoted-printable")
        message.add_alternative(html_body, subtype="html", charset="utf-8", cte="quoted-printable")
        return message

    def send(
        self, to: str | Sequence[str], subject: str, html_body: str, text_body: str | None = None
    ) -> str:
        """Send one message and return its Message-ID."""
        message = self.message(to, subject, html_body, text_body)
        try:
            with self._connect() as smtp:
                self._secure_and_login(smtp)
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            detail = "; ".join(_answer(c, m) for c, m in exc.recipients.values())
            permanent = all(500 <= code < 600 for code in codes)
            raise ExternalError(
                SERVICE, f"recipients refused: {detail}", permanent=permanent, status=max(codes)
            ) from None
        except smtplib.SMTPResponseException as exc:
            permanent = 500 <= exc.smtp_code < 600
            raise ExternalError(
                SERVICE,
                f"{self.host} answered {_answer(exc.smtp_code, exc.smtp_error)}",
                permanent=permanent,
                status=exc.smtp_code,
            ) from None
        except ssl.SSLCertVerificationError as exc:
            raise ExternalError(
                SERVICE, f"{self.host}: TLS certificate not trusted ({exc.verify_message})",
                permanent=True,
            ) from None  # fmt: skip
        except smtplib.SMTPNotSupportedError as exc:  # e.g. no AUTH offered: a setup problem
            raise ExternalError(SERVICE, f"{self.host}: {exc}", permanent=True) from None
        except (smtplib.SMTPException, OSError) as exc:  # timeouts, resets, refused connects
            raise ExternalError(
                SERVICE, f"{self.host}:{self.port}: {type(exc).__name__}: {exc}", permanent=False
            ) from None
        return str(message["Message-ID"])

    def _connect(self) -> smtplib.SMTP:
        if self.implicit_tls:
            return smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=self._context
            )
        return smtplib.SMTP(self.host, self.port, timeout=self.timeout)

    def _secure_and_login(self, smtp: smtplib.SMTP) -> None:
        smtp.ehlo()
        encrypted = self.implicit_tls
        if not encrypted and self.starttls is not False:
            if smtp.has_extn("starttls"):
                smtp.starttls(context=self._context)
                smtp.ehlo()  # the capabilities change once the connection is encrypted
                encrypted = True
            elif self.starttls:
                raise ExternalError(
                    SERVICE, f"{self.host} does not offer STARTTLS, which is required",
                    permanent=True,
                )  # fmt: skip
        if self.user and self._password:
            if not encrypted:
                raise ExternalError(
                    SERVICE, f"refusing to send SMTP credentials to {self.host} unencrypted",
                    permanent=True,
                )  # fmt: skip
            smtp.login(self.user, self._password)


def send_email(
    to: str | Sequence[str],
    subject: str,
    html_body: str,
    text_body: str | None = None,
    *,
    host: str,
    port: int = 587,
    sender: str,
    user: str | None = None,
    password: str | None = None,
    starttls: bool | None = None,
    timeout: float = 10.0,
    ssl_context: ssl.SSLContext | None = None,
) -> str:
    """The seed guide's `send_email`: one message through a `Mailer` built from these arguments."""
    mailer = Mailer(
        host, port, sender=sender, user=user, password=password, starttls=starttls,
        timeout=timeout, ssl_context=ssl_context,
    )  # fmt: skip
    return mailer.send(to, subject, html_body, text_body)


def _answer(code: int, text: bytes | str) -> str:
    said = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {said}".strip()
