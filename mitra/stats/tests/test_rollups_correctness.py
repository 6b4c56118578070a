"""The rollups agree with the raw tables: on seeded random data, after a full rebuild, and after
random updates, deletions and transfers between villages refreshed incrementally (only the
districts the signals marked)."""

import datetime
import random

import pytest
from django.utils import timezone

from mitra.cases.models import ActivityReport, Beneficiary, Case, Intervention, Referral
from mitra.core.models import PmksCategory
from mitra.regions.models import Village
from mitra.stats import rollups
from mitra.stats.aggregates import RawSource
from mitra.stats.indicators import CHILD_LEN, Filters, dashboard
from mitra.stats.rollups_models import DirtyDistrict
from mitra.stats.rollups_reader import DistrictSource, RollupSource
from mitra.training.models import Course, Enrolment
from mitra.training.tests.builders import make_batch
from mitra.ventures.models import VentureResult
from mitra.ventures.tests.builders import build_result, build_support, build_venture
from mitra.workers.tests.builders import build_worker

KINDS = ["psm", "psm", "psm", "tksk", "tagana"]
STATUSES = ["active", "active", "active", "inactive", "applied", "exited"]
LEVELS = [("", ""), ("34", "province"), ("3402", "regency"), ("3404", "regency")]


def _villages(rng):
    codes = []
    for regency in ("3402", "3404", "3471", "3301"):
        pool = list(Village.objects.filter(code__startswith=regency).values_list("code", flat=True))
        codes += rng.sample(pool, 3)
    return codes


def _day(rng, today, back=1100):
    return today - datetime.timedelta(days=rng.randrange(back))


