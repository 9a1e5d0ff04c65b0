"""The message catalogs: complete, not fuzzy, placeholders intact, compiled and extracted up to date."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
LANGUAGES = ["es", "pt", "fr", "de"]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _template() -> dict:
    with (TEMPLATES / "messages.pot").open("rb") as fp:
        return {m.id: m for m in read_po(fp) if m.id}


def _catalog(lang: str):
    with (TEMPLATES / "locale" / lang / "LC_MESSAGES" / "messages.po").open("rb") as fp:
        return read_po(fp, locale=lang)


def _forms(value) -> list[str]:
    return list(value) if isinstance(value, (tuple, list)) else [value]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_has_every_message_translated_and_nothing_else(lang: str) -> None:
    pot = _template()
    catalog = _catalog(lang)
    ids = {m.id for m in catalog if m.id}
    assert ids == set(pot), f"{lang}: missing {set(pot) - ids}, extra {ids - set(pot)}"
    for message in catalog:
        if not message.id:
            continue
        assert not message.fuzzy, f"{lang}: fuzzy translation of {message.id!r}"
        forms = _forms(message.string)
        assert all(f.strip() for f in forms), f"{lang}: empty translation of {message.id!r}"
        if isinstance(message.id, tuple):
            assert len(forms) == catalog.num_plurals, f"{lang}: plural forms of {message.id!r}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_match_the_source(lang: str) -> None:
    for message in _catalog(lang):
        if not message.id:
            continue
        source = set().union(*(PLACEHOLDER.findall(s) for s in _forms(message.id)))
        for form in _forms(message.string):
            found = set(PLACEHOLDER.findall(form))
            # A singular form may spell the number out ("une heure"); nothing else may go.
            assert found <= source, f"{lang}: unknown placeholder in {form!r}"
            assert source - found <= {"num"}, f"{lang}: {form!r} drops {source - found}"
            # A bare % would break the %-formatting every message goes through.
            assert "%" not in PLACEHOLDER.sub("", form).replace("%%", ""), form


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compiled_catalog_is_up_to_date(lang: str) -> None:
    catalog = _catalog(lang)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    mo = TEMPLATES / "locale" / lang / "LC_MESSAGES" / "messages.mo"
    assert mo.read_bytes() == compiled.getvalue(), f"{mo} is stale: run pybabel compile"


def test_template_catalog_matches_the_templates() -> None:
    with (ROOT / "babel.cfg").open() as fp:
        method_map, options_map = parse_mapping_cfg(fp)
    extracted = set()
    for folder in (TEMPLATES, ROOT / "core" / "render"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            folder, method_map, options_map
        ):
            extracted.add(message if isinstance(message, str) else tuple(message))
    pot = set(_template())
    assert extracted == pot, (
        f"messages.pot is stale (run pybabel extract): new {extracted - pot}, gone {pot - extracted}"
    )
