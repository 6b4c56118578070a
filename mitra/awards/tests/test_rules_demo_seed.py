"""The awards demo: past cycles with published winners (the 2017 national winner from Bantul,
one provincial winner per province for the Temu Nasional), this year's cycle open at the regency
stage with a jury that respects conflict of interest; running it again adds nothing."""

import pytest

from mitra.accounts.demo import seed_demo_users
from mitra.awards import services
from mitra.awards.demo import seed_awards
from mitra.awards.models import AwardCycle, Level, Nomination, Ranking, ScoreSheet
from mitra.regions.models import Province
from mitra.workers.models import Worker

from .builders import SLEMAN_VILLAGE, TODAY, eligible_psm

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(regions):
    users = {u.username: u for u in seed_demo_users()}
    for village in (
        ["3402092004"] * 3 + ["3402012001"] * 3 + [SLEMAN_VILLAGE] * 4 + ["3471011001"] * 2
    ):
        eligible_psm(village=village)
    persona = eligible_psm(village="3402092004", full_name="Persona Trimulyo")
    Worker.objects.filter(pk=persona.pk).update(user=users["psm.trimulyo"])
    seed_awards("demo")
    return users, persona


def test_the_demo_tells_the_story(seeded):
    users, persona = seeded
    years = list(AwardCycle.objects.order_by("year").values_list("year", flat=True))
    assert years == list(range(2016, TODAY.year + 1))

    c2017 = AwardCycle.objects.get(year=2017)
    first = services.national_results(c2017).first()
    assert first.award == "1" and first.region_code.startswith("3402")
    provinces = Province.objects.count()
    c2018 = AwardCycle.objects.get(year=2018)
    winners = list(services.provincial_winners(c2018))
    assert len(winners) == provinces == len({w.region_code[:2] for w in winners})
    assert next(w for w in winners if w.region_code.startswith("34")).worker == persona
    assert [r["award"] for r in services.public_results(c2018)] == ["1", "2", "3", "hm", "hm", "hm"]
    assert services.practices().count() == provinces * (TODAY.year - 2016)

    current = AwardCycle.objects.get(year=TODAY.year)
    regency = current.stages.get(level=Level.REGENCY)
    assert regency.is_open()
    assert set(services.ranking_groups(regency)) == {"3402", "3404", "3471"}
    juror = users["juri.demo"]
    seen = Nomination.objects.visible_to(juror)
    assert seen.exists() and not seen.filter(region_code__startswith="3471").exists()
    assert ScoreSheet.objects.filter(juror=juror, submitted_at__isnull=False).exists()
    assert services.preview_ranking(regency, "3402").problems  # the demo juror is not done
    assert not Ranking.objects.filter(stage__cycle=current).exists()


def test_seeding_again_adds_nothing(seeded):
    before = Nomination.objects.count()
    assert seed_awards("demo") == 0
    assert Nomination.objects.count() == before
