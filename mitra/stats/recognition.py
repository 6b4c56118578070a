"""Award nominees and winners per year, read defensively: the awards app is built alongside the
dashboards, so a missing or different schema means "no figures yet", never an error page."""

from __future__ import annotations

import logging

from django.apps import apps
from django.db.models import Count, Q

from mitra.core.scope import prefix_q

log = logging.getLogger(__name__)


def recognition_by_year(user, code: str, filters) -> dict[int, dict[str, int]]:
    """{year: {"nominees": n, "winners": n}} over the award cycles of the period's years.

    A nominee is a worker with a nomination not withdrawn in that year's cycle (a nomination
    carried to the next stage is the same worker, counted once); a winner is a worker whose
    nomination has the status winner."""
    try:
        model = apps.get_model("awards", "Nomination")
    except LookupError:
        return {}
    try:
        qs = model.objects.visible_to(user)
        if code:
            qs = qs.filter(prefix_q("region_code", code))
        qs = qs.filter(
            cycle__year__gte=filters.date_from.year, cycle__year__lte=filters.date_to.year
        ).exclude(status="withdrawn")
        if filters.worker_kind:
            qs = qs.filter(cycle__worker_kind=filters.worker_kind)
        rows = (
            qs.values("cycle__year")
            .order_by()
            .annotate(
                nominees=Count("worker", distinct=True),
                winners=Count("worker", distinct=True, filter=Q(status="winner")),
            )
        )
        return {
            r["cycle__year"]: {"nominees": r["nominees"], "winners": r["winners"]} for r in rows
        }
    except Exception:  # noqa: BLE001 - a half-built awards schema must not break dashboards
        log.warning("award figures unavailable", exc_info=True)
        return {}
