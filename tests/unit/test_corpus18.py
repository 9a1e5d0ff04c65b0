"""The eighteenth held-out corpus (tests/corpus18) decides exactly as its expected files say."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.casefile import parse_case
from core.decide import decide

CORPUS18 = Path(__file__).resolve().parents[1] / "corpus18"
CASES = sorted((CORPUS18 / "cases").glob("*.json"))
LANGUAGES = ("en", "es", "pt", "fr", "de")
# CASE_FORMAT.md: the engine does nothing with an `other` ticket.
NULL_FOR_OTHER = ("verdict", "scenario", "credit", "reply", "internal_note")


def test_corpus18_is_complete() -> None:
    """At least 4 cases per language, each with an expected file and a README line."""
    readme = (CORPUS18 / "README.md").read_text(encoding="utf-8")
    for language in LANGUAGES:
        count = len([p for p in CASES if p.name.startswith(f"{language}_")])
        assert count >= 4, f"{language}: only {count} cases"
    for path in CASES:
        assert (CORPUS18 / "expected" / path.name).exists(), path.name
        assert f"`{path.stem}`" in readme, f"{path.stem} has no README line"


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_corpus18_case(path: Path) -> None:
    """Every field listed in the expected file is produced exactly."""
    expected = json.loads((CORPUS18 / "expected" / path.name).read_text(encoding="utf-8"))
    decision = decide(parse_case(path.read_bytes(), path.name)).model_dump(mode="json")
    mismatches = {
        field: {"expected": want, "got": decision.get(field)}
        for field, want in expected.items()
        if decision.get(field) != want
    }
    assert not mismatches, f"{path.name}: {json.dumps(mismatches, ensure_ascii=False, indent=1)}"
    if expected["intent"] == "other":
        assert all(decision.get(field) is None for field in NULL_FOR_OTHER), path.name
