"""Spanish extraction: amounts, dates, methods, invoice refs, transaction ids, claim text."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from core.text import claim_text
from tests.unit.extract_support import extraction_tests, ticket_maker

LANG = "es"
# Miércoles: "el lunes" es el 10 de marzo, "el viernes pasado" el 7.
WED = datetime(2025, 3, 12, 15, 0, tzinfo=UTC)

AMOUNTS = [
    ("transferencia de 1.299,00 €", [("1299.00", "EUR")]),
    ("pagué 299,99€ ayer", [("299.99", "EUR")]),
    ("un importe de 299,99 euros", [("299.99", "EUR")]),
    ("pagamos 1.299,00 EUR", [("1299.00", "EUR")]),
    ("importe: EUR 1.299,00", [("1299.00", "EUR")]),
    ("son 1.299 € en total", [("1299", "EUR")]),
    ("pagué 4,500.00 MXN por SPEI", [("4500.00", "MXN")]),
    ("la transferencia de 120 USD", [("120", "USD")]),
    ("pagué $59.00 con tarjeta", [("59.00", "USD")]),
    ("pagué US$ 100 por PayPal", [("100", "USD")]),
    ("pagué 79,00 con tarjeta", [("79.00", None)]),
    ("el plan cuesta €49 al mes", [("49", "EUR")]),
    ("pagué 600,00 € de los 1.000,00 € pendientes", [("600.00", "EUR"), ("1000.00", "EUR")]),
    ("pagué 29,99 € y otra vez 29,99 €", [("29.99", "EUR")]),
    ("la factura FAC-2025-000455 de 2025, hace 3 días", []),
    ("<p>pagu&eacute; 49,90&nbsp;&euro;</p>", [("49.90", "EUR")]),
]

DATES = [
    ("Ayer pagué la factura", WED, date(2025, 3, 11)),
    ("pagué anteayer", WED, date(2025, 3, 10)),
    ("pagué antes de ayer", WED, date(2025, 3, 10)),
    ("Hace 3 días hice una transferencia", WED, date(2025, 3, 9)),
    ("hace dos días que pagué", WED, date(2025, 3, 10)),
    ("esta mañana he pagado con tarjeta", WED, date(2025, 3, 12)),
    ("hoy he pagado la factura", WED, date(2025, 3, 12)),
    ("el lunes pasado pagué", WED, date(2025, 3, 10)),
    ("pagué el viernes", WED, date(2025, 3, 7)),
    ("pagué el miércoles pasado", WED, date(2025, 3, 5)),
    ("el 3 de marzo pagué la factura", WED, date(2025, 3, 3)),
    ("pagué el 3 de marzo de 2025", WED, date(2025, 3, 3)),
    ("pagué el 03/03/2025", WED, date(2025, 3, 3)),
    ("pagué el 4/3/2025", WED, date(2025, 3, 4)),
    ("pagué el 28-02-2025", WED, date(2025, 2, 28)),
    ("pagué el día 5 de marzo", WED, date(2025, 3, 5)),
    ("pagué el 2025-03-03", WED, date(2025, 3, 3)),
    ("pague el 30 de diciembre", datetime(2025, 1, 5, 10, 0, tzinfo=UTC), date(2024, 12, 30)),
    ("hoy me llegó un aviso, pero pagué el 3 de marzo", WED, date(2025, 3, 3)),
    ("ya pagué la factura, revisadlo", WED, None),
    (
        "ayer pagué",
        datetime(2025, 3, 12, 23, 30, tzinfo=timezone(timedelta(hours=-5))),
        date(2025, 3, 11),
    ),
]

METHODS = [
    ("pagué con tarjeta", "card"),
    ("con mi tarjeta de crédito Visa", "card"),
    ("pago con Mastercard", "card"),
    ("hice una transferencia", "bank_transfer"),
    ("por transferencia bancaria", "bank_transfer"),
    ("transferencia SPEI", "bank_transfer"),
    ("se cargó la domiciliación", "sepa_debit"),
    ("el recibo domiciliado", "sepa_debit"),
    ("por domiciliación bancaria", "sepa_debit"),
    ("pague por paypal", "paypal"),
    ("pagué con un cheque", "other"),
    ("ya está pagada", None),
    ("me habéis cobrado dos veces", None),
]

INVOICE_REFS = [
    ("Pagué la factura FAC-2025-001234 y sigue pendiente", ["FAC-2025-001234"]),
    ("la factura Nº 7731 está pagada", ["7731"]),
    ("la factura nº 7731", ["7731"]),
    ("factura fac-2025-000512", ["fac-2025-000512"]),
    ("las facturas FAC-2025-000133 y FAC-2025-000160", ["FAC-2025-000133", "FAC-2025-000160"]),
    ("la factura MX-2025-0044", ["MX-2025-0044"]),
    ("La referencia de la transferencia es BBVA-2503-44718.", []),
    ("El NIF correcto es B-12345678", []),
    ("pagué 1.299,00 € el 03/03/2025", []),
]

TRANSACTION_IDS = [
    ("La referencia de la transferencia es BBVA-2503-44718.", ["BBVA-2503-44718"]),
    ("id del pago pi_3QaVyU7eGk1AcH3tFn5IjM9n", ["pi_3QaVyU7eGk1AcH3tFn5IjM9n"]),
    ("transacción de PayPal 8MC58327RD1234567", ["8MC58327RD1234567"]),
    ("la factura FAC-2025-000455", []),
]


_ticket = ticket_maker(
    {
        "name": "María González",
        "email": "maria@example.com",
        "locale": "es-ES",
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


def test_claim_text_converts_html_paragraphs_and_entities() -> None:
    html = "<p>Hola,</p><p>Hace 2 d&iacute;as pagu&eacute; 299,99&nbsp;&euro;.</p><p>Un saludo</p>"
    flat = " ".join(claim_text(_ticket(html)).split())
    assert "Hace 2 días pagué 299,99 €." in flat
    assert "<p>" not in flat


@pytest.mark.parametrize(
    "quoted",
    [
        "El jue, 6 mar 2025 a las 10:00, Tessera Facturación <facturacion@tessera.io> escribió:\n"
        "> Importe pendiente: 999,00 €. Factura FAC-2025-009999.",
        "-----Mensaje original-----\nDe: Tessera Facturación <facturacion@tessera.io>\n"
        "Enviado el: jueves, 6 de marzo de 2025 10:00\nAsunto: FAC-2025-009999\n\n"
        "Importe pendiente: 999,00 €.",
    ],
)
def test_claim_text_drops_quoted_earlier_messages(quoted: str) -> None:
    text = claim_text(
        _ticket(f"Ya pagamos la factura FAC-2025-000377.\n\nGracias,\nLucía\n\n{quoted}")
    )
    assert "Ya pagamos la factura FAC-2025-000377." in text
    assert "FAC-2025-009999" not in text and "999,00" not in text
