"""Fast new-style gettext for the templates: named placeholders, variables escaped in HTML."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any, Literal, cast

from babel.support import NullTranslations
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
from markupsafe import Markup, escape

Output = Literal["html", "text", "both"]
_NUMBERS = (int, float, Decimal)
# What markupsafe.escape changes; a value without any of them is its own HTML.
_SPECIAL = re.compile("[&<>'\"]")


class Text(str):
    """A translated sentence as plain text (the str itself) and as HTML (`__html__`).

    The reply's content is evaluated once and laid out twice: its sentences carry both
    forms, so the HTML layout gets the translation with only the variables escaped (as
    Jinja's autoescaped gettext gives) and the text layout gets nothing escaped. Any
    string operation on a Text yields a plain str, which the HTML layout then escapes
    whole: the safe direction.
    """

    html: str

    def __html__(self) -> str:
        return self.html


def _escaped(variables: Mapping[str, Any]) -> dict[str, Any]:
    """Variables as Markup's `%` sees them: numbers kept for `%d`, anything else escaped."""
    return {k: v if isinstance(v, _NUMBERS) else escape(v) for k, v in variables.items()}


def _plain(variables: Mapping[str, Any]) -> bool:
    """True when escaping would change no variable (amounts, dates, numbers, most names)."""
    for value in variables.values():
        if not isinstance(value, _NUMBERS) and (
            not isinstance(value, str) or _SPECIAL.search(value) is not None
        ):
            return False
    return True


def _both(source: str, variables: Mapping[str, Any]) -> Text:
    text = Text(source % variables)
    text.html = str(text) if _plain(variables) else source % _escaped(variables)
    return text


def _html(source: str, variables: Mapping[str, Any]) -> Markup:
    # The translation is ours (trusted, as Jinja's autoescaped gettext treats it); the
    # variables are escaped unless escaping would change none of them.
    return Markup(source % (variables if _plain(variables) else _escaped(variables)))  # noqa: S704


def _text(source: str, variables: Mapping[str, Any]) -> str:
    return source % variables


_FILL: dict[Output, Callable[[str, Mapping[str, Any]], str]] = {
    "both": _both,
    "html": _html,
    "text": _text,
}


def gettext_functions(
    translations: NullTranslations, *, output: Output
) -> dict[str, Callable[..., str]]:
    """`_`, `gettext`, `ngettext` and `field` (label: value) for one language and one output.

    They behave as Jinja's new-style gettext (placeholders filled by name, `num` for
    ngettext, variables escaped when the output is HTML, a literal % written %%) without
    going through the template context, and a sentence without placeholders is looked
    up, formatted and wrapped once per language rather than on every render.
    https://jinja.palletsprojects.com/en/3.1.x/extensions/#new-style-gettext
    """
    fill = _FILL[output]
    constants: dict[str, str] = {}
    sources: dict[str, str] = {}

    def gettext(message: str, /, **variables: Any) -> str:
        if not variables:
            constant = constants.get(message)
            if constant is None:
                constant = constants[message] = fill(translations.gettext(message), {})
            return constant
        source = sources.get(message)
        if source is None:
            source = sources[message] = translations.gettext(message)
        return fill(source, variables)

    def ngettext(one: str, many: str, num: int, /, **variables: Any) -> str:
        variables.setdefault("num", num)
        return fill(translations.ngettext(one, many, num), variables)

    label_value = translations.gettext("%(label)s: %(value)s")

    def field(label: str, value: Any) -> str:
        """`label: value` as the language writes it (French: "label : value")."""
        return fill(label_value, {"label": label, "value": value})

    return {"_": gettext, "gettext": gettext, "ngettext": ngettext, "field": field}


class ConstantSentences(Extension):
    """Translates `_("…")` calls without variables when a template is compiled.

    Each environment serves one language, so a sentence without placeholders has one
    translation there: the call becomes the literal `("<translation>"|safe)`, which Jinja
    folds into the compiled template as data (trusted text, as `_()` returns it, never
    escaped), or the bare literal when HTML escaping would not change it (no Markup to
    build at run time when it is passed on). Calls with variables and `ngettext` stay
    calls. Extraction (babel.cfg) does not load this extension and still sees `_("…")`.
    https://jinja.palletsprojects.com/en/3.1.x/extensions/#jinja2.ext.Extension.filter_stream
    """

    def filter_stream(self, stream: TokenStream) -> Iterable[Token]:
        """The template's tokens with every constant `_("…")` replaced by its translation."""
        translate = cast(Callable[..., str], self.environment.globals["_"])
        window: list[Token] = []
        previous = ""
        for token in stream:
            window.append(token)
            if len(window) < 4:
                continue
            translated = _constant_translation(window, previous, translate)
            if translated is not None:
                line = window[0].lineno
                if _SPECIAL.search(translated) is None:
                    # Escaping changes nothing: a plain literal, folded or passed as it is.
                    yield Token(line, "string", translated)
                    previous = "string"
                else:
                    yield Token(line, "lparen", "(")
                    yield Token(line, "string", translated)
                    yield Token(line, "pipe", "|")
                    yield Token(line, "name", "safe")
                    yield Token(line, "rparen", ")")
                    previous = "rparen"
                window.clear()
                continue
            first = window.pop(0)
            previous = first.type
            yield first
        yield from window


def _constant_translation(
    window: list[Token], previous: str, translate: Callable[..., str]
) -> str | None:
    """The translation when the four tokens are `_("…")`, else None (left to run time)."""
    name, lparen, string, rparen = window
    if not (
        name.type == "name"
        and name.value in ("_", "gettext")
        and previous != "dot"  # `something._("…")` is not our gettext
        and lparen.type == "lparen"
        and string.type == "string"
        and rparen.type == "rparen"
    ):
        return None
    try:
        return str(translate(string.value))
    except (KeyError, ValueError, TypeError):
        # A sentence with placeholders called without them: the call stays, and fails at
        # render time naming the placeholder, as it always did.
        return None
