"""Demo training records: batches of every course, enrolments with scores and attendance, and
certificates, consistent with the workers the workers seeder made.

What is made, per province of the scale (demo: DI Yogyakarta; province: + Jawa Tengah; national:
every province):
- Basic batches (PSM-D) explaining every PSM's `basic_training_on`: each trained PSM passed one
  basic batch, run by their regency's social office, the province's, or the ministry's regional
  centre (BBPPKS; a national batch, `region_code` '', with a seat quota for the province). Batches
  go back as far as the oldest training date (the programme is old; records before 2019 are
  "digitised" batches); from 2019 the mix includes BBPPKS batches.
- Some participants fail (score below the pass mark, or attendance below the minimum): some
  passed later in another batch, others never did, which is why some active PSM still lack basic
  training. Basic pass rate ~88-91%. A few withdrew.
- Advanced batches (PSM-L, 2019 onwards) passed by ~20% of active PSM (some fail), thematic
  batches (disaster response, case management, family counselling) for ~10%. One advanced and
  one disaster-response batch end 5 and 3 years ago (their certificates' validity) less a few
  weeks, so some certificates expire within 90 days; a few thematic certificates are revoked.
- Now (relative to today): an open basic batch that is full, with a waiting list and applications
  waiting for the officer; an advanced batch running; a planned case-management batch; and a
  disaster-response batch of April 2020 cancelled.
- Certificates for every passed enrolment, numbered with `services.certificate_number` per batch,
  valid for the course's `validity_years` from the last day.

THE CONSISTENCY RULE (checked by the tests): for every PSM, `basic_training_on` equals the last
day of the earliest batch in which they passed a basic course with a certificate that is not
revoked, and is empty when there is none - the rule `services.apply_gate` keeps for records made
through the application. To get there, the seeded training date of each trained PSM is moved to
the last day of the batch that explains it (at most half a year earlier, so the training still
comes before joining). TKSK and the other worker kinds are left alone: their training is not in
the PSM catalogue.

Rows go in with bulk_create in batches of 2,000 (no change history; created_at set to when the
row would have been made); one transaction per province. Idempotent: a province that already has
batches (its own, or a national batch with a seat quota for it) or enrolments is skipped. Random
numbers are seeded per province.
"""

from __future__ import annotations

import bisect
import datetime
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from faker.providers.person.id_ID import Provider as PersonProvider

from mitra.core.categories import WorkerKind
from mitra.core.scope import prefix_q
from mitra.regions.models import Province, Regency, Village
from mitra.workers.demo import SCALE_PROVINCES
from mitra.workers.models import Status as WorkerStatus
from mitra.workers.models import Worker

from .models import (
    Attendance,
    Batch,
    BatchStatus,
    Certificate,
    Course,
    Enrolment,
    EnrolmentStatus,
    Result,
    SeatQuota,
    TrainingSession,
)
from .services import certificate_number

BATCH_SIZE = 2000
DIGITAL_FROM = datetime.date(2019, 1, 1)  # advanced and thematic batches from here on
BBPPKS_FROM = 2015  # the ministry's centres run basic batches for the provinces from here on
DEMO_PSM_USERNAME = "psm.trimulyo"

# The ministry's regional training centres and the provinces each serves (illustrative; the real
# division is not public), with the village of the centre's campus.
CENTRES = {
    "Padang": ("13", "1371", ["11", "12", "13", "14", "15", "16", "17", "18", "19", "21"]),
    "Lembang": ("32", "3217012003", ["31", "32", "36"]),
    "Yogyakarta": ("34", "3402162004", ["33", "34", "35", "51", "52", "53"]),
    "Banjarmasin": ("63", "6371", ["61", "62", "63", "64", "65"]),
    "Makassar": ("73", "7371", ["71", "72", "73", "74", "75", "76", "81", "82"]),
    "Jayapura": ("91", "9171", ["91", "92", "93", "94", "95", "96"]),
}
CENTRE_OF = {p: name for name, (_home, _venue, provinces) in CENTRES.items() for p in provinces}
PROVINCE_SHORT = {"34": "DIY", "31": "DKI Jakarta"}

