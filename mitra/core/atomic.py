"""Transaction blocks of the shared write functions, cheaper inside a sync entry (ADR 0025).

The cases' services, the API operations and every audited save open a `transaction.atomic()`
block, so that a row and its change history (or a case and its event) are written together. Run
on their own (an API request: no enclosing transaction) each block is the transaction. Run inside
a sync push, each entry already has its own savepoint, and every nested block would add one more
(SAVEPOINT + RELEASE: about 200 of the 490 statements of a push of 30). Inside `entry()` the
nested blocks therefore take no savepoint of their own: an exception in one marks the transaction
for rollback and propagates to the entry's block, which rolls back to the entry's savepoint, as
it did before (the push's handlers catch nothing between the two; `apply_entry` catches outside
the entry's block). Plain `transaction.atomic()` blocks inside (Django's `get_or_create`) keep
their savepoints, so code that catches an error and goes on still can.
"""

import contextvars
from contextlib import contextmanager

from django.db import transaction

_in_entry = contextvars.ContextVar("mitra_in_sync_entry", default=False)


def atomic():
    """`transaction.atomic()`, without a savepoint of its own inside a sync entry."""
    return transaction.atomic(savepoint=not _in_entry.get())


@contextmanager
def entry():
    """One sync entry's block: a savepoint that the nested `atomic()` blocks rely on."""
    with transaction.atomic():
        token = _in_entry.set(True)
        try:
            yield
        finally:
            _in_entry.reset(token)
