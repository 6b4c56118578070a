"""Training records follow a worker who moves, and move with a merge."""

import pytest

from mitra.regions.models import Village
from mitra.training import services
from mitra.training.models import Certificate, Enrolment
from mitra.training.tests.builders import make_batch
from mitra.workers import services as registry
from mitra.workers.tests.builders import build_worker

pytestmark = pytest.mark.django_db


def _passed(worker, officer, **batch):
    b = make_batch(**batch)
    enrolment = services.nominate(b, worker, officer)
    ids = list(b.sessions.values_list("pk", flat=True))
    services.record_results(enrolment, officer, post_score=90, present_session_ids=ids)
    return services.issue_certificate(enrolment, officer)


def test_a_transfer_moves_training_records_to_the_new_area(bantul_officer, sleman_officer):
    worker = build_worker()
    cert = _passed(worker, bantul_officer)
    registry.transfer(worker, Village.objects.get(code="3404012001"), bantul_officer)
    assert Enrolment.objects.visible_to(sleman_officer).filter(worker=worker).exists()
    assert Certificate.objects.visible_to(sleman_officer).filter(pk=cert.pk).exists()
    assert not Enrolment.objects.visible_to(bantul_officer).filter(worker=worker).exists()


def test_a_merge_moves_enrolments_to_the_kept_record(bantul_officer):
    kept = build_worker(full_name="Siti Rahayu")
    duplicate = build_worker(full_name="Siti Rahayu")
    cert = _passed(duplicate, bantul_officer)
    registry.merge(kept, duplicate, bantul_officer)
    assert Enrolment.objects.get(certificate=cert).worker == kept


def test_a_merge_of_two_places_in_one_batch_is_refused_cleanly(bantul_officer):
    from django.core.exceptions import ValidationError

    a, b = build_worker(full_name="Siti Rahayu"), build_worker(full_name="Siti Rahayu")
    batch = make_batch()
    services.nominate(batch, a, bantul_officer)
    services.nominate(batch, b, bantul_officer)
    with pytest.raises(ValidationError):
        registry.merge(a, b, bantul_officer)
    b.refresh_from_db()
    assert b.merged_into is None and Enrolment.objects.filter(worker=b).exists()
