"""The registry's rules, below the pages and the API."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from mitra.core.current import acting_as
from mitra.core.models import ChangeLog
from mitra.regions.models import Village
from mitra.workers import services
from mitra.workers.models import Status, Worker, WorkerEvent
from mitra.workers.tests.builders import build_worker
from mitra.workers.validation import validate_worker_fields

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def _ready(worker):
    worker.ktp_checked = True
    worker.basic_training_on = datetime.date(2024, 3, 1)
    worker.save()
    return worker


def test_requirements_list_what_is_missing():
    worker = build_worker(birth_date=TODAY.replace(year=TODAY.year - 17))
    missing = {r.key for r in services.missing_requirements(worker)}
    assert missing == {"age", "ktp", "training"}


def test_verification_is_refused_while_requirements_are_missing(bantul_officer):
    worker = build_worker()
    with pytest.raises(ValidationError) as exc:
        services.change_status(worker, Status.VERIFIED, bantul_officer)
    assert exc.value.code == "requirements"
    worker.refresh_from_db()
    assert worker.status == Status.APPLIED and not worker.events.exists()


def test_the_decree_activates_a_verified_worker(bantul_officer):
    worker = _ready(build_worker())
    services.change_status(worker, Status.VERIFIED, bantul_officer)
    with pytest.raises(ValidationError) as exc:
        services.change_status(worker, Status.ACTIVE, bantul_officer)
    assert exc.value.code == "decree"
    services.record_decree(
        worker,
        bantul_officer,
        number="460/12/2025",
        issued_on=TODAY,
        office="Dinas Sosial Kabupaten Bantul",
    )
    worker.refresh_from_db()
    assert worker.status == Status.ACTIVE
    steps = list(worker.events.order_by("at").values_list("from_status", "to_status"))
    assert steps == [(Status.APPLIED, Status.VERIFIED), (Status.VERIFIED, Status.ACTIVE)]


def test_exit_needs_a_reason_and_the_right_role(bantul_officer, jetis_supervisor):
    worker = _ready(build_worker())
    services.change_status(worker, Status.VERIFIED, bantul_officer)
    services.record_decree(worker, bantul_officer, number="1", issued_on=TODAY, office="X")
    with pytest.raises(PermissionDenied):
        services.change_status(worker, Status.EXITED, jetis_supervisor, reason="pindah")
    with pytest.raises(ValidationError):
        services.change_status(worker, Status.EXITED, bantul_officer, reason="  ")
    services.change_status(worker, Status.EXITED, bantul_officer, reason="Mengundurkan diri")
    assert Worker.objects.get(pk=worker.pk).status == Status.EXITED


def test_a_step_outside_the_lifecycle_is_refused(bantul_officer):
    worker = build_worker()
    with pytest.raises(ValidationError) as exc:
        services.change_status(worker, Status.ACTIVE, bantul_officer)
    assert exc.value.code == "transition"


def test_a_stale_version_is_a_conflict_and_changes_nothing(bantul_officer):
    worker = _ready(build_worker())
    stale = worker.version
    services.change_status(worker, Status.VERIFIED, bantul_officer, expected_version=stale)
    other = Worker.objects.get(pk=worker.pk)
    with pytest.raises(ValidationError) as exc:
        services.change_status(other, Status.APPLIED, bantul_officer, expected_version=stale)
    assert exc.value.code == "conflict"
    assert Worker.objects.get(pk=worker.pk).status == Status.VERIFIED


def test_transfer_keeps_history_and_moves_scope(bantul_officer, sleman_officer):
    worker = build_worker()
    services.change_status(_ready(worker), Status.VERIFIED, bantul_officer)
    sleman_village = Village.objects.filter(code__startswith="3404").first()
    services.transfer(worker, sleman_village, bantul_officer, reason="pindah domisili")
    worker.refresh_from_db()
    assert worker.region_code == sleman_village.code and not worker.ktp_checked
    assert worker.events.count() == 2
    assert Worker.objects.visible_to(sleman_officer).filter(pk=worker.pk).exists()
    assert not Worker.objects.visible_to(bantul_officer).filter(pk=worker.pk).exists()
    assert WorkerEvent.objects.visible_to(sleman_officer).filter(worker=worker).count() == 2


def test_a_nik_registered_elsewhere_names_the_region_not_the_person():
    first = build_worker(full_name="Siti Rahayu")
    second = build_worker(village="3404012001", save=False, full_name="Orang Lain", nik=first.nik)
    with pytest.raises(ValidationError) as exc:
        validate_worker_fields(second)
    message = exc.value.message_dict["nik"][0]
    assert "34.02.09.2004" in message and "Siti" not in message


def test_nik_must_match_sex_and_birth_date():
    worker = build_worker(save=False, sex="P")
    worker.sex = "L"
    with pytest.raises(ValidationError) as exc:
        validate_worker_fields(worker)
    assert "nik" in exc.value.message_dict


def test_likely_duplicates_and_merge_keep_every_record(bantul_officer):
    a = build_worker(full_name="Siti Rahayu")
    b = build_worker(full_name="Hj. Siti Rahayu, S.Pd", phone="081234567890")
    services.change_status(_ready(b), Status.VERIFIED, bantul_officer)
    assert services.likely_duplicates(a) == [b]
    assert services.duplicate_pairs(Worker.objects.all()) in ([(a, b)], [(b, a)])
    services.merge(a, b, bantul_officer)
    a.refresh_from_db()
    b.refresh_from_db()
    assert b.merged_into == a and b.status == Status.EXITED
    assert a.phone == "081234567890"
    assert a.events.filter(to_status=Status.VERIFIED).exists()  # b's history moved over
    assert b.events.filter(kind=WorkerEvent.Kind.MERGE).exists()
    assert Worker.objects.registered().filter(pk=b.pk).count() == 0


def test_identity_change_waits_for_the_officer(bantul_officer, trimulyo_worker):
    worker = build_worker(user=trimulyo_worker)
    req = services.request_identity_change(
        worker, trimulyo_worker, {"birth_place": "Yogyakarta", "phone": "x"}
    )
    assert req.changes == {"birth_place": "Yogyakarta"}
    assert Worker.objects.get(pk=worker.pk).birth_place == "Bantul"
    with pytest.raises(PermissionDenied):
        services.decide_identity_change(req, trimulyo_worker, True)
    services.decide_identity_change(req, bantul_officer, True)
    assert Worker.objects.get(pk=worker.pk).birth_place == "Yogyakarta"


def test_history_never_holds_the_nik(bantul_officer):
    with acting_as(bantul_officer):
        worker = build_worker()
    entry = ChangeLog.for_object(worker).get()
    assert entry.actor == bantul_officer
    assert worker.nik not in str(entry.changes)
    assert entry.changes["nik"][1] == "•••"
    assert "nik_hash" not in entry.changes


def test_a_psm_sees_only_their_own_record(trimulyo_worker):
    own = build_worker(user=trimulyo_worker)
    build_worker(full_name="Tetangga")
    assert list(Worker.objects.visible_to(trimulyo_worker)) == [own]
