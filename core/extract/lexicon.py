"""Words of the five languages that the extraction rules look for, in one place."""

from __future__ import annotations

import re

MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    [
        "january jan enero ene janeiro jan janvier janv januar jän jänner",
        "february feb febrero fevereiro fev février févr fevrier fevr februar",
        "march mar marzo março marco mars märz maerz mär",
        "april apr abril abr avril avr",
        "may mayo maio mai",
        "june jun junio junho juin juni",
        "july jul julio julho juillet juil juli",
        "august aug agosto ago août aout",
        "september sept sep septiembre setiembre setembro set septembre",
        "october oct octubre outubro out octobre oktober okt",
        "november nov noviembre novembro novembre",
        "december dec diciembre dic dezembro dez décembre déc decembre dezember",
    ],
    start=1,
):
    for _name in _names.split():
        MONTHS.setdefault(_name, _number)

# Abbreviations that are ordinary words in another language are accepted only in these.
MONTH_ONLY_IN = {
    "ago": ("es", "pt"),
    "out": ("pt",),
    "set": ("pt",),
    "mar": ("en", "es", "pt"),
    "dez": ("pt", "de"),
}

# Short Portuguese weekday names are ordinary words elsewhere ("segunda cuota", "segunda via"):
# they count only in Portuguese with "-feira" or a word that makes them a day (core/extract/dates.py).
PT_SHORT_WEEKDAYS = frozenset({"segunda", "terça", "terca", "quarta", "quinta", "sexta"})
WEEKDAYS: dict[str, int] = {}
for _number, _names in enumerate(
    [
        "monday mon lunes segunda segunda-feira lundi montag",
        "tuesday tue tues martes terça terça-feira terca terca-feira mardi dienstag",
        "wednesday wed miércoles miercoles quarta quarta-feira mercredi mittwoch",
        "thursday thu thurs jueves quinta quinta-feira jeudi donnerstag",
        "friday fri viernes sexta sexta-feira vendredi freitag",
        "saturday sat sábado sabado samedi samstag sonnabend",
        "sunday sun domingo dimanche sonntag",
    ]
):
    for _name in _names.split():
        WEEKDAYS[_name] = _number

NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "couple": 2, "a couple of": 2,
    "un": 1, "una": 1, "uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7,
    "ocho": 8, "nueve": 9, "diez": 10, "un par de": 2,
    "um": 1, "uma": 1, "dois": 2, "duas": 2, "três": 3, "quatro": 4, "sete": 7, "oito": 8, "nove": 9, "dez": 10,
    "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "sept": 7, "huit": 8, "neuf": 9, "dix": 10,
    "ein": 1, "einem": 1, "einer": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7,
    "acht": 8, "neun": 9, "zehn": 10,
}  # fmt: skip

# Verbs that say the customer paid or money left their account: they tie a date to the payment.
STRONG_PAYMENT_WORDS = re.compile(
    r"""(?:
        paid|payed|wired|transferred|remitted|settled|debited|charged|deducted|withdrawn|mailed|deposited|cleared|cashed|released
      | pagu[ée]|pagó|pagado|pagada|pagamos|pagaste|pagaron|abon[ée]|abonad[oa]s?|abonamos|abonaron|abon[óo]|transfer[íi]|transferimos|deposit[ée]|emiti[óo]|emitimos
      | depositamos|saiu|cargó|cargaron|cargado|cobraron|cobrado|cobró|descontaron|descontó|debitó|realic[ée]
      | realizamos|realizad[oa]s?|efectu[ée]|efectuamos|efectuad[oa]s?|hice|hicimos
      | paguei|pagou|pagaram|pagámos|quitei|quitado|quitamos|transferi|debitado|debitada|debitaram|efetuei|efetuamos|fiz|fizemos
      | cobrad[oa]|cobraram|descontad[oa]|compensad[oa]|caiu
      | proc[ée]d[ée]|pay[ée]e?s?|r[ée]gl[ée]e?s?|vir[ée]e?s?|vers[ée]e?s?|acquitt[ée]e?s?|pr[ée]lev[ée]e?s?|d[ée]bit[ée]e?s?|effectu[ée]e?s?|encaiss[ée]e?s?
      | bezahlt|gezahlt|(?:[üu]|ue)berwiesen|abgebucht|beglichen|angezahlt|eingezahlt|eingezogen|abgegangen|ausgef(?:[üu]|ue)hrt
      | get(?:[äa]|ae)tigt|veranlasst|eingel(?:[öo]|oe)st|geleistet|belastet
      | [ée]mis|orden[óo]|ordenamos|realiz[óo]|angewiesen|efetuou|efetuaram|realizou|realizaram|procedeu|procedemos
      | pagato|pagata|saldato|betaald|overgemaakt
    )""",
    re.I | re.X,
)
# Nouns of paying: a date next to one is the payment's only when nothing else claims it.
WEAK_PAYMENT_WORDS = re.compile(
    r"""(?:
        pay|payment|wire|transfer|sent|debit|charge|processed|authori[sz]ed|initiated|ach|check|cheque|bacs|zelle
      | pago|pagos|pagar|domiciliad[oa]|transferencia|ingreso|cargo|domiciliaci[óo]n|adeudo|dep[óo]sito|cuota|spei|oxxo
      | pagamento|pagar|paga|pagas|transfer[êe]ncia|d[ée]bito|boleto|pix|ted|multibanco
      | paiement|virement|pr[ée]l[èe]vement|r[èe]glement|ch[èe]que|interac|acompte
      | zahlung|kartenzahlung|(?:[üu]|ue)berweisung|(?:[üu]|ue)berweisungen|lastschrift|dauerauftrag|rate|abbuchung|e-banking
    )""",
    re.I | re.X,
)
# Any word of paying (strong or weak).
PAYMENT_WORDS = re.compile(
    rf"\b(?:{STRONG_PAYMENT_WORDS.pattern}|{WEAK_PAYMENT_WORDS.pattern})\b", re.I | re.X
)

