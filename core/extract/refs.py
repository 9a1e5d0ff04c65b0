"""Invoice numbers and transaction ids as the customer wrote them.

A code is any token with digits and letters or separators (`FAC-2025-001234`, `#INV-3310`,
`2025/0733`, `in_1Mx...`, `pi_3Nk...`, `7XK10442LM2093617`). What it is follows from its
shape (Stripe prefixes, PayPal's 17 characters, invoice prefixes) and, above all, from the
nearest keyword before it ("invoice", "factura", "Rechnung" ... or "reference",
"transaction", "Verwendungszweck" ...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CODE = re.compile(
    r"(?<![\w/.\-#])(?:n[º°o]\s?\.?\s?|nr\.?\s?|no\.\s?)?"
    # only tokens holding a digit can be codes: the lookahead skips plain words at once
    r"(#?(?=[\w./\-]*\d)[A-Za-z0-9][A-Za-z0-9_]*(?:[./\-][A-Za-z0-9_]+)*)",
    re.I,
)
_STRIPE_INVOICE = re.compile(r"^in_[A-Za-z0-9]{6,}$")
_STRIPE_PAYMENT = re.compile(r"^(?:pi|ch|py|txn|re|src|pyr|po|cs)_[A-Za-z0-9]{6,}$")
_PAYPAL_ID = re.compile(r"^(?=[A-Z0-9]*[A-Z])(?=[A-Z0-9]*\d)[A-Z0-9]{17}$")
_INVOICE_PREFIX = re.compile(
    r"^#?(?:inv|invoice|fac|fact|fa|ft|fv|f|re|rg|rn|rech|nf|nfe|bill|in)[-_/.]?\d", re.I
)
_DATE_LIKE = re.compile(r"^\d{1,4}[./\-]\d{1,2}(?:[./\-]\d{1,4})?\.?$")
_AMOUNT_LIKE = re.compile(r"^\d{1,3}(?:[.,]\d{3})*(?:[.,]\d{1,2})?$")
_TERMS = re.compile(r"^(?:net|n|eom|cod)[-_ ]?\d{1,3}$", re.I)  # payment terms ("net-30")
_TIME_OR_UNIT = re.compile(
    r"^\d+(?:h|hs|hrs|min|am|pm|st|nd|rd|th|er|ème|e|º|ª|x|gb|mb|kb|%)$", re.I
)

_INVOICE_WORDS = re.compile(
    r"^(?:invoices?|inv|bill|bills|facturas?|fact|fatura|faturas|factures?|rechnung(?:en)?|rechnungsnummer"
    r"|rechnungsnr|rechnungs-nr|boleto|nota|notas|recibo|quittung|nf|nfe)$",
    re.I,
)
_REFERENCE_WORDS = re.compile(
    r"^(?:reference|ref|transaction|transactions|txn|confirmation|trace|referencia|referência|referencia"
    r"|transacción|transaccion|transação|transacao|operación|operacion|operação|comprobante|autorización"
    r"|autorizacao|autorização|référence|reference|transaktion|transaktionsnummer|transaktions-id|referenz"
    r"|verwendungszweck|buchungsreferenz|id|tid|nsu|e2e|endtoendid|utr|imad|omad|auth|code|código|codigo"
    r"|end-to-end-id|end-to-end|e2e-id|rastreo|rastreamento|clave|autorisation|autorizaci[óo]n|trace-nummer"
    r"|zahlungsreferenz|mandatsreferenz|confirmation-number|conf|controle|controlo|control)$",
    re.I,
)
# Words that may stand between a keyword and its code ("invoice number", "the reference from my bank is").
_FILLERS = re.compile(
    r"^(?:number|numbers|no|nº|n°|n\.º|nr|num|núm|número|numero|numéro|nummer|#|id|the|my|our|a|an|of|is|was"
    r"|are|de|del|da|do|la|el|le|les|der|die|das|den|des|mi|mis|minha|meu|ma|mon|mes|meine|unsere|ist|es|é"
    r"|est|and|y|e|et|und|or|o|ou|oder|from|bank|banco|banque|mi|with|con|com|avec|mit|en|em|in|im|for|para"
    r"|pour|für|à|a|au|transfer|wire|payment|pago|pagamento|paiement|zahlung|:|,|;|&|/|-|\(|\)|\")$",
    re.I,
)
_NOT_A_REFERENCE = re.compile(
    r"^(?:nif|cif|nie|dni|cnpj|cpf|vat|tva|siret|siren|ust|ust-idnr|ust-id|steuernummer|iban|bic|swift"
    r"|phone|tel|tél|telefone|teléfono|telefon|mobile|móvil|celular|zip|postcode|cp|cep|plz|ssn|ein"
    # customer, order and contract numbers are not invoice numbers nor payments
    r"|customer|client|cliente|kunde|kundennummer|kundennr|kunden-nr|order|orders|pedido|encomenda|commande"
    r"|bestellung|bestellnummer|auftrag|auftragsnummer|user|usuario|utilizador|contract|contrato|contrat|vertrag"
    r"|vertragsnummer|member|account|cuenta|conta|compte|konto|entidade|entity|ticket|case|caso"
    r"|po|p\.o|purchase|orden|bestell-nr|commande)$",
    re.I,
)
_WORD = re.compile(r"[#\w][\w.\-/º°]*|[:,;&/()\"]", re.U)


@dataclass(frozen=True)
class Code:
    text: str
    kind: str  # "invoice" | "transaction"
    start: int
    guessed: bool = False  # no keyword or known shape said so: an invoice by default


def _normalize(code: str) -> str:
    return code.rstrip(".-/_")


# Tax ids have shapes of their own: Spanish CIF/NIF, EU VAT numbers with a country prefix.
_TAX_ID = re.compile(
    r"^(?:[A-HJNP-SUVW]-?\d{7}[0-9A-J]|\d{8}-?[A-Z]"
    r"|(?:AT|BE|BG|CY|CZ|DE|DK|EE|EL|ES|FI|FR|HR|HU|IE|IT|LT|LU|LV|MT|NL|PL|PT|RO|SE|SI|SK|GB|CH|NO)"
    r"U?\d{8,12})$"
)


def _date_like(code: str) -> bool:
    """ "03/2025", "10.04", "2025-03-05": a date or month, not a reference ("2025/97" is one)."""
    if not _DATE_LIKE.match(code):
        return False
    parts = [int(p) for p in re.split(r"[./\-]", code.rstrip(".")) if p]
    if len(parts) < 2:
        return False
    if len(str(parts[0])) == 4 or parts[0] > 31:  # year first: a month must follow
        return 1 <= parts[1] <= 12 and (len(parts) < 3 or 1 <= parts[2] <= 31)
    return (
        1 <= parts[0] <= 31 and 1 <= parts[1] <= 12 or 1 <= parts[0] <= 12 and 1 <= parts[1] <= 31
    )


def _is_candidate(code: str) -> bool:
    bare = code.lstrip("#")
    digits = sum(ch.isdigit() for ch in bare)
    if digits < 2 or len(bare) < 4:
        return False
    return not _TIME_OR_UNIT.match(bare)


def _keyword_before(text: str, start: int, window: int = 6) -> tuple[str | None, int]:
    """The kind of the nearest keyword a few words before a code, within its sentence.

    "invoice", "factura", "Rechnung" ... make it an invoice; "reference", "transaction",
    "Verwendungszweck" ... a transaction id; "NIF", "IBAN", "phone" ... neither.
    """
    words = _WORD.findall(_sentence_before(text, start))
    steps = 0
    for raw in reversed(words):
        word = raw.strip(".").lower()
        if _INVOICE_WORDS.match(word):
            return "invoice", steps
        if _NOT_A_REFERENCE.match(word):
            return "none", steps
        if _REFERENCE_WORDS.match(word) and word != "id":
            return "transaction", steps
        if word == "id" or _code_shape(word) or not word.isalnum():
            continue  # "transaction id" keeps looking; other codes and punctuation are skipped
        steps += 1
        if steps > window:
            break
    return ("transaction", 0) if words and words[-1].lower() == "id" else (None, steps)


def _sentence_before(text: str, start: int) -> str:
    head = text[max(0, start - 160) : start]
    cut = max(
        head.rfind("\n"), head.rfind(". "), head.rfind("? "), head.rfind("! "), head.rfind("; ")
    )
    return head[cut + 1 :] if cut >= 0 else head


def _code_shape(word: str) -> bool:
    return _is_candidate(word) and not _date_like(word)


def _classify(code: str, found: tuple[str | None, int], invoice_prefixes: set[str]) -> str | None:
    bare = code.lstrip("#")
    keyword, distance = found
    pure_number = bool(re.fullmatch(r"[\d./\-]+", bare))
    # A bare number needs its keyword close: "Rechnung Nr. 4711"; a bank reference may be
    # introduced a little further ("la referencia de la transferencia es 2025042900731").
    if pure_number and distance > (5 if keyword == "transaction" else 2):
        keyword = None
    if _STRIPE_INVOICE.match(bare):
        return "invoice"
    if _STRIPE_PAYMENT.match(bare):
        return "transaction"
    if keyword == "none":
        return None
    if keyword == "transaction":
        return "transaction"
    if keyword == "invoice":
        return "invoice"
    if _PAYPAL_ID.match(bare):
        return "transaction"
    if pure_number:
        return None  # a bare number is an invoice only when a keyword says so
    if _INVOICE_PREFIX.match(code) or code.startswith("#"):
        return "invoice"
    if _prefix(bare) in invoice_prefixes:
        return "invoice"
    if re.search(r"[A-Za-z]", bare) and re.search(r"[-/]", bare):
        return "guessed"  # an uppercase code with separators in a billing ticket is most often an invoice
    return None


def _prefix(code: str) -> str:
    match = re.match(r"[A-Za-z]+", code)
    return match.group(0).upper() if match else ""


# Written in groups of four: an RF creditor reference is a payment reference, an IBAN is neither.
_GROUPED = re.compile(
    r"\b([A-Z]{2})(\d{2})((?:[ \u00a0][A-Z0-9]{4}){2,7}(?:[ \u00a0][A-Z0-9]{1,3})?)\b"
)
_ID_IN_URL = re.compile(r"https?://\S*?(?<=[/=])(in_[A-Za-z0-9]{8,})")
# A document series written before the number ("FT 2025/145", "NF 12345") is part of it.
_SERIES = re.compile(
    r"(?:^|(?<=[\s(]))((?-i:FT|FR|FS|FA|FAC|NF|NFE|NFS|NC|ND|INV|RE|RG))[ \u00a0]$"
)


def find_codes(text: str) -> list[Code]:
    """Every invoice number and transaction id in the text, in order of appearance."""
    found: list[Code] = []
    invoice_prefixes: set[str] = set()
    masked = _mask_non_codes(text)
    for linked in _ID_IN_URL.finditer(text):
        # a Stripe invoice id inside a pasted pay link ("…/invoice/in_1R8x…") is the customer's ref
        found.append(Code(linked.group(1), "invoice", linked.start(1)))
    for grouped in _GROUPED.finditer(masked):
        if grouped.group(1) == "RF":
            found.append(Code(grouped.group(0), "transaction", grouped.start()))
        masked = masked[: grouped.start()] + " " * len(grouped.group(0)) + masked[grouped.end() :]
    for match in _CODE.finditer(masked):
        code = _normalize(match.group(1))
        if not _is_candidate(code) or _date_like(code) or _AMOUNT_LIKE.match(code):
            continue
        if _TAX_ID.match(code.lstrip("#")) or _TERMS.match(code):
            continue
        start = match.start(1)
        series = _SERIES.search(text, max(0, start - 5), start)
        kind = _classify(code, _keyword_before(text, match.start()), invoice_prefixes)
        if kind is None and series:
            kind = "invoice"  # "FT 2025/211": a document series names an invoice by itself
        if kind is None:
            continue
        if kind == "invoice" and series:
            code = text[series.start(1) : start] + code
            start = series.start(1)
        if kind == "invoice" and _prefix(code.lstrip("#")):
            invoice_prefixes.add(_prefix(code.lstrip("#")))
        guessed = kind == "guessed"
        found.append(
            Code(text[start : start + len(code)], "invoice" if guessed else kind, start, guessed)
        )
    return sorted(found, key=lambda c: c.start)


_MASK = re.compile(
    # Money with a symbol or code is never a reference: "$1,299.00", "R$ 150,00", "1.299,00 EUR".
    r"(?:R\$|US\$|[$€£¥])\s?\d[\d.,\s\u00a0\u202f']*\d"
    r"|\d[\d.,\u00a0\u202f']*\d\s?(?:€|EUR|USD|BRL|GBP|CHF)\b"
    # Times and phone numbers.
    r"|\b\d{1,2}[:h]\d{2}\b"
    r"|\+\d[\d\s()\-]{7,}\d"
)


def _mask_non_codes(text: str) -> str:
    return _MASK.sub(lambda m: " " * len(m.group(0)), text)


def _unique(values: list[str]) -> list[str]:
    seen: set[str] = set()
    result = []
    for value in values:
        key = value.lower()
        if key not in seen:
            seen.add(key)
            result.append(value)
    return result


def find_invoice_refs(text: str) -> list[str]:
    """Invoice numbers or ids as written (a leading '#' kept, a 'Nº' word dropped), once each."""
    return split_codes(find_codes(text))[0]


def split_codes(codes: list[Code]) -> tuple[list[str], list[str]]:
    """Invoice refs and transaction ids, once each; a code only guessed to be an invoice that
    the customer elsewhere calls a reference is a transaction id ("Référence du virement : X")."""
    transactions = _unique([c.text for c in codes if c.kind == "transaction"])
    quoted = {t.lower() for t in transactions}
    invoices = _unique(
        [
            c.text
            for c in codes
            if c.kind == "invoice" and not (c.guessed and c.text.lower() in quoted)
        ]
    )
    return invoices, transactions


def find_transaction_ids(text: str) -> list[str]:
    """Processor ids (pi_/ch_/py_, PayPal ids) and bank references quoted as such, once each."""
    return split_codes(find_codes(text))[1]
