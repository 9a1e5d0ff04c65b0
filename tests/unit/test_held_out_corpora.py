"""The held-out corpora tests/corpus2 … corpus19 decide exactly as their expected files say.

Each corpus was written by a different grader from POLICY.md and CASE_FORMAT.md alone
(docs/ENGINE.md); the number is the fewest cases it promises per language.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.casefile import parse_case
from core.decide import decide

TESTS = Path(__file__).resolve().parents[1]
MINIMUM_PER_LANGUAGE = {
    "corpus2": 20, "corpus3": 20, "corpus4": 25, "corpus5": 20, "corpus6": 15, "corpus7": 15,
    "corpus8": 12, "corpus9": 12, "corpus10": 10, "corpus11": 10, "corpus12": 8, "corpus13": 8,
    "corpus14": 6, "corpus15": 6, "corpus16": 5, "corpus17": 5, "corpus18": 4, "corpus19": 4,
}  # fmt: skip
LANGUAGES = ("en", "es", "pt", "fr", "de")
# CASE_FORMAT.md: the engine does nothing with an `other` ticket.
NULL_FOR_OTHER = ("verdict", "scenario", "credit", "reply", "internal_note")
CASES = [
    (corpus, path)
    for corpus in MINIMUM_PER_LANGUAGE
    for path in sorted((TESTS / corpus / "cases").glob("*.json"))
]


@pytest.mark.parametrize("corpus", list(MINIMUM_PER_LANGUAGE))
def test_corpus_is_complete(corpus: str) -> None:
    """Enough cases per language, each with an expected file and a README line."""
    folder = TESTS / corpus
    cases = sorted((folder / "cases").glob("*.json"))
    readme = (folder / "README.md").read_text(encoding="utf-8")
    for language in LANGUAGES:
        count = len([p for p in cases if p.name.startswith(f"{language}_")])
        assert count >= MINIMUM_PER_LANGUAGE[corpus], f"{corpus} {language}: only {count} cases"
    for path in cases:
        assert (folder / "expected" / path.name).exists(), path.name
        assert f"`{path.stem}`" in readme, f"{path.stem} has no README line"


@pytest.mark.parametrize(("corpus", "path"), CASES, ids=[f"{c}/{p.stem}" for c, p in CASES])
def test_corpus_case(corpus: str, path: Path) -> None:
    """Every field listed in the expected file is produced exactly."""
    expected = json.loads((TESTS / corpus / "expected" / path.name).read_text(encoding="utf-8"))
    decision = decide(parse_case(path.read_bytes(), path.name)).model_dump(mode="json")
    mismatches = {
        field: {"expected": want, "got": decision.get(field)}
        for field, want in expected.items()
        if decision.get(field) != want
    }
    assert not mismatches, f"{path.name}: {json.dumps(mismatches, ensure_ascii=False, indent=1)}"
    if expected["intent"] == "other":
        assert all(decision.get(field) is None for field in NULL_FOR_OTHER), path.name
