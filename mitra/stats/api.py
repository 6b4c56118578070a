"""Dashboards & reports over JSON, under /api/v1/stats/."""

from ninja import Router

router = Router(tags=["stats"])
