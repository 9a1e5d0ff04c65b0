"""The customer's reply and the agent's note, rendered from Jinja2 templates in five languages."""

from __future__ import annotations

import re

from core.models import Case, Decision, Reply
from core.policy import Policy
from core.render.blocks import Blocks, plain_text
from core.render.environment import check_language, label_value, template
from core.render.facts import facts_for

__all__ = ["render_draft_note", "render_note", "render_reply"]

_BLANK_LINES = re.compile(r"\n{3,}")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")


def _tidy_text(text: str) -> str:
    # The substring tests are far cheaper than the regexes, which rarely have work to do.
    if " \n" in text or "\t\n" in text:
        text = _TRAILING_SPACE.sub("\n", text)
    if "\n\n\n" in text:
        text = _BLANK_LINES.sub("\n\n", text)
    return text.strip() + "\n"


def _context(case: Case, decision: Decision, policy: Policy) -> dict[str, object]:
    if decision.verdict is None or decision.intent != "payment_claim":
        raise ValueError(
            f"ticket {decision.ticket_id}: only a payment_claim with a verdict gets a reply"
        )
    return {
        "case": case,
        "decision": decision,
        "policy": policy,
        "facts": facts_for(case, decision, policy),
    }


def render_reply(
    case: Case, decision: Decision, policy: Policy, language: str | None = None
) -> Reply:
    """The customer's reply (subject, HTML email and its plain-text twin) in `language`."""
    lang = check_language(language or decision.language)
    context = _context(case, decision, policy)
    subject = " ".join(template(lang, "content", "reply/subject.j2").render(context).split())
    # The content is evaluated once into blocks, then laid out as HTML and as text.
    writer = Blocks()
    template(lang, "content", "reply/body.j2").render(context, w=writer)
    html = template(lang, "html", "writer/html.j2").render(
        blocks=writer.blocks, subject=subject, company=policy.reply.company_name
    )
    text = _tidy_text(plain_text(writer.blocks, label_value(lang)))
    return Reply(subject=subject, html=html, text=text)


def render_note(case: Case, decision: Decision, policy: Policy, language: str | None = None) -> str:
    """The internal note for the agent (HTML): evidence, reasoning, identity, credit, actions."""
    lang = check_language(language or policy.language.default)
    context = _context(case, decision, policy)
    return template(lang, "html", "note/note.html.j2").render(context).strip()


def render_draft_note(
    case: Case,
    decision: Decision,
    policy: Policy,
    language: str | None = None,
    reply: Reply | None = None,
) -> str:
    """The note followed by the proposed reply quoted, for draft mode (nothing sent)."""
    lang = check_language(language or policy.language.default)
    proposed = reply or decision.reply or render_reply(case, decision, policy)
    context = _context(case, decision, policy)
    draft = template(lang, "html", "note/draft.html.j2")
    return draft.render(context, proposed=proposed).strip()
