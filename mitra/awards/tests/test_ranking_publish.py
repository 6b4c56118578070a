"""Publishing a ranking: who may, what blocks it, what it freezes, and advancement through the
stages up to the national awards; the winners' read-outs for the events app and the public."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from mitra.awards import services
from mitra.awards.models import (
    Award,
    Level,
    Nomination,
    NominationStatus,
    Ranking,
    RankingEntry,
)
from mitra.cases.models import ActivityReport, ReportStatus

from .builders import SLEMAN_VILLAGE, eligible_psm, make_cycle, nominate, score, stage

pytestmark = pytest.mark.django_db


def verified_reports(worker, n):
    for _ in range(n):
        ActivityReport.objects.create(
            worker=worker,
            on=datetime.date(2025, 6, 1),  # inside make_cycle(2026)'s evaluated period
            village=worker.village,
            activity_type="outreach",
            description="Penjangkauan lansia",
            reached_adults_f=3,
            status=ReportStatus.VERIFIED,
        )


@pytest.fixture
def jury(make_user, diy_officer, national_admin):
    def assign(cycle, level=Level.REGENCY, region="34", home="3471", name="juri.satu"):
        juror = make_user(username=name, role="juror", scope_code="")
        services.assign_juror(
            stage=stage(cycle, level),
            juror=juror,
            region_code=region,
            home_region_code=home,
            by=diy_officer if region else national_admin,
        )
        return juror

    return assign


def test_only_the_officer_of_the_ranking_region_publishes(
    jury, bantul_officer, sleman_officer, diy_officer, national_admin
):
    cycle = make_cycle()
    juror = jury(cycle)
    score(nominate(cycle, eligible_psm(), bantul_officer), juror, innovation=7, interview=7)
    regency = stage(cycle)
    assert services.can_publish(bantul_officer, regency, "3402")
    for user in (sleman_officer, diy_officer, national_admin, juror):
        assert not services.can_publish(user, regency, "3402")
        with pytest.raises(PermissionDenied):
            services.publish_ranking(regency, "3402", user)
    assert not Ranking.objects.exists()


def test_publishing_waits_for_every_assigned_jurors_sheet(jury, bantul_officer):
    cycle = make_cycle()
    first, second = jury(cycle, name="juri.satu"), jury(cycle, name="juri.dua", home="3403")
    candidate = nominate(cycle, eligible_psm(), bantul_officer)
    score(candidate, first, innovation=7, interview=7)
    score(candidate, second, submit=False, innovation=5)
    preview = services.preview_ranking(stage(cycle), "3402")
    assert len(preview.problems) == 1 and "1" in preview.problems[0]
    with pytest.raises(ValidationError):
        services.publish_ranking(stage(cycle), "3402", bantul_officer)
    candidate.refresh_from_db()
    assert not candidate.is_frozen and candidate.status == NominationStatus.NOMINATED


def test_publishing_freezes_the_evidence_and_keeps_every_component(jury, bantul_officer):
    cycle = make_cycle()
    juror = jury(cycle)
    busy, quiet = eligible_psm(), eligible_psm()
    verified_reports(busy, 4)
    a = nominate(cycle, busy, bantul_officer)
    b = nominate(cycle, quiet, bantul_officer)
    score(a, juror, innovation=8, interview=8)
    score(b, juror, innovation=8, interview=8)
    ranking = services.publish_ranking(stage(cycle), "3402", bantul_officer)
    entries = list(ranking.entries.order_by("rank"))
    assert [e.nomination_id for e in entries] == [a.pk, b.pk]
    top = entries[0]
    assert top.components["activities"]["raw"] == 4.0
    assert top.components["innovation"]["marks"][0]["raw"] == 8.0
    assert top.total == top.juror_total + top.computed_total
    assert ranking.method and ranking.revision == 1
    a.refresh_from_db()
    assert a.is_frozen and a.evidence["verified_activities"] == 4
    # Later data does not change the published figures.
    verified_reports(quiet, 9)
    b.refresh_from_db()
    assert services.evidence_sheet(b)["verified_activities"] == 0
    with pytest.raises(ValidationError):
        services.publish_ranking(stage(cycle), "3402", bantul_officer)


def test_winners_advance_stage_by_stage_to_the_national_awards(
    jury, bantul_officer, sleman_officer, diy_officer, national_admin
):
    cycle = make_cycle()
    juror = jury(cycle)
    bantul = [nominate(cycle, eligible_psm(), bantul_officer) for _ in range(2)]
    sleman = [nominate(cycle, eligible_psm(village=SLEMAN_VILLAGE), sleman_officer)]
    for nom, mark in zip([*bantul, *sleman], (9, 5, 7), strict=True):
        score(nom, juror, innovation=mark, interview=mark)
    services.publish_ranking(stage(cycle), "3402", bantul_officer)
    services.publish_ranking(stage(cycle), "3404", sleman_officer)
    bantul[0].refresh_from_db()
    bantul[1].refresh_from_db()
    assert bantul[0].status == NominationStatus.ADVANCED and bantul[0].rank == 1
    assert bantul[1].status == NominationStatus.ELIMINATED and bantul[1].rank == 2
    province = stage(cycle, Level.PROVINCE)
    carried = Nomination.objects.get(stage=province, worker=bantul[0].worker)
    assert carried.previous == bantul[0]
    assert carried.innovation_title == bantul[0].innovation_title
    assert set(services.ranking_groups(province)) == {"34"}
    assert stage(cycle).published_at is not None

    juror_p = jury(cycle, Level.PROVINCE, region="34", home="3471", name="juri.provinsi")
    for nom in Nomination.objects.filter(stage=province):
        score(nom, juror_p, innovation=9 if nom.worker == bantul[0].worker else 6, interview=8)
    with pytest.raises(PermissionDenied):
        services.publish_ranking(province, "34", bantul_officer)
    services.publish_ranking(province, "34", diy_officer)
    winners = list(services.provincial_winners(cycle))
    assert [w.worker for w in winners] == [bantul[0].worker]

    national = stage(cycle, Level.NATIONAL)
    finalist = Nomination.objects.get(stage=national)
    juror_n = jury(cycle, Level.NATIONAL, region="", home="3471", name="juri.nasional")
    score(finalist, juror_n, innovation=9, interview=9)
    services.publish_ranking(national, "", national_admin)
    finalist.refresh_from_db()
    assert finalist.status == NominationStatus.WINNER and finalist.award == Award.FIRST
    assert list(services.national_results(cycle)) == [finalist]
    public = services.public_results(cycle)
    assert [(p["name"], p["award"], p["regency"]) for p in public] == [
        (finalist.worker.full_name, "1", "Kabupaten Bantul")
    ]
    assert not {"nik", "nik_masked", "phone", "address"} & set(public[0])
    assert [p.pk for p in services.practices("Lansia")] == [carried.pk]
    assert list(services.practices("tidak-ada-kata-ini")) == []
    assert RankingEntry.objects.filter(ranking__stage=national).count() == 1


def test_the_national_stage_gives_ranks_and_honourable_mentions(jury, national_admin):
    cycle = make_cycle()
    national = stage(cycle, Level.NATIONAL)
    juror = jury(cycle, Level.NATIONAL, region="", home="3471", name="juri.nasional")
    finalists = []
    for i, code in enumerate(
        ("3402092004", SLEMAN_VILLAGE, "3401012001", "3403012001", "3471011001")
    ):
        worker = eligible_psm(village=code)
        finalists.append(
            Nomination.objects.create(
                cycle=cycle,
                stage=national,
                worker=worker,
                region_code=worker.region_code,
                innovation_title=f"Inovasi {i}",
                innovation_summary="x",
                innovation_text="x",
            )
        )
    for i, nom in enumerate(finalists):
        if not nom.region_code.startswith("3471"):
            score(nom, juror, innovation=9 - i, interview=9 - i)
    # The juror's home city's candidate has no sheet: it needs another juror.
    problems = services.preview_ranking(national, "").problems
    assert problems and finalists[4].worker.full_name in " ".join(problems)
    other = jury(cycle, Level.NATIONAL, region="", home="3402", name="juri.kedua")
    for i, nom in enumerate(finalists):
        if not nom.region_code.startswith("3402"):
            score(nom, other, innovation=9 - i, interview=9 - i)
    services.publish_ranking(national, "", national_admin)
    awards = dict(Nomination.objects.filter(stage=national).values_list("rank", "award"))
    assert awards == {1: "1", 2: "2", 3: "3", 4: "hm", 5: ""}


def test_all_rankings_of_a_stage_at_once_match_each_regencys_ranking(
    jury, bantul_officer, sleman_officer
):
    from mitra.awards.ranking import compute_stage_rankings

    cycle = make_cycle()
    juror = jury(cycle)
    noms = [nominate(cycle, eligible_psm(), bantul_officer) for _ in range(3)]
    noms += [nominate(cycle, eligible_psm(village=SLEMAN_VILLAGE), sleman_officer)]
    verified_reports(noms[1].worker, 2)
    for nom, mark in zip(noms, (6, 9, 7, 8), strict=True):
        score(nom, juror, innovation=mark, interview=10 - mark)
    regency = stage(cycle)
    together = compute_stage_rankings(regency)
    assert set(together) == {"3402", "3404"}
    for code, result in together.items():
        alone = services.preview_ranking(regency, code)
        assert [(e.nomination.pk, e.total) for e in result.entries] == [
            (e.nomination.pk, e.total) for e in alone.entries
        ]
