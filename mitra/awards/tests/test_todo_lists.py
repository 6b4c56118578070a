"""The award lists the home page's to-do items link to: the jury queue's "waiting for my marks"
filter (per stage), and the appeals waiting for a decision on the award home, which are exactly
those `may_decide` allows."""

import pytest
from django.urls import reverse

from mitra.awards import services
from mitra.awards.services_publishing import may_decide

from .builders import eligible_psm, make_cycle, nominate, score, stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def jury(make_user, diy_officer, bantul_officer):
    cycle = make_cycle()
    juror = make_user(username="juri.satu", role="juror", scope_code="")
    services.assign_juror(
        stage=stage(cycle), juror=juror, region_code="34", home_region_code="3471", by=diy_officer
    )
    done, draft, untouched, withdrawn = (
        nominate(cycle, eligible_psm(), bantul_officer) for _ in range(4)
    )
    score(done, juror, innovation=8, interview=8)
    score(draft, juror, submit=False, innovation=5)
    services.withdraw_nomination(withdrawn, bantul_officer, "Pindah domisili")
    return cycle, juror, {"done": done, "draft": draft, "untouched": untouched}


def test_the_queue_filtered_to_waiting_shows_unsubmitted_sheets_only(jury, client_for):
    cycle, juror, noms = jury
    client = client_for(juror)
    url = reverse("awards:jury_queue")

    everything = client.get(url).context
    waiting = client.get(url, {"status": "waiting", "stage": stage(cycle).pk}).context

    assert everything["total"] == 3 and everything["todo"] == 2
    shown = {n.pk for _stage, rows in waiting["groups"] for n in rows}
    assert shown == {noms["draft"].pk, noms["untouched"].pk}
    assert waiting["todo"] == waiting["total"] == 2
    other_stage = stage(cycle, "province").pk
    assert client.get(url, {"status": "waiting", "stage": other_stage}).context["total"] == 0


def test_a_published_ranking_leaves_nothing_waiting(jury, bantul_officer, client_for):
    cycle, juror, noms = jury
    score(noms["draft"], juror, innovation=6, interview=6)
    score(noms["untouched"], juror, innovation=6, interview=6)
    assert services.sheets_waiting(juror).count() == 0


def test_appeals_to_decide_are_exactly_those_may_decide_allows(
    jury, national_admin, diy_officer, bantul_officer, sleman_officer, client_for
):
    cycle, juror, noms = jury
    score(noms["draft"], juror, innovation=6, interview=6)
    score(noms["untouched"], juror, innovation=6, interview=6)
    ranking = services.publish_ranking(stage(cycle), "3402", bantul_officer)
    appeal = services.file_appeal(ranking, noms["untouched"], bantul_officer, "Nilai keliru.")

    for officer in (national_admin, diy_officer, bantul_officer, sleman_officer):
        listed = list(services.appeals_to_decide(officer))
        assert (listed == [appeal]) == may_decide(officer, ranking), officer.username
        shown = client_for(officer).get(reverse("awards:index")).context["to_decide"]
        assert list(shown) == listed
    page = client_for(diy_officer).get(reverse("awards:index")).content.decode()
    assert 'id="appeals-to-decide"' in page
    assert reverse("awards:appeal_decide", args=[appeal.pk]) in page
