"""The rules of the ventures section (services.py), each with the case it refuses."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from mitra.core.tests.test_access import _case_in
from mitra.training.models import Enrolment
from mitra.ventures import services
from mitra.ventures.models import Venture, VentureKind, VentureResult
from mitra.ventures.money import rupiah
from mitra.workers.tests.builders import build_worker

from .builders import build_result, build_support, build_venture, national_kind

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 12, 5)


def _fields(exc):
    return set(exc.value.message_dict)


def test_a_running_venture_needs_its_start_date(regions):
    venture = build_venture(started_on=None, status="planned")
    venture.status = "running"
    with pytest.raises(ValidationError) as exc:
        services.check_venture(venture, TODAY)
    assert _fields(exc) == {"started_on"}


def test_a_start_date_in_the_future_is_refused(regions):
    venture = build_venture()
    venture.started_on = TODAY + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        services.check_venture(venture, TODAY)
    assert "started_on" in _fields(exc)


def test_a_stopped_venture_needs_a_reason_and_a_date_not_before_its_start(regions):
    venture = build_venture()
    venture.status = "stopped"
    with pytest.raises(ValidationError) as exc:
        services.check_venture(venture, TODAY)
    assert _fields(exc) == {"stop_reason", "stopped_on"}
    venture.stop_reason, venture.stopped_on = "market", datetime.date(2024, 1, 1)
    with pytest.raises(ValidationError) as exc:
        services.check_venture(venture, TODAY)
    assert _fields(exc) == {"stopped_on"}
    venture.stopped_on = datetime.date(2025, 6, 1)
    services.check_venture(venture, TODAY)


def test_only_a_registered_psm_has_a_venture_here(regions):
    tksk = build_worker(kind="tksk", status="active", full_name="Pak TKSK")
    with pytest.raises(ValidationError) as exc:
        services.check_venture(build_venture(worker=tksk), TODAY)
    assert _fields(exc) == {"worker"}


def test_an_officer_records_only_a_psm_of_their_area(regions, sleman_officer, bantul_officer):
    worker = build_worker(status="active")
    venture = Venture(
        name="Katering Bu Sri",
        worker=worker,
        kind=national_kind(),
        village=worker.village,
        status="planned",
    )
    with pytest.raises(ValidationError) as exc:
        services.create_venture(venture, sleman_officer)
    assert _fields(exc) == {"worker"}
    services.create_venture(venture, bantul_officer)
    assert venture.region_code == "3402092004"


def test_a_stale_version_is_refused_and_a_wider_area_is_not_changed_from_a_sibling(
    regions, bantul_officer, sleman_officer
):
    venture = build_venture()
    venture.description = "Sudah punya etalase"
    with pytest.raises(ValidationError) as exc:
        services.update_venture(venture, bantul_officer, venture.version + 1)
    assert exc.value.code == "conflict"
    services.update_venture(venture, bantul_officer, venture.version)
    assert Venture.objects.get(pk=venture.pk).version == 2
    with pytest.raises(PermissionDenied):
        services.update_venture(venture, sleman_officer, venture.version)


def test_leaving_the_stopped_status_clears_the_stop_fields(regions, bantul_officer):
    venture = build_venture()
    venture.status, venture.stop_reason, venture.stopped_on = "stopped", "capital", TODAY
    services.update_venture(venture, bantul_officer, venture.version)
    venture.status = "running"
    services.update_venture(venture, bantul_officer, venture.version)
    venture.refresh_from_db()
    assert (venture.stopped_on, venture.stop_reason) == (None, "")


def test_money_support_needs_an_amount_and_training_links_only_the_psms_own_course(regions):
    venture = build_venture()
    support = build_support(venture)
    support.amount = None
    with pytest.raises(ValidationError) as exc:
        services.check_support(support, TODAY)
    assert _fields(exc) == {"amount"}
    support.kind, support.amount = "mentoring", None
    services.check_support(support, TODAY)  # mentoring has no amount
    from mitra.core.tests.test_access import _enrolment_in

    other = _enrolment_in("3402")
    support.kind, support.enrolment = "training", other
    with pytest.raises(ValidationError) as exc:
        services.check_support(support, TODAY)
    assert _fields(exc) == {"enrolment"}
    mine = Enrolment.objects.create(batch=other.batch, worker=venture.worker, status="completed")
    support.enrolment = mine
    services.check_support(support, TODAY)
    support.kind = "capital"
    support.amount = Decimal(1)
    with pytest.raises(ValidationError) as exc:
        services.check_support(support, TODAY)
    assert _fields(exc) == {"enrolment"}


def test_support_received_in_the_future_or_implausibly_large_is_refused(regions):
    support = build_support(build_venture())
    support.received_on = TODAY + datetime.timedelta(days=3)
    support.amount = Decimal(services.MAX_AMOUNT + 1)
    with pytest.raises(ValidationError) as exc:
        services.check_support(support, TODAY)
    assert _fields(exc) == {"received_on", "amount"}


def test_a_result_period_starts_on_its_quarter_and_not_before_the_venture(regions):
    venture = build_venture(started_on=datetime.date(2025, 5, 10))
    result = VentureResult(
        venture=venture,
        period_kind="quarter",
        period_start=datetime.date(2025, 8, 17),
        turnover=Decimal(1_000_000),
        income_band="1",
        people_working=1,
    )
    services.check_result(result, TODAY)
    assert result.period_start == datetime.date(2025, 7, 1)
    result.period_start = datetime.date(2025, 2, 1)
    with pytest.raises(ValidationError) as exc:
        services.check_result(result, TODAY)
    assert _fields(exc) == {"period_start"}
    result.period_start = datetime.date(2025, 4, 1)  # the quarter the venture started in
    services.check_result(result, TODAY)


def test_a_result_is_refused_for_a_planned_venture_a_future_period_or_twice(regions):
    venture = build_venture()
    build_result(venture)
    twice = VentureResult(
        venture=venture,
        period_kind="quarter",
        period_start=datetime.date(2025, 2, 14),
        turnover=Decimal(1),
        income_band="1",
        people_working=1,
    )
    with pytest.raises(ValidationError):
        services.check_result(twice, TODAY)
    twice.period_start = datetime.date(2027, 1, 1)
    with pytest.raises(ValidationError):
        services.check_result(twice, TODAY)
    planned = build_venture(status="planned", started_on=None, name="Rencana")
    with pytest.raises(ValidationError) as exc:
        services.check_result(
            VentureResult(
                venture=planned,
                period_kind="month",
                period_start=TODAY,
                turnover=Decimal(0),
                income_band="0",
                people_working=1,
            ),
            TODAY,
        )  # noqa: E501
    assert _fields(exc) == {"period_start"}


def test_beneficiaries_taking_part_cannot_exceed_those_linked(regions, bantul_officer):
    case = _case_in("3402")
    venture = build_venture(worker=case.worker, is_group=True)
    result = VentureResult(
        venture=venture,
        period_kind="month",
        period_start=datetime.date(2025, 3, 1),
        turnover=Decimal(1),
        income_band="1",
        people_working=2,
        beneficiaries_involved=1,
    )
    with pytest.raises(ValidationError) as exc:
        services.check_result(result, TODAY)
    assert _fields(exc) == {"beneficiaries_involved"}
    services.add_member(
        venture, bantul_officer, beneficiary=case.beneficiary, consent_on=datetime.date(2025, 2, 1)
    )
    services.check_result(result, TODAY)


def test_a_member_beneficiary_must_be_of_the_psms_cases_and_have_consented(regions, bantul_officer):
    case = _case_in("3402")
    venture = build_venture(is_group=True)  # another PSM's venture
    with pytest.raises(ValidationError) as exc:
        services.add_member(venture, bantul_officer, beneficiary=case.beneficiary, consent_on=TODAY)
    assert _fields(exc) == {"beneficiary"}
    own = build_venture(worker=case.worker, is_group=True, name="KUBE Mawar")
    with pytest.raises(ValidationError) as exc:
        services.add_member(own, bantul_officer, beneficiary=case.beneficiary)
    assert _fields(exc) == {"consent_on"}
    alone = build_venture(worker=case.worker, name="Sendiri")
    with pytest.raises(ValidationError):
        services.add_member(alone, bantul_officer, worker=build_worker(full_name="Rekan"))


def test_only_the_psm_of_the_venture_or_its_officers_record_results(
    regions, trimulyo_worker, make_user, sleman_officer, jetis_supervisor
):
    own = build_worker(user=trimulyo_worker, status="active")
    venture = build_venture(worker=own)
    other = make_user(username="psm.lain", role="worker", scope_code="3402092004")
    build_worker(user=other, status="active", full_name="PSM Lain")
    assert services.may_add_result(trimulyo_worker, venture)
    assert not services.may_add_result(other, venture)
    assert not services.may_add_result(sleman_officer, venture)
    assert services.may_add_result(jetis_supervisor, venture)


def test_a_psm_sees_only_their_own_ventures_a_juror_none_an_officer_their_area(
    regions, trimulyo_worker, juror, bantul_officer, sleman_officer, auditor
):
    own = build_venture(worker=build_worker(user=trimulyo_worker, status="active"))
    neighbour = build_venture(name="Warung Tetangga")
    assert list(Venture.objects.visible_to(trimulyo_worker)) == [own]
    assert not Venture.objects.visible_to(juror).exists()
    assert Venture.objects.visible_to(bantul_officer).count() == 2
    assert Venture.objects.visible_to(auditor).count() == 2
    assert not Venture.objects.visible_to(sleman_officer).exists()
    assert neighbour.supports.visible_to(trimulyo_worker).count() == 0


def test_an_officer_extends_the_kinds_for_their_area_only(regions, bantul_officer, sleman_officer):
    kind = services.add_kind(bantul_officer, "  Batik   tulis ")
    assert (kind.name, kind.region_code) == ("Batik tulis", "3402")
    assert VentureKind.objects.visible_to(bantul_officer).filter(pk=kind.pk).exists()
    assert not VentureKind.objects.visible_to(sleman_officer).filter(pk=kind.pk).exists()
    with pytest.raises(ValidationError):
        services.add_kind(bantul_officer, "batik TULIS")
    with pytest.raises(ValidationError):
        services.add_kind(bantul_officer, "warung SEMBAKO")  # on the national list


def test_rupiah_is_written_the_indonesian_way():
    assert rupiah(Decimal("5000000")) == "Rp 5.000.000"
    assert rupiah(750) == "Rp 750"
    assert rupiah(None) == "—"
