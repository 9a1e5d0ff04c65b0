"""Reply language (POLICY §2): the text when it can be told, else the locale, else the default."""

from __future__ import annotations

import pytest

from core.language import detect_language
from core.policy import DEFAULT_POLICY, Policy

ITALIAN = (
    "Buongiorno, ho pagato ieri la fattura con bonifico bancario ma nel vostro portale "
    "risulta ancora non pagata. Potete verificare, per favore? Grazie mille."
)

TEXTS = [
    (
        "en",
        "Hello, I paid invoice INV-2291 by bank transfer on March 3rd and it still shows as "
        "unpaid. Please check and let me know.",
    ),
    (
        "en",
        "hi i payed my invoice this morning with my visa but your site says its overdue, "
        "is my account gonna be suspended",
    ),
    (
        "es",
        "Hola, hace dos días hice una transferencia para pagar la factura, pero en vuestro "
        "portal sigue apareciendo como pendiente. ¿Podéis comprobarlo?",
    ),
    (
        "es",
        "hola, ayer pague por paypal la factura y hoy me sale un aviso de que esta pendiente. "
        "me lo podeis mirar? gracias",
    ),
    (
        "pt",
        "Olá, paguei ontem o boleto da fatura, mas no painel ela continua em aberto. Podem "
        "verificar se está tudo certo?",
    ),
    (
        "pt",
        "ola, paguei ontem a fatura por transferencia bancaria e ainda aparece em aberto. "
        "podem ver pra mim? obrigado",
    ),
    (
        "fr",
        "Bonjour, j'ai payé hier la facture par carte bancaire et elle est de nouveau affichée "
        "comme impayée. Merci de vérifier.",
    ),
    (
        "fr",
        "bonjour, j ai paye la facture par carte vendredi dernier et elle est toujours marquee "
        "impayee sur mon compte. merci de regarder",
    ),
    (
        "de",
        "Guten Tag, wir haben die Rechnung per Überweisung bezahlt. Im Portal steht sie aber "
        "noch als offen und wir haben eine Mahnung bekommen.",
    ),
    (
        "de",
        "hallo, habe die rechnung am montag ueberwiesen aber sie steht immer noch als offen "
        "drin. bitte mal pruefen, danke",
    ),
]


@pytest.mark.parametrize(("expected", "text"), TEXTS)
@pytest.mark.parametrize("locale", [None, "en-US", "de-DE"])
def test_text_in_a_supported_language_decides(expected: str, text: str, locale: str | None) -> None:
    assert detect_language(text, locale, DEFAULT_POLICY) == expected


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("ok", "de-DE", "de"),
        ("Gracias!", "fr-FR", "fr"),
        ("INV-0042", "pt-BR", "pt"),
        ("", "es-MX", "es"),
        ("Merci", "fr-CA", "fr"),
        ("Danke!", "es-419", "es"),
        ("ok", "en-GB", "en"),
        ("ok", "pt", "pt"),
        ("ok", None, "en"),
        ("ok", "it-IT", "en"),
        ("ok", "zh-Hant-TW", "en"),
    ],
)
def test_short_text_falls_back_to_the_locale(text: str, locale: str | None, expected: str) -> None:
    assert detect_language(text, locale, DEFAULT_POLICY) == expected


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("it-IT", "en"), (None, "en"), ("es-ES", "es"), ("de-CH", "de")],
)
def test_unsupported_language_falls_back_to_locale_then_default(
    locale: str | None, expected: str
) -> None:
    assert detect_language(ITALIAN, locale, DEFAULT_POLICY) == expected


def test_account_default_comes_from_the_policy() -> None:
    policy = Policy.model_validate({"language": {"default": "fr"}})
    assert detect_language("ok", None, policy) == "fr"
    assert detect_language("ok", "it-IT", policy) == "fr"
    assert detect_language("ok", "de-AT", policy) == "de"
