"""Page lists without counting every row in the user's reach.

A national officer's activity-report list spans millions of rows; Django's paginator counts them
all (a full scan, seconds on a cold start) to print "Page 1 of 50,000" that no one pages through.
`CappedPaginator` counts at most `cap + 1` rows, unordered: beyond the cap the list says "more
than 10.000" and asks for a filter, and the pages stop at the cap (ADR 0024).
"""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """A paginator whose count stops at `cap`; `capped` says whether rows lie beyond it."""

    def __init__(self, object_list, per_page, cap: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = COUNT_CAP if cap is None else cap

    @cached_property
    def _bounded_count(self) -> int:
        rows = self.object_list
        if hasattr(rows, "query"):
            # Unordered: the database stops at the first cap + 1 matches instead of sorting all.
            return rows.order_by()[: self.cap + 1].count()
        return min(len(rows), self.cap + 1)

    @cached_property
    def capped(self) -> bool:
        return self._bounded_count > self.cap

    @cached_property
    def count(self) -> int:
        return min(self._bounded_count, self.cap)