class World:
    """A random programme in a dozen villages of four regencies (two provinces)."""

    def __init__(self, seed: int):
        self.rng = rng = random.Random(seed)
        self.today = timezone.localdate()
        self.villages = _villages(rng)
        self.categories = list(PmksCategory.objects.values_list("number", flat=True))
        advanced = Course.objects.filter(level="lanjutan").first()
        self.batches = [
            make_batch(code=advanced.code, status="finished", name="Lanjutan"),
            make_batch(status="open", name="Dasar"),
        ]
        self.workers = [self._worker() for _ in range(30)]
        for worker in rng.sample(self.workers, 12):
            batch = rng.choice(self.batches)
            Enrolment.objects.create(
                batch=batch,
                worker=worker,
                status=rng.choice(["enrolled", "applied", "withdrawn"]),
                result="passed" if batch.status == "finished" else "pending",
            )
        self.people = [self._person() for _ in range(30)]
        self.cases = [self._case(p) for p in self.people for _ in range(rng.choice([1, 1, 2]))]
        for case in self.cases:
            for _ in range(rng.randrange(4)):
                Intervention.objects.create(
                    case=case,
                    kind=rng.choice(["home_visit", "assessment", "follow_up"]),
                    on=max(case.opened_on, _day(rng, self.today)),
                    worker=case.worker,
                )
            if rng.random() < 0.4:
                Referral.objects.create(
                    case=case,
                    programme=rng.choice(["pkh", "sembako", "rehab", "health"]),
                    status=rng.choice(["sent", "accepted", "rejected", "served"]),
                    sent_on=max(case.opened_on, _day(rng, self.today)),
                )
        for _ in range(40):
            worker = rng.choice(self.workers)
            ActivityReport.objects.create(
                worker=worker,
                on=_day(rng, self.today),
                village_id=worker.village_id,
                activity_type="outreach",
                description="Sosialisasi",
                reached_adults_f=rng.randrange(20),
                reached_children_m=rng.randrange(10),
                status=rng.choice(["draft", "submitted", "verified", "verified"]),
            )
        self._ventures()

    def _ventures(self):
        """Ventures of some workers, some in another village than the worker's (a PSM counts
        where registered, a venture where it is), with support and results."""
        rng = self.rng
        self.ventures = []
        for worker in rng.sample(self.workers, 12):
            status = rng.choice(["planned", "running", "running", "stopped"])
            started = None if status == "planned" else _day(rng, self.today, 1200)
            stopped = None
            if status == "stopped":
                stopped = min(self.today, started + datetime.timedelta(days=rng.randrange(900)))
            village = worker.village_id if rng.random() < 0.7 else rng.choice(self.villages)
            venture = build_venture(
                worker, village, status=status, started_on=started, stopped_on=stopped
            )
            for _ in range(rng.randrange(3)):
                build_support(
                    venture,
                    source=rng.choice(["kemensos", "dinas", "csr", "bank"]),
                    amount=rng.randrange(1, 50) * 100_000,
                    received_on=_day(rng, self.today),
                )
            for months_back in rng.sample([3, 6, 9, 12], rng.randrange(3)):
                build_result(
                    venture,
                    period_start=(self.today - datetime.timedelta(days=30 * months_back)).replace(
                        day=1
                    ),
                    income_band=rng.choice("01234"),
                )
            self.ventures.append(venture)

    def mutate_ventures(self):
        rng = self.rng
        for venture in rng.sample(self.ventures, 3):  # stopped, restarted, or moved
            if venture.status == "running":
                venture.status, venture.stopped_on = "stopped", self.today
            else:
                venture.status, venture.stopped_on = "running", None
                venture.started_on = venture.started_on or _day(rng, self.today, 900)
            venture.village_id = rng.choice(self.villages)
            venture.save()
        build_support(rng.choice(self.ventures), source="other", amount=750_000)
        build_result(rng.choice(self.ventures), period_start=self.today.replace(day=1))
        result = VentureResult.objects.order_by("?").first()
        if result:
            result.delete()
        doomed = self.ventures.pop(rng.randrange(len(self.ventures)))
        doomed.delete()  # with its support and results

    def _worker(self):
        rng = self.rng
        joined = _day(rng, self.today, 6000) if rng.random() < 0.85 else None
        return build_worker(
            village=rng.choice(self.villages),
            sex=rng.choice("LP"),
            birth_date=datetime.date(rng.randrange(1955, 2004), rng.randrange(1, 13), 1)
            + datetime.timedelta(days=rng.randrange(28)),
            kind=rng.choice(KINDS),
            status=rng.choice(STATUSES),
            joined_on=joined,
            basic_training_on=joined if joined and rng.random() < 0.6 else None,
        )

    def _person(self):
        rng = self.rng
        person = Beneficiary.objects.create(
            full_name="Warga",
            sex=rng.choice("LP"),
            estimated_age=rng.randrange(1, 90),
            village_id=rng.choice(self.villages),
            address="Dusun",
            consent_by="Warga",
            consent_relation="self",
            consent_on=_day(rng, self.today),
            consent_method="verbal",
        )
        person.categories.set(rng.sample(self.categories, rng.choice([1, 1, 2])))
        return person

    def _case(self, person):
        rng = self.rng
        opened = _day(rng, self.today)
        closed = rng.random() < 0.35
        case = Case.objects.create(
            beneficiary=person,
            worker=rng.choice(self.workers),
            status="closed" if closed else rng.choice(["identified", "assisting", "referred"]),
            opened_on=opened,
            closed_on=min(self.today, opened + datetime.timedelta(days=rng.randrange(200)))
            if closed
            else None,
            next_follow_up_on=None
            if closed
            else self.today + datetime.timedelta(days=rng.randrange(-40, 40)),
        )
        case.categories.set(rng.sample(self.categories, rng.choice([1, 1, 2, 3])))
        return case

    def mutate(self):
        """Updates, deletions and moves, each through the models (so the signals see them)."""
        rng = self.rng
        for worker in rng.sample(self.workers, 6):
            worker.status = rng.choice(STATUSES)
            worker.kind = rng.choice(KINDS)
            worker.save()
        for worker in rng.sample(self.workers, 4):  # moves to another village, maybe regency
            worker.village_id = rng.choice(self.villages)
            worker.save()
        for person in rng.sample(self.people, 5):  # a family moves; its cases follow
            person.village_id = rng.choice(self.villages)
            person.save()
            for case in person.cases.all():
                case.save()
        for case in rng.sample(self.cases, 6):
            case.categories.set(rng.sample(self.categories, 2))
        for case in rng.sample(self.cases, 5):
            if case.status != "closed":
                case.status, case.closed_on = "closed", self.today
                case.next_follow_up_on = None
            case.worker = rng.choice(self.workers)  # handed over to another worker
            case.save()
        for person in rng.sample(self.people, 3):
            person.categories.add(rng.choice(self.categories))
        first = list(Intervention.objects.values_list("pk", flat=True)[:5])
        Intervention.objects.filter(pk__in=first).delete()
        for referral in Referral.objects.all()[:4]:
            referral.status = "served"
            referral.save()
        for report in ActivityReport.objects.exclude(status="verified")[:5]:
            report.status = "verified"
            report.save()
        for report in ActivityReport.objects.filter(status="verified")[:3]:
            report.delete()
        doomed = self.cases.pop(rng.randrange(len(self.cases)))
        doomed.delete()  # with its interventions and referrals
        idle = [
            w
            for w in self.workers
            if not w.cases.exists()
            and not w.activity_reports.exists()
            and not Intervention.objects.filter(worker=w).exists()
            and not w.ventures.exists()
        ]
        if idle:
            Enrolment.objects.filter(worker=idle[0]).delete()
            idle[0].delete()
            self.workers.remove(idle[0])
        for enrolment in Enrolment.objects.all()[:3]:
            enrolment.result = "passed"
            enrolment.status = "enrolled"
            enrolment.save()
        self.mutate_ventures()


