"""A `payverify worker` whose pipeline stops after one step, for the crash test to kill it there.

Run as `python -m tests.e2e.pausing_worker STEP MARKER LEASE` with the settings in the
environment: it is the same consumer as `payverify worker` (bootstrap, `Jobs`, huey thread
workers); only its pipeline writes MARKER and sleeps once STEP's result is saved.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from plugin.bootstrap import bootstrap
from plugin.jobs import Jobs
from plugin.pipeline import Pipeline

PAUSE_SECONDS = 600  # far beyond any test: the test kills the process long before


class PausingPipeline(Pipeline):
    """The real pipeline, frozen right after `pause_after` (its result saved, the next not run)."""

    def __init__(self, *args: Any, pause_after: str, marker: Path, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pause_after = pause_after
        self.marker = marker

    def _execute(self, step: str, *args: Any) -> dict[str, Any]:
        value = super()._execute(step, *args)
        if step == self.pause_after:
            self.marker.write_text(step)
            time.sleep(PAUSE_SECONDS)
        return value


class PausingJobs(Jobs):
    """`Jobs` whose runs use the pausing pipeline."""

    def __init__(self, *args: Any, pause_after: str, marker: Path, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pause_after = pause_after
        self.marker = marker

    def pipeline(self) -> Pipeline:
        return PausingPipeline(
            self.services, self.settings, pause_after=self.pause_after, marker=self.marker
        )


def main(argv: list[str]) -> int:
    """Consume jobs like `payverify worker --workers 1 --lease LEASE`, pausing after STEP."""
    step, marker, lease = argv[0], Path(argv[1]), int(argv[2])
    jobs = PausingJobs(bootstrap(), lease_seconds=lease, pause_after=step, marker=marker)
    jobs.consumer(workers=1, periodic=False).run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
