"""The jury: assignments, conflict of interest, what a juror may see, locked score sheets."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from mitra.awards import services
from mitra.awards.models import JuryAssignment, Nomination, Score, ScoreSheet

from .builders import SLEMAN_VILLAGE, eligible_psm, make_cycle, nominate, score, stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def contest(bantul_officer, sleman_officer):
    cycle = make_cycle()
    bantul = nominate(cycle, eligible_psm(), bantul_officer)
    sleman = nominate(cycle, eligible_psm(village=SLEMAN_VILLAGE), sleman_officer)
    return cycle, bantul, sleman


def test_a_juror_never_gets_a_candidate_from_their_own_regency(contest, juror, diy_officer):
    cycle, bantul, sleman = contest
    services.assign_juror(
        stage=stage(cycle), juror=juror, region_code="34", home_region_code="3402", by=diy_officer
    )
    assert list(Nomination.objects.visible_to(juror)) == [sleman]
    assert list(services.nominations_for_juror(juror)) == [sleman]
    with pytest.raises(PermissionDenied):
        services.sheet_for(bantul, juror)
    assert services.sheet_for(sleman, juror).nomination == sleman


def test_a_juror_sees_only_assigned_nominations(contest, juror, make_user, sleman_officer):
    cycle, bantul, sleman = contest
    assert not Nomination.objects.visible_to(juror).exists()
    services.assign_juror(
        stage=stage(cycle),
        juror=juror,
        region_code="3404",
        home_region_code="3471",
        by=sleman_officer,
    )
    assert list(Nomination.objects.visible_to(juror)) == [sleman]
    with pytest.raises(PermissionDenied):
        services.sheet_for(bantul, juror)
    # Another juror's sheet stays theirs.
    other = make_user(username="juri.lain", role="juror", scope_code="")
    services.assign_juror(
        stage=stage(cycle),
        juror=other,
        region_code="3404",
        home_region_code="3471",
        by=sleman_officer,
    )
    theirs = services.sheet_for(sleman, other)
    assert not ScoreSheet.objects.visible_to(juror).filter(pk=theirs.pk).exists()
    with pytest.raises(PermissionDenied):
        services.save_scores(theirs, juror, {"innovation": {"value": 5}})


def test_assignments_stay_inside_the_officers_area(contest, juror, bantul_officer, make_user):
    cycle, _b, _s = contest
    regency = stage(cycle)
    with pytest.raises(ValidationError) as outside:
        services.assign_juror(
            stage=regency,
            juror=juror,
            region_code="3404",
            home_region_code="3471",
            by=bantul_officer,
        )
    assert "region_code" in outside.value.message_dict
    officer_as_juror = make_user(username="bukan.juri", role="regency_officer", scope_code="3402")
    with pytest.raises(ValidationError) as not_juror:
        services.assign_juror(
            stage=regency,
            juror=officer_as_juror,
            region_code="3402",
            home_region_code="3471",
            by=bantul_officer,
        )
    assert "juror" in not_juror.value.message_dict
    with pytest.raises(ValidationError) as no_home:
        services.assign_juror(
            stage=regency,
            juror=juror,
            region_code="3402",
            home_region_code="34",
            by=bantul_officer,
        )
    assert "home_region_code" in no_home.value.message_dict
    with pytest.raises(PermissionDenied):
        services.assign_juror(
            stage=regency, juror=juror, region_code="3402", home_region_code="3471", by=juror
        )
    assert not JuryAssignment.objects.exists()


def test_a_submitted_sheet_is_locked(contest, juror, sleman_officer):
    cycle, _bantul, sleman = contest
    services.assign_juror(
        stage=stage(cycle),
        juror=juror,
        region_code="3404",
        home_region_code="3471",
        by=sleman_officer,
    )
    sheet = services.sheet_for(sleman, juror)
    with pytest.raises(ValidationError):  # incomplete: interview missing
        services.save_scores(sheet, juror, {"innovation": {"value": 7, "comment": "Bagus"}})
        services.submit_sheet(sheet, juror)
    sheet.refresh_from_db()
    assert sheet.submitted_at is None
    services.save_scores(sheet, juror, {"interview": {"value": "8,5"}}, version=sheet.version)
    services.submit_sheet(sheet, juror, version=sheet.version)
    assert sheet.is_locked
    with pytest.raises(services.Locked):
        services.save_scores(sheet, juror, {"innovation": {"value": 1}})
    with pytest.raises(services.Locked):
        services.submit_sheet(sheet, juror)
    marks = dict(Score.objects.filter(sheet=sheet).values_list("criterion__key", "value"))
    assert marks == {"innovation": Decimal("7.00"), "interview": Decimal("8.50")}


def test_marks_must_fit_the_criterion_and_its_scale(contest, juror, sleman_officer):
    cycle, _bantul, sleman = contest
    services.assign_juror(
        stage=stage(cycle),
        juror=juror,
        region_code="3404",
        home_region_code="3471",
        by=sleman_officer,
    )
    sheet = services.sheet_for(sleman, juror)
    with pytest.raises(ValidationError) as refused:
        services.save_scores(
            sheet,
            juror,
            {
                "innovation": {"value": 11},
                "interview": {"value": "abc"},
                "activities": {"value": 5},  # computed from data: not the jury's
            },
        )
    assert set(refused.value.message_dict) == {"innovation", "interview", "activities"}
    assert not Score.objects.exists()
    with pytest.raises(services.StaleVersion):
        services.save_scores(sheet, juror, {"innovation": {"value": 5}}, version=sheet.version + 3)


def test_scores_close_when_the_ranking_is_published(contest, juror, sleman_officer):
    cycle, _bantul, sleman = contest
    services.assign_juror(
        stage=stage(cycle),
        juror=juror,
        region_code="3404",
        home_region_code="3471",
        by=sleman_officer,
    )
    score(sleman, juror, innovation=7, interview=8)
    services.publish_ranking(stage(cycle), "3404", sleman_officer)
    sheet = ScoreSheet.objects.get(nomination=sleman, juror=juror)
    with pytest.raises(services.Locked):
        services.save_scores(sheet, juror, {"innovation": {"value": 2}})
