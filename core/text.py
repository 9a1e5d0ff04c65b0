"""The ticket's words as the customer's claim: HTML read as text, quoted mail and signatures cut."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

from core.models import Ticket

_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "br",
        "li",
        "tr",
        "table",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "section",
        "article",
        "header",
        "footer",
        "pre",
        "hr",
    ]
)
_SKIP_TAGS = frozenset(("script", "style", "head", "title", "blockquote"))
_QUOTE_CLASSES = (
    "gmail_quote",
    "yahoo_quoted",
    "moz-cite-prefix",
    "divRplyFwdMsg",
    "OutlookMessageHeader",
)
_LOOKS_HTML = re.compile(
    r"<(?:p|div|br|span|a|b|i|strong|em|ul|ol|li|table|html|body|blockquote|font|script|style)\b",
    re.I,
)
_SPACES = re.compile(r"[ \u00a0\u2007\u2009\u202f]+")
_TABS = re.compile(r"[ \t]*\t[ \t]*")


class _TextExtractor(HTMLParser):
    """Collects visible text, turning block elements into line breaks and dropping quotes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_stack: list[str] = []
        self._open: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = " ".join(v or "" for k, v in attrs if k in ("class", "id"))
        quoted = tag in _SKIP_TAGS or any(c in classes for c in _QUOTE_CLASSES)
        if tag not in ("br", "hr", "img", "meta", "link", "input"):
            self._open.append((tag, quoted))
            if quoted:
                self._skip_stack.append(tag)
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append("\t")  # table cells stay apart: "RE-2025-0150" then "245,00 €"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            open_tag, quoted = self._open.pop()
            if quoted and self._skip_stack:
                self._skip_stack.pop()
            if open_tag == tag:
                break
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip_stack:
            self.parts.append(data)


def html_to_text(value: str) -> str:
    """Plain text of an HTML fragment (or the text itself when it is not HTML)."""
    if not _LOOKS_HTML.search(value):
        return unescape(value) if "&" in value else value
    parser = _TextExtractor()
    parser.feed(value)
    parser.close()
    return "".join(parser.parts)


# A line that starts the quoted earlier message: everything from it on is not the claim.
_QUOTE_HEADERS = re.compile(
    r"""^\s*(?:
        -{2,}\s*(?:original\s+message|forwarded\s+message|mensaje\s+original|mensagem\s+original
            |message\s+d'origine|message\s+original|ursprüngliche\s+nachricht|weitergeleitete\s+nachricht)\s*-{2,}
      | _{10,}
      | on\s.{4,120}?\swrote:?
      | el\s.{4,120}?\sescribi[oó]:?
      | em\s.{4,120}?\sescreveu:?
      | le\s.{4,120}?\sa\s+[ée]crit\s*:?
      | am\s.{4,120}?\sschrieb.{0,80}:
      | (?:from|de|von)\s*:.{0,200}?(?:sent|enviado|envoy[ée]|gesendet|date|datum|fecha)\s*:
    )""",
    re.I | re.X | re.S,
)
# A line that is only a quoted-reply header split over two lines, e.g. "On Mon, ... at 8:00 AM" + "X wrote:".
_WROTE_TAIL = re.compile(
    r"\b(?:wrote|escribi[oó]|escreveu|a\s+[ée]crit|schrieb)\b[^\n]{0,80}:\s*$", re.I
)
_SIGNATURE_MARK = re.compile(r"^(?:--|—|__)\s*$")
_SENT_FROM = re.compile(
    r"^\s*(?:sent from my|enviado desde mi|enviado do meu|envoy[ée] de mon|von meinem .* gesendet)",
    re.I,
)
# Closing words that start a signature when they stand alone on a line near the end.
_CLOSINGS = re.compile(
    r"""^\s*(?:
        thanks?(?:\s+(?:you|again|a\s+lot|in\s+advance))?|thx|many\s+thanks|best(?:\s+regards)?|kind\s+regards
        |regards|warm\s+regards|cheers|sincerely|best\s+wishes|all\s+the\s+best|br
      | (?:muchas\s+)?gracias(?:\s+de\s+antemano)?|un\s+saludo|saludos(?:\s+cordiales)?|atentamente|cordialmente|un\s+abrazo
      | obrigad[oa](?:\s+desde\s+j[aá])?|abra[çc]os?|att\.?|atenciosamente|at\.?\s*te|grat[oa]
      | cordialement|bien\s+(?:à|a)\s+vous|merci(?:\s+(?:beaucoup|d'avance|par\s+avance))?|bonne\s+journ[ée]e|salutations(?:\s+distingu[ée]es)?
      | (?:viele|beste|liebe|freundliche)\s+gr[üu](?:ß|ss)e|mit\s+freundlichen\s+gr[üu](?:ß|ss)en|mfg|lg|vg|gru[ßs]|danke(?:\s+sch[öo]n)?|vielen\s+dank(?:\s+und\s+viele\s+gr[üu](?:ß|ss)e)?
    )\s*[,.!]*\s*$""",
    re.I | re.X,
)


def strip_quoted(text: str) -> str:
    """Cut quoted earlier messages, '>' lines and the signature from a plain-text message."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith(">"):
            continue
        if _QUOTE_HEADERS.match(line) or _SENT_FROM.match(line):
            break
        if (
            _WROTE_TAIL.search(stripped)
            and kept
            and re.match(r"^\s*(?:on|el|em|le|am)\s", kept[-1], re.I)
        ):
            kept.pop()
            break
        if _SIGNATURE_MARK.match(line):
            break
        if _CLOSINGS.match(line) and index >= 2:
            break
        kept.append(line)
    return "\n".join(kept)


def message_text(value: str) -> str:
    """One customer message as plain text with quotes and signature removed."""
    text = strip_quoted(html_to_text(value))
    text = _TABS.sub("  ", _SPACES.sub(" ", text))
    return re.sub(r"\n\s*\n+", "\n", text).strip()


def claim_parts(ticket: Ticket) -> list[str]:
    """Subject, description and later comments as the customer's own words, in order."""
    parts = [
        _SPACES.sub(" ", html_to_text(ticket.subject)).strip(),
        message_text(ticket.description),
    ]
    parts.extend(message_text(comment) for comment in ticket.comments)
    return [p for p in parts if p]


def claim_text(ticket: Ticket) -> str:
    """The whole claim as one plain text: subject, description and comments, one per paragraph."""
    return "\n\n".join(claim_parts(ticket))
