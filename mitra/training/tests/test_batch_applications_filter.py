"""The batch list's "applications waiting for your decision" filter (the home page links to it):
batches holding an application of a worker the officer sees, and only for those who decide."""

import pytest
from django.urls import reverse

from mitra.training.models import Enrolment, EnrolmentStatus
from mitra.workers.models import Status
from mitra.workers.tests.builders import build_worker

from .builders import make_batch

pytestmark = pytest.mark.django_db


@pytest.fixture
def batches():
    bantul = build_worker(status=Status.ACTIVE, full_name="PSM Bantul")
    sleman = build_worker(village="3404012001", status=Status.ACTIVE, full_name="PSM Sleman")
    waiting = make_batch(name="Menunggu")
    only_sleman = make_batch(name="Sleman saja")
    decided = make_batch(name="Sudah diputus")
    Enrolment.objects.create(batch=waiting, worker=bantul, status=EnrolmentStatus.APPLIED)
    Enrolment.objects.create(batch=only_sleman, worker=sleman, status=EnrolmentStatus.APPLIED)
    Enrolment.objects.create(batch=decided, worker=bantul, status=EnrolmentStatus.ENROLLED)
    return {"waiting": waiting, "only_sleman": only_sleman, "decided": decided}


def _listed(client, **params):
    response = client.get(reverse("training:batch_list"), params)
    return {b.name for b in response.context["object_list"]}


def test_the_filter_keeps_batches_with_applications_of_the_officers_own_workers(
    batches, bantul_officer, diy_officer, client_for
):
    assert _listed(client_for(bantul_officer), applications="waiting") == {"Menunggu"}
    assert _listed(client_for(diy_officer), applications="waiting") == {
        "Menunggu",
        "Sleman saja",
    }
    assert len(_listed(client_for(bantul_officer))) == 3


def test_someone_who_cannot_decide_has_nothing_waiting(batches, jetis_supervisor, client_for):
    assert _listed(client_for(jetis_supervisor), applications="waiting") == set()
