"""The day the customer says they paid, absolute or relative to the ticket's creation.

Every date expression is found (ISO, numeric day-first in es/pt/fr/de and month-first in en
unless only the day-first reading is a real date, month names, "yesterday", "hace 2 días",
"vorgestern", "il y a 3 jours", weekdays); the payment date is the one closest to a payment
word in the same sentence and not closer to another event (a reminder, a due date).
Relative expressions resolve against the ticket's creation day in the ticket's own offset.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from core.extract.lexicon import (
    DAY_WORDS,
    FUTURE_WORDS,
    MONTH_ONLY_IN,
    MONTHS,
    NUMBER_WORDS,
    OTHER_EVENT_WORDS,
    PT_SHORT_WEEKDAYS,
    STRONG_PAYMENT_WORDS,
    WEAK_PAYMENT_WORDS,
    WEEKDAYS,
)
from core.extract.methods import find_payment_method
from core.extract.trie import trie_pattern

_MONTH_RE = trie_pattern(MONTHS)
_WEEKDAY_RE = trie_pattern(WEEKDAYS)
_NUM_WORD_RE = trie_pattern(NUMBER_WORDS)
_ORD = r"(?:st|nd|rd|th|º|°|ª|ro|er|ero|eme|ème|e|\.)?"

_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_NUMERIC = re.compile(
    r"(?<![\d.,/\-])(\d{1,2})([./\-])(\d{1,2})(?:\2(\d{4}|\d{2}))?(?!\d|[./\-]\d|,\d)"
)
_DAY_MONTH = re.compile(
    rf"(?<!\d)(\d{{1,2}}){_ORD}\s*(?:de\s+|of\s+|\s)?({_MONTH_RE})\.?(?:,?\s*(?:de\s+|del\s+)?(\d{{4}}))?\b",
    re.I,
)
_MONTH_DAY = re.compile(
    rf"\b({_MONTH_RE})\.?\s+(?:the\s+)?(\d{{1,2}}){_ORD}(?!\d)(?:(?:,\s*|\s+)(\d{{4}}))?", re.I
)
_DAYS_AGO = re.compile(
    rf"""\b(?:
        (?P<n1>\d+|{_NUM_WORD_RE})\s+(?P<u1>days?|weeks?)\s+ago
      | hace\s+(?P<n2>\d+|{_NUM_WORD_RE})\s+(?P<u2>d[íi]as?|semanas?)
      | (?:h[áa]|faz)\s+(?P<n3>\d+|{_NUM_WORD_RE})\s+(?P<u3>dias?|semanas?)
      | (?P<n4>\d+|{_NUM_WORD_RE})\s+(?P<u4>dias?|semanas?)\s+atr[áa]s
      | il\s+y\s+a\s+(?P<n5>\d+|{_NUM_WORD_RE})\s+(?P<u5>jours?|semaines?)
      | vor\s+(?P<n6>\d+|{_NUM_WORD_RE})\s+(?P<u6>tag(?:en)?|wochen?)
    )\b""",
    re.I | re.X,
)
_RELATIVE_WORDS: list[tuple[re.Pattern[str], int]] = [
    (re.compile(p, re.I), days)
    for p, days in [
        (r"\b(?:the\s+day\s+before\s+yesterday|anteayer|antier|antes\s+de\s+ayer|anteontem|avant-hier|avant\s+hier|vorgestern)\b", 2),
        (r"\b(?:yesterday|ayer|anoche|ontem|hier|gestern)\b", 1),
        (r"\b(?:today|this\s+morning|this\s+afternoon|earlier\s+today|hoy|esta\s+mañana|esta\s+manana|hoje|ce\s+matin|aujourd'hui|aujourd’hui|heute|heute\s+morgen|heute\s+früh)\b", 0),
    ]
]  # fmt: skip
_WEEKDAY = re.compile(
    rf"\b(?:(?:last|past|this|el|la|o|na|no|le|am|letzten|vergangenen|diesen|au|on)\s+)?({_WEEKDAY_RE})\b(?:\s+(?:pasado|passad[oa]|dernier|derni[èe]re))?",
    re.I,
)


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    day: date
    absolute: bool


def _year_for(month: int, day: int, base: date) -> int | None:
    """A date written without its year is the most recent one not after the ticket.

    A day a few weeks ahead ("to be paid on September 30", "avant le 30 septembre") is a
    date to come, not last year's: None.
    """
    try:
        candidate = date(base.year, month, day)
    except ValueError:
        return base.year - 1
    if candidate <= base + timedelta(days=1):
        return base.year
    return None if (candidate - base).days <= 62 else base.year - 1


def _make(year: int | None, month: int, day: int, base: date) -> date | None:
    if year is not None and year < 100:
        year += 2000
    if year is None:
        year = _year_for(month, day, base)
        if year is None:
            return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _number(word: str) -> int | None:
    return int(word) if word.isdigit() else NUMBER_WORDS.get(word.lower())


TOKEN = re.compile(r"\w+(?:['’]\w+)?")
_TOKEN = TOKEN
_AGO_WORDS = frozenset(["ago", "hace", "há", "ha", "faz", "atrás", "atras", "il", "vor"])
_RELATIVE_KEYS = frozenset(
    [
        "yesterday",
        "ayer",
        "anoche",
        "ontem",
        "hier",
        "gestern",
        "today",
        "hoy",
        "hoje",
        "heute",
        "morning",
        "mañana",
        "manana",
        "matin",
        "aujourd'hui",
        "aujourd’hui",
        "anteayer",
        "antier",
        "anteontem",
        "avant",
        "vorgestern",
        "day",
    ]
)


def _words(text: str) -> frozenset[str]:
    return frozenset(w.lower() for w in _TOKEN.findall(text))


def find_dates(text: str, language: str, created_at: datetime) -> list[DateMention]:
    """Every date expression in the text, resolved against the ticket's creation day."""
    base = created_at.date()
    words = _words(text)
    has_digit = any(ch.isdigit() for ch in text)
    has_month = not words.isdisjoint(MONTHS)
    mentions: list[DateMention] = []
    taken: list[tuple[int, int]] = []

    def add(match: re.Match[str], day: date | None, absolute: bool) -> None:
        start, end = match.span()
        if day is None or day > base + timedelta(days=1):
            return
        if any(s < end and start < e for s, e in taken):
            return
        taken.append((start, end))
        mentions.append(DateMention(start, end, day, absolute))

    # Each pattern runs only when the words it needs are there: most tickets hold few dates.
    for m in _ISO.finditer(text) if has_digit else ():
        add(m, _make(int(m[1]), int(m[2]), int(m[3]), base), True)
    for m in _DAY_MONTH.finditer(text) if has_digit and has_month else ():
        month = MONTHS[m[2].lower()]
        if _month_allowed(m[2], language):
            add(m, _make(int(m[3]) if m[3] else None, month, int(m[1]), base), True)
    for m in _MONTH_DAY.finditer(text) if has_digit and has_month else ():
        if _month_allowed(m[1], language):
            add(m, _make(int(m[3]) if m[3] else None, MONTHS[m[1].lower()], int(m[2]), base), True)
    for m in _NUMERIC.finditer(text) if has_digit else ():
        add(m, _numeric(m, language, base), True)
    for m in _DAYS_AGO.finditer(text) if not words.isdisjoint(_AGO_WORDS) else ():
        count = next((_number(g) for k, g in m.groupdict().items() if k[0] == "n" and g), None)
        unit = next(g for k, g in m.groupdict().items() if k[0] == "u" and g).lower()
        if count is not None:
            weeks = unit.startswith(("week", "seman", "semaine", "woch"))
            add(m, base - timedelta(days=count * (7 if weeks else 1)), False)
    for pattern, days in _RELATIVE_WORDS if not words.isdisjoint(_RELATIVE_KEYS) else ():
        for m in pattern.finditer(text):
            add(m, base - timedelta(days=days), False)
    for m in _DAY_ONLY.finditer(text) if has_digit else ():
        add(m, _day_of_month(int(next(g for g in m.groups() if g)), base), True)
    for m in _day_words(language).finditer(text) if language in DAY_WORDS else ():
        day = DAY_WORDS[language][m.group("day").lower()]
        named = MONTHS.get((m.group("month") or "").lower())
        add(m, _make(None, named, day, base) if named else _day_of_month(day, base), True)
    for m in _WEEKDAY.finditer(text) if not words.isdisjoint(WEEKDAYS) else ():
        word = m[1].lower()
        if (
            len(word) <= 4
            and word in _EN_ABBREVIATIONS
            and not _english_abbreviation(text, m, language)
        ):
            continue  # "Mon", "Sat", "Sun" are words too: only "Mon, 3 March" style counts
        if word in PT_SHORT_WEEKDAYS and not _portuguese_weekday(text, m, language):
            continue
        back = (base.weekday() - WEEKDAYS[word]) % 7 or 7
        add(m, base - timedelta(days=back), False)
    return _with_weekday_names(text, sorted(mentions, key=lambda d: d.start))


