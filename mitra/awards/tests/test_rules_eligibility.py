"""Who may be nominated, and the reasons given when someone may not."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from mitra.awards import services
from mitra.awards.models import Award, Level, Nomination, NominationStatus
from mitra.workers.models import Decree, Status

from .builders import SLEMAN_VILLAGE, TODAY, eligible_psm, make_cycle, nominate, stage

pytestmark = pytest.mark.django_db


def reasons(cycle, worker, officer):
    return services.check_eligibility(cycle, worker, officer)


def test_an_active_trained_psm_with_a_valid_decree_can_be_nominated(bantul_officer):
    cycle = make_cycle()
    worker = eligible_psm()
    assert reasons(cycle, worker, bantul_officer) == []
    assert worker in services.eligible_workers(cycle, bantul_officer)
    nomination = nominate(cycle, worker, bantul_officer)
    assert nomination.stage.level == Level.REGENCY
    assert nomination.region_code == worker.region_code
    assert nomination.status == NominationStatus.NOMINATED
    assert worker not in services.eligible_workers(cycle, bantul_officer)


def test_each_broken_requirement_is_named(bantul_officer):
    cycle = make_cycle()
    inactive = eligible_psm(status=Status.SUSPENDED)
    untrained = eligible_psm(basic_training_on=None)
    expired = eligible_psm()
    Decree.objects.filter(worker=expired).update(valid_until=TODAY - datetime.timedelta(days=1))
    newcomer = eligible_psm(years=0)
    Decree.objects.filter(worker=newcomer).update(issued_on=TODAY - datetime.timedelta(days=30))
    newcomer.joined_on = TODAY - datetime.timedelta(days=30)
    newcomer.save()

    assert reasons(cycle, inactive, bantul_officer) == [services_msg("The worker is not active.")]
    assert reasons(cycle, untrained, bantul_officer) == [
        services_msg("The worker has not completed the basic training.")
    ]
    assert reasons(cycle, expired, bantul_officer) == [
        services_msg("The worker has no decree (SK) valid on this date.")
    ]
    tenure = reasons(cycle, newcomer, bantul_officer)
    assert len(tenure) == 1 and "2" in tenure[0]
    eligible = set(services.eligible_workers(cycle, bantul_officer))
    assert not eligible & {inactive, untrained, expired, newcomer}
    with pytest.raises(ValidationError) as refused:
        nominate(cycle, untrained, bantul_officer)
    assert "worker" in refused.value.message_dict
    assert not Nomination.objects.exists()


def services_msg(text):
    from django.utils.translation import gettext

    return gettext(text)


def test_a_worker_outside_the_officers_area_is_refused(bantul_officer, sleman_officer):
    cycle = make_cycle()
    sleman_psm = eligible_psm(village=SLEMAN_VILLAGE)
    assert reasons(cycle, sleman_psm, bantul_officer) == [
        services_msg("The worker is outside your area.")
    ]
    assert reasons(cycle, sleman_psm, sleman_officer) == []
    assert sleman_psm not in services.eligible_workers(cycle, bantul_officer)


def test_only_once_per_cycle_and_not_after_the_stage_closes(bantul_officer):
    cycle = make_cycle()
    worker = eligible_psm()
    nominate(cycle, worker, bantul_officer)
    assert reasons(cycle, worker, bantul_officer) == [
        services_msg("The worker is already nominated in this cycle.")
    ]
    later = TODAY + datetime.timedelta(days=40)
    other = eligible_psm()
    assert len(services.check_eligibility(cycle, other, bantul_officer, on=later)) == 1


def test_a_recent_national_winner_waits_the_exclusion_years(bantul_officer, national_admin):
    past = make_cycle(year=2024)
    worker = eligible_psm()
    national = stage(past, Level.NATIONAL)
    Nomination.objects.create(
        cycle=past,
        stage=national,
        worker=worker,
        region_code=worker.region_code,
        innovation_title="x",
        innovation_summary="x",
        innovation_text="x",
        status=NominationStatus.WINNER,
        award=Award.SECOND,
    )
    current = make_cycle(year=2026, exclusion_years=3)
    assert reasons(current, worker, bantul_officer) == [
        services_msg("The worker was a national winner in the last %(years)d years.") % {"years": 3}
    ]
    later = make_cycle(year=2028, exclusion_years=3)
    assert services.check_eligibility(later, worker, bantul_officer) == []


def test_nominating_needs_the_permission(juror, auditor):
    cycle = make_cycle()
    worker = eligible_psm()
    for user in (juror, auditor):
        with pytest.raises(PermissionDenied):
            nominate(cycle, worker, user)


def test_the_portfolio_needs_a_title_summary_and_text(bantul_officer):
    cycle = make_cycle()
    with pytest.raises(ValidationError) as refused:
        services.nominate(
            cycle=cycle,
            worker=eligible_psm(),
            by=bantul_officer,
            innovation_title="",
            innovation_summary="",
            innovation_text="",
        )
    assert set(refused.value.message_dict) == {
        "innovation_title",
        "innovation_summary",
        "innovation_text",
    }


def test_withdrawing_keeps_the_reason_and_frees_the_worker(bantul_officer, sleman_officer):
    cycle = make_cycle()
    worker = eligible_psm()
    nomination = nominate(cycle, worker, bantul_officer)
    with pytest.raises(PermissionDenied):
        services.withdraw_nomination(nomination, sleman_officer, "x")
    services.withdraw_nomination(nomination, bantul_officer, "Pindah domisili", version=1)
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.WITHDRAWN
    assert nomination.status_reason == "Pindah domisili"
    assert reasons(cycle, worker, bantul_officer) == []
    again = nominate(cycle, worker, bantul_officer, title="Inovasi baru")
    assert again.pk == nomination.pk and again.status == NominationStatus.NOMINATED
