"""The province and national demo scales: bulk field work for the existing workers, then rollups."""

import pytest
from django.utils import timezone

from mitra.accounts.models import User
from mitra.cases.models import ActivityReport, Beneficiary, Case, Intervention
from mitra.stats import rollups
from mitra.stats.demo import seed_stats
from mitra.stats.tests.test_rollups_correctness import assert_rollups_match_raw
from mitra.workers.models import Worker
from mitra.workers.tests.builders import build_worker

pytestmark = pytest.mark.django_db


def test_province_scale_adds_field_work_for_the_existing_workers_and_builds_rollups(
    national_admin,
):
    workers = [build_worker(village="3301012001", status="active") for _ in range(3)]
    build_worker(village="3301012001", status="inactive")
    seed_stats("province")
    cases = Case.objects.filter(region_code__startswith="33")
    assert cases.exists() and Beneficiary.objects.filter(region_code__startswith="33").exists()
    # Work goes to the active workers there, in their villages; no pattern rows are left.
    assert set(cases.values_list("worker_id", flat=True)) <= {w.pk for w in workers}
    assert not cases.exclude(region_code="3301012001").exists()
    assert Intervention.objects.filter(case__in=cases).exists()
    assert ActivityReport.objects.filter(worker__in=workers).exists()
    assert Worker.objects.count() == 4
    assert not User.objects.filter(username="bulkseed").exists()
    assert rollups.rollups_ready()
    assert_rollups_match_raw(national_admin, timezone.localdate())


def test_seeding_again_adds_nothing(national_admin):
    build_worker(village="3301012001", status="active")
    seed_stats("province")
    count = Beneficiary.objects.count()
    seed_stats("province")
    assert Beneficiary.objects.count() == count
