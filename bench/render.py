"""Time spent rendering the reply (subject + HTML + text) and the agent's note, per case.

    .venv/bin/python bench/render.py [--seconds 5] [--dir tests/corpus/cases] [--cold] [--profile]

Decides every case of the folder once (`decide(case, messages=False)`), then renders the
reply and the note of every payment claim over and over for the given time, on one core,
and prints mean, p50 and p99 microseconds per case (reply + note), per reply and per note,
in wall-clock time and in this thread's CPU time (what other processes take is left out).
Cases that are not payment claims get no reply; the mean over the whole corpus counts them
as zero and is printed too. The corpus repeats, so amounts, dates and links come from the
formatters' caches after the first round; `--cold` empties those caches before every case,
as a stream of new tickets would. `--profile` prints the top functions of a cProfile run.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import platform
import pstats
import statistics
import time
from pathlib import Path

from core.casefile import parse_case
from core.decide import decide
from core.policy import DEFAULT_POLICY
from core.render import render_note, render_reply
from core.render.formatting import clear_caches

ROOT = Path(__file__).resolve().parents[1]


def load(folder: Path) -> tuple[int, list[tuple]]:
    """The corpus size and the (case, decision) pairs that get a reply and a note."""
    paths = sorted(folder.glob("*.json"))
    if not paths:
        raise SystemExit(f"no *.json case in {folder}")
    pairs = []
    for path in paths:
        case = parse_case(path.read_bytes(), path.name)
        decision = decide(case, messages=False)
        if decision.intent == "payment_claim" and decision.verdict is not None:
            pairs.append((case, decision))
    return len(paths), pairs


def once(pairs: list[tuple]) -> None:
    """Render every pair's reply and note once."""
    for case, decision in pairs:
        render_reply(case, decision, DEFAULT_POLICY, decision.language)
        render_note(case, decision, DEFAULT_POLICY)


def timed(pairs: list[tuple], seconds: float, cold: bool = False) -> dict[str, list[float]]:
    """Per-case seconds of render_reply and render_note, wall clock and CPU, over `seconds`.

    CPU time (this thread's) leaves out the time other processes take the core from us,
    which on a shared machine is most of the spread between runs.
    """
    out: dict[str, list[float]] = {"reply": [], "note": [], "cpu": []}
    clock, cpu = time.perf_counter, time.thread_time
    started = clock()
    while clock() - started < seconds:
        for case, decision in pairs:
            if cold:
                clear_caches()
            c0 = cpu()
            t0 = clock()
            render_reply(case, decision, DEFAULT_POLICY, decision.language)
            t1 = clock()
            render_note(case, decision, DEFAULT_POLICY)
            t2 = clock()
            c1 = cpu()
            out["reply"].append(t1 - t0)
            out["note"].append(t2 - t1)
            out["cpu"].append(c1 - c0)
    return out


def line(label: str, values: list[float]) -> str:
    q = statistics.quantiles(values, n=100)
    mean = statistics.fmean(values)
    return (
        f"{label:18s} mean {mean * 1e6:7.1f} µs   p50 {q[49] * 1e6:7.1f} µs"
        f"   p99 {q[98] * 1e6:7.1f} µs"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--dir", type=Path, default=ROOT / "tests" / "corpus" / "cases")
    parser.add_argument("--cold", action="store_true", help="no cached amounts, dates, links")
    parser.add_argument("--profile", action="store_true", help="cProfile instead of timing")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    total, pairs = load(args.dir)
    once(pairs)  # warm-up: template compilation, catalogs, formatters
    print(
        f"python {platform.python_version()} · {platform.machine()} · {len(pairs)} payment "
        f"claims of {total} cases from {args.dir}{' · cold formatter caches' if args.cold else ''}"
    )
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        deadline = time.perf_counter() + args.seconds
        while time.perf_counter() < deadline:
            once(pairs)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
        return
    runs = timed(pairs, args.seconds, args.cold)
    both = [r + n for r, n in zip(runs["reply"], runs["note"], strict=True)]
    print(line("reply + note", both))
    print(line("  reply", runs["reply"]))
    print(line("  note", runs["note"]))
    print(line("reply + note, CPU", runs["cpu"]))
    per_corpus_case = statistics.fmean(both) * len(pairs) / total
    print(
        f"over all {total} cases (non-claims render nothing): {per_corpus_case * 1e6:.1f} µs/case"
    )


if __name__ == "__main__":
    main()
