"""Training needs: who in an area still needs training, and the counts per child region.

For the user's scope (`Worker.objects.visible_to`), the active PSM of an area are split by
`services.training_needs` into three lists: without basic training, trained but without advanced
training, and with a certificate that expires within 90 days. Beside the lists, one table counts
per child region at the area's level (national -> provinces -> regencies -> districts ->
villages): active PSM, with basic, without basic, with advanced, without advanced, expiring.

Decisions:
- Only PSM count (kind `psm`): basic PSM training is their appointment requirement; the other
  worker kinds (TKSK, Tagana, ...) have their own training paths. Merged records never count.
- The counts are ONE grouped query: `GROUP BY SUBSTR(region_code, 1, n)` over the scoped, active
  PSM, with conditional COUNTs. "Passed advanced" and "certificate expiring" are uncorrelated
  `IN (subquery)` filters, which PostgreSQL runs as one hashed sub-plan and SQLite as one
  ephemeral index, not once per row. The list totals (and the paginator's count) come from the
  same query, so a page runs: regions (1), counts (1), list page (1), and for the expiring list
  the page's certificates (1). The lists' filters come from `services.training_needs`; the tests
  check that the counts equal those lists on random data.
- An area is a region inside the user's scope. A region outside it is 404; a region above it (the
  path to it, or the national page for a regency officer) redirects to the user's own area, since
  its numbers would silently cover only part of that region.
- Exports (CSV, XLSX) need `training.export_training`; NIK is masked unless `workers.view_nik`;
  one access-log row per export (written before the first byte leaves); lists longer than the
  workers export's streaming limit run as a background job, downloaded (and logged) like the
  workers export.
- `worker_training(worker, user)` is what the worker profile's training tab shows.
"""

from .exports import export_columns
from .profile import worker_training
from .queries import (
    COUNT_KEYS,
    NEEDS_LISTS,
    AboveScope,
    Area,
    needs_counts,
    needs_queryset,
    needs_url,
    resolve_area,
)

__all__ = [
    "COUNT_KEYS",
    "NEEDS_LISTS",
    "AboveScope",
    "Area",
    "export_columns",
    "needs_counts",
    "needs_queryset",
    "needs_url",
    "resolve_area",
    "worker_training",
]