def _filters(today):
    five_years = Filters(
        today.replace(year=today.year - 4, month=1, day=1), Filters.default().date_to
    )
    last_year = Filters(datetime.date(today.year - 1, 1, 1), datetime.date(today.year - 1, 12, 31))
    return [
        five_years,
        last_year,
        Filters(five_years.date_from, five_years.date_to, worker_kind="psm"),
        Filters(five_years.date_from, five_years.date_to, category="8"),
        Filters(last_year.date_from, last_year.date_to, worker_kind="tksk", category="3"),
    ]


def _clean(d):
    return {
        k: {n: v for n, v in inner.items() if v} for k, inner in d.items() if any(inner.values())
    }


def assert_rollups_match_raw(user, today, districts=()):
    for filters in _filters(today):
        for code, level in LEVELS:
            child_len = CHILD_LEN[level]
            if not RollupSource.supports(child_len, filters):
                continue
            raw = RawSource(user, code, child_len, filters, today)
            rolled = RollupSource(user, code, child_len, filters, today)
            where = f"{code or 'national'} {filters}"
            assert _clean(rolled.measures()) == _clean(raw.measures()), where
            assert _clean(rolled.trends()) == _clean(raw.trends()), where
            assert _clean(rolled.breakdowns()) == _clean(raw.breakdowns()), where
        # A district reads its own trends and breakdowns from its rollup rows.
        for district in districts:
            if not DistrictSource.supports(district, 10, filters, user):
                continue
            raw = RawSource(user, district, 10, filters, today)
            mixed = DistrictSource(user, district, 10, filters, today)
            where = f"{district} {filters}"
            assert _clean(mixed.measures()) == _clean(raw.measures()), where
            assert _clean(mixed.trends()) == _clean(raw.trends()), where
            assert _clean(mixed.breakdowns()) == _clean(raw.breakdowns()), where


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rollups_equal_raw_group_by_after_rebuild_and_after_changes(national_admin, seed):
    world = World(seed)
    rollups.rebuild_all()
    assert not DirtyDistrict.objects.exists()
    assert_rollups_match_raw(national_admin, world.today, sorted({v[:6] for v in world.villages}))

    world.mutate()
    assert DirtyDistrict.objects.exists()  # the signals marked what changed
    refreshed = rollups.refresh_dirty()
    assert refreshed > 0
    assert not DirtyDistrict.objects.exists()
    assert_rollups_match_raw(national_admin, world.today, sorted({v[:6] for v in world.villages}))


