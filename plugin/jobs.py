"""The job queue (huey): SQLite in the store's file by default, Redis when REDIS_URL is set.

Why huey: one small dependency with both an embedded SQLite queue (nothing to start for a
one-machine install) and a Redis one (N web + M workers across machines), retries with
backoff, scheduled tasks and locks. https://huey.readthedocs.io/en/latest/api.html

Nothing is lost when a worker dies: each run is journaled in the queue's own storage while
in flight (`inflight:<run key>` with a lease). A run whose lease expired without finishing
is queued again by the next worker that starts and by a periodic sweep; the pipeline saves
each step's result, so the run resumes after its last finished step and doubles nothing.
"""

from __future__ import annotations

import json
import logging
import os
import time
from functools import cached_property
from pathlib import Path
from typing import Any

from huey import crontab
from huey.api import Huey
from huey.constants import EmptyData
from huey.storage import SqliteStorage

from core.errors import ExternalError
from plugin.intake import Delivery, GroupCommit
from plugin.intake_commits import commit_for
from plugin.pipeline import Pipeline, installation_of
from plugin.queue_storage import adopt_old_queue, make_huey

log = logging.getLogger(__name__)

RETRIES = 5
RETRY_DELAY_SECONDS = 5  # then 10, 20, 40, 80: about 2.5 minutes before giving up
LEASE_SECONDS = 120
POLL_MAX_SECONDS = 0.25
JOURNAL = "inflight:"
LOCK = "runlock:"


