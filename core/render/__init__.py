"""The customer's reply and the agent's note, rendered from Jinja2 templates in five languages."""

from __future__ import annotations

import re

from core.models import Case, Decision, Reply
from core.policy import Policy
from core.render.environment import check_language, environment
from core.render.facts import build_facts

__all__ = ["render_draft_note", "render_note", "render_reply"]

_BLANK_LINES = re.compile(r"\n{3,}")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")


def _tidy_text(text: str) -> str:
    return _BLANK_LINES.sub("\n\n", _TRAILING_SPACE.sub("\n", text)).strip() + "\n"


def _context(case: Case, decision: Decision, policy: Policy) -> dict[str, object]:
    if decision.verdict is None or decision.intent != "payment_claim":
        raise ValueError(
            f"ticket {decision.ticket_id}: only a payment_claim with a verdict gets a reply"
        )
    return {
        "case": case,
        "decision": decision,
        "policy": policy,
        "facts": build_facts(case, decision, policy),
    }


def render_reply(
    case: Case, decision: Decision, policy: Policy, language: str | None = None
) -> Reply:
    """The customer's reply (subject, HTML email and its plain-text twin) in `language`."""
    lang = check_language(language or decision.language)
    context = _context(case, decision, policy)
    subject = environment(lang, "text").get_template("reply/subject.j2").render(context)
    subject = " ".join(subject.split())
    html = environment(lang, "html").get_template("reply/email.html.j2")
    text = environment(lang, "text").get_template("reply/email.txt.j2")
    return Reply(
        subject=subject,
        html=html.render(context, subject=subject),
        text=_tidy_text(text.render(context)),
    )


def render_note(case: Case, decision: Decision, policy: Policy, language: str | None = None) -> str:
    """The internal note for the agent (HTML): evidence, reasoning, identity, credit, actions."""
    lang = check_language(language or policy.language.default)
    context = _context(case, decision, policy)
    return environment(lang, "html").get_template("note/note.html.j2").render(context).strip()


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
    template = environment(lang, "html").get_template("note/draft.html.j2")
    return template.render(context, proposed=proposed).strip()
