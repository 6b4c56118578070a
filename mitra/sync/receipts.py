"""The receipts of one pushed batch: claimed before its entries are written, completed after them
(ADR 0028 addendum).

A receipt is what makes a push idempotent: the device's uuid of an entry and the row the entry
became. Written one by one, inside each entry, they cost an INSERT per entry. Here the batch's new
uuids are claimed in one INSERT at its start (ON CONFLICT DO NOTHING ... RETURNING: a push of the
same entries running at the same time waits on that statement until this one commits, then finds
them taken and answers "duplicate", as the primary key made it before), the applied entries get
their rows in one UPDATE at the end, and the claims of entries that were not applied are taken
back in one DELETE, so the device can send those again. The claims live in the batch's
transaction, not in the entries' savepoints: an entry rolled back keeps its claim until the end.
"""

import uuid

from django.db import connection

from .models import SyncReceipt

_PENDING = ""  # object_id of a claim whose entry is not applied (yet)


class Receipts:
    def __init__(self, user, entries):
        self.user = user
        wanted = {e.uuid for e in entries}
        # Receipts that exist, and (after `claim`) those of entries applied in this batch.
        self.known: dict[uuid.UUID, SyncReceipt] = {
            r.uuid: r for r in SyncReceipt.objects.filter(pk__in=wanted)
        }
        self.ours: set[uuid.UUID] = set()
        self._applied: list[SyncReceipt] = []

    def claim(self, entries, device_time) -> None:
        """Claims the uuids of the entries without a receipt; a uuid another push holds is read
        back once that push has committed (its receipt answers "duplicate")."""
        new = {e.uuid: e for e in entries if e.uuid not in self.known}
        if not new:
            return
        rows = [
            SyncReceipt(
                uuid=u,
                user=self.user,
                kind=new[u].kind,
                object_id=_PENDING,
                entry_created_at=device_time(new[u]),
            )
            for u in sorted(new)  # one order for every batch: two pushes wait, never deadlock
        ]
        self.ours = _insert_new(rows)
        taken = set(new) - self.ours
        if taken:
            self.known.update({r.uuid: r for r in SyncReceipt.objects.filter(pk__in=taken)})

    def claimed(self, entry_uuid) -> bool:
        return entry_uuid in self.ours

    def get(self, entry_uuid):
        """The receipt of an entry already applied (before, or earlier in this batch)."""
        return self.known.get(entry_uuid)

    def of_ref(self, ref: uuid.UUID):
        """The receipt an entry's `*_ref` names: an applied entry's, or None (a claim of this
        batch not applied is not a row yet)."""
        if ref in self.known or ref in self.ours:
            return self.known.get(ref)
        return SyncReceipt.objects.filter(pk=ref).first()

    def applied(self, entry, obj) -> SyncReceipt:
        receipt = SyncReceipt(
            uuid=entry.uuid, user=self.user, kind=entry.kind, object_id=str(obj.pk)
        )
        self.known[entry.uuid] = receipt
        self._applied.append(receipt)
        return receipt

    def finish(self) -> None:
        """Completes the applied entries' receipts and takes back the other claims."""
        if self._applied:
            _complete(self._applied)
        unused = self.ours - {r.uuid for r in self._applied}
        if unused:
            SyncReceipt.objects.filter(pk__in=unused, object_id=_PENDING).delete()


# On PostgreSQL the rows go as one array per column: the statement's text is the same for every
# batch, so psycopg parses it once (a text with a placeholder per value is new for each batch
# size and cost about 8 ms to parse, more than the statement took to run).
_CLAIM_PG = """
INSERT INTO sync_syncreceipt (uuid, user_id, kind, object_id, applied_at, entry_created_at)
SELECT * FROM UNNEST(
    %s::uuid[], %s::bigint[], %s::varchar[], %s::varchar[], %s::timestamptz[], %s::timestamptz[]
)
ON CONFLICT (uuid) DO NOTHING RETURNING uuid
"""
_COMPLETE_PG = """
UPDATE sync_syncreceipt AS r SET object_id = v.object_id
FROM UNNEST(%s::uuid[], %s::varchar[]) AS v(uuid, object_id) WHERE r.uuid = v.uuid
"""
_COLUMNS = ("uuid", "user_id", "kind", "object_id", "applied_at", "entry_created_at")


def _insert_new(rows: list[SyncReceipt]) -> set[uuid.UUID]:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING uuid (PostgreSQL, and SQLite >= 3.35): the
    uuids this statement inserted."""
    if connection.vendor == "postgresql":
        sql, params = _CLAIM_PG, [[getattr(r, c) for r in rows] for c in _COLUMNS]
    else:
        one = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"
        sql = (
            f"INSERT INTO sync_syncreceipt ({', '.join(_COLUMNS)}) "  # noqa: S608 - no input
            f"VALUES {', '.join([one] * len(rows))} ON CONFLICT (uuid) DO NOTHING RETURNING uuid"
        )
        fields = [f for c in _COLUMNS for f in SyncReceipt._meta.concrete_fields if f.column == c]
        params = [
            f.get_db_prep_save(getattr(r, f.attname), connection) for r in rows for f in fields
        ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        returned = cursor.fetchall()
    return {SyncReceipt._meta.pk.to_python(v) for (v,) in returned}


def _complete(receipts: list[SyncReceipt]) -> None:
    """Each applied entry's receipt names its row: one statement (`bulk_update` spent more time
    building its CASE in Python than the database took to run it)."""
    if connection.vendor == "postgresql":
        params = [[r.uuid for r in receipts], [r.object_id for r in receipts]]
        with connection.cursor() as cursor:
            cursor.execute(_COMPLETE_PG, params)
        return
    pk = SyncReceipt._meta.pk
    keys = [pk.get_db_prep_value(r.uuid, connection) for r in receipts]
    params = [v for key, r in zip(keys, receipts, strict=True) for v in (key, r.object_id)]
    whens = " ".join(["WHEN %s THEN %s"] * len(receipts))
    where = ", ".join(["%s"] * len(keys))
    sql = (
        f"UPDATE sync_syncreceipt SET object_id = CASE uuid {whens} END "  # noqa: S608 - no input
        f"WHERE uuid IN ({where})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params + keys)