def _with_weekday_names(text: str, mentions: list[DateMention]) -> list[DateMention]:
    """ "lunes 10 de noviembre", "Freitag, 14.11.2025": one date, the written one, spanning both."""
    merged: list[DateMention] = []
    for mention in mentions:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and not previous.absolute
            and mention.absolute
            and 0 <= mention.start - previous.end <= 3
            and not text[previous.end : mention.start].strip(" ,")
        ):
            merged[-1] = DateMention(previous.start, mention.end, mention.day, True)
            continue
        merged.append(mention)
    return merged


# A day of the month alone: "on the 3rd", "el día 3", "no dia 5", "am 3." (this month or the last).
_DAY_ONLY = re.compile(
    r"\b(?:on\s+the\s+(\d{1,2})(?:st|nd|rd|th)\b"
    r"|(?:el\s+)?d[íi]a\s+(\d{1,2})\b(?!\s*(?:/|\.\d|-\d))"
    r"|(?:no\s+|do\s+)?dia\s+(\d{1,2})\b(?!\s*(?:/|\.\d|-\d))"
    r"|am\s+(\d{1,2})\.(?!\s*\d)(?!\d))",
    re.I,
)


_DAY_WORD_LEAD = {"en": r"on\s+the", "es": r"el", "pt": r"(?:no\s+)?dia", "fr": r"le", "de": r"am"}


