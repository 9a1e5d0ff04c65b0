"""The claim's text: HTML read as text, quoted earlier messages and signatures cut."""

from __future__ import annotations

import pytest

from core.text import html_to_text, message_text


@pytest.mark.parametrize(
    ("html", "lines"),
    [
        ("<p>Hola,</p><p>pagué 299,99&nbsp;€</p>", ["Hola,", "pagué 299,99\u00a0€"]),
        ('<div dir="ltr">Hi<br>I paid</div>', ["Hi", "I paid"]),
        ("Plain &amp; simple", ["Plain & simple"]),
        ("<p>Mine</p><blockquote>Quoted INV-1</blockquote><p>After</p>", ["Mine", "After"]),
        ('<p>Mine</p><div class="gmail_quote">On Mon X wrote: INV-9</div>', ["Mine"]),
        ("<p>x</p><script>alert(1)</script>Text", ["x", "Text"]),
    ],
)
def test_html_to_text(html, lines):
    assert [line.strip() for line in html_to_text(html).splitlines() if line.strip()] == lines


@pytest.mark.parametrize(
    "quote_header",
    [
        "On Mon, Mar 10, 2025 at 8:00 AM Tessera Billing <billing@tessera.io> wrote:",
        "El lun, 10 mar 2025 a las 8:00, Tessera <billing@tessera.io> escribió:",
        "Em seg., 10 de mar. de 2025 às 08:00, Tessera <billing@tessera.io> escreveu:",
        "Le lun. 10 mars 2025 à 08:00, Tessera <billing@tessera.io> a écrit :",
        "Am Mo., 10. März 2025 um 08:00 Uhr schrieb Tessera <billing@tessera.io>:",
        "-----Original Message-----",
        "-----Ursprüngliche Nachricht-----",
        "From: Tessera Billing <billing@tessera.io>\nSent: Monday, March 10, 2025 8:00 AM",
        "De : Tessera <billing@tessera.io>\nEnvoyé : lundi 10 mars 2025 08:00",
    ],
)
def test_quoted_earlier_message_is_not_the_claim(quote_header):
    body = f"I paid INV-1 yesterday.\n\n{quote_header}\n> Your invoice INV-2 ($450.00) is overdue."
    text = message_text(body)
    assert "INV-1" in text and "INV-2" not in text and "450" not in text


def test_two_line_wrote_header():
    body = "I paid INV-1.\n\nOn Mon, Mar 10, 2025 at 8:00 AM Tessera Billing\n<billing@tessera.io> wrote:\nINV-2 overdue"
    assert "INV-2" not in message_text(body) and "Tessera" not in message_text(body)


@pytest.mark.parametrize(
    "closing",
    [
        "Thanks,",
        "Best regards,",
        "Un saludo,",
        "Atenciosamente,",
        "Cordialement,",
        "Mit freundlichen Grüßen",
    ],
)
def test_signature_after_closing_is_cut(closing):
    body = f"Hello,\nI paid INV-1 by card.\n{closing}\nJane Doe\nACME Ltd · +49 30 1234 5678 · VAT DE123456789"
    text = message_text(body)
    assert "INV-1" in text and "Jane" not in text and "1234" not in text


def test_closing_words_inside_a_sentence_are_kept():
    text = message_text(
        "Bonjour,\nMerci de corriger la facture F-2025-1 que j'ai payée hier.\nCordialement,\nIsa"
    )
    assert "F-2025-1" in text and "Isa" not in text
