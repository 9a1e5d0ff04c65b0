"""Portuguese extraction: amounts, dates, methods, invoice refs, transaction ids, claim text."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from core.text import claim_text
from tests.unit.extract_support import extraction_tests, ticket_maker

LANG = "pt"
# Quarta-feira: "na segunda-feira" é 10 de março, "na sexta passada" 7 de março.
WED = datetime(2025, 3, 12, 15, 0, tzinfo=UTC)
PIX_ID = "E18236120202501031432s0123456789"

AMOUNTS = [
    ("Fiz um PIX de R$ 1.234,56", [("1234.56", "BRL")]),
    ("no valor de R$349,90", [("349.90", "BRL")]),
    ("paguei R$ 150,00 ontem", [("150.00", "BRL")]),
    ("paguei 450,00 reais", [("450.00", "BRL")]),
    ("paguei 150 reais", [("150", "BRL")]),
    ("US$ 59,00 pelo PayPal", [("59.00", "USD")]),
    ("o débito direto de 89,90 €", [("89.90", "EUR")]),
    ("paguei € 89,90 por débito direto", [("89.90", "EUR")]),
    ("uma TED de R$ 4.800", [("4800", "BRL")]),
    ("paguei R$ 1.000,00 de R$ 2.000,00", [("1000.00", "BRL"), ("2000.00", "BRL")]),
    ("paguei R$ 99,90 e depois R$ 99,90 de novo", [("99.90", "BRL")]),
    ("paguei 99,90 no cartão", [("99.90", None)]),
    ("a fatura 2025/0733 venceu há 2 dias", []),
    ('<div dir="ltr">TED de R$&nbsp;4.800,00</div>', [("4800.00", "BRL")]),
]

DATES = [
    ("Paguei ontem o boleto", WED, date(2025, 3, 11)),
    ("anteontem paguei com cartão", WED, date(2025, 3, 10)),
    ("paguei há 2 dias", WED, date(2025, 3, 10)),
    ("paguei ha 3 dias", WED, date(2025, 3, 9)),
    ("paguei hoje de manhã", WED, date(2025, 3, 12)),
    ("paguei hoje", WED, date(2025, 3, 12)),
    ("paguei na segunda-feira", WED, date(2025, 3, 10)),
    ("paguei na segunda", WED, date(2025, 3, 10)),
    ("paguei na sexta passada", WED, date(2025, 3, 7)),
    ("paguei no dia 03/03/2025", WED, date(2025, 3, 3)),
    ("paguei em 4/3/2025", WED, date(2025, 3, 4)),
    ("paguei em 3 de março", WED, date(2025, 3, 3)),
    ("foi cobrado a 5 de março", WED, date(2025, 3, 5)),
    ("paguei no dia 5 de março de 2025", WED, date(2025, 3, 5)),
    ("paguei em 2025-03-03", WED, date(2025, 3, 3)),
    ("paguei no dia 30 de dezembro", datetime(2025, 1, 5, 10, 0, tzinfo=UTC), date(2024, 12, 30)),
    ("hoje recebi um aviso, mas paguei no dia 03/03/2025", WED, date(2025, 3, 3)),
    ("a fatura já foi paga", WED, None),
    (
        "paguei ontem",
        datetime(2025, 3, 12, 22, 30, tzinfo=timezone(timedelta(hours=-3))),
        date(2025, 3, 11),
    ),
]

METHODS = [
    ("paguei com cartão de crédito", "card"),
    ("com o cartão Mastercard da empresa", "card"),
    ("paguei no cartao", "card"),
    ("fiz uma transferência", "bank_transfer"),
    ("por transferencia bancaria", "bank_transfer"),
    ("fiz um PIX", "bank_transfer"),
    ("paguei via pix", "bank_transfer"),
    ("fizemos uma TED", "bank_transfer"),
    ("o débito direto foi cobrado", "sepa_debit"),
    ("paguei pelo PayPal", "paypal"),
    ("paguei o boleto", "other"),
    ("a fatura já está paga", None),
]

INVOICE_REFS = [
    ("Fatura 2025/0733 em aberto", ["2025/0733"]),
    ("a fatura #BR-00412 aparece como não paga", ["#BR-00412"]),
    ("as faturas 2025/0101 e 2025/0132", ["2025/0101", "2025/0132"]),
    ("fatura br-00977", ["br-00977"]),
    ("a fatura n.º 2025/0118", ["2025/0118"]),
    ("a fatura NF-2025-0091", ["NF-2025-0091"]),
    (f"ID da transação {PIX_ID}", []),
    ("paguei R$ 1.234,56 no dia 03/03/2025", []),
]

TRANSACTION_IDS = [
    (f"via PIX, ID da transação {PIX_ID}.", [PIX_ID]),
    ("ID da transação 5TY05013RG002845M", ["5TY05013RG002845M"]),
    ("o pagamento pi_3QcXaW9gIm3CeJ5vHp7KlO1q", ["pi_3QcXaW9gIm3CeJ5vHp7KlO1q"]),
    ("a fatura 2025/0733", []),
]


_ticket = ticket_maker({"name": "Rafael Nunes", "email": "rafael@example.com", "locale": "pt-BR"})

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


def test_claim_text_converts_html_breaks_and_entities() -> None:
    html = '<div dir="ltr">Bom dia,<br><br>Fizemos uma TED h&aacute; 2 dias.<br>Att,</div>'
    flat = " ".join(claim_text(_ticket(html)).split())
    assert "Fizemos uma TED há 2 dias." in flat
    assert "<br>" not in flat


@pytest.mark.parametrize(
    "quoted",
    [
        "Em seg., 10 de mar. de 2025 às 09:00, Tessera Cobrança <cobranca@tessera.io> escreveu:\n"
        "> Lembrete: a fatura 2025/9999 no valor de R$ 9.999,00 vence em 15/03/2025.",
        "-----Mensagem original-----\nDe: Tessera Cobrança <cobranca@tessera.io>\n"
        "Enviada em: segunda-feira, 10 de março de 2025 09:00\nAssunto: 2025/9999\n\n"
        "A fatura 2025/9999 no valor de R$ 9.999,00 vence em 15/03/2025.",
    ],
)
def test_claim_text_drops_quoted_earlier_messages(quoted: str) -> None:
    text = claim_text(_ticket(f"Paguei a fatura 2025/0311 por PIX.\n\nValeu,\nGustavo\n\n{quoted}"))
    assert "Paguei a fatura 2025/0311 por PIX." in text
    assert "2025/9999" not in text and "9.999,00" not in text
