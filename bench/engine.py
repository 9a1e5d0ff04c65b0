"""Cases per second through decide + render on one core (target: at least 1,000 cases/s).

    .venv/bin/python bench/engine.py [--seconds 10] [--dir tests/corpus/cases]

Decides every case of the folder (the held-out-style corpus by default, 77 tickets in five
languages) over and over for the given time, single-threaded, and prints cases/s for the
whole engine (extraction, language, intent, evidence, verdict, scenario, credit, actions,
reply subject + HTML + text, agent note) and for the decision alone.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from pathlib import Path

from core.casefile import parse_case
from core.decide import decide

ROOT = Path(__file__).resolve().parents[1]


def run(cases, seconds: float, messages: bool) -> tuple[float, float, list[float]]:
    """Cases per wall-clock second, per CPU second of this process, and each case's time."""
    done, started, cpu_started, per_case = 0, time.perf_counter(), time.process_time(), []
    while time.perf_counter() - started < seconds:
        for case in cases:
            t = time.perf_counter()
            decide(case, messages=messages)
            per_case.append(time.perf_counter() - t)
            done += 1
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    return done / wall, done / cpu, per_case


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--dir", type=Path, default=ROOT / "tests" / "corpus" / "cases")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    cases = [parse_case(p.read_bytes(), p.name) for p in sorted(args.dir.glob("*.json"))]
    for case in cases:  # warm-up: model load, template compilation, catalogs
        decide(case)
    print(
        f"python {platform.python_version()} · {platform.machine()} · "
        f"{len(cases)} cases from {args.dir}"
    )
    for label, messages in (("decide + render", True), ("decide only", False)):
        rate, cpu_rate, per_case = run(cases, args.seconds, messages)
        q = statistics.quantiles(per_case, n=100)
        # Per CPU second is what the code costs; per wall second also counts other load.
        print(
            f"{label:16s} {rate:8.0f} cases/s ({cpu_rate:.0f} per CPU second)   "
            f"p50 {q[49] * 1e3:.2f} ms   p99 {q[98] * 1e3:.2f} ms"
        )


if __name__ == "__main__":
    main()
