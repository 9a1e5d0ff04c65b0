"""French extraction: amounts, dates, methods, invoice refs, transaction ids, claim text."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from core.text import claim_text
from tests.unit.extract_support import extraction_tests, ticket_maker

LANG = "fr"
# Mercredi : « lundi dernier » est le 10 mars, « vendredi » le 7 mars.
WED = datetime(2025, 3, 12, 15, 0, tzinfo=UTC)
NBSP, NNBSP = "\u00a0", "\u202f"

AMOUNTS = [
    (f"un virement de 1{NBSP}299,00{NBSP}€", [("1299.00", "EUR")]),
    (f"un virement de 1{NNBSP}299,00{NNBSP}€", [("1299.00", "EUR")]),
    ("un virement de 1 299,00 €", [("1299.00", "EUR")]),
    ("la facture (49 €)", [("49", "EUR")]),
    ("j'ai payé 49€", [("49", "EUR")]),
    ("prélèvement de 250,00 EUR", [("250.00", "EUR")]),
    ("j'ai payé 75 euros", [("75", "EUR")]),
    ("le forfait à €49 par mois", [("49", "EUR")]),
    (f"prélèvement de 4{NBSP}200,00 €", [("4200.00", "EUR")]),
    ("j'ai payé CHF 180.00", [("180.00", "CHF")]),
    ("j'ai payé 59,00 hier", [("59.00", None)]),
    ("un acompte de 500,00 € sur les 1 500,00 €", [("500.00", "EUR"), ("1500.00", "EUR")]),
    ("payé 59,00 € puis encore 59,00 €", [("59.00", "EUR")]),
    ("la facture F2025-0512 du 3 mars 2025", []),
    ("<p>PayPal (59,00&nbsp;&euro;)</p>", [("59.00", "EUR")]),
]

DATES = [
    ("J'ai payé hier la facture", WED, date(2025, 3, 11)),
    ("avant-hier j'ai payé par carte", WED, date(2025, 3, 10)),
    ("payé avant hier", WED, date(2025, 3, 10)),
    ("débité il y a 3 jours", WED, date(2025, 3, 9)),
    ("j'ai payé il y a deux jours", WED, date(2025, 3, 10)),
    ("j'ai payé ce matin", WED, date(2025, 3, 12)),
    ("j'ai payé aujourd'hui", WED, date(2025, 3, 12)),
    ("Lundi dernier j'ai payé par carte", WED, date(2025, 3, 10)),
    ("j'ai payé vendredi", WED, date(2025, 3, 7)),
    ("j'ai payé mercredi dernier", WED, date(2025, 3, 5)),
    ("débité le 4 mars", WED, date(2025, 3, 4)),
    ("payé le 3 mars 2025", WED, date(2025, 3, 3)),
    ("payé le 1er mars", WED, date(2025, 3, 1)),
    ("réglé par virement le 04/03/2025", WED, date(2025, 3, 4)),
    ("payé le 28/02", WED, date(2025, 2, 28)),
    ("virement effectué le 2025-03-03", WED, date(2025, 3, 3)),
    ("payé le 30 décembre", datetime(2025, 1, 5, 10, 0, tzinfo=UTC), date(2024, 12, 30)),
    ("ce matin j'ai reçu une relance, mais j'ai payé le 4 mars", WED, date(2025, 3, 4)),
    ("la facture est payée, merci de vérifier", WED, None),
    (
        "j'ai payé hier",
        datetime(2025, 3, 12, 0, 30, tzinfo=timezone(timedelta(hours=1))),
        date(2025, 3, 11),
    ),
]

METHODS = [
    ("payé par carte bancaire", "card"),
    ("par carte", "card"),
    ("avec ma carte Visa", "card"),
    ("j'ai effectué un virement", "bank_transfer"),
    ("par virement SEPA", "bank_transfer"),
    ("le prélèvement SEPA", "sepa_debit"),
    ("le prélèvement a été débité", "sepa_debit"),
    ("payé par PayPal", "paypal"),
    ("j'ai envoyé un chèque", "other"),
    ("j'ai envoyé un cheque", "other"),
    ("la facture est payée", None),
]

INVOICE_REFS = [
    ("la facture F2025-0512 est impayée", ["F2025-0512"]),
    ("Facture FA-2025-0107", ["FA-2025-0107"]),
    ("la facture f2025-0901", ["f2025-0901"]),
    ("les factures F2025-0150 et F2025-0201", ["F2025-0150", "F2025-0201"]),
    ("notre numéro de TVA FR12345678901 sur la facture F2025-0455", ["F2025-0455"]),
    ("référence bancaire BE-VIR-0303-7781", []),
    ("virement de 1 299,00 € le 04/03/2025", []),
]

TRANSACTION_IDS = [
    ("référence bancaire BE-VIR-0303-7781.", ["BE-VIR-0303-7781"]),
    ("numéro de transaction PayPal : 9KL203948XY123456", ["9KL203948XY123456"]),
    ("le paiement ch_3QdYbX0hJn4DfK6wIq8LmP2s", ["ch_3QdYbX0hJn4DfK6wIq8LmP2s"]),
    ("notre numéro de TVA FR12345678901", []),
]


_ticket = ticket_maker(
    {
        "name": "Claire Lefèvre",
        "email": "claire@example.com",
        "locale": "fr-FR",
    }
)

(
    test_find_amounts,
    test_find_payment_date,
    test_find_payment_method,
    test_find_invoice_refs,
    test_find_transaction_ids,
) = extraction_tests(
    LANG,
    _ticket,
    amounts=AMOUNTS,
    dates=DATES,
    methods=METHODS,
    invoice_refs=INVOICE_REFS,
    transaction_ids=TRANSACTION_IDS,
)


def test_claim_text_decodes_numeric_and_named_entities() -> None:
    html = "<p>J&#39;ai pay&eacute; hier par PayPal.</p><p>Merci,<br/>Claire</p>"
    flat = " ".join(claim_text(_ticket(html)).split())
    assert "J'ai payé hier par PayPal." in flat
    assert "&#39;" not in flat and "<br/>" not in flat


@pytest.mark.parametrize(
    "quoted",
    [
        "Le lun. 3 mars 2025 à 10:00, Tessera Facturation <facturation@tessera.io> a écrit :\n"
        "> Votre facture F2025-9999 de 999,00 € est en retard.",
        "-----Message d'origine-----\nDe : Tessera Facturation <facturation@tessera.io>\n"
        "Envoyé : lundi 3 mars 2025 10:00\nObjet : F2025-9999\n\n"
        "Votre facture F2025-9999 de 999,00 € est en retard.",
    ],
)
def test_claim_text_drops_quoted_earlier_messages(quoted: str) -> None:
    text = claim_text(
        _ticket(f"J'ai réglé la facture F2025-0199.\n\nSalutations,\nBernard\n\n{quoted}")
    )
    assert "J'ai réglé la facture F2025-0199." in text
    assert "F2025-9999" not in text and "999,00" not in text
