"""`payverify verify CASE.json|DIR [--json] [--policy FILE]`: decide case files offline."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from core.casefile import CaseError, parse_case
from core.decide import decide
from core.models import Decision
from core.policy import DEFAULT_POLICY, Policy, PolicyError


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "verify",
        help="decide case files (CASE_FORMAT.md) offline",
        description="Decide one case file, or every *.json file in a directory (sorted by name).",
    )
    parser.add_argument("path", type=Path, help="a case file or a directory of case files")
    parser.add_argument("--json", action="store_true", help="print decisions as JSON (Lines)")
    parser.add_argument("--policy", type=Path, help="a policy TOML file (defaults: POLICY.md)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Decide every case; exit 2 when any file is refused (the others are still decided)."""
    try:
        policy = Policy.from_toml(args.policy) if args.policy else DEFAULT_POLICY
    except PolicyError as exc:
        print(f"payverify: {exc}", file=sys.stderr)
        return 2
    path: Path = args.path
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix == ".json" and p.is_file())
        results = _decide_all(files, policy, show_progress=not args.json or sys.stderr.isatty())
        refused = _print_many(results, as_json=args.json)
    elif path.is_file():
        results = list(_decide_all([path], policy, show_progress=False))
        refused = _print_one(results[0], as_json=args.json)
    else:
        print(f"payverify: {path}: no such file or directory", file=sys.stderr)
        return 2
    return 2 if refused else 0


Result = tuple[Path, Decision | None, str | None]


def _decide_all(files: list[Path], policy: Policy, *, show_progress: bool) -> Iterator[Result]:
    def each() -> Iterator[Result]:
        for file in files:
            try:
                case = parse_case(file.read_bytes(), file.name)
                yield file, decide(case, policy), None
            except CaseError as exc:
                yield file, None, str(exc)
            except OSError as exc:
                yield file, None, f"{file.name}: cannot read: {exc.strerror or exc}"

    if show_progress and sys.stderr.isatty() and len(files) > 1:
        from rich.progress import track

        return iter(track(list(each()), description="Deciding", transient=True))
    return each()


def _as_json(decision: Decision) -> dict[str, Any]:
    return decision.model_dump(mode="json")


def _print_one(result: Result, *, as_json: bool) -> bool:
    file, decision, error = result
    if error is not None or decision is None:
        print(error, file=sys.stderr)
        return True
    if as_json:
        print(json.dumps(_as_json(decision), ensure_ascii=False, indent=2))
    else:
        print(_summary_line(file.name, decision))
    return False


def _print_many(results: Iterator[Result], *, as_json: bool) -> bool:
    refused = 0
    verdicts: Counter[str] = Counter()
    decided = 0
    for file, decision, error in results:
        if error is not None or decision is None:
            refused += 1
            print(error, file=sys.stderr)
            if as_json:
                print(json.dumps({"source": file.name, "error": error}, ensure_ascii=False))
            else:
                print(f"{file.name}: REFUSED")
            continue
        decided += 1
        verdicts[decision.verdict.value if decision.verdict else "other"] += 1
        if as_json:
            print(json.dumps({"source": file.name, **_as_json(decision)}, ensure_ascii=False))
        else:
            print(_summary_line(file.name, decision))
    if not as_json:
        counts = ", ".join(f"{name} {n}" for name, n in sorted(verdicts.items()))
        print(f"\n{decided} decided, {refused} refused" + (f" — {counts}" if counts else ""))
    return refused > 0


def _summary_line(source: str, d: Decision) -> str:
    head = f"{source}: ticket {d.ticket_id} [{d.language}, {d.tier.value}]"
    if d.intent == "other":
        return f"{head} not a payment claim: no action"
    credit = (
        f", credit {d.credit.amount} {d.credit.currency}"
        + (" (needs approval)" if d.credit.requires_approval else "")
        if d.credit
        else ""
    )
    age = f", paid {d.payment_age_days}d before" if d.payment_age_days is not None else ""
    escalated = ", escalated" if d.escalate else ""
    return (
        f"{head} {d.verdict.value if d.verdict else '-'} / "
        f"{d.scenario.value if d.scenario else '-'}{age}{credit}{escalated}, "
        f"priority {d.priority}, follow up in {d.follow_up_hours}h"
    )