@lru_cache(maxsize=8)
def _day_words(language: str) -> re.Pattern[str]:
    # es and fr cardinals ("el dos", "le deux") count only before a month or a break
    after = r"(?=\s*(?:[,.;:)]|$|por\b|con\b|par\b|en\b|à\b|a\s+las\b|y\b|et\b))"
    return re.compile(
        rf"\b{_DAY_WORD_LEAD[language]}\s+(?P<day>{trie_pattern(DAY_WORDS[language])})\b"
        rf"(?:(?:\s+(?:de\s+|of\s+)?(?P<month>{_MONTH_RE})\b)|{after if language in ('es', 'fr') else ''})",
        re.I,
    )


def _day_of_month(day: int, base: date) -> date | None:
    """The latest such day of a month not after the ticket."""
    year, month = base.year, base.month
    for _ in range(3):
        try:
            found = date(year, month, day)
        except ValueError:
            found = None
        if found is not None and found <= base:
            return found
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return None


_EN_ABBREVIATIONS = frozenset({"mon", "tue", "tues", "wed", "thu", "thurs", "fri", "sat", "sun"})


def _english_abbreviation(text: str, m: re.Match[str], language: str) -> bool:
    after = text[m.end(1) : m.end(1) + 12]
    return language == "en" and bool(re.match(r"\.?,?\s*(?:\d|[A-Z][a-z]{2})", after))


