"""The generated bench dataset runs training as the regencies do: a batch per regency and level,
its places within its seats; not the whole country in two batches (which no batch form accepts
and which made the batch list count 165,000 places on every view)."""

import datetime

import pytest
from django.db.models import Count, F

from mitra.stats import bulkseed
from mitra.training.models import Batch, Enrolment

pytestmark = pytest.mark.django_db


def test_generated_training_has_a_batch_per_regency_within_its_seats(regions, national_admin):
    bulkseed.build(
        provinces=["34"],
        workers=700,
        beneficiaries=50,
        reports=50,
        interventions_per_case=1,
        today=datetime.date(2026, 12, 1),
        log=lambda *_: None,
    )
    enrolments = Enrolment.objects.all()
    assert enrolments.count() == 700 // 4 + 700 // 7  # every fourth and every seventh worker
    batches = Batch.objects.annotate(places=Count("enrolments"))
    regencies = {b.region_code for b in batches}
    assert len(regencies) > 1 and all(len(code) == 4 for code in regencies)
    assert batches.count() == 2 * len(regencies)  # an advanced and a basic batch each
    for batch in batches:
        assert batch.places <= batch.quota, (batch.name, batch.places, batch.quota)
    assert max(b.places for b in batches) < enrolments.count() / 3  # spread, not in two
    # Each place is in the batch of the worker's own regency.
    assert not enrolments.exclude(region_code__startswith=F("batch__region_code")).exists()
