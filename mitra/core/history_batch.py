"""The change-history rows of a batch of writes (a sync push), inserted once at its end.

Every audited save writes its `ChangeLog` row at once: one INSERT per row changed, 36 of the 290
statements of a push of 30 entries. Inside `batched_history()` the rows wait in a list and go in
one INSERT when the batch is done, still inside its transaction: the history is as complete and
as atomic as before, with the same times (each row's `at` is taken when it is recorded). The rows
of an entry that is rolled back are dropped with it (`entry_history()`), so a refused entry
leaves no history, as before. Outside a batch (a page, an API call) nothing changes.
"""

import contextvars
from contextlib import contextmanager

_pending = contextvars.ContextVar("mitra_pending_history", default=None)


def pending_rows() -> list | None:
    """The list a `ChangeLog` row goes to instead of the database, inside a batch."""
    return _pending.get()


@contextmanager
def batched_history():
    rows: list = []
    token = _pending.set(rows)
    try:
        yield
    finally:
        _pending.reset(token)
    if rows:
        from .models import ChangeLog

        ChangeLog.objects.bulk_create(rows, batch_size=500)


@contextmanager
def entry_history():
    """One entry of the batch: its rows are kept only if it completes."""
    rows = _pending.get()
    mark = len(rows) if rows is not None else 0
    try:
        yield
    except BaseException:
        if rows is not None:
            del rows[mark:]
        raise
