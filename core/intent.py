"""POLICY §1: is the ticket a payment claim, or something else (no action)?

A claim needs the customer to say they paid (or that money left their account), together
with one of: the company still shows it unpaid / pending / overdue, a reminder or suspension
arrived after paying, or a request to confirm the payment arrived. Requests that are about
something else (a refund for an unwanted charge, a new card, cancelling, prices, a copy of an
invoice, tax or address details) are `other` unless the unpaid status is also claimed.
"""

from __future__ import annotations

import re

from core.extract.dates import TOKEN as _TOKEN
from core.extract.dates import word_kind
from core.models import Intent


def _words(*patterns: str) -> re.Pattern[str]:
    # Matched against lower-cased text: without re.I Python's engine is several times faster
    # on alternations this large (patterns are written in lower case).
    return re.compile(r"(?:" + "|".join(patterns) + r")", re.X)


# The customer says they paid, or that money left their account.
PAID = _words(
    # en
    r"\b(?:i|we|i've|we've|i\s+have|we\s+have|i\s+had|we\s+had|they|our\s+\w+(?:\s+team)?|already|just)\s+(?:already\s+|just\s+|also\s+|did\s+)?"
    r"(?:paid|payed|pay|settled|wired|transferred|sent|made|remitted|submitted|processed|completed)\b",
    r"\bpaid\s+(?:it|this|that|the|in\s+full|via|by|with|through|on|for|yesterday|today|last)\b",
    r"\b(?:has|have|was|were|had)\s+(?:already\s+)?been\s+(?:paid|settled|debited|charged|taken|withdrawn|deducted|processed)\b",
    r"\b(?:money|payment|amount|funds|transfer|charge|debit)\s+(?:was|has\s+been|went|left|came\s+out|is)\s+(?:\w+\s+)?(?:taken|debited|withdrawn|deducted|sent|through|out|made|processed|completed|gone)\b",
    r"\b(?:was|got|been)\s+charged\b|\bcharged\s+(?:my|our|me|us)\b|\bleft\s+(?:my|our)\s+(?:\w+\s+)?(?:account|bank)\b",
    r"\bwent\s+out\s+of\s+(?:my|our)\s+(?:\w+\s+)?(?:account|bank)\b",
    r"\b(?:came|went)\s+(?:off|out\s+of)\s+(?:my|our)\s+(?:\w+\s+)?(?:visa|card|mastercard|amex|account|bank)\b",
    r"\bsent\s+(?:the|a|an|our|my)\s+(?:ach\s+)?(?:debit|payment|transfer|wire|check|cheque)\b",
    r"(?:^|\n)\s*paid\b|\bpaid\s+(?:invoice|inv\b|bill|\#|\S*\d)|\bafter\s+(?:paying|i\s+paid|we\s+paid|payment)\b",
    r"\b(?:payment|transfer|wire)\s+(?:on|of|from|dated)\s+\d",
    r"\b(?:my|our)\s+(?:\w+\s+)?(?:payment|transfer|wire|charge|direct\s+debit|debit|check|cheque)\b|\bthe\s+(?:payment|transfer|wire)\s+(?:i|we)\s+(?:made|sent)\b",
    r"\b(?:payment|transfer|wire|debit|charge|ach)\b(?:[^.!?\n]|\.(?=\S)){0,60}?\b(?:was|were|has\s+been|have\s+been)\s+(?:already\s+|successfully\s+)?(?:authori[sz]ed|initiated|sent|made|taken|debited|completed|processed|submitted|approved|withdrawn|deducted|scheduled)\b",
    r"\b(?:sent|mailed)\s+(?:a|the|our|my)\s+(?:check|cheque|payment|transfer|wire)\b",
    r"\bsent\s+(?:\S+\s+){0,3}?(?:via|through|by|with)\s+(?:paypal|card|credit\s+card|wire|ach|zelle|bank|venmo)\b",
    r"\b(?:initiated|sent|released|made|submitted|issued)\s+(?:an?\s+|the\s+|our\s+|two\s+|both\s+)?(?:ach\s+|wire\s+|bank\s+|sepa\s+)?(?:payments?|transfers?|wires?)\b",
    r"\b(?:pi|ch|py)_[A-Za-z0-9]{8,}\b",
    r"\b(?:it|payment|check|cheque|transfer|wire|money|funds)\s+(?:has\s+)?(?:already\s+)?cleared\b",
    # es
    r"\b(?:pagu[ée]|pagamos|hemos\s+pagado|he\s+pagado|ya\s+(?:he\s+|hemos\s+)?pagad[oa]|abon[ée]|abonamos|hemos\s+abonado|he\s+abonado"
    r"|transfer[íi]|transferimos|hice\s+(?:una|la|el)\s+(?:transferencia|pago|ingreso)|realic[ée]\s+(?:el|un|la)\s+(?:pago|transferencia)"
    r"|hicimos\s+(?:una|la|el)\s+(?:transferencia|pago)|(?:me|nos)\s+(?:han\s+)?(?:cobrado|cobraron|cargaron|descontaron)|se\s+(?:me|nos)\s+cobr[óo]"
    r"|ya\s+est[áa]\s+pagad[oa]|fue\s+pagad[oa]|mi\s+pago|el\s+pago\s+que\s+(?:hice|realic[ée])"
    r"|se\s+(?:me\s+|nos\s+)?(?:carg[óo]|cobr[óo]|descont[óo]|pas[óo]\s+el\s+(?:cargo|recibo|cobro))|(?:cargo|cobro|recibo)\s+(?:de\s+la\s+)?domiciliaci[óo]n"
    r"|(?:me|nos)\s+(?:lo|la|los|las)\s+(?:han\s+)?(?:cobrado|cobraron|cargaron|descontaron|debitaron)|(?:el\s+banco\s+)?me\s+(?:descont[óo]|debit[óo])"
    r"|(?:realic[ée]|realizamos|efectu[ée]|efectuamos|hemos\s+(?:hecho|realizado|efectuado)|he\s+(?:hecho|realizado|efectuado))\s+(?:\w+\s+){0,2}(?:pagos?|transferencias?|ingresos?|dep[óo]sitos?|abonos?)"
    r"|deposit[ée]|depositamos|cancel[ée]\s+la\s+(?:factura|cuota)"
    r"|(?:orden[óo]|ordenamos|emiti[óo]|emitimos)\s+(?:la\s+|una\s+)?(?:transferencia|pago)"
    r"|(?:devolvi[óo]|devolvieron|rechaz[óo])\s+(?:\w+\s+)?(?:el|la)\s+(?:recibo|cargo|pago|domiciliaci[óo]n|adeudo)"
    r"|se\s+(?:realiz[óo]|efectu[óo]|hizo|emiti[óo])\s+(?:la\s+|una\s+|el\s+)?(?:transferencia|pago|ingreso)"
    r"|(?:el|mi)\s+pago\s+(?:por\s+\w+\s+)?de\s+(?:ayer|anteayer|hoy)"
    r"|pagad[oa]s?\s+(?:el|con|por|ayer|hace|mediante|v[íi]a|en|desde)|(?:la|lo|las|los)\s+(?:hab[íi]a|hab[íi]amos|he|hemos)\s+pagad[oa]s?"
    r"|mi\s+(?:transferencia|pago|ingreso|dep[óo]sito|recibo)|despu[ée]s\s+de\s+(?:haber\s+)?pagar|pasaron\s+el\s+(?:recibo|cargo|cobro)"
    r"|(?:el\s+dinero|el\s+importe|el\s+cargo)\s+(?:ya\s+)?(?:ha\s+salido|sali[óo]|se\s+descont[óo])|(?:pago|transferencia|ingreso)\s+del?\s+(?:d[íi]a\s+)?\d)\b",
    # pt
    r"\b(?:paguei|pagamos|j[áa]\s+(?:foi\s+)?pag[oa]|foi\s+pag[oa]|quitei|quitamos|transferi|transferimos|fiz\s+(?:o|um|uma|a)\s+(?:pagamento|transfer[êe]ncia|pix|ted)"
    r"|fizemos\s+(?:o|um|uma|a)\s+(?:pagamento|transfer[êe]ncia|pix|ted)|efetuei\s+(?:o|um)\s+pagamento|efetuamos|(?:foi|foram)\s+(?:debitad[oa]s?|cobrad[oa]s?|descontad[oa]s?)|me\s+cobraram|meu\s+pagamento|o\s+pagamento\s+que\s+fiz"
    r"|j[áa]\s+(?:paguei|pagamos|transferi|efetuei)|efetuei\s+(?:a|uma)\s+transfer[êe]ncia|(?:foi|foram)\s+(?:paga|pagas|pago|pagos|quitad[oa]s?)"
    r"|pag[oa]s?\s+(?:em|no|na|com|via|ontem|hoje|dia)\b|depois\s+de\s+(?:eu\s+)?pagar|ap[óo]s\s+(?:o\s+)?pagamento|(?:minha|meu)\s+(?:transfer[êe]ncia|pix|boleto|pagamento)"
    r"|(?:d[ée]bito|pagamento|transfer[êe]ncia|pix)\b.{0,60}?\bfoi\s+(?:efetuad[oa]|realizad[oa]|feit[oa]|processad[oa]|debitad[oa])"
    r"|o\s+dinheiro\s+(?:j[áa]\s+)?saiu|(?:pagamento|transfer[êe]ncia|pix)\s+(?:do\s+dia|de|feit[oa])\s+\d"
    r"|fiz(?:emos)?\s+(?:\S+\s+){0,2}?(?:o|um|uma|a)\s+(?:pagamento|transfer[êe]ncia|pix|ted|dep[óo]sito)"
    r"|saiu\s+(?:\S+\s+){0,2}?(?:da|de)\s+(?:minha|nossa)\s+conta"
    r"|(?:enviei|enviamos|mandei|mandamos)\s+(?:\S+\s+){0,2}?(?:o|um|uma|a)\s+(?:pix|ted|transfer[êe]ncia|pagamento|dep[óo]sito|boleto)"
    r"|(?:efetuou|efetuaram|realizou|realizaram|procedeu|procedemos)\s+(?:\S+\s+){0,6}?(?:o\s+|ao\s+)?pagamento"
    r"|liquid(?:ou|ei|amos|aram)\s+(?:a|o|as|os)\s+(?:fatura|boleto|conta|valor))\b",
    # fr
    r"(?:\bj['’ ]?ai|\bj['’ ]?avais|\bnous\s+(?:l['’])?avons|\bnous\s+avions|\bon\s+a|\bje\s+l['’]ai|\bl['’](?:ai|avons))\s+(?:\S+\s+){0,3}?"
    r"(?:pay[ée]|r[ée]gl[ée]|vir[ée]|vers[ée]|acquitt[ée]|sold[ée]|effectu[ée]|envoy[ée]\s+(?:\S+\s+){0,4}?(?:ch[èe]que|virement|paiement)|fait\s+(?:\S+\s+){0,3}?(?:virement|paiement|versement))",
    r"\b(?:mon|notre)\s+(?:paiement|virement|ch[èe]que|r[èe]glement|pr[ée]l[èe]vement|versement)\b",
    r"\b(?:paiement|virement|pr[ée]l[èe]vement|r[èe]glement)\s+(?:\S+\s+){0,3}?dat(?:e|ant)\s+du\b",
    r"\b(?:envoy[ée]|post[ée]|exp[ée]di[ée])\s+(?:\S+\s+){0,5}?(?:un|le|notre|mon)\s+(?:ch[èe]que|virement|paiement)\b",
    r"\b(?:virement|paiement|pr[ée]l[èe]vement|r[èe]glement|versement)\s+(?:\S+\s+){0,8}?(?:fait|effectu[ée]|envoy[ée]|pass[ée]|d[ée]bit[ée]|pr[ée]lev[ée]|parti)\b",
    r"(?:\bj['’ ]?ai|\bnous\s+avons)\s+(?:bien\s+|d[ée]j[àa]\s+)?(?:acquitt[ée]|vers[ée]|sold[ée]|transf[ée]r[ée])",
    r"\b(?:pay[ée]e?s?|r[ée]gl[ée]e?s?)\s+(?:par|le|en|via|avec|hier|depuis|depuis)\b|\bapr[èe]s\s+avoir\s+(?:pay[ée]|r[ée]gl[ée])"
    r"|\b(?:virement|paiement|pr[ée]l[èe]vement|r[èe]glement)\s+(?:\S+\s+)?du\s+\d|\bl['’]argent\s+(?:a\s+[ée]t[ée]|est)\s+(?:d[ée]bit[ée]|pr[ée]lev[ée]|sorti)",
    r"\b(?:a|ont|avait)\s+(?:bien\s+)?(?:[ée]t[ée]\s+)?(?:d[ée]bit[ée]e?s?|pr[ée]lev[ée]e?s?|pay[ée]e?s?|r[ée]gl[ée]e?s?)\b|\bd[ée]j[àa]\s+(?:pay[ée]e?|r[ée]gl[ée]e?)\b|\bmon\s+(?:paiement|virement)\b",
    # de
    r"\b(?:bezahlt|gezahlt|(?:[üu]|ue)berwiesen|beglichen|abgebucht|angezahlt|eingezahlt|abgezogen|eingezogen)\b",
    r"\b(?:zahlung|(?:[üu]|ue)berweisung|lastschrift|abbuchung)\b(?:[^.!?\n]|\.(?=\S)){0,60}?\b(?:ausgef[üu]hrt|get[äa]tigt|veranlasst|erfolgt|eingel[öo]st)\b",
    r"\b(?:meine|unsere)\s+(?:zahlung|[üu]berweisung)\b",
    r"\b(?:abgegangen|per\s+dauerauftrag|dauerauftrag|gutgeschrieben\s+worden|belastet)\b",
    r"\b(?:zahlung|(?:[üu]|ue)berweisung)\s+vom\s+\d|\bnachdem\s+(?:ich|wir)\b",
    r"\b(?:lastschrift|abbuchung|(?:[üu]|ue)berweisung|zahlung)\b(?:[^.!?\n]|\.(?=\S)|\.\s(?=\w)){0,60}?\b(?:gelaufen|durchgegangen|raus|rausgegangen|hinausgegangen|gemacht|angewiesen)\b",
    # it, nl: languages we do not answer in, but whose claims we still recognise (reply in the fallback)
    r"\b(?:ho|abbiamo)\s+(?:gi[àa]\s+)?(?:pagato|saldato|effettuato\s+il\s+(?:pagamento|bonifico)|fatto\s+(?:un|il)\s+bonifico)\b",
    r"\b(?:heb|hebben)\b(?:\s+\S+){0,6}?\s+(?:betaald|overgemaakt|voldaan)\b|\bis\s+(?:al\s+)?(?:betaald|afgeschreven)\b",
)
_NEGATED_PAID = _words(
    r"\b(?:not|n't|never|haven't|hasn't|didn't|no|yet\s+to)\s+(?:\w+\s+){0,2}(?:paid|pay|settled)\b",
    r"\b(?:no|todav[íi]a\s+no|a[úu]n\s+no)\s+(?:he\s+|hemos\s+)?(?:pagad[oa]|pagu[ée])\b",
    r"\b(?:n[ãa]o|ainda\s+n[ãa]o)\s+(?:\w+\s+)?(?:paguei|pagamos|foi\s+pag[oa])\b",
    r"\b(?:pas\s+(?:encore\s+)?(?:pay[ée]|r[ée]gl[ée]))\b",
    r"\b(?:nicht|noch\s+nicht)\s+(?:\w+\s+)?(?:bezahlt|gezahlt|[üu]berwiesen)\b",
    # what will be paid is not a payment made: "werden per Lastschrift eingezogen", "will be charged"
    r"\b(?:werden|wird)\b(?:\s+\S+){0,5}?\s+(?:eingezogen|abgebucht|bezahlt|(?:[üu]|ue)berwiesen|beglichen)\b",
    r"\bwill\s+be\s+(?:\w+\s+)?(?:paid|charged|debited|settled|wired|transferred)\b",
    r"\b(?:sera|seront)\s+(?:\w+\s+)?(?:pay[ée]e?s?|pr[ée]lev[ée]e?s?|d[ée]bit[ée]e?s?|r[ée]gl[ée]e?s?)\b",
)
# The company still shows it unpaid, a reminder or suspension came, or the payment is not seen.
UNPAID_STATUS = _words(
    # en
    r"\b(?:unpaid|not\s+paid|outstanding|overdue|past[\s-]+due|pending|still\s+(?:open|due|showing|shows|listed|marked|says|unpaid|pending|outstanding)"
    r"|(?:shows?|showing|marked|listed|appears?)\s+(?:it\s+)?(?:as\s+)?(?:unpaid|open|due|outstanding|overdue|pending|not\s+paid)"
    r"|reminders?|dunning|late\s+(?:fee|notice)|overdue\s+notice|final\s+notice|collections?|suspend\w*|restrict\w*|block\w*|locked|deactivat\w*"
    r"|(?:not|n't)\s+(?:been\s+)?(?:received|applied|registered|reflected|credited|recorded|updated|showing|show\s+up|shown|recognized|marked)"
    r"|past-due\s+banner|balance\s+due|amount\s+due|still\s+(?:owe|owing)|uncollectible|declined|rejected|failed|bounced|charged\s+back|chargeback"
    r"|in\s+collections?|disputed|says\s+(?:it|the\s+invoice)\s+is\s+(?:unpaid|open|due|overdue|outstanding)"
    r"|(?:list|lists|listing|show|shows|showing|display|displays|mark|marks|has|have)\s+(?:the\s+invoice|it|them|both|this)\s+as\s+(?:open|unpaid|outstanding|overdue|due|pending)"
    r"|(?:says|shows|showing)\s+(?:\w+\s+)?(?:payment\s+)?(?:due|overdue|unpaid|outstanding)"
    r"|keeps\s+(?:listing|showing|marking)|overdue\s+banner)\b",
    # es
    r"\b(?:pendientes?|siguen?\s+(?:apareciendo|pendiente|abierta|sin\s+pagar|como)|impagad[oa]s?|no\s+pagad[oa]s?|sin\s+pagar|vencid[oa]s?|recordatorios?|avisos?|reclamaci[óo]n"
    r"|suspend\w*|suspensi[óo]n|bloque\w*|cortar\s+el\s+servicio|no\s+(?:me\s+)?(?:aparece|se\s+refleja|figura|consta|lo\s+veo|ha\s+llegado|se\s+ha\s+aplicado|lo\s+han\s+recibido|se\s+ha\s+podido)"
    r"|como\s+(?:abierta|pendiente|impagada|no\s+pagada)|en\s+mora|deuda|impag[oa]s?|rechazad[oa]s?|devuelt[oa]s?|fallid[oa]s?|moros[oa]"
    r"|no\s+se\s+(?:ha\s+)?(?:podido|pudo)\s+(?:completar|procesar|cobrar)|sigue\s+saliendo|(?:sale|salen|aparece|aparecen|figura|figuran)\s+como|contracargo|impugnad[oa]|corte"
    r"|sin\s+(?:reflejar|aparecer|aplicar)(?:se)?|no\s+(?:se\s+)?refleja|suspendi\w*|bloque[óo]|incobrable"
    r"|requerimiento\s+de\s+pago|reclamaci[óo]n\s+de\s+pago|aviso\s+de\s+impago|impago"
    r"|(?:correo|aviso|mensaje|carta|llamada)\s+de\s+cobro|cobro\s+prejur[íi]dico|cobranza"
    r"|(?:marc\w+|tengo|aparece|sale)\s+(?:un\s+|con\s+)?adeudo)\b",
    r"\b(?:les|os|le)\s+lleg[óo]\s+(?:el|mi|la)\s+(?:pago|transferencia|ingreso)\b",
    # pt
    r"\b(?:em\s+aberto|pendentes?|por\s+pagar|contestad[oa]|n[ãa]o\s+(?:paga|pago|consta|aparece|foi\s+(?:reconhecid[oa]|compensad[oa]|identificad[oa]|baixad[oa]|confirmad[oa]|registrad[oa])|caiu|compensou)"
    r"|vencid[oa]s?|atrasad[oa]s?|lembretes?|aviso\s+de\s+cobran[çc]a|cobran[çc]a\s+(?:em\s+atraso|pendente|de\s+novo)|bloque\w*|suspens\w*|continuam?\s+(?:em\s+aberto|pendentes?|como|vencid[oa]s?)|inadimpl\w*"
    r"|em\s+atraso|em\s+d[íi]vida|contesta[çc][ãa]o|recusad[oa]s?|devolvid[oa]s?|falhou|n[ãa]o\s+foi\s+aprovad[oa]|chargeback"
    r"|sem\s+(?:baixa|aparecer|constar)|suspens[ao]|bloquead[oa]|incobr[áa]vel|por\s+liquidar"
    r"|(?:ainda\s+)?n[ãa]o\s+(?:atualizou|caiu|apareceu|baixou|compensou)"
    r"|receb(?:i|emos)\s+(?:uma\s+|a\s+|outra\s+)?cobran[çc]a|saldo\s+devedor|consta(?:ndo)?\s+(?:como\s+)?(?:em\s+aberto|pendente|devedor))\b",
    # fr
    r"\b(?:impay[ée]e?s?|non\s+pay[ée]e?|non\s+r[ée]gl[ée]e?|en\s+attente|toujours\s+(?:ouverte?|due|en\s+attente|affich[ée]e?)|en\s+retard|relances?|rappels?|mise\s+en\s+demeure"
    r"|suspen\w*|bloqu\w*|pas\s+(?:encore\s+)?(?:[ée]t[ée]\s+)?(?:re[çc]u|pris\s+en\s+compte|enregistr[ée]|cr[ée]dit[ée]|appara[îi]t)|de\s+nouveau\s+impay[ée]e?|contest[ée]e?s?|en\s+souffrance|[ée]chou[ée]|[ée]chec|refus[ée]e?|rejet[ée]e?"
    r"|reste\s+[àa]\s+payer|solde\s+d[ûu]|non\s+r[ée]gl[ée]e?s?|[«\"]?\s*[àa]\s+(?:payer|r[ée]gler)\s*[»\"]|irr[ée]couvrable"
    r"|(?:comme|toujours|encore)\s+[àa]\s+(?:payer|r[ée]gler)|d[ée]biteur|d[ée]bitrice|repass[ée]e?\s+en\s+impay[ée]e?"
    r"|reste\s+(?:ouverte?|impay[ée]e?|due|d[ûu]e|en\s+attente)|avis\s+de\s+(?:retard|relance|paiement|recouvrement)"
    r"|(?:de\s+nouveau|[àa]\s+nouveau)\s+(?:ouverte?|due|impay[ée]e?)|rouverte?"
    r"|(?:affiche|indique|montre)\s+toujours|toujours\s+(?:le\s+total|la\s+totalit[ée]|le\s+montant\s+(?:total|complet))"
    r"|toujours\s+[ée]chue"
    r"|(?:toujours|encore)\s+(?:comme\s+)?(?:ouvert|impay[ée]|d[ûu]|en\s+attente)\w*"
    r"|(?:c['’]est|est|sont)\s+(?:toujours\s+)?pas\s+(?:encore\s+)?pay[ée]"
    r"|sans\s+(?:[êe]tre\s+)?(?:pris\s+en\s+compte|enregistr)|n['’]appara[îi]t\s+pas)",
    # de
    r"\b(?:offen|offene[nrs]?|unbezahlt|ausstehend|[üu]berf[äa]llig|mahnung\w*|zahlungserinnerung\w*|erinnerung\w*|gesperrt|sperrung|gemahnt"
    r"|nicht\s+(?:angekommen|eingegangen|verbucht|zugeordnet|gutgeschrieben|erfasst|sichtbar)|noch\s+(?:offen|nicht\s+(?:bezahlt|verbucht|eingegangen))|inkasso"
    r"|mahnstufe|mahngeb(?:[üu]|ue)hr\w*|abgelehnt|fehlgeschlagen|zur(?:[üu]|ue)ckgebucht|r(?:[üu]|ue)cklastschrift|(?:ue|ü)berf(?:ae|ä)llig|offene\s+posten"
    r"|nur\s+(?:\w+\s+){0,3}(?:verbucht|gutgeschrieben|angekommen|eingegangen)|uneinbringlich)\b",
    # it, nl
    r"\b(?:non\s+pagat[ao]|da\s+pagare|ancora\s+aperta|insolut[ao]|sollecito|scadut[ao]|onbetaald|nog\s+open|staat\s+(?:nog\s+)?open|herinnering|aanmaning|achterstallig)\b",
)
# The customer asks for confirmation that the payment arrived.
CONFIRM = _words(
    r"\b(?:confirm|check|verify|make\s+sure|let\s+me\s+know)\w*\s+(?:\w+\s+){0,4}(?:received|arrived|got\s+it|went\s+through|reached|payment|transfer|receipt|funds)\b",
    r"\bdid\s+you\s+(?:receive|get)\b",
    r"\b(?:confirm[aá]r?|comprob[aá]r?|comprueb|verific[aá]r?|verifiqu|revis[aá]r?)\w*\s+(?:\w+\s+){0,4}(?:recibido|recibisteis|recibieron|llegado|lleg[óo]|pago|transferencia|ingreso|correcto|en\s+orden|bien)\b|\bha\s+llegado\b",
    r"\b(?:confirmar|verificar|checar)\w*\s+(?:\w+\s+){0,4}(?:recebimento|recebido|receberam|recebeu|chegou|caiu|pagamento|transfer[êe]ncia|certo)\b",
    r"\b(?:confirmam|confirmem|verifiquem|podem\s+(?:confirmar|verificar|checar))\b",
    r"\b(?:confirmer|v[ée]rifier)\w*\s+(?:\S+\s+){0,4}(?:r[ée]ception|re[çc]u|paiement|virement|ch[èe]que)\b",
    r"\b(?:zahlungseingang|eingang\s+der\s+zahlung)\b|\b(?:best[äa]tigen|pr[üu]fen)\b\s+(?:\w+\s+){0,4}(?:zahlung|[üu]berweisung|eingegangen|angekommen)\b",
)
# Requests about something else.
OTHER_REQUEST = _words(
    r"\b(?:refund|reimburse\w*|money\s+back|charged\s+twice|double\s+charged|duplicate\s+charge|twice|duas\s+vezes|em\s+dobro|duplicad[oa]|dos\s+veces|deux\s+fois|doppelt|cancel\w*|unsubscribe|close\s+my\s+account"
    r"|(?:change|update|replace|remove)\s+(?:my\s+|the\s+|our\s+)?(?:card|payment\s+method|billing\s+(?:details|address|info\w*))"
    r"|price|pricing|discount|upgrade|downgrade|quote|copy\s+of|duplicate\s+(?:of\s+)?(?:the\s+)?invoice|resend|re-send|pdf|vat|tax\s+id|address)\b",
    r"\b(?:reembolso|devoluci[óo]n|devolver|cobrado\s+dos\s+veces|doble\s+cargo|cancelar|cancelaci[óo]n|darme\s+de\s+baja|dar\s+de\s+baja|cambiar\s+(?:la\s+|mi\s+)?tarjeta"
    r"|actualizar\s+(?:la\s+|mi\s+)?tarjeta|precio|descuento|duplicado|copia\s+de|reenviar|iva|nif|cif|direcci[óo]n\s+de\s+facturaci[óo]n)\b",
    r"\b(?:reembolso|estornar|devolu[çc][ãa]o|cobrad[oa]\s+duas\s+vezes|cancelar|cancelamento|trocar\s+(?:o\s+)?cart[ãa]o|alterar\s+(?:o\s+)?cart[ãa]o|atualizar\s+(?:o\s+)?cart[ãa]o"
    r"|pre[çc]o|desconto|segunda\s+via|c[óo]pia|reenviar|cnpj|cpf|endere[çc]o)\b",
    r"\b(?:rembours\w*|d[ée]bit[ée]\s+deux\s+fois|annul\w*|r[ée]silier|r[ée]siliation|d[ée]sabonner|changer\s+(?:de\s+|ma\s+)?carte|mettre\s+[àa]\s+jour\s+(?:ma\s+)?carte"
    r"|prix|tarif\w*|remise|duplicata|copie|renvoyer|tva|siret|adresse)\b",
    r"\b(?:erstattung|r[üu]ckerstattung|zur[üu]ckbuchen|doppelt\s+abgebucht|k[üu]ndig\w*|storn\w*|karte\s+(?:[äa]ndern|aktualisieren)|zahlungsmethode\s+[äa]ndern"
    r"|preis\w*|rabatt|kopie|duplikat|erneut\s+senden|ust|umsatzsteuer|rechnungsadresse|adresse)\b",
)


