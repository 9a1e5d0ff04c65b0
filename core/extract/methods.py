"""How the customer says they paid: card, bank transfer, SEPA or ACH debit, PayPal, other."""

from __future__ import annotations

import re

from core.models import PaymentMethod

# Order matters where words overlap: a "SEPA direct debit" is a debit, a "virement SEPA" a transfer.
_PATTERNS: list[tuple[PaymentMethod, str]] = [
    ("paypal", r"\bpay\s?pal\b"),
    ("ach_debit", r"\bach\b(?:\s+(?:debit|transfer|payment|pull))?"),
    (
        "sepa_debit",
        r"""\b(?:direct\s+debit|adeudos?\s+(?:sepa|directos?|por\s+domiciliaci[óo]n)|sepa[\s-]*(?:direct\s+)?debit|domiciliaci[óo]n|domiciliad[oa]|recibo\s+domiciliado
              |d[ée]bito\s+(?:direto|autom[áa]tico|em\s+conta)|pr[ée]l[èe]vements?
              |lastschrift|bankeinzug|abbuchungsauftrag|einzugserm[äa]chtigung)\b""",
    ),
    (
        "bank_transfer",
        r"""\b(?:bank\s+transfer|wire(?:d|\s+transfer)?|transferred|transfer|ach\s+credit|swift
              |transferencias?|transfer[íi]|transferimos|ingreso\s+bancario|ingres[ée]
              |transfer[êe]ncias?|transferi|pix|sofort[üu]berweisung|bacs|chaps|faster\s+payments?|fps|zelle|spei|interac|e-?transfer
              |e-?banking|online-?banking|dauerauftrag|standing\s+order|multibanco\s+transfer
              |virements?|vir[ée]e?s?
              |\w*(?:[üu]|ue)berweisung(?:en)?|(?:[üu]|ue)berwiesen|sepa-?[üu]berweisung|bank(?:[üu]|ue)berweisung)\b""",
    ),
    (
        "card",
        r"""\b(?:credit\s+card|debit\s+card|card|visa|master\s?card|amex|american\s+express|apple\s+pay|google\s+pay
              |tarjeta|tarjetas|cart[ãa]o|cart[õo]es|carte(?:\s+(?:bancaire|bleue|de\s+cr[ée]dit))?
              |\w*kreditkarte|karten?zahlung|karte|(?:par|en|avec|la)\s+cb|ec-karte|girocard|debitkarte|firmenkarte)\b""",
    ),
    (
        "other",
        r"""\b(?:boleto|multibanco|ch[eè]que|scheck|(?:by|paper|a)\s+check|cash|efectivo|dinheiro|esp[èe]ces|bargeld|bizum|oxxo
              |klarna|giropay|bancontact|mercado\s+pago|money\s+order|vale\s+postal)\b""",
    ),
]
_METHODS = [(method, re.compile(pattern, re.I | re.X)) for method, pattern in _PATTERNS]
# Words that name a method only in capitals ("TED" in Brazil, "CB" in France, "iDEAL").
_CASED: list[tuple[PaymentMethod, str]] = [
    ("bank_transfer", "TED"),
    ("card", "CB"),
    ("other", "iDEAL"),
]

# One pass over the lower-cased text (without re.I the engine is several times faster): the
# leftmost mention wins, and at the same place the earlier method of the list above.
_ANY_METHOD = re.compile(
    "|".join(f"(?P<{method}>{pattern})" for method, pattern in _PATTERNS), re.X
)
_ANY_CASED = re.compile("|".join(rf"(?P<{method}>\b{word}\b)" for method, word in _CASED))


def find_payment_method(text: str, language: str | None = None) -> PaymentMethod | None:
    """The payment method the customer names first, or None when they name none."""
    found = [m for m in (_ANY_METHOD.search(text.lower()), _ANY_CASED.search(text)) if m]
    if not found:
        return None
    return min(found, key=lambda m: m.start()).lastgroup  # type: ignore[return-value]
