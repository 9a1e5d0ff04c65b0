"""`SqlStore`: payverify's memory on SQLite or PostgreSQL, implementing `core.ports.Store`."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from connectors.store import migrate
from connectors.store.columns import UtcDateTime
from connectors.store.engine import _WRITE, make_engine, reading, writing
from connectors.store.follow_ups import FollowUps
from connectors.store.ledger import CreditLedger
from connectors.store.metrics import Metrics
from connectors.store.tables import deliveries, job_steps, verifications
from connectors.store.upsert import insert_if_absent
from core.errors import ExternalError
from core.models import Case, Decision
from core.ports import VerificationRecord

# One statement of fixed text whatever the batch size (compiled once, then cached): the keys
# travel as one JSON array. "WHERE true" keeps SQLite from reading ON CONFLICT as a join
# clause (https://www.sqlite.org/lang_upsert.html, "Parsing Ambiguity").
_CLAIM_MANY_SQLITE = sa.text(
    "INSERT INTO deliveries (key, created_at) SELECT value, :at FROM json_each(:keys) "
    "WHERE true ON CONFLICT (key) DO NOTHING RETURNING key"
).bindparams(sa.bindparam("at", type_=UtcDateTime))
_CLAIM_MANY_POSTGRES = sa.text(
    "INSERT INTO deliveries (key, created_at) "
    "SELECT value, :at FROM json_array_elements_text(CAST(:keys AS json)) "
    "ON CONFLICT (key) DO NOTHING RETURNING key"
).bindparams(sa.bindparam("at", type_=UtcDateTime))


def _on_sqlite(connection: sa.Connection) -> bool:
    return connection.dialect.name == "sqlite"


def _verification(row: Any) -> VerificationRecord:
    return VerificationRecord(
        id=row.id,
        installation=row.installation,
        ticket_id=row.ticket_id,
        case=row.case_snapshot,
        decision=row.decision,
        verdict=row.verdict,
        scenario=row.scenario,
        tier=row.tier,
        language=row.language,
        mode=row.mode,
        source=row.source,
        created_at=row.created_at,
    )


class SqlStore(CreditLedger, FollowUps, Metrics):
    """The store over one SQLAlchemy engine; build it with `SqlStore.create(url)`."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    @classmethod
    def create(cls, url: str, *, migrate_to_head: bool = True) -> SqlStore:
        """Connect to `url` and bring its schema to the newest migration."""
        engine = make_engine(url)
        if migrate_to_head:
            try:
                migrate.upgrade(engine)
            except SQLAlchemyError as exc:
                engine.dispose()
                raise ExternalError(
                    "store", f"cannot migrate the database: {type(exc).__name__}", permanent=False
                ) from exc
        return cls(engine)

    @property
    def url(self) -> str:
        """The database URL with any password hidden."""
        return self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    def ping(self) -> None:
        """Raise ExternalError when the database cannot be reached."""
        try:
            with self.engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
        except SQLAlchemyError as exc:
            raise ExternalError(
                "store", f"unreachable: {type(exc).__name__}", permanent=False
            ) from exc

    # ------------------------------------------------------------------ verifications

    def record_verification(
        self, installation: str, case: Case, decision: Decision, *, mode: str, source: str
    ) -> int:
        """Log a decision with the case snapshot; returns its id."""
        with writing(self.engine) as connection:
            return int(
                connection.execute(
                    verifications.insert()
                    .values(
                        installation=installation,
                        ticket_id=str(case.ticket.id),
                        customer_id=case.customer.id if case.customer else None,
                        case_snapshot=case.model_dump(mode="json"),
                        decision=decision.model_dump(mode="json"),
                        verdict=decision.verdict.value if decision.verdict else None,
                        scenario=decision.scenario.value if decision.scenario else None,
                        tier=decision.tier.value,
                        language=decision.language,
                        mode=mode,
                        source=source,
                        created_at=datetime.now(UTC),
                    )
                    .returning(verifications.c.id)
                ).scalar_one()
            )

    def latest_verification(self, installation: str, ticket_id: str) -> VerificationRecord | None:
        """The most recent decision for a ticket."""
        with reading(self.engine) as connection:
            row = connection.execute(
                sa.select(verifications)
                .where(
                    verifications.c.installation == installation,
                    verifications.c.ticket_id == str(ticket_id),
                )
                .order_by(verifications.c.id.desc())
                .limit(1)
            ).one_or_none()
        return _verification(row) if row is not None else None

    # ------------------------------------------------------------------ deliveries and steps

    def claim_delivery(self, key: str) -> bool:
        """True for the first caller with this key (a webhook delivery is processed once)."""
        with writing(self.engine) as connection:
            return insert_if_absent(
                connection, deliveries, {"key": key, "created_at": datetime.now(UTC)}, ["key"]
            )

    def claim_deliveries(
        self,
        keys: Sequence[str],
        then: Callable[[sa.Connection, list[str]], None] | None = None,
    ) -> list[str]:
        """Claim many deliveries in one transaction; returns the keys this call claimed.

        `then(connection, claimed)` runs inside the same transaction, so what the claims guard
        (the jobs, when the queue lives in this database) commits with them or not at all; if
        it raises, no claim is kept. On SQLite the commit is synced to disk (synchronous=FULL)
        like the queue's own: a delivery answered 202 survives a power cut, not only a crash.
        https://www.sqlite.org/pragma.html#pragma_synchronous
        """
        unique = list(dict.fromkeys(keys))  # a repeat inside one batch is a duplicate
        if not unique:
            return []
        with self.engine.connect() as connection:
            driver = connection.connection.driver_connection if _on_sqlite(connection) else None
            if driver is not None:
                driver.execute("PRAGMA synchronous=FULL")
            try:
                connection.execution_options(**{_WRITE: True})
                with connection.begin():
                    claim = _CLAIM_MANY_SQLITE if driver is not None else _CLAIM_MANY_POSTGRES
                    rows = connection.execute(
                        claim, {"keys": json.dumps(unique), "at": datetime.now(UTC)}
                    )
                    inserted = {row[0] for row in rows}
                    claimed = [key for key in unique if key in inserted]
                    if then is not None:
                        then(connection, claimed)
            finally:
                if driver is not None:
                    driver.execute("PRAGMA synchronous=NORMAL")  # the engine's default
        return claimed

    def release_delivery(self, key: str) -> None:
        """Forget a claimed delivery whose job could not be queued, so its redelivery runs."""
        with writing(self.engine) as connection:
            connection.execute(deliveries.delete().where(deliveries.c.key == key))

    def step_result(self, run_key: str, step: str) -> dict[str, Any] | None:
        """What a pipeline step returned when it last completed for this run, if it did."""
        with reading(self.engine) as connection:
            result = connection.execute(
                sa.select(job_steps.c.result).where(
                    job_steps.c.run_key == run_key, job_steps.c.step == step
                )
            ).scalar_one_or_none()
        return dict(result) if result is not None else None

    def save_step_result(self, run_key: str, step: str, result: dict[str, Any]) -> None:
        """Record a completed step; the first result recorded for a step stays."""
        with writing(self.engine) as connection:
            insert_if_absent(
                connection,
                job_steps,
                {
                    "run_key": run_key,
                    "step": step,
                    "result": result,
                    "created_at": datetime.now(UTC),
                },
                ["run_key", "step"],
            )

    def prune(self, before: datetime) -> int:
        """Forget delivery keys and job steps older than `before`; returns how many rows went."""
        with writing(self.engine) as connection:
            gone = connection.execute(deliveries.delete().where(deliveries.c.created_at < before))
            steps = connection.execute(job_steps.delete().where(job_steps.c.created_at < before))
            return gone.rowcount + steps.rowcount
