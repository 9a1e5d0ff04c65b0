"""INSERT ... ON CONFLICT DO NOTHING on SQLite and PostgreSQL alike: the store's race-safe claim."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite


def insert_if_absent(
    connection: sa.Connection, table: sa.Table, values: dict[str, Any], keys: Sequence[str]
) -> bool:
    """Insert a row unless one with the same `keys` exists; True when this call inserted it."""
    dialect = connection.dialect.name
    if dialect == "postgresql":
        statement: Any = postgresql.insert(table).values(**values)
    elif dialect == "sqlite":
        statement = sqlite.insert(table).values(**values)
    else:  # pragma: no cover - make_engine refuses other databases
        raise ValueError(f"unsupported database {dialect!r}")
    # RETURNING says whether a row went in; rowcount is not reliable across drivers.
    statement = statement.on_conflict_do_nothing(index_elements=list(keys))
    inserted = connection.execute(statement.returning(table.c[keys[0]])).first()
    return inserted is not None
