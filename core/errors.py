"""The one error type for the outside world."""

from __future__ import annotations


class ExternalError(Exception):
    """A call to a helpdesk, billing system, database or mail server that did not succeed.

    `permanent` tells the job queue whether trying again may help (a timeout, a 5xx,
    a 429) or not (a 401, a 404, a refused request): it retries the first kind and
    parks the second. `service` names the system, never a secret.
    """

    def __init__(
        self,
        service: str,
        message: str,
        *,
        permanent: bool,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(f"{service}: {message}")
        self.service = service
        self.message = message
        self.permanent = permanent
        self.status = status
        self.retry_after = retry_after


class NotFound(ExternalError):
    """The outside system answered that the object does not exist."""

    def __init__(self, service: str, message: str, *, status: int | None = 404) -> None:
        super().__init__(service, message, permanent=True, status=status)
