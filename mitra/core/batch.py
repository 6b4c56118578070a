"""Lookups a batch of writes (a sync push) answers once for all its entries.

A push of 30 entries asked for the same village (the PSM's own, for each report and new person)
and the same PMKS categories once per entry. Inside `batch()`, `memo(key, compute)` keeps the
first answer for the rest of the batch; outside (an API request, a page), it computes every
time, as before. Only answers that cannot change within one user's batch belong here: reference
data and the user's own area. An error raised by `compute` is not kept.
"""

import contextvars
from contextlib import contextmanager

_memo = contextvars.ContextVar("mitra_batch_memo", default=None)


@contextmanager
def batch():
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def memo(key, compute):
    cache = _memo.get()
    if cache is None:
        return compute()
    if key not in cache:
        cache[key] = compute()
    return cache[key]
