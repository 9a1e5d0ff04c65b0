"""Database failures as `ExternalError`: lost connections may pass, the rest will not."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import exc

from core.errors import ExternalError

SERVICE = "sql_ledger"


@contextmanager
def translated(what: str) -> Iterator[None]:
    """Run a database step; its failure is raised as `ExternalError` without the URL or SQL."""
    try:
        yield
    except ExternalError:
        raise
    except (exc.OperationalError, exc.InterfaceError, exc.TimeoutError) as error:
        # connection refused, server gone, lock or statement timeout: trying later may pass
        cause = type(getattr(error, "orig", None) or error).__name__
        raise ExternalError(
            SERVICE,
            f"{what}: database unavailable ({cause})",
            permanent=False,
        ) from None
    except exc.SQLAlchemyError as error:
        raise ExternalError(
            SERVICE,
            f"{what}: {type(getattr(error, 'orig', None) or error).__name__}",
            permanent=True,
        ) from None