def _portuguese_weekday(text: str, m: re.Match[str], language: str) -> bool:
    if language != "pt":
        return False
    after = text[m.end(1) : m.end(1) + 8].lower()
    before = text[max(0, m.start(1) - 10) : m.start(1)].lower()
    return after.startswith(("-feira", " feira", " passad")) or bool(
        re.search(r"\b(?:na|nesta|última|ultima|desde|até|ate)\s+$", before)
    )


def _month_allowed(name: str, language: str) -> bool:
    allowed = MONTH_ONLY_IN.get(name.lower())
    return allowed is None or language in allowed


def _numeric(m: re.Match[str], language: str, base: date) -> date | None:
    first, sep, second, year = int(m[1]), m[2], int(m[3]), m[4]
    if year is None and sep == "-":
        return None  # "3-4" is a range, not a date
    year_value = int(year) if year else None
    readings = (
        [(first, second), (second, first)] if language == "en" and sep != "." else [(second, first)]
    )
    # In English month-first, unless only the day-first reading is a real (past) date.
    for month, day in readings:
        found = _make(year_value, month, day, base)
        if found is not None and found <= base + timedelta(days=1):
            return found
    return None


_SENTENCE_BREAK = re.compile(r"[!?\n]|\.\s+(?=[A-ZÁÉÍÓÚÀÂÊÔÃÕÇÄÖÜ¿¡])")
# Where one clause of a sentence ends: ", " and the conjunctions of the five languages.
_CLAUSE_BREAK = re.compile(
    r",\s|;\s|:\s|\s[-–—]\s|\s(?:and|but|while|although|because|so|y|pero|aunque|mientras|porque|e|mas|por[ée]m"
    r"|enquanto|et|mais|alors\s+que|tandis\s+que|car|pourtant|und|aber|doch|w(?:ä|ae)hrend|weil|obwohl|trotzdem"
    r"|after|depois\s+de|despu[ée]s\s+de|apr[èe]s|nachdem|even\s+though|though|although|embora|bien\s+que|obwohl)\s",
    re.I,
)


def find_payment_date(text: str, language: str, created_at: datetime) -> date | None:
    """The day the customer says they paid, or None when the text does not say.

    A date belongs to the payment when a paying verb ("paid", "pagué", "überwiesen") stands
    in its clause; else when a paying noun ("payment", "transferencia") does and nothing else
    (a reminder, what the portal shows today) is in that clause; else when a paying verb is
    in its sentence and the date's own clause speaks of nothing else.
    """
    mentions = find_dates(text, language, created_at)
    if not mentions:
        return None
    words: list[tuple[int, int, str]] = []
    for m in _TOKEN.finditer(text):
        kind = word_kind(m.group(0).lower())
        if kind:
            words.append((m.start(), m.end(), kind))
    # The claim's parts (subject, description, comments) are joined by blank lines; a later
    # part that names the payment's day corrects an earlier one ("sorry, it was the 6th").
    part_starts = [0] + [m.end() for m in re.finditer(r"\n\n", text)]
    best: tuple[bool, int, tuple[int, int], int, int, date] | None = None
    for mention in mentions:
        score = _association(text, mention, words)
        if score is None:
            continue
        part = sum(1 for start in part_starts if start <= mention.start)
        # a date tied to the payment within its clause beats one only near it in the sentence
        key = (score[0] > 1, -part, score, 0 if mention.absolute else 1, mention.start, mention.day)
        if best is None or key < best:
            best = key
    return best[5] if best else None


