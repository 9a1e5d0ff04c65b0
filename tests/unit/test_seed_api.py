"""The seed guide's Python API returns subject, HTML and text from the engine."""

from __future__ import annotations

import pytest

from core.seed_api import (
    CustomerTier,
    PaymentScenario,
    get_advanced_payment_verification_template,
    get_payment_verification_response_template,
)

TICKET = {"ticket_id": "TKT-123", "customer_name": "María González"}


def test_basic_template_in_spanish_with_the_credit():
    r = get_payment_verification_response_template(TICKET, "FAC-2024-001234", 299.99, 299.99)
    assert set(r) == {"subject", "html_body", "text_body"}
    assert "FAC-2024-001234" in r["subject"]
    assert "Hola, María" in r["text_body"] and "299,99\u00a0€" in r["text_body"]
    assert "<html" in r["html_body"].lower() and "María" in r["html_body"]


@pytest.mark.parametrize(
    ("language", "greeting"),
    [("en", "Hi María"), ("pt", "Olá, María"), ("fr", "Bonjour María"), ("de", "Hallo María")],
)
def test_advanced_template_in_each_language(language, greeting):
    r = get_advanced_payment_verification_template(
        TICKET, "FAC-2024-001234", 299.99, PaymentScenario.OLD_PAYMENT, CustomerTier.VIP, language
    )
    assert greeting in r["text_body"] and "FAC-2024-001234" in r["text_body"]


def test_old_payment_says_a_specialist_follows_up_within_24_hours():
    r = get_advanced_payment_verification_template(
        TICKET, "INV-1", "120.00", PaymentScenario.OLD_PAYMENT, CustomerTier.STANDARD, "en"
    )
    assert "24 hours" in r["text_body"]


def test_bad_inputs_are_refused_clearly():
    with pytest.raises(ValueError, match="invoice_amount"):
        get_payment_verification_response_template(TICKET, "INV-1", "abc")
    with pytest.raises(ValueError, match="language"):
        get_advanced_payment_verification_template(TICKET, "INV-1", 10, language="it")
