"""The API's `count` for a wide reach, without counting millions of rows on every page.

Up to `COUNT_CAP` matching rows the count is exact and fresh: one count that stops at the cap.
Past the cap the full count is kept for `COUNT_TTL` seconds per query (its SQL and parameters,
so per reach and filter): a national client paging 2.5 million activity reports by offset gets
the total as of at most a minute ago, instead of a COUNT over all of them for every page of 50
(110-174 ms each under load; ADR 0024, addendum). A PSM's or a district's lists stay exact: they
never reach the cap.
"""

import hashlib

from django.core.cache import cache

from mitra.core.paging import COUNT_CAP

COUNT_TTL = 60
KEY_PREFIX = "api-count:"


def _key(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    text = f"{queryset.db}\x00{sql}\x00{params!r}"
    return KEY_PREFIX + hashlib.sha256(text.encode()).hexdigest()


def list_count(queryset) -> int:
    """The number of rows of `queryset`: exact below the cap, at most COUNT_TTL old above it."""
    rows = queryset.order_by()
    bounded = rows[: COUNT_CAP + 1].count()
    if bounded <= COUNT_CAP:
        return bounded
    key = _key(rows)
    found = cache.get(key)
    if found is None:
        found = rows.count()
        cache.set(key, found, COUNT_TTL)
    return found