class Jobs:
    """The queue and its tasks: verify a ticket, run due follow-ups, re-verify, recover."""

    def __init__(
        self,
        services: Any,
        settings: Any = None,
        *,
        huey: Huey | None = None,
        lease_seconds: int = LEASE_SECONDS,
        retry_delay: int = RETRY_DELAY_SECONDS,
        pipeline_options: dict[str, Any] | None = None,
    ) -> None:
        self.services = services
        self.settings = settings if settings is not None else getattr(services, "settings", None)
        self.huey = huey or make_huey(self.settings)
        self.lease_seconds = lease_seconds
        self.pipeline_options = pipeline_options or {}
        self.installation = installation_of(services, self.settings)
        task = self.huey.task
        self.process_task = task(
            retries=RETRIES,
            retry_delay=retry_delay,
            retry_backoff=2,
            context=True,
            name="payverify.process_ticket",
        )(self._process_ticket)
        self.reverify_task = task(
            retries=RETRIES, retry_delay=retry_delay, retry_backoff=2, name="payverify.reverify"
        )(self._reverify)
        self.follow_ups_task = self.huey.periodic_task(
            crontab(minute="*"), name="payverify.follow_ups"
        )(self._run_due_follow_ups)
        self.recover_task = self.huey.periodic_task(crontab(minute="*"), name="payverify.recover")(
            self.recover
        )

    # ------------------------------------------------------------------ enqueue

    def enqueue_ticket(
        self,
        ticket_id: str,
        *,
        run_key: str,
        requester_email: str | None = None,
        source: str = "trigger",
    ) -> str:
        """Queue the pipeline for a ticket; returns the job id."""
        args = {
            "ticket_id": str(ticket_id),
            "requester_email": requester_email,
            "source": source,
            "run_key": run_key,
        }
        # No journal entry here: the queue itself keeps a queued job. The journal covers the
        # running ones (a worker may die holding one), and keeping the webhook's answer to one
        # queue write halves the queue's share of it (docs/BENCHMARKS.md).
        result = self.process_task(**args)
        return str(result.id)

    @cached_property
    def intake(self) -> GroupCommit:
        """The webhook deliveries' group commit (one writer thread per process)."""
        return GroupCommit(commit_for(self.services.store, self.huey.storage))

    def delivery_job(self, accepted: Any) -> Delivery:
        """A trigger's delivery (`plugin.web.triggers.Accepted`) with its serialized run.

        Handed to `self.intake` (`submit` or `submit_async`), which claims it and queues the
        run durably and once; a repeat of the delivery is answered as such and queues nothing.
        """
        job = self.process_task.s(
            ticket_id=str(accepted.ticket_id),
            requester_email=accepted.requester_email,
            source="demo" if accepted.source == "demo" else "trigger",
            run_key=accepted.run_key,
            id=accepted.run_key,  # the task is the run: its id needs no uuid4 of its own
        )
        return Delivery(accepted.delivery, self.huey.serialize_task(job))

    def enqueue_reverify(self, ticket_id: str, reason: str) -> str:
        """Queue an immediate re-verification of a ticket under follow-up (a billing event)."""
        return str(self.reverify_task(str(ticket_id), reason).id)

    # ------------------------------------------------------------------ tasks

    def pipeline(self) -> Pipeline:
        return Pipeline(self.services, self.settings, **self.pipeline_options)

    def _process_ticket(
        self, ticket_id: str, requester_email: str | None, source: str, run_key: str, task: Any
    ) -> dict[str, Any]:
        args = {
            "ticket_id": ticket_id,
            "requester_email": requester_email,
            "source": source,
            "run_key": run_key,
        }
        if not self._acquire(run_key):
            # Another worker has it: come back later rather than run it twice at once.
            raise ExternalError("queue", f"run {run_key} is in progress", permanent=False)
        started = time.monotonic()
        try:
            self._journal(run_key, args, state="running")
            result = self.pipeline().run(
                ticket_id,
                run_key=run_key,
                requester_email=requester_email,
                source=source,
                on_step=self._heartbeat(run_key, args),
            )
        except ExternalError as exc:
            last = exc.permanent or task is None or task.retries == 0
            if last:
                self._report_failure(ticket_id, run_key, exc)
                self._forget(run_key)
            else:
                self._journal(run_key, args, state="queued")
            if exc.permanent:
                log.warning("run %s parked: %s", run_key, exc)
                return {"parked": True, "step": getattr(exc, "step", None), "error": str(exc)}
            raise
        finally:
            self._release(run_key)
            _observe_job(time.monotonic() - started)
        self._forget(run_key)
        return {"verdict": result.verdict, "skipped": result.skipped}

    def _report_failure(self, ticket_id: str, run_key: str, exc: ExternalError) -> None:
        from plugin.followups import post_failure_note

        try:
            post_failure_note(self.services, ticket_id, run_key, exc)
        except ExternalError as note_exc:  # the helpdesk itself is what fails
            log.error("could not post the failure note on %s: %s", ticket_id, note_exc)

    def _reverify(self, ticket_id: str, reason: str) -> dict[str, Any]:
        from plugin.followups import reverify_ticket

        outcome = reverify_ticket(
            self.services, self.settings, ticket_id, reason=reason, source="billing_event"
        )
        pending = self.services.store.pending_follow_up(self.installation, ticket_id)
        if pending is not None and outcome["outcome"] in ("resolved", "escalated"):
            self.services.store.complete_follow_up(pending.id, f"{outcome['outcome']} ({reason})")
        return outcome

    def _run_due_follow_ups(self) -> list[dict[str, Any]]:
        from plugin.followups import run_due_follow_ups

        return run_due_follow_ups(self.services, self.settings)

    # ------------------------------------------------------------------ lease lock

    def _acquire(self, run_key: str) -> bool:
        """Take the run's lock; a lock older than the lease (its worker died) is taken over."""
        storage, key = self.huey.storage, LOCK + run_key
        until = str(time.time() + self.lease_seconds).encode()
        if storage.put_if_empty(key, until):
            return True
        held = storage.peek_data(key)
        if held is not EmptyData and float(held) < time.time():
            storage.pop_data(key)
            return bool(storage.put_if_empty(key, until))
        return False

    def _heartbeat(self, run_key: str, args: dict[str, Any]) -> Any:
        """After each step: renew the journal and the lock when a quarter of the lease is gone.

        The lease bounds how long a run may stay *silent*, not how long it may take: a slow but
        live run (a helpdesk answering in 20 s per call) is never retaken while it makes progress.
        """
        last = time.monotonic()

        def beat(_step: str) -> None:
            nonlocal last
            if time.monotonic() - last < self.lease_seconds / 4:
                return
            last = time.monotonic()
            self._journal(run_key, args, state="running")
            self.huey.storage.put_data(
                LOCK + run_key, str(time.time() + self.lease_seconds).encode()
            )

        return beat

    def _release(self, run_key: str) -> None:
        self.huey.storage.pop_data(LOCK + run_key)

    # ------------------------------------------------------------------ journal

    def _journal(self, run_key: str, args: dict[str, Any], *, state: str) -> None:
        entry = {"args": args, "state": state, "since": time.time(), "pid": os.getpid()}
        self.huey.storage.put_data(JOURNAL + run_key, json.dumps(entry).encode())

    def _forget(self, run_key: str) -> None:
        self.huey.storage.pop_data(JOURNAL + run_key)

    def in_flight(self) -> dict[str, dict[str, Any]]:
        """Journaled runs not finished yet, by run key."""
        items = self.huey.storage.result_items()
        return {
            (key.decode() if isinstance(key, bytes) else key)[len(JOURNAL) :]: json.loads(value)
            for key, value in items.items()
            if (key.decode() if isinstance(key, bytes) else key).startswith(JOURNAL)
        }

    def recover(self) -> list[str]:
        """Queue again every run left `running` past its lease (its worker died)."""
        now, requeued = time.time(), []
        for run_key, entry in self.in_flight().items():
            if entry.get("state") == "running" and now - entry["since"] > self.lease_seconds:
                log.warning("run %s was interrupted; queuing it again", run_key)
                self._release(run_key)
                self.enqueue_ticket(**entry["args"])
                requeued.append(run_key)
        return requeued

    # ------------------------------------------------------------------ consumers

    def drain(self, limit: int = 1000) -> int:
        """Run queued jobs in this thread until the queue is empty (tests, `demo --once`)."""
        done = 0
        while done < limit:
            task = self.huey.dequeue()
            if task is None:
                return done
            self.huey.execute(task)
            done += 1
        return done

    def consumer(self, workers: int = 2, periodic: bool = True) -> Any:
        """A huey consumer with thread workers (`payverify worker`)."""
        # An idle worker polls the SQLite queue with a growing pause (huey: up to 10 s by
        # default); capped at POLL_MAX_SECONDS so a new ticket waits at most that long. Redis
        # workers block on the list instead (BRPOP) and take a job at once.
        if isinstance(self.huey.storage, SqliteStorage):
            adopt_old_queue(self.huey.storage, Path(self.huey.storage.filename))
        return self.huey.create_consumer(
            workers=workers,
            worker_type="thread",
            periodic=periodic,
            check_worker_health=True,
            max_delay=POLL_MAX_SECONDS,
        )


def _observe_job(seconds: float) -> None:
    from plugin.web.prometheus import JOB_SECONDS

    JOB_SECONDS.observe(seconds)
