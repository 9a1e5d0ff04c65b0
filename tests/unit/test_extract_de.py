"""German extraction: amounts, dates, methods, invoice refs, transaction ids, claim text."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from core.models import Ticket
from core.text import claim_text
from tests.unit.extract_support import extraction_tests, ticket_maker

LANG = "de"
# Mittwoch: "am Montag" ist der 10. März, "letzten Freitag" der 7. März.
WED = datetime(2025, 3, 12, 15, 0, tzinfo=UTC)

AMOUNTS = [
    ("über 1.500,00 € bezahlt", [("1500.00", "EUR")]),
    ("ich habe 1.299,00 EUR überwiesen", [("1299.00", "EUR")]),
    ("Betrag: EUR 1.299,00", [("1299.00", "EUR")]),
    ("über 79,00 €", [("79.00", "EUR")]),
    ("ich habe 500 Euro überwiesen", [("500", "EUR")]),
    ("wir zahlen 49 EUR im Monat", [("49", "EUR")]),
    ("Rechnung (349,00 eur)", [("349.00", "EUR")]),
    ("wir haben CHF 450.00 bezahlt", [("450.00", "CHF")]),
    ("wir haben CHF 1'250.00 überwiesen", [("1250.00", "CHF")]),
    ("Rechnung über 2.450,00 € beglichen", [("2450.00", "EUR")]),
    ("ich habe 149,00 bezahlt", [("149.00", None)]),
    ("1.000,00 € von 2.000,00 € überwiesen", [("1000.00", "EUR"), ("2000.00", "EUR")]),
    ("39,00 € bezahlt, wirklich 39,00 €", [("39.00", "EUR")]),
    ("Rechnung RE-2025-0390 vom 24.03.2025, vor 4 Tagen", []),
    ("<p>&Uuml;berweisung &uuml;ber 79,00&nbsp;&euro;</p>", [("79.00", "EUR")]),
]

DATES = [
    ("ich habe gestern bezahlt", WED, date(2025, 3, 11)),
    ("vorgestern eingezogen", WED, date(2025, 3, 10)),
    ("vor 3 Tagen überwiesen", WED, date(2025, 3, 9)),
    ("vor zwei Tagen überwiesen", WED, date(2025, 3, 10)),
    ("heute Morgen per PayPal bezahlt", WED, date(2025, 3, 12)),
    ("heute bezahlt", WED, date(2025, 3, 12)),
    ("am Montag überwiesen", WED, date(2025, 3, 10)),
    ("habe am montag ueberwiesen", WED, date(2025, 3, 10)),
    ("letzten Freitag bezahlt", WED, date(2025, 3, 7)),
    ("letzten Mittwoch bezahlt", WED, date(2025, 3, 5)),
    ("am 03.03.2025 überwiesen", WED, date(2025, 3, 3)),
    ("am 4.3.2025 überwiesen", WED, date(2025, 3, 4)),
    ("am 3. März 2025 bezahlt", WED, date(2025, 3, 3)),
    ("am 3. März bezahlt", WED, date(2025, 3, 3)),
    ("am 02.03. überwiesen", WED, date(2025, 3, 2)),
    ("am 2025-03-03 bezahlt", WED, date(2025, 3, 3)),
    ("am 30. Dezember bezahlt", datetime(2025, 1, 5, 10, 0, tzinfo=UTC), date(2024, 12, 30)),
    ("heute kam eine Mahnung, bezahlt habe ich am 03.03.2025", WED, date(2025, 3, 3)),
    ("die Rechnung ist bezahlt", WED, None),
    (
        "gestern bezahlt",
        datetime(2025, 3, 12, 0, 30, tzinfo=timezone(timedelta(hours=1))),
        date(2025, 3, 11),
    ),
]

METHODS = [
    ("mit meiner Kreditkarte bezahlt", "card"),
    ("mit der EC-Karte bezahlt", "card"),
    ("per Visa bezahlt", "card"),
    ("per Überweisung bezahlt", "bank_transfer"),
    ("ich habe überwiesen", "bank_transfer"),
    ("habe ueberwiesen", "bank_transfer"),
    ("per SEPA-Überweisung beglichen", "bank_transfer"),
    ("die Lastschrift wurde eingezogen", "sepa_debit"),
    ("per SEPA-Lastschrift", "sepa_debit"),
    ("per PayPal bezahlt", "paypal"),
    ("mit einem Scheck bezahlt", "other"),
    ("bitte buchen Sie nichts mehr ab", None),
    ("das Geld wurde abgebucht", None),
]

INVOICE_REFS = [
    ("Restzahlung Rechnung RE-2025-0277", ["RE-2025-0277"]),
    (
        "die Rechnungen RE-2025-0301, RE-2025-0355 und RE-2025-0412",
        ["RE-2025-0301", "RE-2025-0355", "RE-2025-0412"],
    ),
    ("die Rechnung re-2025-0611", ["re-2025-0611"]),
    ("die Rechnungsnummer 2025-0147", ["2025-0147"]),
    ("die Rechnungen CH-2025-0201 und EU-2025-0202", ["CH-2025-0201", "EU-2025-0202"]),
    ("unsere USt-IdNr. DE123456789", []),
    ("am 24.03.2025 1.500,00 € überwiesen", []),
]

TRANSACTION_IDS = [
    ("Transaktions-ID: py_3QeZcY1iKo5EgL7xJr9MnQ3u", ["py_3QeZcY1iKo5EgL7xJr9MnQ3u"]),
    ("PayPal-Transaktionscode 1AB23456CD7890123", ["1AB23456CD7890123"]),
    ("die Zahlung pi_3QhCfB4lNr8HjO0aMu2PqT6z", ["pi_3QhCfB4lNr8HjO0aMu2PqT6z"]),
    ("unsere USt-IdNr. DE123456789", []),
]


_ticket = ticket_maker({"name": "Laura Fischer", "email": "laura@example.com", "locale": "de-DE"})

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


def test_claim_text_includes_comments_after_description() -> None:
    text = claim_text(
        Ticket.model_validate(
            {
                "id": 1,
                "subject": "Rechnung offen",
                "description": "Ich habe bezahlt.",
                "comments": ["Nachtrag: am 03.03.2025 per Überweisung."],
                "created_at": "2025-03-12T15:00:00Z",
                "requester": {"name": "Laura Fischer", "email": "laura@example.com"},
            }
        )
    )
    assert text.index("Rechnung offen") < text.index("Ich habe bezahlt.") < text.index("Nachtrag")


@pytest.mark.parametrize(
    "quoted",
    [
        "Am Mo., 10. März 2025 um 09:00 schrieb Tessera Buchhaltung <buchhaltung@tessera.io>:\n"
        "> Zahlungserinnerung: Die Rechnung RE-2025-9999 über 999,00 € ist fällig.",
        "-----Ursprüngliche Nachricht-----\nVon: Tessera Buchhaltung <buchhaltung@tessera.io>\n"
        "Gesendet: Montag, 10. März 2025 09:00\nBetreff: RE-2025-9999\n\n"
        "Die Rechnung RE-2025-9999 über 999,00 € ist fällig.",
    ],
)
def test_claim_text_drops_quoted_earlier_messages(quoted: str) -> None:
    text = claim_text(_ticket(f"Ich habe RE-2025-0290 überwiesen.\n\nMfG\nKatrin\n\n{quoted}"))
    assert "Ich habe RE-2025-0290 überwiesen." in text
    assert "RE-2025-9999" not in text and "999,00" not in text
