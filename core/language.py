"""The reply language: what the customer wrote in, else their locale, else the account default.

Identification uses py3langid (the langid.py model, shipped inside the package: no download,
about 0.1 ms per ticket) restricted to the supported languages, so its probabilities compare
only plausible answers; a short or mixed text below the confidence threshold defers to the
requester's locale (POLICY §2).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from core.models import SUPPORTED_LANGUAGES, Language
from core.policy import Policy

_NOISE = re.compile(r"https?://\S+|\S+@\S+|[#\w]*\d[\w./\-]*|[^\w\s'’]", re.U)


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


@lru_cache(maxsize=8)
def _restricted(languages: tuple[str, ...]) -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(languages))
    return identifier


def locale_language(locale: str | None, supported: tuple[str, ...]) -> Language | None:
    """The language of a BCP 47 tag (es-MX → es), if supported."""
    if not locale:
        return None
    language = re.split(r"[-_]", locale.strip())[0].lower()
    return language if language in supported else None  # type: ignore[return-value]


def identify(text: str, policy: Policy) -> tuple[Language | None, float]:
    """The language the text is written in with the model's confidence (None when too short)."""
    # The opening of the claim tells its language; reading it all only costs time.
    words = _NOISE.sub(" ", text[:600])
    # After the noise is gone only letters and spaces remain.
    if len(words) - sum(map(words.count, " \n\t")) < policy.language.min_letters:
        return None, 0.0
    supported = policy.language.supported
    # Fast path: the model restricted to the supported languages; a clear winner there is
    # checked against the full model only when the text might be in another language.
    language, confidence = _restricted(tuple(supported)).classify(words)
    if confidence >= 0.999:
        return language, float(confidence)
    ranked = _identifier().rank(words)
    scores = {lang: float(p) for lang, p in ranked if lang in supported}
    total = sum(scores.values())
    top_language, top_score = ranked[0][0], float(ranked[0][1])
    if top_language not in supported and top_score > total:
        return None, 0.0  # written in a language we do not answer in: the locale decides
    if total <= 0:
        return None, 0.0
    language = max(scores, key=scores.__getitem__)
    return language, scores[language] / total  # type: ignore[return-value]


# Words that belong to one supported language only: a tie-breaker for texts too short for the model.
_MARKERS: dict[str, frozenset[str]] = {
    "en": frozenset(["the", "i", "we", "you", "is", "and", "not", "paid", "invoice", "hi", "hello", "thanks", "yesterday", "my", "our", "but", "with", "it"]),
    "es": frozenset(["el", "los", "las", "y", "pero", "hola", "gracias", "factura", "pagué", "pague", "ayer", "hace", "sigue", "muy", "mi", "mis", "ya", "usted", "vuestro", "podéis"]),
    "pt": frozenset(["não", "nao", "você", "vocês", "olá", "ola", "obrigado", "obrigada", "fatura", "paguei", "ontem", "já", "mas", "com", "uma", "um", "meu", "minha", "boleto"]),
    "fr": frozenset(["le", "les", "je", "j'ai", "nous", "vous", "est", "et", "pas", "facture", "bonjour", "merci", "payé", "paye", "hier", "mais", "avec", "une", "pour"]),
    "de": frozenset(["ich", "wir", "sie", "die", "der", "das", "und", "nicht", "ist", "habe", "haben", "rechnung", "hallo", "danke", "gestern", "bezahlt", "mit", "ein", "eine"]),
}  # fmt: skip


_MARKER_WORD = re.compile(r"[\w'’]+")
# Each marker word belongs to one language only: one pass over the text counts them all.
_MARKER_LANGUAGE = {word: lang for lang, words in _MARKERS.items() for word in words}


def _by_markers(
    text: str, supported: tuple[str, ...], *, at_least: int = 2, margin: int = 2
) -> Language | None:
    """The language whose own small words the text uses most, when it clearly leads."""
    counts = dict.fromkeys((lang for lang in supported if lang in _MARKERS), 0)
    for word in _MARKER_WORD.findall(text.lower()):
        lang = _MARKER_LANGUAGE.get(word)
        if lang in counts:
            counts[lang] += 1
    ranked = sorted(counts.items(), key=lambda item: item[1], reverse=True)
    if not ranked or ranked[0][1] < at_least:
        return None
    if len(ranked) == 1 or ranked[0][1] >= margin * max(ranked[1][1], 1):
        return ranked[0][0]  # type: ignore[return-value]
    return None


def detect_language(text: str, locale: str | None, policy: Policy) -> Language:
    """POLICY §2: the text's language when confident, else the locale's, else the default."""
    supported = tuple(policy.language.supported)
    # A text full of one language's own small words needs no model (a tenth of the time).
    clear = _by_markers(text[:600], supported, at_least=6, margin=4)
    if clear:
        return clear
    language, confidence = identify(text, policy)
    if language is not None and confidence >= policy.language.min_confidence:
        return language
    if language is not None:
        marked = _by_markers(text, supported)
        if marked:
            return marked
    from_locale = locale_language(locale, supported)
    if from_locale:
        return from_locale
    default = policy.language.default
    return default if default in SUPPORTED_LANGUAGES else "en"
