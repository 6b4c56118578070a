"""Field-work rules below the pages: consent, encryption, scope of a PSM, case lifecycle,
follow-ups and the due lists, referrals, hand-over with history, report verification."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from mitra.cases import services
from mitra.cases.models import (
    ActivityReport,
    Beneficiary,
    Case,
    CaseStatus,
    ReferralStatus,
    ReportStatus,
)
from mitra.core.models import PmksCategory
from mitra.regions.models import Village
from mitra.workers.models import Status
from mitra.workers.tests.builders import build_worker

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def person(village="3402092004", **fields) -> Beneficiary:
    defaults = {
        "full_name": "Mbah Sastro",
        "sex": "L",
        "birth_date": datetime.date(1940, 1, 1),
        "address": "Dusun Kembangsongo",
        "consent_by": "Mbah Sastro",
        "consent_relation": "self",
        "consent_on": TODAY,
        "consent_method": "verbal",
        "village": Village.objects.get(code=village),
    }
    defaults.update(fields)
    b = Beneficiary(**defaults)
    services.check_consent(b)
    b.save()
    b.categories.set([PmksCategory.objects.get(number=8)])
    return b


@pytest.fixture
def psm(trimulyo_worker):
    return build_worker(user=trimulyo_worker, status=Status.ACTIVE)


def test_sensitive_details_are_ciphertext_in_the_database():
    b = person(health_notes="HIV positif, terapi ARV", violence_details="KDRT oleh suami")
    with connection.cursor() as cursor:
        cursor.execute("SELECT health_notes, violence_details, address FROM cases_beneficiary")
        row = cursor.fetchone()
    assert "ARV" not in row[0] and "KDRT" not in row[1] and "Kembangsongo" not in row[2]
    assert Beneficiary.objects.get(pk=b.pk).health_notes == "HIV positif, terapi ARV"


def test_a_child_needs_a_parent_or_guardian_consent():
    with pytest.raises(ValidationError) as exc:
        person(birth_date=TODAY.replace(year=TODAY.year - 10), consent_relation="self")
    assert "consent_relation" in exc.value.message_dict
    assert person(birth_date=TODAY.replace(year=TODAY.year - 10), consent_relation="parent")


def test_likely_duplicates_by_nik_and_by_name_birth_date_district():
    first = person(nik="3402090101400001")
    same_nik = Beneficiary(
        full_name="Lain",
        nik="3402090101400001",
        village_id="3402092004",
        birth_date=datetime.date(1950, 1, 1),
    )
    near_name = Beneficiary(
        full_name="Mbah Sastro ", birth_date=datetime.date(1940, 1, 1), village_id="3402092003"
    )
    assert services.likely_duplicates(same_nik) == [first]
    assert services.likely_duplicates(near_name) == [first]


def test_a_psm_opens_only_people_of_their_own_cases(psm, trimulyo_worker, bantul_officer):
    mine, other = person(), person(full_name="Orang Lain")
    services.open_case(mine, psm, bantul_officer, [PmksCategory.objects.get(number=8)])
    other_worker = build_worker(full_name="PSM Lain", status=Status.ACTIVE)
    services.open_case(other, other_worker, bantul_officer, [PmksCategory.objects.get(number=8)])
    assert list(Beneficiary.objects.visible_to(trimulyo_worker)) == [mine]
    assert list(Case.objects.visible_to(trimulyo_worker).values_list("beneficiary", flat=True)) == [
        mine.pk
    ]
    assert Beneficiary.objects.visible_to(bantul_officer).count() == 2


def test_case_lifecycle_and_closure_reason(psm, trimulyo_worker):
    case = services.open_case(person(), psm, trimulyo_worker, [PmksCategory.objects.get(pk=24)])
    with pytest.raises(ValidationError):
        services.change_case_status(case, CaseStatus.REFERRED, trimulyo_worker)
    services.change_case_status(case, CaseStatus.ASSESSED, trimulyo_worker)
    with pytest.raises(ValidationError) as exc:
        services.change_case_status(case, CaseStatus.CLOSED, trimulyo_worker)
    assert exc.value.code == "reason"
    services.change_case_status(case, CaseStatus.CLOSED, trimulyo_worker, reason="resolved")
    case.refresh_from_db()
    assert case.closed_on == TODAY and case.events.count() == 2


def test_follow_ups_drive_the_due_list_and_are_settled_by_the_next_visit(psm, trimulyo_worker):
    case = services.open_case(person(), psm, trimulyo_worker, [PmksCategory.objects.get(pk=8)])
    services.add_intervention(
        case,
        trimulyo_worker,
        kind="home_visit",
        on=TODAY - datetime.timedelta(days=20),
        next_follow_up_on=TODAY - datetime.timedelta(days=5),
    )
    due = services.due_cases(Case.objects.visible_to(trimulyo_worker))
    assert list(due) == [case]
    assert list(services.behind_workers(Case.objects.all()))[0]["overdue"] == 1
    services.add_intervention(
        case,
        trimulyo_worker,
        kind="follow_up",
        on=TODAY,
        next_follow_up_on=TODAY + datetime.timedelta(days=30),
    )
    case.refresh_from_db()
    assert case.next_follow_up_on == TODAY + datetime.timedelta(days=30)
    assert not services.due_cases(Case.objects.all()).exists()


def test_a_referral_without_outcome_becomes_overdue(psm, trimulyo_worker):
    case = services.open_case(person(), psm, trimulyo_worker, [PmksCategory.objects.get(pk=24)])
    services.change_case_status(case, CaseStatus.ASSESSED, trimulyo_worker)
    referral = services.refer(
        case, trimulyo_worker, programme="pkh", sent_on=TODAY - datetime.timedelta(days=30)
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.REFERRED
    assert list(services.overdue_referrals(case.referrals.all())) == [referral]
    services.record_referral_outcome(referral, trimulyo_worker, ReferralStatus.ACCEPTED)
    with pytest.raises(ValidationError):
        services.record_referral_outcome(referral, trimulyo_worker, ReferralStatus.REJECTED)
    services.record_referral_outcome(referral, trimulyo_worker, ReferralStatus.SERVED)
    assert not services.overdue_referrals(case.referrals.all()).exists()


def test_hand_over_keeps_the_history_and_moves_access(psm, trimulyo_worker, jetis_supervisor):
    case = services.open_case(person(), psm, trimulyo_worker, [PmksCategory.objects.get(pk=8)])
    services.add_intervention(case, trimulyo_worker, kind="home_visit", on=TODAY)
    with pytest.raises(PermissionDenied):
        services.transfer_case(case, psm, trimulyo_worker)
    other = build_worker(full_name="PSM Lain", status=Status.ACTIVE)
    services.transfer_case(case, other, jetis_supervisor, reason="PSM pindah tugas")
    assert not Case.objects.visible_to(trimulyo_worker).exists()
    assert case.interventions.count() == 1 and case.events.get(kind="transfer").from_worker == psm


def test_reports_are_verified_or_returned_by_the_supervisor(
    psm, trimulyo_worker, jetis_supervisor, sleman_officer
):
    report = ActivityReport.objects.create(
        worker=psm,
        on=TODAY,
        village_id="3402092004",
        activity_type="dtsen",
        description="Validasi data DTSEN di Dusun Kembangsongo",
        reached_adults_f=12,
    )
    services.submit_report(report, trimulyo_worker)
    with pytest.raises(ValidationError):
        services.verify_report(report, jetis_supervisor, approve=False, reason="")
    services.verify_report(report, jetis_supervisor, approve=False, reason="Foto belum ada")
    assert report.status == ReportStatus.RETURNED
    services.submit_report(report, trimulyo_worker)
    services.verify_report(report, jetis_supervisor, approve=True)
    assert report.status == ReportStatus.VERIFIED and report.verified_by == jetis_supervisor
    assert not ActivityReport.objects.visible_to(sleman_officer).exists()


def test_history_of_a_beneficiary_names_no_one(bantul_officer):
    from mitra.core.current import acting_as
    from mitra.core.models import ChangeLog

    with acting_as(bantul_officer):
        b = person(health_notes="diabetes")
    entry = ChangeLog.for_object(b).get()
    text = str(entry.changes) + entry.object_label
    assert "Sastro" not in text and "diabetes" not in text
