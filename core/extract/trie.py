"""Word lists as trie-shaped regular expressions.

Python's `re` tries the alternatives of `(?:january|jan|enero|...)` one by one at every
position; the same words folded into a trie (`(?:j(?:an(?:uary)?|...)|...)`) fail on the
first letter that cannot continue, which makes the date and lexicon scans several times
faster on real tickets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable


def trie_pattern(words: Iterable[str]) -> str:
    """A regex alternation matching exactly the given words, longest match first."""
    root: dict[str, dict] = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _render(root)


def _render(node: dict[str, dict]) -> str:
    ending = "" in node
    branches = [re.escape(char) + _render(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if ending:
        return f"(?:{body})?"
    return body
