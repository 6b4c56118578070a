"""The reach of a juror (ADR 0021): their national scope reaches only the panels they sit on, for
nominations, rankings, ranking entries and appeals alike, on pages and in the API."""

import pytest
from django.urls import reverse

from mitra.awards import services, services_ui
from mitra.awards.models import Appeal, Nomination, Ranking, RankingEntry

from .builders import SLEMAN_VILLAGE, eligible_psm, make_cycle, nominate, score, stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_regencies(make_user, diy_officer, bantul_officer, sleman_officer):
    """One nomination in Bantul and one in Sleman, each scored by its own panel and published."""
    cycle = make_cycle()
    regency = stage(cycle)
    panel = {}
    for region, officer, village, name in (
        ("3402", bantul_officer, None, "juri.bantul"),
        ("3404", sleman_officer, SLEMAN_VILLAGE, "juri.sleman"),
    ):
        juror = make_user(username=name, role="juror", scope_code="")
        services.assign_juror(
            stage=regency, juror=juror, region_code=region, home_region_code="3471", by=diy_officer
        )
        worker = eligible_psm(village) if village else eligible_psm()
        score(nominate(cycle, worker, officer), juror, innovation=7, interview=7)
        services.publish_ranking(regency, region, officer)
        panel[region] = juror
    return regency, panel


def test_a_juror_sees_only_the_nominations_and_rankings_of_their_panels(two_regencies):
    _stage, panel = two_regencies
    juror = panel["3402"]
    assert {n.region_code[:4] for n in Nomination.objects.visible_to(juror)} == {"3402"}
    assert {r.region_code for r in Ranking.objects.visible_to(juror)} == {"3402"}
    assert {e.region_code[:4] for e in RankingEntry.objects.visible_to(juror)} == {"3402"}
    assert not Appeal.objects.visible_to(juror).exists()
    assert Ranking.objects.count() == 2 and RankingEntry.objects.count() == 2


def test_a_juror_cannot_open_another_regencys_ranking_page_or_api_row(two_regencies, client):
    regency, panel = two_regencies
    client.force_login(panel["3402"])
    page = reverse("awards:ranking", args=[regency.pk, services_ui.region_slug("3404")])
    assert client.get(page).status_code == 404
    own = reverse("awards:ranking", args=[regency.pk, services_ui.region_slug("3402")])
    assert client.get(own).status_code == 200
    sleman = Ranking.objects.get(region_code="3404")
    assert client.get(f"/api/v1/awards/rankings/{sleman.pk}").status_code == 404