# "nothing should be outstanding", "no longer overdue": the customer denies an unpaid status.
_NEGATED_STATUS = _words(
    r"\b(?:nothing|no\s+longer|not|n't|nada|ya\s+no|nichts|nicht\s+mehr|rien|plus|nenhum|n[ãa]o)\s+(?:\w+\s+){0,2}$",
)


def _claims_unpaid_status(text: str) -> bool:
    for found in UNPAID_STATUS.finditer(text):
        if not _NEGATED_STATUS.search(text, max(0, found.start() - 30), found.start()):
            return True
    return False


def says_paid(text: str) -> bool:
    """The customer says they paid (a statement not negated: "I haven't paid yet" is not).

    Either a paying phrase of the five languages, or a paying verb on its own ("abonada",
    "überwiesen", "effectué", "released"): the claim still needs an unpaid status or a
    request to confirm, so a verb alone does not make one.
    """
    text = text.lower()
    # The cheap test first: most claims carry a paying verb, found by a cached word lookup.
    if any(
        word_kind(m.group(0)) == "strong" and not _negated(text, m) for m in _TOKEN.finditer(text)
    ):
        return True
    return any(not _negated(text, m) for m in PAID.finditer(text))


def _negated(text: str, paid: re.Match[str]) -> bool:
    """A negation that reaches into this very phrase ("haven't paid", "pas encore payé")."""
    return any(
        negation.end() > paid.start()
        for negation in _NEGATED_PAID.finditer(text, max(0, paid.start() - 60), paid.end() + 1)
    )


def signals(text: str) -> dict[str, bool]:
    """Which of the claim's signals the text carries (for the agent's note and for tests)."""
    text = text.lower()
    return {
        "paid": says_paid(text),
        "unpaid_status": _claims_unpaid_status(text),
        "confirm": bool(CONFIRM.search(text)),
        "other_request": bool(OTHER_REQUEST.search(text)),
    }


def classify_intent(text: str, language: str | None = None) -> Intent:
    """`payment_claim` when the customer says they paid and it is not seen as paid, else `other`."""
    # Evaluated lazily, cheapest decisive signal first: most tickets settle in two searches.
    text = text.lower()
    if not says_paid(text):
        return "other"
    if _claims_unpaid_status(text):
        return "payment_claim"
    if CONFIRM.search(text) and not OTHER_REQUEST.search(text):
        return "payment_claim"
    return "other"
