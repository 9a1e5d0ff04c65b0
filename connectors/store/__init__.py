"""The store: SQLAlchemy 2 + Alembic on SQLite (default) or PostgreSQL; implements `Store`."""

from __future__ import annotations

from connectors.store.engine import DEFAULT_DATABASE_URL, normalize_url
from connectors.store.repository import SqlStore


def create_store(url: str = DEFAULT_DATABASE_URL) -> SqlStore:
    """A store on `url`, migrated to the newest schema."""
    return SqlStore.create(url)


__all__ = ["DEFAULT_DATABASE_URL", "SqlStore", "create_store", "normalize_url"]
