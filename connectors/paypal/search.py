"""Transaction Search in windows: PayPal answers date ranges of at most 31 days.

https://developer.paypal.com/docs/api/transaction-search/v1/ — `start_date` and
`end_date` at most 31 days apart; data lags behind by up to about three hours.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

from connectors.paypal.client import MAX_WINDOW, PayPalApi
from connectors.paypal.models import TransactionDetail


class TransactionSearch:
    """Walks back from now, newest window first, over `GET /v1/reporting/transactions`."""

    def __init__(self, api: PayPalApi, now: Callable[[], datetime], *, max_pages: int) -> None:
        self.api = api
        self.now = now
        self.max_pages = max_pages

    def windows(self, days: int) -> Iterator[tuple[datetime, datetime]]:
        """(start, end) pairs covering the last `days` days, none longer than 31 days."""
        end = self.now()
        oldest = end - timedelta(days=days)
        while end > oldest:
            start = max(end - MAX_WINDOW, oldest)
            yield start, end
            end = start

    def recent(self, days: int) -> Iterator[TransactionDetail]:
        """Every transaction of the last `days` days (a window's pages followed)."""
        for start, end in self.windows(days):
            for page in range(1, self.max_pages + 1):
                answer = self.api.transactions(start, end, page=page)
                yield from answer.transaction_details
                if page >= answer.total_pages:
                    break

    def find(self, transaction_id: str, days: int) -> TransactionDetail | None:
        """The transaction with this id, looked for window by window; None when not found."""
        if not transaction_id.isalnum():  # PayPal ids are 17 letters and digits
            return None
        for start, end in self.windows(days):
            answer = self.api.transactions(start, end, transaction_id=transaction_id)
            for detail in answer.transaction_details:
                if detail.transaction_info.transaction_id == transaction_id:
                    return detail
        return None
