"""Alembic environment: runs on the connection payverify hands over, or on DATABASE_URL.

`connectors.store.migrate.upgrade(engine)` passes its connection in
`config.attributes["connection"]`; the `alembic` command line (see docs/STORE.md) builds
an engine from `-x url=...`, else `DATABASE_URL`, else `POSTGRES_URL`.
"""

from __future__ import annotations

import os

from alembic import context

from connectors.store.engine import DEFAULT_DATABASE_URL, make_engine
from connectors.store.tables import metadata

config = context.config


def _configure_and_run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things in place; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection)
        return
    url = (
        context.get_x_argument(as_dictionary=True).get("url")
        or os.environ.get("DATABASE_URL")
        or os.environ.get("POSTGRES_URL")
        or DEFAULT_DATABASE_URL
    )
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            _configure_and_run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("payverify migrations run online only: pass -x url=... or DATABASE_URL")
run_migrations_online()
