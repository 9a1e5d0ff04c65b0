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

# Words that say money was paid or left the customer's account.
PAYMENT_WORDS = re.compile(
    r"""\b(?:
        paid|pay|payed|paying|wired|wire|transferred|transfer|sent|settled|debit|debited|charge|charged|deducted
      | withdrawn|payment|remitted|processed|authori[sz]ed|initiated|ach|check|cheque|mailed
      | pagu[ée]|pagado|pagada|pagamos|pagaste|pago|pagos|abon[ée]|abonado|abonamos|transfer[íi]|transferimos
      | transferencia|ingreso|ingres[ée]|cargo|carg[óo]|cargado|cargaron|cobraron|cobrado|cobr[óo]|domiciliaci[óo]n
      | realic[ée]|hice|hicimos
      | paguei|pagou|pagamento|pagamos|quitei|quitado|transferi|transfer[êe]ncia|debitado|debitaram|d[ée]bito
      | boleto|pix|ted|efetuei|efetuamos|fiz|fizemos|cobrad[oa]|d[ée]bito
      | pay[ée]e?s?|r[ée]gl[ée]e?s?|r[ée]glement|vir[ée]|virement|pr[ée]lev[ée]e?|pr[ée]l[èe]vement|d[ée]bit[ée]e?
      | paiement|effectu[ée]|r[ée]gler|ch[èe]que|envoy[ée]
      | bezahlt|gezahlt|(?:[üu]|ue)berwiesen|(?:[üu]|ue)berweisung|abgebucht|lastschrift|beglichen|angezahlt|zahlung|eingezahlt
      | eingezogen|ausgef[üu]hrt|get[äa]tigt|veranlasst
    )\b""",
    re.I | re.X,
)

# Events a date may belong to instead of the payment: a reminder, a due date, an email received.
OTHER_EVENT_WORDS = re.compile(
    r"""\b(?:
        reminder|notice|email|e-mail|letter|due|overdue|issued|received|got|warning|suspended|today'?s
      | recordatorio|aviso|correo|vence|venci[óo]|vencimiento|vencida|emitida|recib[íi]|llegado|lleg[óo]
      | lembrete|venceu|vencimento|emitida|recebi|chegou|notifica[çc][ãa]o
      | relance|rappel|courriel|[ée]ch[ée]ance|[ée]chue|[ée]mise|re[çc]u|notification
      | mahnung|erinnerung|f[äa]llig|f[äa]lligkeit|ausgestellt|erhalten|bekommen|zahlungserinnerung
    )\b""",
    re.I | re.X,
)
