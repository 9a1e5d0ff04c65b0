"""The reply's content as a list of blocks, collected once and laid out as HTML and as text."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# A block is (kind, first, second): ("p", text, None), ("heading", text, None),
# ("items", [text, ...], None), ("summary", [(label, value, is first, is last), ...], None),
# ("button", label, url), ("links", [(label, url), ...], None), ("signoff", closing, [line, ...]).
Block = tuple[str, Any, Any]


class Blocks:
    """The writer the reply's content templates call (`w.p(...)`): it records, it prints nothing.

    templates/writer/html.j2 and plain_text() below then lay the same blocks out, so the
    content (every `_()` and `ngettext()` of templates/reply) is evaluated once.
    """

    def __init__(self) -> None:
        self.blocks: list[Block] = []

    def p(self, text: str) -> str:
        """A paragraph."""
        self.blocks.append(("p", text, None))
        return ""

    def heading(self, text: str) -> str:
        """A short heading above the paragraphs that follow."""
        self.blocks.append(("heading", text, None))
        return ""

    def items(self, entries: Iterable[str]) -> str:
        """A bulleted list."""
        self.blocks.append(("items", list(entries), None))
        return ""

    def summary(self, rows: Iterable[tuple[str, str] | None]) -> str:
        """A label/value box (nothing when it has no row); None rows are left out.

        Each row is kept as (label, value, is first, is last): the box pads its first and
        last rows more than the others.
        """
        kept = [row for row in rows if row]
        last = len(kept) - 1
        if kept:
            rows_at = [(k, v, i == 0, i == last) for i, (k, v) in enumerate(kept)]
            self.blocks.append(("summary", rows_at, None))
        return ""

    def button(self, label: str, url: str) -> str:
        """A call to action linking to `url` (already checked by safe_url)."""
        self.blocks.append(("button", label, url))
        return ""

    def links(self, entries: Iterable[tuple[str, str]]) -> str:
        """A bulleted list of (label, url) links."""
        self.blocks.append(("links", list(entries), None))
        return ""

    def signoff(self, closing: str, lines: Iterable[str]) -> str:
        """The closing words and the signature lines (the first one, the signer, in bold)."""
        signature = list(lines)
        if not signature:
            raise ValueError("a signoff needs at least one signature line")
        self.blocks.append(("signoff", closing, signature))
        return ""


def plain_text(blocks: list[Block], label_value: str) -> str:
    """The blocks as the plain-text twin: one paragraph per line, a blank line between blocks.

    `label_value` is the language's "%(label)s: %(value)s" (French puts a space before the
    colon), for summary rows, buttons and links. Nothing is escaped: plain text is not HTML.
    """
    out: list[str] = []
    for kind, first, second in blocks:
        if kind == "p" or kind == "heading":
            out.append(first)
        elif kind == "items":
            out.append("\n".join([f"- {entry}" for entry in first]))
        elif kind == "summary":
            out.append("\n".join([label_value % {"label": k, "value": v} for k, v, *_ in first]))
        elif kind == "button":
            out.append(label_value % {"label": first, "value": second})
        elif kind == "links":
            out.append("\n".join([f"- {label_value % {'label': k, 'value': v}}" for k, v in first]))
        elif kind == "signoff":
            out.append("\n".join([first, *second]))
        else:
            raise ValueError(f"unknown reply block {kind!r}")
    return "\n\n".join(out)
