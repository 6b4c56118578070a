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

The entry's own savepoint is not released when the entry succeeds (ADR 0028 addendum): a RELEASE
is one more round trip per entry and frees nothing the batch needs (the transaction ends a few
entries later and takes them all). A later entry that fails rolls back to its own savepoint,
which the earlier ones do not touch.
"""

import contextvars
from contextlib import contextmanager

from django.db import Error, transaction
from django.db.transaction import TransactionManagementError

_in_entry = contextvars.ContextVar("mitra_in_sync_entry", default=False)


def atomic():
    """`transaction.atomic()`, without a savepoint of its own inside a sync entry."""
    return transaction.atomic(savepoint=not _in_entry.get())


@contextmanager
def entry():
    """One sync entry's block, inside the batch's transaction: a savepoint that the nested
    `atomic()` blocks rely on, rolled back to when the entry fails (as `transaction.atomic()`
    does) and left in place when it succeeds."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise TransactionManagementError("A sync entry runs inside its batch's transaction.")
    sid = connection.savepoint()
    connection.savepoint_ids.append(sid)  # on_commit callbacks of a failed entry are dropped
    token = _in_entry.set(True)
    try:
        yield
        if connection.needs_rollback:
            # A nested block failed and its error was swallowed: none of the entry may stay.
            raise TransactionManagementError("The entry's writes were rolled back.")
    except BaseException:
        connection.savepoint_ids.pop()
        connection.needs_rollback = False
        try:
            connection.savepoint_rollback(sid)
        except Error:
            connection.needs_rollback = True  # the batch's transaction cannot go on
        raise
    else:
        connection.savepoint_ids.pop()
    finally:
        _in_entry.reset(token)