def _association(
    text: str, mention: DateMention, words: list[tuple[int, int, str]]
) -> tuple[int, int] | None:
    """How firmly a date is tied to the payment: (rule, distance), lower is firmer; None if not."""
    sentence = _span(text, mention, _SENTENCE_BREAK)
    clause = _span(text, mention, _CLAUSE_BREAK, within=sentence)

    def nearest(kind: str, span: tuple[int, int]) -> int | None:
        found = [
            mention.start - end if end <= mention.start else start - mention.end
            for start, end, k in words
            if k == kind
            and span[0] <= start
            and end <= span[1]
            and not (start < mention.end and mention.start < end)
        ]
        return min(found) if found else None

    if _OF_PAYMENT.search(text, max(0, mention.start - 40), mention.start):
        return (0, 0)  # "die Lastschrift vom 01.09.", "le prélèvement SEPA du 1er septembre"
    if nearest("future", clause) is not None:
        return None  # "gets charged on the 1st", "se abonará el 30": a day to come
    event_in_clause = nearest("event", clause) is not None
    strong = nearest("strong", clause)
    if strong is not None:
        return (0, strong)
    if _RECURRING.search(text, clause[0], clause[1]):
        return None  # "hoje pago R$ 59,90 por mês": how one pays, not a day one paid
    weak = nearest("weak", clause)
    if weak is not None and not event_in_clause:
        return (1, weak)
    strong = nearest("strong", sentence)
    if strong is not None and not event_in_clause and strong <= 200:
        return (2, strong)
    # "Par carte, hier, 59,00 €." — a line of payment details with nothing else in it.
    short = len(TOKEN.findall(text, sentence[0], sentence[1])) <= 8
    details = text[sentence[0] : sentence[1]]
    if (
        short
        and nearest("event", sentence) is None
        and not _RECURRING.search(details)
        and find_payment_method(details)
    ):
        return (3, 0)
    return None


# "pago R$ 59,90 por mês no cartão": how one pays every month, not a day one paid.
_RECURRING = re.compile(
    r"\b(?:por\s+m[êe]s|per\s+month|a\s+month|al\s+mes|par\s+mois|pro\s+monat|every\s+month|cada\s+m[êe]s"
    r"|chaque\s+mois|jeden\s+monat)\b",
    re.I,
)
_OF_PAYMENT = re.compile(
    r"\b(?:payment|transfer|wire|direct\s+debit|debit|pago|transferencia|ingreso|domiciliaci[óo]n|pagamento"
    r"|transfer[êe]ncia|pix|ted|paiement|virement|pr[ée]l[èe]vement|r[èe]glement|zahlung|(?:[üu]|ue)berweisung"
    r"|lastschrift|abbuchung)(?:\s+(?:sepa|ach|bancaire|bancaria|banc[áa]ria))?"
    r"(?:\s+(?:por|via|by|par|per|com|con|mit)\s+\w+)?\s+(?:of|from|dated|on|vom|von|du|del|de|do|da"
    r"|date\s+du|dat[ée]\s+du)\s+(?:the\s+|dia\s+|d[íi]a\s+)?$",
    re.I,
)


def _span(
    text: str, mention: DateMention, breaks: re.Pattern[str], within: tuple[int, int] | None = None
) -> tuple[int, int]:
    """The stretch of text between the breaks around a mention (clause or sentence)."""
    lo, hi = within or (0, len(text))
    start = lo
    # The lookahead of a sentence break needs the first letter after it: search one further.
    for found in breaks.finditer(text, lo, min(len(text), mention.start + 1)):
        if found.end() <= mention.start:
            start = found.end()
    # A mention may end on the full stop that ends its sentence ("due March 15.", "am 5.").
    end = mention.end - 1 if text[mention.end - 1] == "." else mention.end
    after = breaks.search(text, end, hi)
    return start, after.start() if after else hi


@lru_cache(maxsize=65536)
def word_kind(word: str) -> str | None:
    """Whether a word is a paying verb, a paying noun or another event; cached (words repeat)."""
    if FUTURE_WORDS.fullmatch(word):
        return "future"
    if STRONG_PAYMENT_WORDS.fullmatch(word):
        return "strong"
    if OTHER_EVENT_WORDS.fullmatch(word):
        return "event"
    if WEAK_PAYMENT_WORDS.fullmatch(word):
        return "weak"
    return None
