"""One Jinja2 environment per language and output kind, with its Babel catalog, built once."""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Literal

from babel.support import NullTranslations, Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from core.models import SUPPORTED_LANGUAGES, Language
from core.render import formatting
from core.render.i18n import gettext_functions

# The locale whose CLDR conventions format a language's amounts and dates (POLICY §12).
LOCALES: dict[str, str] = {
    "en": "en_US",
    "es": "es_ES",
    "pt": "pt_BR",
    "fr": "fr_FR",
    "de": "de_DE",
}
# Templates are written in English; English needs no catalog.
SOURCE_LANGUAGE = "en"
DOMAIN = "messages"
Kind = Literal["html", "text"]


def templates_dir() -> Path:
    """The shipped templates/ package directory (templates and locale/)."""
    return Path(str(files("templates")))


def locale_dir() -> Path:
    """Where the compiled catalogs live: templates/locale/<lang>/LC_MESSAGES/messages.mo."""
    return templates_dir() / "locale"


def check_language(language: str) -> Language:
    """The language itself when supported, else a ValueError naming it."""
    if language not in SUPPORTED_LANGUAGES:
        supported = ", ".join(SUPPORTED_LANGUAGES)
        raise ValueError(f"language {language!r} is not supported (one of {supported})")
    return language  # type: ignore[return-value]


@lru_cache(maxsize=len(SUPPORTED_LANGUAGES))
def translations(language: str) -> NullTranslations:
    """The compiled catalog of a language (NullTranslations for the English source)."""
    if language == SOURCE_LANGUAGE:
        return NullTranslations()
    mo = locale_dir() / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if not mo.is_file():
        raise FileNotFoundError(f"no compiled catalog for {language!r}: {mo} (run pybabel compile)")
    with mo.open("rb") as fp:
        return Translations(fp, domain=DOMAIN)


@lru_cache(maxsize=2 * len(SUPPORTED_LANGUAGES))
def environment(language: str, kind: Kind) -> Environment:
    """The environment for one language: HTML autoescapes, plain text does not."""
    env = Environment(
        loader=FileSystemLoader(str(templates_dir())),
        # Plain text is never HTML: escaping it would show `&amp;` to the customer.
        autoescape=(kind == "html"),  # noqa: S701
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        extensions=["jinja2.ext.do"],
    )
    # New-style gettext (named placeholders, escaped in HTML); a translation missing one
    # is caught by tests/unit/test_catalogs.py.
    env.globals.update(gettext_functions(translations(language), autoescape=(kind == "html")))
    env.globals.update(formatting.template_helpers(LOCALES[language]))
    env.globals["language"] = language
    # The shared words and the writer's building blocks are evaluated once per environment
    # rather than imported on every render.
    env.globals["labels"] = env.get_template("shared/labels.j2").module
    env.globals["nl"] = env.get_template("note/labels.j2").module
    env.globals["w"] = env.get_template(f"writer/{kind}.j2").module
    return env