# Events a date may belong to instead of the payment: a reminder, a due date, an email received,
# what a portal shows today.
OTHER_EVENT_WORDS = re.compile(
    r"""(?:
        reminder|notice|email|e-mail|letter|due|overdue|issued|received|got|warning|suspended|today'?s|shows|showed
      | suspend\w*|suspens[ao]|blocked|bloque\w*|gesperrt|sperrung|bloqu\w*|mandar|enviar|send|envoyer|schicken
      | cancel\w*|cancel[ée]|cancelei|annul\w*|r[ée]sili\w*|k(?:[üu]|ue)ndig\w*|plano|plan|tarif|pre[çc]o|precio|prix|preis
      | see|saw|noticed|vois|vu|relev[ée]|veo|extracto|extrato|sehe|kontoauszug|rembours\w*|refund\w*|reembols\w*
      | says|said|portal|dashboard|app|refunded|disputed|dispute|declined|failed|rejected|marked|flagged
      | recordatorio|aviso|correo|vence|venci[óo]|vencimiento|vencida|emitida|recib[íi]|llegado|lleg[óo]|llega|vemos|veo
      | aparece|figura|portal|disputa|rechazad[oa]|devuelt[oa]
      | lembrete|venceu|vencimento|emitida|recebi|chegou|notifica[çc][ãa]o|apareceu|aparece|painel|contesta[çc][ãa]o
      | estorno|recusad[oa]|vejo
      | relance|rappel|courriel|[ée]ch[ée]ance|[ée]chue|[ée]mise|re[çc]u|notification|affiche|indique|recr[ée]dit[ée]
      | [ée]chou[ée]|refus[ée]|contest[ée]|demande|r[ée]siliation
      | mahnung|erinnerung|f(?:[äa]|ae)llig|f(?:[äa]|ae)lligkeit|ausgestellt|erhalten|bekommen|zahlungserinnerung|zeigt
      | steht|portal|abgelehnt|zur(?:[üu]|ue)ckgebucht|k(?:[üu]|ue)ndigung
    )""",
    re.I | re.X,
)

# Words of a day to come: a date in their clause is not the day the customer paid.
FUTURE_WORDS = re.compile(
    r"""(?:
        will|gets|scheduled|upcoming|next|pr[óo]xim[oa]|prochaine?|n(?:[äa]|ae)chste[nrm]?|cobrar[áa]|abonar[áa]
      | pagar[ée]|pagar[áa]|vencer[áa]|ir[áa]|vai|paierai|payerai|r[ée]glerons|pr[ée]l[èe]vera|zahlen|begleichen
    )""",
    re.I | re.X,
)

# Days of the month written in words, by the word that introduces them: "on the twelfth",
# "el doce", "dia primeiro", "le douze", "am zwölften".
DAY_WORDS: dict[str, dict[str, int]] = {
    "en": {w: i for i, w in enumerate(
        ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth", "twentieth"], start=1)},
    "es": {w: i for i, w in enumerate(
        ["uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve", "diez", "once", "doce", "trece", "catorce", "quince", "dieciséis", "diecisiete", "dieciocho", "diecinueve", "veinte"], start=1)} | {"primero": 1},
    "pt": {w: i for i, w in enumerate(
        ["um", "dois", "três", "quatro", "cinco", "seis", "sete", "oito", "nove", "dez", "onze", "doze", "treze", "catorze", "quinze", "dezesseis", "dezessete", "dezoito", "dezenove", "vinte"], start=1)} | {"primeiro": 1, "tres": 3, "quatorze": 14},
    "fr": {w: i for i, w in enumerate(
        ["un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze", "douze", "treize", "quatorze", "quinze", "seize", "dix-sept", "dix-huit", "dix-neuf", "vingt"], start=1)} | {"premier": 1},
    "de": {w: i for i, w in enumerate(
        ["ersten", "zweiten", "dritten", "vierten", "fünften", "sechsten", "siebten", "achten", "neunten", "zehnten", "elften", "zwölften", "dreizehnten", "vierzehnten", "fünfzehnten", "sechzehnten", "siebzehnten", "achtzehnten", "neunzehnten", "zwanzigsten"],
        start=1)} | {"zwoelften": 12, "fuenften": 5},
}  # fmt: skip
