"""Background refresh of the dashboards' rollups (run by `mitra worker`)."""

from django.tasks import task


@task
def refresh_rollups() -> int:
    """Recompute the districts marked dirty since the last run; returns how many."""
    from .rollups import refresh_dirty

    return refresh_dirty()
