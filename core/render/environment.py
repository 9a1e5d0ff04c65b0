"""One Jinja2 environment per language and output, with its Babel catalog, built once."""

from __future__ import annotations

from collections.abc import MutableMapping
from functools import lru_cache, partial
from importlib.resources import files
from pathlib import Path
from types import BuiltinFunctionType, FunctionType, MethodType
from typing import Any, Literal

from babel.support import NullTranslations, Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template
from jinja2.runtime import Context

from core.models import SUPPORTED_LANGUAGES, Language
from core.render import formatting
from core.render.i18n import ConstantSentences, Output, gettext_functions

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
# content: the reply's wording, evaluated once into blocks (sentences carry text and HTML);
# html: the note and the email layout (autoescaped).
Kind = Literal["content", "html"]
# Callables that can carry Jinja's `pass_context`-style marker, in their __dict__.
_MARKABLE = (FunctionType, partial, type(lru_cache(maxsize=1)(len)))


def _plain(obj: Any) -> bool:
    """True for a function, method or builtin that Jinja would call as it is."""
    kind = type(obj)
    if kind is BuiltinFunctionType:
        return True  # a builtin (bound list.append too) cannot carry the marker
    if kind is MethodType:
        obj = obj.__func__
        kind = type(obj)
    return kind in _MARKABLE and "jinja_pass_arg" not in obj.__dict__


class RenderContext(Context):
    """Jinja's context with a direct path for calls to plain functions and methods.

    Jinja routes every call in a template through `Context.call`, which probes the
    callable for `pass_context`-style markers on each call; for a plain function that
    carries none the answer never changes, and the probing was a third of a reply's time.
    Anything else (macros, callable objects, marked functions) takes Jinja's own path.
    https://jinja.palletsprojects.com/en/3.1.x/api/#jinja2.Environment.context_class
    """

    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        if _plain(__obj):
            if kwargs:
                kwargs.pop("_block_vars", None)
                kwargs.pop("_loop_vars", None)
            try:
                return __obj(*args, **kwargs)
            except StopIteration:
                return __self.environment.undefined(
                    "value was undefined because a callable raised a StopIteration exception"
                )
        return super().call(__obj, *args, **kwargs)


class RenderEnvironment(Environment):
    """Jinja's environment with the direct-call context and flat template globals.

    Jinja layers a template's globals over the environment's in a ChainMap, which every
    render and every include copies key by key in Python (half of an empty render's
    cost). Our globals are all set before the templates that use them are loaded, and
    never changed after (as Jinja asks), so a plain dict merged once gives the same names.
    """

    context_class = RenderContext

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        """The environment's globals with the template's own over them, merged once."""
        return {**self.globals, **(d or {})}


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


@lru_cache(maxsize=len(SUPPORTED_LANGUAGES))
def label_value(language: str) -> str:
    """The language's "%(label)s: %(value)s" for the plain-text twin (French: "… : …")."""
    return translations(language).gettext("%(label)s: %(value)s")


@lru_cache(maxsize=2 * len(SUPPORTED_LANGUAGES))
def environment(language: str, kind: Kind) -> Environment:
    """The environment for one language: HTML autoescapes, the content pass does not."""
    env = RenderEnvironment(
        loader=FileSystemLoader(str(templates_dir())),
        # The content pass escapes nothing: its sentences carry their text and HTML forms,
        # and plain text is never HTML (escaping it would show `&amp;` to the customer).
        autoescape=(kind == "html"),  # noqa: S701
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        cache_size=-1,  # a plain dict: a handful of templates, never evicted
        extensions=["jinja2.ext.do"],
    )
    # New-style gettext (named placeholders, escaped in HTML); a translation missing one
    # is caught by tests/unit/test_catalogs.py.
    output: Output = "both" if kind == "content" else "html"
    env.globals.update(gettext_functions(translations(language), output=output))
    env.globals.update(formatting.template_helpers(LOCALES[language]))
    # Added once `_` is known: it translates the constant sentences as templates compile.
    env.add_extension(ConstantSentences)
    env.globals["language"] = language
    # The shared words are evaluated once per environment rather than imported on every
    # render.
    env.globals["labels"] = env.get_template("shared/labels.j2").module
    if kind == "html":
        env.globals["nl"] = env.get_template("note/labels.j2").module
    return env


@lru_cache(maxsize=64)
def template(language: str, kind: Kind, name: str) -> Template:
    """A compiled template of one environment (a dict hit after the first call)."""
    return environment(language, kind).get_template(name)
