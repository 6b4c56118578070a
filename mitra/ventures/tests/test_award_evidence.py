"""The award's evidence sheet counts a PSM's productive ventures running at the end of the
evaluated period, so a stage can use it as a computed criterion."""

import datetime

import pytest

from mitra.awards.evidence import evidence_for_workers
from mitra.awards.models import Metric

from .builders import build_venture

pytestmark = pytest.mark.django_db
START, END = datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)


def test_the_evidence_counts_ventures_running_at_the_end_of_the_period(regions):
    running = build_venture(started_on=datetime.date(2024, 5, 1))
    worker = running.worker
    build_venture(worker=worker, name="Berhenti", status="stopped",
                  started_on=datetime.date(2024, 1, 1), stopped_on=datetime.date(2025, 6, 1),
                  stop_reason="market")  # fmt: skip
    build_venture(worker=worker, name="Nanti", started_on=datetime.date(2026, 2, 1))
    build_venture(worker=worker, name="Rencana", status="planned", started_on=None)
    sheet = evidence_for_workers([worker.pk], START, END)[worker.pk]
    assert sheet["ventures_running"] == 1
    assert Metric.VENTURES_RUNNING == "ventures_running"
