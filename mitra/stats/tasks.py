"""Background refresh of the dashboards' rollups, on a queue of its own ("rollups") that the
low-priority `mitra stats-worker` takes (ADR 0027): it must never compete with the pages."""

from django.tasks import task

QUEUE = "rollups"


@task(queue_name=QUEUE)
def refresh_rollups() -> int:
    """Recompute the districts marked dirty since the last run; returns how many."""
    from .rollups import refresh_dirty

    return refresh_dirty()