ADVANCED_SHARE = {WorkerStatus.ACTIVE: 0.22, WorkerStatus.INACTIVE: 0.12, WorkerStatus.EXITED: 0.1}
THEMATIC_SHARE = 0.12
THEMATIC_COURSES = {"TEM-BENCANA": 45, "TEM-KASUS": 30, "TEM-LK3": 25}
THEMATIC_ORGANISER = {"TEM-BENCANA": "prov", "TEM-KASUS": "nat", "TEM-LK3": "reg"}
WITHDRAW_REASONS = ["Sakit", "Bentrok dengan pekerjaan", "Keperluan keluarga", "Pindah domisili"]
REVOKE_REASONS = [
    "Data kehadiran dikoreksi setelah audit: kehadiran di bawah batas minimum",
    "Pelanggaran kode etik PSM (keputusan Dinas Sosial)",
]
TITLES_BEFORE = ["Drs. ", "Dra. ", "Dr. ", "", "", ""]
TITLES_AFTER = [", M.Si.", ", S.Sos., M.AP.", ", M.Kesos.", ", S.ST., M.Si.", ", S.Sos."]


def _aware(day: datetime.date, hour: int = 9) -> datetime.datetime:
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))
    return min(moment, timezone.now())


def _years_later(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _roman(n: int) -> str:
    numerals = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for value, letters in numerals:
        while n >= value:
            out += letters
            n -= value
    return out


def _max_misses(sessions: int, minimum: int) -> int:
    """The most sessions one may miss and still reach the attendance minimum (rounded as
    services.attendance_percent rounds)."""
    misses = 0
    while misses < sessions and round((sessions - misses - 1) * 100 / sessions) >= minimum:
        misses += 1
    return misses


@dataclass
class _Person:
    pk: object
    region_code: str
    status: str
    basic: datetime.date | None
    name: str
    user_id: int | None
    busy: list = field(default_factory=list)  # (start, end) of batches they are in
    passed: set = field(default_factory=set)  # codes of the courses they passed


@dataclass
class _Place:
    person: _Person
    status: str = EnrolmentStatus.ENROLLED
    result: str = Result.PENDING
    pre: int | None = None
    post: int | None = None
    present: list | None = None
    waitlist_position: int | None = None
    note: str = ""
    revoke: str = ""


@dataclass
class _Batch:
    course: Course
    kind: str  # reg, prov, nat
    area: str  # the regency or province whose people take part
    starts_on: datetime.date
    ends_on: datetime.date
    status: str = BatchStatus.FINISHED
    places: list = field(default_factory=list)
    quota: int = 0
    row: Batch | None = None


class _Planner:
    """Plans one province's batches and places in memory, then writes them in bulk."""

    def __init__(self, province: Province, today: datetime.date, courses: dict):
        self.province = province
        self.today = today
        self.courses = courses
        self.rng = random.Random(f"mitra-demo-training-{province.code}")  # noqa: S311
        self.batches: list[_Batch] = []
        self.regencies = dict(Regency.objects.filter(province=province).values_list("code", "name"))
        self.kota = [
            code
            for code, kind in Regency.objects.filter(province=province)
            .order_by("code")
            .values_list("code", "kind")
            if kind == Regency.Kind.KOTA
        ]
        self.heads: dict[str, str] = {}
        self.villages: dict[str, str] = {}
        people = (
            Worker.objects.filter(prefix_q("region_code", province.code))
            .filter(kind=WorkerKind.PSM, merged_into__isnull=True)
            .order_by("region_code", "full_name", "birth_date", "nik_hash")
            .values_list("pk", "region_code", "status", "basic_training_on", "full_name", "user_id")
        )
        self.people = [_Person(*row) for row in people]
        self.moved_basic: dict[object, datetime.date] = {}

    # -- helpers --

    def person_name(self) -> str:
        rng = self.rng
        if rng.random() < 0.5:
            name = f"{rng.choice(PersonProvider.first_names_female)} {rng.choice(PersonProvider.last_names_female)}"
        else:
            name = f"{rng.choice(PersonProvider.first_names_male)} {rng.choice(PersonProvider.last_names_male)}"
        return f"{rng.choice(TITLES_BEFORE)}{name}{rng.choice(TITLES_AFTER)}"

    def organiser(self, kind: str, area: str) -> tuple[str, str, str, str]:
        """(organiser, region_code served, venue village, venue detail)."""
        if kind == "reg":
            name = f"Dinas Sosial {self.regencies[area]}"
            venue = self.first_village(area)
            return name, area, venue, f"Aula {name}"
        if kind == "prov":
            short = PROVINCE_SHORT.get(self.province.code, f"Provinsi {self.province.name}")
            name = f"Dinas Sosial {short}"
            venue = self.first_village(self.kota[0] if self.kota else self.province.code)
            return name, self.province.code, venue, f"Balai Pelatihan {name}"
        centre = CENTRE_OF.get(self.province.code, "Yogyakarta")
        venue = self.first_village(CENTRES[centre][1])
        return f"BBPPKS {centre}", "", venue, f"Kampus BBPPKS {centre}"

    def first_village(self, prefix: str) -> str:
        if prefix not in self.villages:
            village = (
                Village.objects.filter(prefix_q("code", prefix)).order_by("code").first()
                or Village.objects.filter(prefix_q("code", self.province.code))
                .order_by("code")
                .first()
            )
            self.villages[prefix] = village.code
        return self.villages[prefix]

    def serves(self, batch: _Batch, person: _Person) -> bool:
        return person.region_code.startswith(batch.area)

    def free(self, person: _Person, start: datetime.date, end: datetime.date) -> bool:
        return all(end < s or start > e for s, e in person.busy)

    def new_batch(self, code: str, kind: str, area: str, ends_on: datetime.date, **extra):
        course = self.courses[code]
        days = max(3, round(course.hours / 8))
        batch = _Batch(
            course=course,
            kind=kind,
            area=area,
            starts_on=ends_on - datetime.timedelta(days=days - 1),
            ends_on=ends_on,
            **extra,
        )
        self.batches.append(batch)
        return batch

    def score(self, place: _Place, batch: _Batch, outcome: str) -> None:
        """Scores and attendance that give the outcome under the course's rules."""
        rng, course = self.rng, batch.course
        sessions = (batch.ends_on - batch.starts_on).days + 1
        allowed = _max_misses(sessions, course.attendance_min)
        place.pre = rng.randint(30, 72)
        misses = rng.choice([0, 0, 0, min(1, allowed)])
        if outcome == Result.PASSED:
            place.post = min(100, max(course.pass_mark, round(rng.gauss(82, 7))))
        elif rng.random() < 0.6:  # a score below the pass mark
            place.post = rng.randint(max(0, course.pass_mark - 25), course.pass_mark - 1)
        else:  # too many sessions missed
            place.post = rng.randint(course.pass_mark - 10, 95)
            misses = rng.randint(allowed + 1, max(allowed + 1, sessions - 1))
        absent = set(rng.sample(range(sessions), misses))
        place.present = [i not in absent for i in range(sessions)]
        place.result = outcome
        if outcome == Result.FAILED:
            reasons = []
            if place.post < course.pass_mark:
                reasons.append(
                    _("post-test %(score)d below the pass mark %(mark)d")
                    % {"score": place.post, "mark": course.pass_mark}
                )
            attended = round(place.present.count(True) * 100 / sessions)
            if attended < course.attendance_min:
                reasons.append(
                    _("attendance %(att)d%% below the minimum %(min)d%%")
                    % {"att": attended, "min": course.attendance_min}
                )
            place.note = "; ".join(reasons)
        place.pre = min(place.pre, place.post + 10)

    def place(self, batch: _Batch, person: _Person, outcome: str | None) -> _Place:
        place = _Place(person)
        if outcome is not None:
            self.score(place, batch, outcome)
        if outcome == Result.PASSED:
            person.passed.add(batch.course.code)
        person.busy.append((batch.starts_on, batch.ends_on))
        batch.places.append(place)
        return place

    def chunks(self, items: list, low: int, high: int, date_of, span_days: int) -> list[list]:
        """Items (sorted by date) in groups of low-high, none longer than span_days."""
        out: list[list] = []
        size = 0
        for item in items:
            if (
                not out
                or len(out[-1]) >= size
                or (date_of(item) - date_of(out[-1][0])).days > span_days
            ):
                out.append([])
                size = self.rng.randint(low, high)
            out[-1].append(item)
        return out

    # -- basic training --

    def plan_basic(self) -> None:
        rng = self.rng
        groups: dict[tuple, list[_Person]] = defaultdict(list)
        for person in self.people:
            if person.basic is None:
                continue
            year = person.basic.year
            roll = rng.random()
            if year >= BBPPKS_FROM and roll < 0.3:
                key = ("nat", self.province.code)
            elif roll < 0.75:
                key = ("prov", self.province.code)
            else:
                key = ("reg", person.region_code[:4])
            groups[key].append(person)
        basic_batches = []
        for key in sorted(groups):
            members = sorted(groups[key], key=lambda p: (p.basic, p.name))
            for chunk in self.chunks(members, 18, 36, lambda p: p.basic, 730):
                batch = self.new_batch("PSM-D", key[0], key[1], min(p.basic for p in chunk))
                for person in chunk:
                    self.place(batch, person, Result.PASSED)
                    if person.basic != batch.ends_on:
                        self.moved_basic[person.pk] = batch.ends_on
                    person.basic = batch.ends_on
                basic_batches.append(batch)
        basic_batches.sort(key=lambda b: b.ends_on)
        self.add_basic_failures(basic_batches)

    def add_basic_failures(self, batches: list[_Batch]) -> None:
        rng = self.rng
        # Passed at the second attempt: failed an earlier batch that served them (the latest of
        # their regency's or their province's batches that ended a month before, within 3 years).
        by_area: dict[str, list[_Batch]] = defaultdict(list)
        for batch in batches:  # in order of their last day
            by_area[batch.area].append(batch)
        ends = {area: [b.ends_on for b in listed] for area, listed in by_area.items()}
        for batch in batches:
            for place in list(batch.places):
                if place.result != Result.PASSED or rng.random() >= 0.07:
                    continue
                person = place.person
                before = batch.starts_on - datetime.timedelta(days=30)
                options = []
                for area in (person.region_code[:4], self.province.code):
                    index = bisect.bisect_left(ends.get(area, []), before) - 1
                    if index >= 0:
                        options.append(by_area[area][index])
                earlier = [
                    b
                    for b in options
                    if b.ends_on > batch.ends_on - datetime.timedelta(days=3 * 365)
                    and self.free(person, b.starts_on, b.ends_on)
                ]
                if earlier:
                    self.place(max(earlier, key=lambda b: b.ends_on), person, Result.FAILED)
        # Never passed: untrained PSM who failed once, and a few who withdrew.
        pool: dict[str, list[_Person]] = defaultdict(list)
        untrained = [p for p in self.people if p.basic is None]
        rng.shuffle(untrained)
        for person in untrained:
            pool[person.region_code[:4]].append(person)
        for batch in batches:
            passed = sum(1 for p in batch.places if p.result == Result.PASSED)
            wanted = round(passed * rng.uniform(0.04, 0.12))
            withdrawn = 1 if rng.random() < 0.25 else 0
            for n in range(wanted + withdrawn):
                person = self.take(pool, batch)
                if person is None:
                    break
                if n < wanted:
                    self.place(batch, person, Result.FAILED)
                else:
                    place = self.place(batch, person, None)
                    place.status = EnrolmentStatus.WITHDRAWN
                    place.note = rng.choice(WITHDRAW_REASONS)

    def take(self, pool: dict, batch: _Batch) -> _Person | None:
        regencies = [r for r in pool if r.startswith(batch.area) and pool[r]]
        if not regencies:
            return None
        person = pool[self.rng.choice(regencies)].pop()
        return person

    # -- advanced and thematic training --

    def window_start(self, person: _Person, days_after_basic: int) -> datetime.date:
        return max(person.basic + datetime.timedelta(days=days_after_basic), DIGITAL_FROM)

    def plan_advanced(self, forced: set) -> None:
        rng, today = self.rng, self.today
        last = today - datetime.timedelta(days=21)
        pinned_end = _years_later(today, -5) + datetime.timedelta(days=rng.randint(20, 70))
        eligible = [p for p in self.people if p.basic and self.window_start(p, 365) <= last]
        chosen = [
            p for p in eligible if p.pk in forced or rng.random() < ADVANCED_SHARE.get(p.status, 0)
        ]
        groups: dict[tuple, list] = defaultdict(list)
        pinned = [
            p for p in chosen if self.window_start(p, 365) <= pinned_end and p.pk not in forced
        ]
        rng.shuffle(pinned)
        pinned = pinned[: rng.randint(14, 24)] if len(pinned) >= 10 else []
        pinned_ids = {p.pk for p in pinned}
        for person in chosen:
            if person.pk in pinned_ids:
                continue
            start = self.window_start(person, 365)
            target = start + datetime.timedelta(days=rng.randrange((last - start).days + 1))
            kind = "nat" if rng.random() < 0.6 else "prov"
            groups[(kind,)].append((target, person))
        plans = []
        if pinned:
            plans.append(("nat", pinned_end, pinned))
        for (kind,), members in sorted(groups.items()):
            members.sort(key=lambda m: (m[0], m[1].name))
            for chunk in self.chunks(members, 22, 32, lambda m: m[0], 540):
                plans.append((kind, max(t for t, _p in chunk), [p for _t, p in chunk]))
        chosen_ids = {p.pk for p in chosen}
        not_chosen = self.by_regency([p for p in eligible if p.pk not in chosen_ids])
        for kind, ends_on, members in plans:
            batch = self.new_batch("PSM-L", kind, self.province.code, ends_on)
            for person in members:
                if self.free(person, batch.starts_on, batch.ends_on):
                    self.place(batch, person, Result.PASSED)
            self.add_failures(batch, not_chosen, 365, rng.uniform(0.05, 0.13))

    def plan_thematic(self) -> None:
        rng, today = self.rng, self.today
        last = today - datetime.timedelta(days=21)
        pinned_end = _years_later(today, -3) + datetime.timedelta(days=rng.randint(20, 70))
        eligible = [
            p
            for p in self.people
            if p.basic and p.status == WorkerStatus.ACTIVE and self.window_start(p, 180) <= last
        ]
        groups: dict[tuple, list] = defaultdict(list)
        pinned = []
        for person in eligible:
            if rng.random() >= THEMATIC_SHARE:
                continue
            code = rng.choices(list(THEMATIC_COURSES), weights=THEMATIC_COURSES.values())[0]
            start = self.window_start(person, 180)
            if code == "TEM-BENCANA" and start <= pinned_end and len(pinned) < 20:
                pinned.append(person)
                continue
            target = start + datetime.timedelta(days=rng.randrange((last - start).days + 1))
            area = person.region_code[:4] if THEMATIC_ORGANISER[code] == "reg" else ""
            groups[(code, area)].append((target, person))
        eligible_pool = self.by_regency(eligible)
        plans = []
        if len(pinned) >= 8:
            plans.append(("TEM-BENCANA", self.province.code, pinned_end, pinned))
        for (code, area), members in sorted(groups.items()):
            members.sort(key=lambda m: (m[0], m[1].name))
            for chunk in self.chunks(members, 16, 30, lambda m: m[0], 540):
                plans.append(
                    (
                        code,
                        area or self.province.code,
                        max(t for t, _p in chunk),
                        [p for _t, p in chunk],
                    )
                )
        for code, area, ends_on, members in plans:
            batch = self.new_batch(code, THEMATIC_ORGANISER[code], area, ends_on)
            for person in members:
                if self.free(person, batch.starts_on, batch.ends_on):
                    self.place(batch, person, Result.PASSED)
            self.add_failures(batch, eligible_pool, 180, rng.uniform(0.03, 0.12))
        # A few certificates revoked.
        thematic = [
            place
            for batch in self.batches
            if batch.course.code in THEMATIC_COURSES
            for place in batch.places
            if place.result == Result.PASSED
        ]
        for place in rng.sample(thematic, min(2, len(thematic))):
            place.revoke = rng.choice(REVOKE_REASONS)

    def add_failures(self, batch: _Batch, pool: dict, days_after_basic: int, share: float):
        """Some who took part and failed, drawn at random from `pool` (regency code -> people;
        '' -> everyone) among those the batch serves and the course rules admit. Random draws
        with rejection, not a scan of the pool per batch: this runs for every batch."""
        wanted = round(len(batch.places) * share)
        people = pool.get(batch.area if len(batch.area) == 4 else "", [])
        failed = 0
        for _attempt in range(wanted * 30 if people else 0):
            if failed >= wanted:
                break
            person = self.rng.choice(people)
            if (
                self.serves(batch, person)
                and person.basic
                and batch.course.code not in person.passed
                and person.basic + datetime.timedelta(days=days_after_basic) <= batch.starts_on
                and self.free(person, batch.starts_on, batch.ends_on)
            ):
                self.place(batch, person, Result.FAILED)
                failed += 1

    @staticmethod
    def by_regency(people: list) -> dict:
        pool = defaultdict(list, {"": list(people)})
        for person in people:
            pool[person.region_code[:4]].append(person)
        return pool

    # -- now --

    def plan_current(self) -> None:
        rng, today = self.rng, self.today
        # A full basic batch opening soon, with a waiting list and applications.
        batch = self.new_batch(
            "PSM-D",
            "prov",
            self.province.code,
            today + datetime.timedelta(days=20),
            status=BatchStatus.OPEN,
        )
        waiting = [
            p
            for p in self.people
            if p.basic is None
            and p.status in (WorkerStatus.APPLIED, WorkerStatus.VERIFIED, WorkerStatus.ACTIVE)
        ]
        rng.shuffle(waiting)
        batch.quota = min(30, max(3, len(waiting) - 6))
        for n, person in enumerate(waiting[: batch.quota + 9]):
            place = self.place(batch, person, None)
            if n >= batch.quota + 6:
                place.status = EnrolmentStatus.APPLIED
            elif n >= batch.quota:
                place.status = EnrolmentStatus.WAITLISTED
                place.waitlist_position = n - batch.quota + 1
        # An advanced batch running now (the results come at the end).
        running = self.new_batch(
            "PSM-L",
            "nat",
            self.province.code,
            today + datetime.timedelta(days=3),
            status=BatchStatus.RUNNING,
        )
        passed_advanced = {
            place.person.pk
            for b in self.batches
            if b.course.code == "PSM-L"
            for place in b.places
            if place.result == Result.PASSED
        }
        candidates = [
            p
            for p in self.people
            if p.status == WorkerStatus.ACTIVE
            and p.basic
            and p.basic <= running.starts_on - datetime.timedelta(days=365)
            and p.pk not in passed_advanced
            and self.free(p, running.starts_on, running.ends_on)
        ]
        for person in rng.sample(candidates, min(24, len(candidates))):
            place = self.place(running, person, None)
            sessions = (running.ends_on - running.starts_on).days + 1
            done = (today - running.starts_on).days
            place.present = [rng.random() < 0.95 if i < done else None for i in range(sessions)]
            place.pre = rng.randint(30, 72)
        # Planned, and one cancelled in the pandemic.
        self.new_batch(
            "TEM-KASUS", "nat", self.province.code, today + datetime.timedelta(days=14),
            status=BatchStatus.PLANNED,
        )  # fmt: skip
        self.new_batch(
            "TEM-BENCANA", "prov", self.province.code, datetime.date(2020, 4, 16),
            status=BatchStatus.CANCELLED,
        )  # fmt: skip

    # -- writing --

    def write(self) -> dict:
        by_start = sorted(self.batches, key=lambda b: (b.starts_on, b.course.code, b.kind, b.area))
        numbering: dict[tuple, int] = defaultdict(int)
        rows = []
        for batch in by_start:
            organiser, region, venue, venue_detail = self.organiser(batch.kind, batch.area)
            numbering[(organiser, batch.course.code, batch.starts_on.year)] += 1
            number = numbering[(organiser, batch.course.code, batch.starts_on.year)]
            if batch.status in (BatchStatus.FINISHED, BatchStatus.RUNNING):
                batch.quota = batch.quota or max(20, -(-len(batch.places) // 5) * 5)
            else:
                batch.quota = batch.quota or 30
            if organiser not in self.heads:
                self.heads[organiser] = self.person_name()
            name = f"Angkatan {_roman(number)} {batch.starts_on.year}"
            if batch.kind == "nat":  # a centre serves several provinces: say whose batch it is
                name += f" ({PROVINCE_SHORT.get(self.province.code, self.province.name)})"
            batch.row = Batch(
                course=batch.course,
                name=name,
                organiser=organiser,
                region_code=region,
                venue_id=venue,
                venue_detail=venue_detail,
                starts_on=batch.starts_on,
                ends_on=batch.ends_on,
                quota=batch.quota,
                status=batch.status,
                trainers="; ".join(self.person_name() for _ in range(self.rng.randint(2, 3))),
                signer_name=self.heads[organiser],
                signer_title=f"Kepala {organiser}",
                created_at=_aware(batch.starts_on - datetime.timedelta(days=60)),
            )
            rows.append(batch.row)
        Batch.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        SeatQuota.objects.bulk_create(
            [
                SeatQuota(batch=b.row, region_code=self.province.code, seats=b.quota)
                for b in by_start
                if b.kind == "nat"
            ],
            batch_size=BATCH_SIZE,
        )
        sessions = {}
        session_rows = []
        for batch in by_start:
            days = (batch.ends_on - batch.starts_on).days + 1
            sessions[batch.row.pk] = [
                TrainingSession(
                    batch=batch.row,
                    on=batch.starts_on + datetime.timedelta(days=i),
                    title=_("Day %(n)d") % {"n": i + 1},
                )
                for i in range(days)
            ]
            session_rows.extend(sessions[batch.row.pk])
        TrainingSession.objects.bulk_create(session_rows, batch_size=BATCH_SIZE)
        enrolments, attendance, certificates = self.write_places(by_start, sessions)
        for day, ids in self.basic_dates().items():
            for start in range(0, len(ids), 500):
                Worker.objects.filter(pk__in=ids[start : start + 500]).update(basic_training_on=day)
        return {
            "batches": len(rows),
            "enrolments": enrolments,
            "attendance": attendance,
            "certificates": certificates,
        }

    def write_places(self, batches: list[_Batch], sessions: dict) -> tuple[int, int, int]:
        enrolments, attendance, certificates = 0, 0, 0
        pending: list[tuple[_Batch, _Place, Enrolment]] = []

        def flush():
            nonlocal attendance, certificates
            Enrolment.objects.bulk_create([e for _b, _p, e in pending], batch_size=BATCH_SIZE)
            marks = [
                (e.pk, s.pk, present)
                for b, p, e in pending
                if p.present
                for s, present in zip(sessions[b.row.pk], p.present, strict=True)
                if present is not None
            ]
            insert_attendance(marks)
            attendance += len(marks)
            certs = []
            for b, p, e in pending:
                if p.result != Result.PASSED:
                    continue
                b.serial = getattr(b, "serial", 0) + 1
                years = b.course.validity_years
                certs.append(
                    Certificate(
                        enrolment=e,
                        number=certificate_number(b.row, b.serial),
                        issued_on=b.ends_on,
                        valid_until=_years_later(b.ends_on, years) if years else None,
                        region_code=e.region_code,
                        revoked_at=_aware(b.ends_on + datetime.timedelta(days=75))
                        if p.revoke
                        else None,
                        revoked_reason=p.revoke,
                        created_at=_aware(b.ends_on, 15),
                    )
                )
            Certificate.objects.bulk_create(certs, batch_size=BATCH_SIZE)
            certificates += len(certs)
            pending.clear()

        for batch in batches:
            for place in sorted(batch.places, key=lambda p: (p.person.name, str(p.person.pk))):
                person = place.person
                pending.append(
                    (
                        batch,
                        place,
                        Enrolment(
                            batch=batch.row,
                            worker_id=person.pk,
                            status=place.status,
                            waitlist_position=place.waitlist_position,
                            pre_score=place.pre,
                            post_score=place.post,
                            result=place.result,
                            result_note=place.note,
                            region_code=person.region_code,
                            created_at=_aware(batch.starts_on - datetime.timedelta(days=14)),
                        ),
                    )
                )
                enrolments += 1
            if len(pending) >= BATCH_SIZE:
                flush()
        flush()
        return enrolments, attendance, certificates

    def basic_dates(self) -> dict:
        """The date each moved PSM's training record now says (the earliest basic pass)."""
        by_day = defaultdict(list)
        for pk, day in self.moved_basic.items():
            by_day[day].append(pk)
        return by_day


def insert_attendance(rows: list[tuple]) -> None:
    """(enrolment id, session id, present) rows, inserted with plain executemany: attendance is
    the largest table of the seed (5-8 rows per enrolment) and three integer columns need no
    model instances (bulk_create spends most of its time building and compiling them)."""
    meta, quote = Attendance._meta, connection.ops.quote_name
    columns = ", ".join(
        quote(meta.get_field(f).column) for f in ("enrolment", "session", "present")
    )
    # Names from the model's own metadata, values as parameters: nothing from outside.
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES (%s, %s, %s)"  # noqa: S608
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH_SIZE * 5):
            cursor.executemany(sql, rows[start : start + BATCH_SIZE * 5])


def _linked_demo_psm() -> set:
    return set(Worker.objects.filter(user__username=DEMO_PSM_USERNAME).values_list("pk", flat=True))


def province_has_training(code: str) -> bool:
    return (
        Batch.objects.filter(
            Q(prefix_q("region_code", code)) | Q(seat_quotas__region_code=code)
        ).exists()
        or Enrolment.objects.filter(prefix_q("region_code", code)).exists()
    )


def seed_province_training(province: Province, today: datetime.date) -> dict:
    courses = {c.code: c for c in Course.objects.all()}
    missing = {"PSM-D", "PSM-L", *THEMATIC_COURSES} - set(courses)
    if missing:
        raise RuntimeError(f"The course catalogue lacks {sorted(missing)} (migrations not run?).")
    planner = _Planner(province, today, courses)
    planner.plan_basic()
    planner.plan_advanced(_linked_demo_psm())
    planner.plan_thematic()
    planner.plan_current()
    with transaction.atomic():
        return planner.write()


def seed_training(scale: str = "demo", stdout=None) -> int:
    """Seed the training records of the scale's provinces; returns how many enrolments."""
    today = timezone.localdate()
    codes = SCALE_PROVINCES[scale]
    provinces = Province.objects.order_by("code")
    if codes is not None:
        provinces = provinces.filter(code__in=codes)
    total, started = 0, time.monotonic()
    for province in provinces:
        if province_has_training(province.code):
            if stdout:
                stdout.write(f"Training: province {province.code} already has batches, skipped.")
            continue
        began = time.monotonic()
        made = seed_province_training(province, today)
        total += made["enrolments"]
        if stdout:
            stdout.write(
                f"Training: province {province.code}: {made['batches']:,} batches, "
                f"{made['enrolments']:,} enrolments, {made['certificates']:,} certificates, "
                f"{made['attendance']:,} attendance marks in {time.monotonic() - began:.1f} s"
            )
    if stdout:
        stdout.write(f"Training: {total:,} new enrolments, {time.monotonic() - started:.1f} s")
    return total
