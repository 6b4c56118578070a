"""The demo workers: valid NIKs that match each person, uneven coverage like real regencies, the
Trimulyo PSM login linked to its record, and a second run that adds nothing."""

import datetime
import random
from collections import Counter

import pytest
from django.utils import timezone
from faker.providers.person.id_ID import Provider

from mitra.accounts.demo import seed_demo_users
from mitra.core.categories import WorkerKind
from mitra.core.nik import validate_nik
from mitra.core.scope import prefix_q
from mitra.regions.models import Village
from mitra.workers import demo
from mitra.workers.models import Decree, Status, Worker, WorkerEvent
from mitra.workers.services import current_decree, name_key
from mitra.workers.validation import known_prefix

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(regions):
    # The registry and training seeders alone: later seeders (awards) add people of their own
    # (past winners of other provinces, trained before Mitra), whose records these tests do not
    # describe.
    from mitra.accounts.demo import seed_demo_users
    from mitra.training.demo import seed_training
    from mitra.workers.demo import seed_workers

    for seeder in (seed_demo_users, seed_workers, seed_training):
        seeder(scale="demo")
    return Worker.objects.all()


def test_demo_seed_makes_plausible_people_with_valid_niks_and_every_status(seeded):
    workers = list(seeded.prefetch_related("focus_areas"))
    today = timezone.localdate()

    assert 400 < len(workers) < 2500, len(workers)
    assert {w.region_code[:2] for w in workers} == {"34"}
    for w in workers:
        nik = validate_nik(w.nik, known_prefix=known_prefix, sex=w.sex, birth_date=w.birth_date)
        # Registered in the village's district, or in another district of the same regency.
        assert nik.region_code[:4] == w.region_code[:4], (w.nik, w.region_code)
        assert w.nik_masked == w.nik[:4] + "********" + w.nik[-4:]
        assert w.name_key == name_key(w.full_name) and w.region_code == w.village_id
        age = (today - w.birth_date).days / 365.25
        assert 19.9 < age < 71.5, w.birth_date
        assert 1 <= len(w.focus_areas.all()) <= 3
        assert not w.phone or (w.phone.startswith("08") and w.phone.isdigit())
        assert w.created_at <= timezone.now()
    assert len({w.nik for w in workers}) == len(workers)
    ages = Counter((today - w.birth_date).days // 3653 * 10 for w in workers)
    assert ages[40] > ages[20] and ages[40] > ages[60], ages
    assert sum(1 for w in workers if w.region_code[:6] != w.nik[:6]) > len(workers) * 0.05
    assert Counter(w.sex for w in workers)["P"] > len(workers) * 0.4
    assert {w.kind for w in workers} == {WorkerKind.PSM, WorkerKind.TKSK}
    female, male = set(Provider.first_names_female), set(Provider.first_names_male)
    for w in workers:
        first = w.full_name.split()[0]
        assert first in (female if w.sex == "P" else male), (w.full_name, w.sex)
    statuses = Counter(w.status for w in workers)
    assert set(statuses) == set(Status.values)
    assert statuses[Status.ACTIVE] > len(workers) * 0.6


def test_active_workers_have_a_decree_in_force_and_mostly_training(seeded):
    active = list(seeded.filter(status=Status.ACTIVE).prefetch_related("decrees"))

    assert all(current_decree(w) is not None for w in active)
    assert sum(w.basic_training_on is not None for w in active) > len(active) * 0.8
    assert all(w.ktp_checked for w in active)
    decree = Decree.objects.filter(region_code__startswith="3402").first()
    assert decree.office == "Dinas Sosial Kabupaten Bantul"
    assert decree.region_code == decree.worker.region_code
    assert not Decree.objects.filter(worker__status__in=[Status.APPLIED, Status.VERIFIED]).exists()
    assert WorkerEvent.objects.filter(worker__status=Status.EXITED).exclude(reason="").exists()


def test_coverage_is_uneven_and_focus_leans_to_poverty_elderly_disability(seeded):
    villages = Village.objects.filter(prefix_q("code", "34")).count()
    per_village = Counter(seeded.filter(kind=WorkerKind.PSM).values_list("village_id", flat=True))
    counts = Counter(per_village.values())
    empty = villages - len(per_village)

    assert 0.2 * villages < empty < 0.5 * villages
    assert counts[1] + counts[2] + counts[3] > 0.3 * villages
    assert sum(n for size, n in counts.items() if size >= 5) > 0.05 * villages
    regencies = Counter(code[:4] for code in seeded.values_list("region_code", flat=True))
    assert len(regencies) == 5
    through = Worker.focus_areas.through
    top = Counter(through.objects.values_list("pmkscategory_id", flat=True)).most_common(3)

    assert {number for number, _count in top} == {24, 8, 9}
    assert top[0][0] == 24


def test_trimulyo_login_is_linked_to_an_active_psm_and_seeding_twice_adds_nothing(seeded):
    worker = Worker.objects.get(user__username="psm.trimulyo")
    before = (Worker.objects.count(), Decree.objects.count(), WorkerEvent.objects.count())

    assert (worker.village_id, worker.kind, worker.status) == (
        "3402092004",
        WorkerKind.PSM,
        Status.ACTIVE,
    )
    assert current_decree(worker) is not None
    assert Worker.objects.filter(village_id="3402092004", kind=WorkerKind.PSM).count() >= 5

    # The registry and training seeders alone: later seeders (awards) add people of their own
    # (past winners of other provinces, trained before Mitra), whose records these tests do not
    # describe.
    from mitra.accounts.demo import seed_demo_users
    from mitra.training.demo import seed_training
    from mitra.workers.demo import seed_workers

    for seeder in (seed_demo_users, seed_workers, seed_training):
        seeder(scale="demo")

    assert (Worker.objects.count(), Decree.objects.count(), WorkerEvent.objects.count()) == before
    assert Worker.objects.get(user__username="psm.trimulyo") == worker


def test_the_trimulyo_login_gets_a_record_even_when_diy_was_filled_by_others(regions):
    seed_demo_users()
    other = Worker(
        nik="3404014501800001",
        full_name="Sri Lain",
        sex="P",
        birth_place="Sleman",
        birth_date=datetime.date(1980, 1, 5),
        address="Dusun Kepuh",
        village_id="3404012001",
    )
    other.save()

    assert demo.seed_workers("demo") == 0  # DIY already has workers: skipped

    worker = Worker.objects.get(user__username="psm.trimulyo")
    assert worker.village_id == demo.TRIMULYO and worker.status == Status.ACTIVE
    assert Worker.objects.count() == 2


def test_density_is_configurable(regions, monkeypatch):
    monkeypatch.setenv(demo.DENSITY_ENV, "5")
    assert demo.density_from_env() == 5.0
    monkeypatch.setenv(demo.DENSITY_ENV, "lots")
    with pytest.raises(ValueError):
        demo.density_from_env()

    sparse = demo.seed_province("34", 0.5, timezone.localdate())
    dense = demo.seed_province("34", 3.0, timezone.localdate())  # new NIKs: no clash

    assert dense > 4 * sparse
    assert Worker.objects.count() == sparse + dense


def test_a_nik_already_held_elsewhere_is_renumbered(regions):
    people = demo._People(random.Random(1), timezone.localdate(), "34")  # noqa: S311
    writer = demo._Writer(people, {8, 9, 24})
    generated = people.worker(demo.TRIMULYO, Village.Kind.DESA)
    original = generated[0].nik
    moved_away = Worker(
        nik=original,
        full_name="Orang Lain",
        sex=generated[0].sex,
        birth_place="Bantul",
        birth_date=generated[0].birth_date,
        address="Jl. Lain",
        village=Village.objects.exclude(code__startswith="34").first(),
    )
    moved_away.save()

    writer.add(generated)
    writer.flush()

    seeded = Worker.objects.exclude(pk=moved_away.pk).get()
    assert seeded.nik != original and seeded.nik[:12] == original[:12]
    validate_nik(
        seeded.nik, known_prefix=known_prefix, sex=seeded.sex, birth_date=seeded.birth_date
    )
