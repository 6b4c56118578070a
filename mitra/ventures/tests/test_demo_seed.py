"""The ventures demo seed: the Trimulyo demo PSM runs a venture with a Kemensos grant and
quarterly results; every seeded row keeps the section's rules; running it again adds nothing."""

import pytest

from mitra.ventures import services
from mitra.ventures.demo import seed_ventures
from mitra.ventures.models import Support, Venture, VentureResult
from mitra.workers.models import Status
from mitra.workers.tests.builders import build_worker

pytestmark = pytest.mark.django_db


def test_the_trimulyo_psm_runs_one_and_the_seed_keeps_the_rules(regions, trimulyo_worker):
    build_worker(user=trimulyo_worker, status=Status.ACTIVE)
    for i in range(12):
        build_worker(village="3404012001", full_name=f"PSM {i}", status=Status.ACTIVE)
    written = seed_ventures("demo")
    assert written == 3  # Trimulyo's and one PSM in six of the other twelve
    own = Venture.objects.visible_to(trimulyo_worker).get()
    assert own.status == "running"
    assert own.supports.filter(source="kemensos", amount=5_000_000).exists()
    assert own.results.count() == 4
    for venture in Venture.objects.all():
        services.check_venture(venture)
    for support in Support.objects.all():
        services.check_support(support)
    for result in VentureResult.objects.all():
        services.check_result(result)
    assert seed_ventures("demo") == 0