@pytest.mark.django_db
def test_dashboard_reads_rollups_once_built_and_shows_the_same_figures(diy_officer):
    World(7)
    filters = _filters(timezone.localdate())[0]
    before = dashboard(diy_officer, "34", filters)
    assert before.source == "raw"
    rollups.rebuild_all()
    after = dashboard(diy_officer, "34", filters)
    assert after.source == "rollups"
    assert after.values == before.values
    assert after.children == before.children
    assert after.trends == before.trends
    assert after.breakdowns == before.breakdowns


@pytest.mark.django_db
def test_a_change_not_yet_refreshed_holds_as_of_back(national_admin):
    world = World(5)
    rollups.rebuild_all()
    built = rollups.as_of()
    worker = world.workers[0]
    worker.status = "exited" if worker.status != "exited" else "active"
    worker.save()
    assert DirtyDistrict.objects.filter(code=worker.region_code[:6]).exists()
    assert rollups.as_of() <= built
    rollups.refresh_dirty()
    assert rollups.as_of() >= built


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [4, 5])
def test_a_refresh_from_the_first_changed_month_equals_raw_group_by(national_admin, seed):
    """Field work dated in some months (new, re-dated, served, verified, closed today, deleted):
    the marks say from which month, the refresh rebuilds only from there, and every figure
    still equals the raw GROUP BY (a re-dated intervention's old month included)."""
    world = World(seed)
    rng = world.rng
    rollups.rebuild_all()
    case = next(c for c in world.cases if c.status != "closed")
    Intervention.objects.create(case=case, worker=case.worker, kind="home_visit", on=world.today)
    Intervention.objects.filter(on__lt=world.today - datetime.timedelta(days=300)).last().delete()
    for referral in Referral.objects.exclude(status="served")[:2]:
        referral.status = "served"
        referral.save()
    for report in ActivityReport.objects.exclude(status="verified")[:2]:
        report.status = "verified"
        report.save()
    closing = rng.choice([c for c in world.cases if c.status != "closed" and c.pk != case.pk])
    closing.status, closing.closed_on, closing.next_follow_up_on = "closed", world.today, None
    closing.save()

    months = list(DirtyDistrict.objects.values_list("since", flat=True))
    assert months and None not in months, "dated changes must not mark every month"
    assert min(months) > world.today - datetime.timedelta(days=1100)
    rollups.refresh_dirty()
    assert not DirtyDistrict.objects.exists()
    assert_rollups_match_raw(national_admin, world.today, sorted({v[:6] for v in world.villages}))

    # Alone: an intervention re-dated from an old month to a later one; the old month is redone.
    moved = Intervention.objects.filter(on__lt=world.today - datetime.timedelta(days=600)).first()
    old_month = moved.on.replace(day=1)
    moved.on = world.today - datetime.timedelta(days=200)
    moved.save()
    assert set(DirtyDistrict.objects.values_list("since", flat=True)) == {old_month}
    rollups.refresh_dirty()
    assert_rollups_match_raw(national_admin, world.today, sorted({v[:6] for v in world.villages}))


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [6, 8])
def test_venture_changes_alone_mark_their_districts_and_the_refresh_equals_raw(
    national_admin, seed
):
    """Ventures stopped, restarted and moved, support and results added or deleted, a venture
    deleted with its parts: only these marks, and the ventures' figures equal the raw count."""
    world = World(seed)
    rollups.rebuild_all()
    districts = sorted({v[:6] for v in world.villages})
    national = RollupSource(national_admin, "", 2, _filters(world.today)[0], world.today)
    figures = {
        m: sum(row.get(m, 0) for row in national.measures().values())
        for m in ("psm_running", "support_given", "cohort_12")
    }
    assert all(figures.values()), figures  # the random data has ventures to count

    world.mutate_ventures()
    assert DirtyDistrict.objects.exists()
    rollups.refresh_dirty()
    assert_rollups_match_raw(national_admin, world.today, districts)
