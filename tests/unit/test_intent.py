"""Intent (POLICY §1): payment claims against everything else, in the five languages."""

from __future__ import annotations

import pytest

from core.intent import classify_intent

CLAIMS = [
    ("en", "I paid invoice INV-0042 yesterday but it still shows as unpaid."),
    ("en", "We wired $31,200.00 on Monday. Your portal still shows the invoice as open."),
    ("en", "I got a payment reminder for INV-1502, but I paid it on Tuesday through PayPal."),
    ("en", "I paid by card on March 3rd, can you confirm the payment arrived?"),
    ("en", "The money left our account last week and the invoice is still past due."),
    ("en", "i payed inv-0815 this morning but your site says its overdue"),
    ("en", "We got a suspension notice even though we paid the invoice last Friday."),
    ("es", "Pagué la factura FAC-2025-001234 y sigue pendiente."),
    ("es", "Hace 3 días hice una transferencia y en el portal sigue como impagada."),
    ("es", "ayer pague por paypal la factura y hoy me sale que esta pendiente"),
    ("es", "Ya pagamos la factura por transferencia, ¿podéis confirmar que os llegó?"),
    ("es", "Se cargó la domiciliación el lunes y me llega un aviso de impago."),
    ("pt", "Paguei ontem o boleto da fatura 2025/0733, mas no painel ela continua em aberto."),
    ("pt", "Fiz um PIX de R$ 1.234,56 e a fatura ainda aparece como vencida."),
    ("pt", "ola, paguei a fatura por transferencia e ainda aparece em aberto"),
    ("pt", "Paguei e recebi um aviso de suspensão da conta."),
    ("fr", "J'ai payé hier la facture F2025-0512 et elle est de nouveau affichée comme impayée."),
    ("fr", "Le prélèvement a été débité de notre compte mais la facture est toujours en retard."),
    ("fr", "j ai paye la facture par carte et elle est toujours marquee impayee"),
    ("fr", "J'ai réglé la facture par virement, je ne comprends pas cette relance."),
    ("de", "Ich habe die Rechnung gestern überwiesen, sie steht aber noch als offen."),
    ("de", "Die Lastschrift wurde eingezogen, trotzdem habe ich eine Mahnung bekommen."),
    ("de", "habe die rechnung am montag ueberwiesen aber sie steht noch als offen drin"),
    ("de", "Wir haben bezahlt, bitte bestätigen Sie den Zahlungseingang."),
]

OTHERS = [
    ("en", "I cancelled in January but you charged my card $49.00 again. Please refund it."),
    ("en", "Our Visa expires this month. How do I change the card on file? INV-3001 is paid."),
    ("en", "Is it safe to enter my credit card details in your billing portal?"),
    ("en", "Can you send me a copy of invoice INV-2290? It is already paid."),
    ("en", "Please update the billing address and VAT number on our invoices."),
    ("en", "How much is the annual Pro plan?"),
    ("en", "Please cancel my subscription at the end of the month."),
    ("es", "¿Me podéis enviar un duplicado de la factura FAC-2025-000301? Ya está pagada."),
    ("es", "¿Cuánto cuesta el plan Business anual? Ahora pagamos 49 € al mes."),
    ("es", "Me habéis cobrado dos veces 29,99 €. Por favor, devolvedme el cargo duplicado."),
    ("es", "En la factura aparece mal nuestro NIF y la dirección fiscal."),
    ("pt", "Preciso da segunda via da fatura 2025/0733, ela já está paga."),
    ("pt", "Quero cancelar a assinatura a partir do próximo mês."),
    ("pt", "Como troco o cartão de crédito cadastrado?"),
    ("fr", "Je souhaite résilier mon abonnement à la fin de la période en cours."),
    ("fr", "Pouvez-vous ajouter notre numéro de TVA sur la facture F2025-0455 ? Elle est payée."),
    ("fr", "Est-ce que le paiement par carte sur votre site est sécurisé ?"),
    ("fr", "Quel serait le prix en facturation annuelle pour 5 utilisateurs ?"),
    ("de", "Hiermit kündige ich mein Abo zum Monatsende. Die letzte Rechnung ist bezahlt."),
    ("de", "Bitte senden Sie mir eine Kopie der Rechnung RE-2025-0415, sie ist bezahlt."),
    ("de", "Was kostet der Team-Tarif für 10 Nutzer?"),
    ("de", "Sie haben das Abo ungewollt verlängert. Bitte erstatten Sie die 588,00 €."),
    ("de", "Bitte korrigieren Sie die Rechnungsadresse und ergänzen Sie unsere USt-IdNr."),
]


@pytest.mark.parametrize(("language", "text"), CLAIMS)
def test_payment_claims(language: str, text: str) -> None:
    assert classify_intent(text, language) == "payment_claim"


@pytest.mark.parametrize(("language", "text"), OTHERS)
def test_everything_else_is_other(language: str, text: str) -> None:
    assert classify_intent(text, language) == "other"
