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
            SyncReceipt.objects.bulk_update(self._applied, ["object_id"])
        unused = self.ours - {r.uuid for r in self._applied}
        if unused:
            SyncReceipt.objects.filter(pk__in=unused, object_id=_PENDING).delete()


def _insert_new(rows: list[SyncReceipt]) -> set[uuid.UUID]:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING uuid (PostgreSQL, and SQLite >= 3.35): the
    uuids this statement inserted."""
    meta = SyncReceipt._meta
    fields = [meta.get_field(n) for n in ("uuid", "user", "kind", "object_id", "applied_at")]
    fields.append(meta.get_field("entry_created_at"))
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    params, values = [], []
    for row in rows:
        values.append("(" + ", ".join(["%s"] * len(fields)) + ")")
        for f in fields:
            params.append(f.get_db_prep_save(getattr(row, f.attname), connection))
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    insert = f"INSERT INTO {table} ({columns}) VALUES {', '.join(values)}"  # noqa: S608 - ids
    sql = f"{insert} ON CONFLICT ({pk}) DO NOTHING RETURNING {pk}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        returned = cursor.fetchall()
    return {meta.pk.to_python(v) for (v,) in returned}
