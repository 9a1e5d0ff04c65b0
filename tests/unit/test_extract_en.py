"""English extraction: amounts, dates, methods, invoice refs, transaction ids, claim text."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from core.text import claim_text
from tests.unit.extract_support import extraction_tests, ticket_maker

LANG = "en"
# A Wednesday: "on Monday" is 10 March, "last Friday" 7 March.
WED = datetime(2025, 3, 12, 15, 0, tzinfo=UTC)

AMOUNTS = [
    ("I paid $1,299.00 yesterday.", [("1299.00", "USD")]),
    ("We sent USD 1,299.00 by wire.", [("1299.00", "USD")]),
    ("Amount: 1,299.00 USD", [("1299.00", "USD")]),
    ("I paid $59 through PayPal", [("59", "USD")]),
    ("The plan is €49 a month", [("49", "EUR")]),
    ("PayPal took £80.50 from my account", [("80.50", "GBP")]),
    ("a transfer of US$ 120.00", [("120.00", "USD")]),
    ("we paid CHF 450.00 last week", [("450.00", "CHF")]),
    ("I paid 49 EUR on Monday", [("49", "EUR")]),
    ("the wire was $31,200.00", [("31200.00", "USD")]),
    ("I paid 450.00 on Monday", [("450.00", None)]),
    ("Paid €300.00 for one and $250.00 for the other", [("300.00", "EUR"), ("250.00", "USD")]),
    ("I paid $450.00. Yes, $450.00, the full amount.", [("450.00", "USD")]),
    ("I paid invoice INV-2291 in 2025, 3 days ago", []),
    ("Thanks, call me at +1 (555) 010-2030", []),
    ("two invoices of $120 each", [("120", "USD")]),
]

DATES = [
    ("I paid it yesterday", WED, date(2025, 3, 11)),
    ("I paid this morning", WED, date(2025, 3, 12)),
    ("I paid it today by card", WED, date(2025, 3, 12)),
    ("I paid 3 days ago", WED, date(2025, 3, 9)),
    ("I paid two days ago", WED, date(2025, 3, 10)),
    ("I paid on Monday", WED, date(2025, 3, 10)),
    ("I paid it last Friday", WED, date(2025, 3, 7)),
    ("I paid last Wednesday", WED, date(2025, 3, 5)),
    ("I paid on March 3rd", WED, date(2025, 3, 3)),
    ("Paid on March 3, 2025 by wire", WED, date(2025, 3, 3)),
    ("paid on 3 March 2025", WED, date(2025, 3, 3)),
    ("paid on Mar 3", WED, date(2025, 3, 3)),
    ("I paid on 03/04/2025", WED, date(2025, 3, 4)),
    ("I paid on 2/28/2025", WED, date(2025, 2, 28)),
    ("I paid on 13/02/2025", WED, date(2025, 2, 13)),
    ("I paid on 2025-03-03", WED, date(2025, 3, 3)),
    ("I paid on December 30", datetime(2025, 1, 5, 10, 0, tzinfo=UTC), date(2024, 12, 30)),
    ("The invoice was due on March 1 and I paid it on March 5.", WED, date(2025, 3, 5)),
    ("I got a reminder this morning, but I paid it on Monday.", WED, date(2025, 3, 10)),
    ("I paid the invoice, please check.", WED, None),
    # Relative days count from the customer's own calendar day (created_at's offset).
    (
        "I paid yesterday",
        datetime(2025, 3, 12, 1, 30, tzinfo=timezone(timedelta(hours=9))),
        date(2025, 3, 11),
    ),
    (
        "I paid yesterday",
        datetime(2025, 3, 12, 22, 30, tzinfo=timezone(timedelta(hours=-5))),
        date(2025, 3, 11),
    ),
]

METHODS = [
    ("I paid by credit card", "card"),
    ("paid with my Visa", "card"),
    ("charged to our corporate Mastercard", "card"),
    ("paid with Amex", "card"),
    ("I paid it by debit card", "card"),
    ("we wired the money", "bank_transfer"),
    ("sent a wire transfer", "bank_transfer"),
    ("paid by bank transfer", "bank_transfer"),
    ("paid via ACH from our Chase account", "ach_debit"),
    ("I paid through PayPal", "paypal"),
    ("paid via paypal", "paypal"),
    ("I mailed a check", "other"),
    ("the SEPA direct debit was collected", "sepa_debit"),
    ("I paid the invoice", None),
    ("you charged me twice", None),
]

INVOICE_REFS = [
    ("I paid invoice INV-0042 yesterday", ["INV-0042"]),
    ("Overdue notice for #INV-3310", ["#INV-3310"]),
    ("INV-1107 and INV-1183 are both paid", ["INV-1107", "INV-1183"]),
    ("i payed inv-0815 with my visa", ["inv-0815"]),
    ("Balance on invoice #A1B2C3D4-0003", ["#A1B2C3D4-0003"]),
    ("the link says in_1QsMpL8vXb2RtY4kWe6ZaD0c", ["in_1QsMpL8vXb2RtY4kWe6ZaD0c"]),
    ("INV-0042 is paid. Again: INV-0042.", ["INV-0042"]),
    ("invoice No. 1234 is still open", ["1234"]),
    ("The transfer reference from my bank is BOFA-77120-3349.", []),
    ("payment id pi_3QaVyU7eGk1AcH3tFn5IjM9n", []),
    ("I paid $450.00 on 03/04/2025", []),
]

TRANSACTION_IDS = [
    ("the payment id is pi_3QaVyU7eGk1AcH3tFn5IjM9n", ["pi_3QaVyU7eGk1AcH3tFn5IjM9n"]),
    ("charge ch_3QdYbX0hJn4DfK6wIq8LmP2s was disputed", ["ch_3QdYbX0hJn4DfK6wIq8LmP2s"]),
    ("ACH payment py_3QeZcY1iKo5EgL7xJr9MnQ3u", ["py_3QeZcY1iKo5EgL7xJr9MnQ3u"]),
    ("PayPal transaction 7XK10442LM2093617", ["7XK10442LM2093617"]),
    ("The transfer reference from my bank is BOFA-77120-3349.", ["BOFA-77120-3349"]),
    ("our wire reference is FW2503041187", ["FW2503041187"]),
    (
        "invoice in_1QsMpL8vXb2RtY4kWe6ZaD0c, payment pi_3QaVyU7eGk1AcH3tFn5IjM9n",
        ["pi_3QaVyU7eGk1AcH3tFn5IjM9n"],
    ),
    ("I paid invoice INV-0042 yesterday", []),
]


_ticket = ticket_maker({"name": "Alex Carter", "email": "alex@example.com"})

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


def test_claim_text_converts_html_and_entities() -> None:
    html = (
        '<div dir="ltr">Hello,<br><br>I paid &pound;80.50 &amp; the fee&nbsp;today.'
        "<p>Please check.</p></div>"
    )
    text = claim_text(_ticket(html))
    flat = " ".join(text.split())
    assert "I paid £80.50 & the fee today." in flat
    assert "Please check." in flat
    assert "<" not in text and "&pound;" not in text and "&nbsp;" not in text


def test_claim_text_orders_subject_description_comments() -> None:
    text = claim_text(_ticket("I paid INV-1 by card.", "Invoice INV-1", ["Update: it was $10.00."]))
    assert text.index("Invoice INV-1") < text.index("I paid INV-1") < text.index("Update:")


@pytest.mark.parametrize(
    "quoted",
    [
        "On Mon, Mar 10, 2025 at 8:00 AM Tessera Billing <billing@tessera.io> wrote:\n"
        "> Reminder: your invoice INV-9999 ($999.00) is overdue.",
        "-----Original Message-----\nFrom: Tessera Billing <billing@tessera.io>\n"
        "Sent: Monday, March 10, 2025 8:00 AM\nSubject: INV-9999\n\n"
        "Your invoice INV-9999 ($999.00) is overdue.",
        "> Reminder: your invoice INV-9999 ($999.00) is overdue.\n> Pay by card.",
    ],
)
def test_claim_text_drops_quoted_earlier_messages(quoted: str) -> None:
    text = claim_text(_ticket(f"I paid INV-2291 on March 3rd.\n\nThanks,\nAlex\n\n{quoted}"))
    assert "I paid INV-2291 on March 3rd." in text
    assert "INV-9999" not in text and "999.00" not in text


def test_claim_text_drops_signature() -> None:
    body = "I paid INV-7002 by card.\n\n-- \nJohn Smith\nSmith Tutoring LLC\n+1 (555) 010-2030"
    text = claim_text(_ticket(body))
    assert "I paid INV-7002 by card." in text
    assert "010-2030" not in text
