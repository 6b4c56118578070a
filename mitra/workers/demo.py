"""Demo workers: PSM (and one TKSK per district) with the uneven coverage of real regencies.

IPSM's target is 5 PSM per village; real coverage is uneven: about 30% of villages have none, many
have 1-3, some 5 or more, and whole regencies are better or worse organised than their neighbours.
The default density (2.4 per village) gives ~200,000 PSM nationally, between the ~92,000 on record
in 2018 and the 420,000 of the target; `per_village` (or MITRA_SEED_PSM_PER_VILLAGE) changes it.

Scales: demo = DI Yogyakarta (34); province = DI Yogyakarta plus all of Jawa Tengah (33), so the
demo logins still find their story; national = every province.

People are plausible: names from faker's id_ID lists matching their sex, NIKs that pass
`validate_nik` with their sex and birth date (the district of first registration is the village's
district, sometimes another district of the same regency, as people move), ages 20-70 mostly
35-55, everyday occupations, 08xx phone numbers, decrees (SK) of the regency's social office for
everyone who was ever appointed, basic training for most, 1-3 focus areas weighted to poverty,
the elderly and disability. The demo login psm.trimulyo is linked to an active PSM of Trimulyo.

Idempotent per province: a province that already has workers is skipped, so running the seed
again adds nothing, and a national seed after a demo seed fills only the other provinces. The
random numbers are seeded per province, so the same database gets the same people.

Rows go in with bulk_create in batches of 2,000, which bypasses Worker.save(): the derived fields
(NIK hash and mask, name key, region code) are filled here with `services.fill_derived_fields`,
and created_at is set to when the person joined. No change-history rows are written for them.
"""

from __future__ import annotations

import datetime
import os
import random
import time
from collections import defaultdict

from django.utils import timezone
from faker.providers.address.id_ID import Provider as AddressProvider
from faker.providers.person.id_ID import Provider as PersonProvider

from mitra.core.categories import WorkerKind
from mitra.core.models import PmksCategory
from mitra.core.scope import prefix_q
from mitra.regions.models import District, Province, Regency, Village

from .models import Decree, Education, Status, Worker, WorkerEvent
from .services import fill_derived_fields

BATCH_SIZE = 2000
DEFAULT_PER_VILLAGE = 2.4
DENSITY_ENV = "MITRA_SEED_PSM_PER_VILLAGE"
SCALE_PROVINCES = {"demo": ["34"], "province": ["34", "33"], "national": None}
TRIMULYO = "3402092004"
DEMO_PSM_USERNAME = "psm.trimulyo"

# PSM per village before the density is applied: 30% none, many 1-3, some 5+ (mean 2.38).
VILLAGE_COUNTS = {0: 30, 1: 12, 2: 14, 3: 13, 4: 10, 5: 12, 6: 5, 7: 3, 8: 1}
BASE_MEAN = sum(n * w for n, w in VILLAGE_COUNTS.items()) / sum(VILLAGE_COUNTS.values())

STATUSES = {
    Status.ACTIVE: 74,
    Status.APPLIED: 8,
    Status.VERIFIED: 5,
    Status.INACTIVE: 7,
    Status.SUSPENDED: 2,
    Status.EXITED: 4,
}
EDUCATION = {
    Education.SD: 10,
    Education.SMP: 17,
    Education.SMA: 46,
    Education.D3: 8,
    Education.S1: 17,
    Education.S2: 2,
}
OCCUPATIONS_SHARED = {
    "Petani": 22,
    "Wiraswasta": 16,
    "Pedagang": 12,
    "Buruh harian lepas": 8,
    "Guru honorer": 7,
    "Karyawan swasta": 7,
    "Perangkat desa": 4,
    "Kader posyandu": 3,
    "Nelayan": 2,
    "Tukang jahit": 2,
    "Peternak": 3,
}
OCCUPATIONS_WOMEN = {"Ibu rumah tangga": 30, **OCCUPATIONS_SHARED}
OCCUPATIONS_MEN = {"Sopir": 3, "Tukang bangunan": 4, **OCCUPATIONS_SHARED}
# PMKS numbers: poverty (24), neglected elderly (8) and disability (9) lead.
FOCUS = {
    24: 30,
    8: 16,
    9: 14,
    23: 6,
    2: 5,
    21: 5,
    5: 4,
    19: 4,
    25: 4,
    1: 3,
    6: 2,
    17: 2,
    22: 2,
    3: 1,
    4: 1,
    7: 1,
    11: 1,
    12: 1,
    13: 1,
    15: 1,
    16: 1,
    18: 1,
    20: 1,
    10: 0.5,
    14: 0.5,
    26: 0.5,
}
FOCUS_COUNT = {1: 45, 2: 35, 3: 20}
PHONE_PREFIXES = ["11", "12", "13", "21", "22", "23", "52", "53", "57", "59", "77", "78", "81", "82",
                  "87", "95", "96", "97", "98", "99", "31", "38", "51", "55", "56", "58"]  # fmt: skip
HAMLETS = ["Karanganom", "Kembangsongo", "Ngentak", "Sorogenen", "Kepuh", "Tegalsari", "Jati",
           "Krapyak", "Sanggrahan", "Kauman", "Ngablak", "Gunungan", "Wonokromo", "Pandes",
           "Karangasem", "Nglarang", "Sidomulyo", "Kedungmiri", "Pucung", "Gadingharjo",
           "Bulusari", "Sumberjo", "Krajan", "Ngemplak", "Mangunan", "Dukuh", "Tlogo", "Cepit",
           "Plumbon", "Banyuurip", "Kalangan", "Wonosari", "Sembungan", "Gedongan", "Kalipucang",
           "Tanjung", "Ngrame", "Siluk", "Kopen", "Candi"]  # fmt: skip
INACTIVE_REASONS = ["Bekerja di luar kota", "Sakit berkepanjangan", "Mengurus keluarga",
                    "Tidak aktif melapor kegiatan"]  # fmt: skip
SUSPENDED_REASONS = ["Tidak melapor kegiatan selama 6 bulan", "Sedang dalam pemeriksaan pengaduan"]
EXITED_REASONS = ["Mengundurkan diri", "Meninggal dunia", "Pindah domisili ke luar kabupaten",
                  "Diangkat menjadi perangkat desa"]  # fmt: skip


def _weighted(rng: random.Random, table: dict):
    return rng.choices(list(table), weights=list(table.values()))[0]


def _years_ago(day: datetime.date, years: float) -> datetime.date:
    return day - datetime.timedelta(days=round(years * 365.25))


def _aware(day: datetime.date) -> datetime.datetime:
    """Nine in the morning of that day (never later than now)."""
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 0)))
    return min(moment, timezone.now())


def density_from_env() -> float:
    raw = os.environ.get(DENSITY_ENV, "")
    if not raw:
        return DEFAULT_PER_VILLAGE
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{DENSITY_ENV}={raw!r} is not a number of PSM per village.") from None
    if not 0 <= value <= 20:
        raise ValueError(f"{DENSITY_ENV} must be between 0 and 20 PSM per village.")
    return value


class _People:
    """Makes one plausible worker at a time (with focus areas, decrees and a status event)."""

    def __init__(self, rng: random.Random, today: datetime.date, province: str):
        self.rng = rng
        self.today = today
        self.serials: dict[str, int] = defaultdict(int)
        self.regencies = {
            code: (name, kind)
            for code, name, kind in Regency.objects.filter(province_id=province).values_list(
                "code", "name", "kind"
            )
        }
        self.districts: dict[str, list[str]] = defaultdict(list)
        for code, regency in District.objects.filter(regency__province_id=province).values_list(
            "code", "regency_id"
        ):
            self.districts[regency].append(code)

    # -- the person --

    def nik(self, village: str, birth: datetime.date, sex: str) -> str:
        district = village[:6]
        if self.rng.random() < 0.15:  # registered elsewhere in the regency, then moved here
            district = self.rng.choice(self.districts[village[:4]] or [district])
        day = birth.day + (40 if sex == "P" else 0)
        stem = f"{district}{day:02d}{birth:%m%y}"
        self.serials[stem] += 1
        return f"{stem}{self.serials[stem]:04d}"

    def renumber(self, worker: Worker) -> None:
        """A NIK already held elsewhere (another province's record): take the next serial."""
        stem = worker.nik[:12]
        self.serials[stem] += 1
        worker.nik = f"{stem}{self.serials[stem]:04d}"
        fill_derived_fields(worker)

    def name(self, sex: str) -> str:
        rng = self.rng
        if sex == "P":
            first = rng.choice(PersonProvider.first_names_female)
            last = rng.choice(PersonProvider.last_names_female)
        else:
            first = rng.choice(PersonProvider.first_names_male)
            last = rng.choice(PersonProvider.last_names_male)
        return first if rng.random() < 0.2 else f"{first} {last}"

    def birth_date(self) -> datetime.date:
        age = min(70.0, max(20.0, self.rng.gauss(45, 9)))
        return _years_ago(self.today, age) - datetime.timedelta(days=self.rng.randrange(365))

    def birth_place(self, regency: str) -> str:
        roll = self.rng.random()
        if roll < 0.05:
            return self.rng.choice(AddressProvider.cities)
        if roll < 0.25:
            regency = self.rng.choice(list(self.regencies))
        name = self.regencies[regency][0]
        return name.removeprefix("Kabupaten ").removeprefix("Kota ")

    def address(self, kind: str) -> str:
        rng = self.rng
        rt, rw = rng.randint(1, 12), rng.randint(1, 8)
        if kind == Village.Kind.KELURAHAN:
            street = f"{rng.choice(AddressProvider.street_prefixes_short)} {rng.choice(AddressProvider.streets)}"
            return f"{street} No. {rng.randint(1, 150)}, RT {rt:02d}/RW {rw:02d}"
        return f"Dusun {rng.choice(HAMLETS)} RT {rt:02d}/RW {rw:02d}"

    def phone(self) -> str:
        if self.rng.random() < 0.08:
            return ""
        digits = "".join(str(self.rng.randrange(10)) for _ in range(self.rng.choice((7, 8))))
        return f"08{self.rng.choice(PHONE_PREFIXES)}{digits}"

    def occupation(self, sex: str, age: int) -> str:
        if age >= 58 and self.rng.random() < 0.4:
            return "Pensiunan" if self.rng.random() < 0.5 else "Petani"
        return _weighted(self.rng, OCCUPATIONS_WOMEN if sex == "P" else OCCUPATIONS_MEN)

    def focus(self) -> list[int]:
        count = _weighted(self.rng, FOCUS_COUNT)
        chosen: set[int] = set()
        while len(chosen) < count:
            chosen.add(_weighted(self.rng, FOCUS))
        return sorted(chosen)

    def between(self, start: datetime.date, end: datetime.date) -> datetime.date:
        if end <= start:
            return start
        return start + datetime.timedelta(days=self.rng.randrange((end - start).days + 1))

    # -- the record --

    def worker(
        self, village: str, village_kind: str, *, kind=WorkerKind.PSM, status=None, sex=None
    ):
        rng, today = self.rng, self.today
        sex = sex or ("P" if rng.random() < 0.58 else "L")
        birth = self.birth_date()
        age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
        status = status or _weighted(rng, STATUSES)
        adult = _years_ago(birth, -20)
        recent = _years_ago(today, 0.5)
        appointed = status not in (Status.APPLIED, Status.VERIFIED)
        if appointed:
            joined = self.between(max(adult, _years_ago(today, 18)), _years_ago(today, 1))
        else:
            joined = self.between(recent, today)
        if appointed:
            trained = rng.random() < (0.9 if status == Status.ACTIVE else 0.8)
        else:
            trained = status == Status.VERIFIED or rng.random() < 0.4
        worker = Worker(
            kind=kind,
            nik=self.nik(village, birth, sex),
            full_name=self.name(sex),
            sex=sex,
            birth_place=self.birth_place(village[:4]),
            birth_date=birth,
            address=self.address(village_kind),
            village_id=village,
            phone=self.phone(),
            education=_weighted(rng, EDUCATION),
            occupation=self.occupation(sex, age),
            joined_on=joined if appointed or rng.random() < 0.5 else None,
            status=status,
            ktp_checked=appointed or status == Status.VERIFIED or rng.random() < 0.3,
            # Basic training comes before joining (it is a requirement of the appointment).
            basic_training_on=self.between(joined - datetime.timedelta(365), joined)
            if trained
            else None,
            created_at=_aware(joined),
        )
        decrees, events = self.history(worker, joined)
        fill_derived_fields(worker)
        return worker, self.focus(), decrees, events

    def decree(self, worker: Worker, issued: datetime.date, years: int | None) -> Decree:
        rng = self.rng
        number = rng.randint(1, 999)
        style = rng.random()
        if style < 0.5:
            text = f"460/{number}/{issued.year}"
        elif style < 0.8:
            text = f"188.45/{number}/KPTS/{issued.year}"
        else:
            text = f"400.9/{number}/Dinsos/{issued.year}"
        valid_until = None
        if years:
            valid_until = _years_ago(issued, -years) - datetime.timedelta(days=1)
        return Decree(
            worker=worker,
            number=text,
            issued_on=issued,
            office=f"Dinas Sosial {self.regencies[worker.village_id[:4]][0]}",
            valid_until=valid_until,
            region_code=worker.village_id,
            created_at=_aware(issued),
        )

    def history(self, worker: Worker, joined: datetime.date):
        """Decrees and the last status step, consistent with the status and its date."""
        rng, today = self.rng, self.today
        status = worker.status
        decrees, events = [], []
        if status == Status.APPLIED:
            worker.status_since = joined
            return decrees, events
        if status == Status.VERIFIED:
            worker.status_since = self.between(joined, today)
            events.append(
                self.event(worker, Status.APPLIED, Status.VERIFIED, "", worker.status_since)
            )
            return decrees, events
        first = self.between(joined, min(today, joined + datetime.timedelta(240)))
        if status == Status.ACTIVE:
            # The decree in force: recent, valid for three years or open-ended.
            current = self.between(max(first, _years_ago(today, 2.9)), today)
            if current > first + datetime.timedelta(365):
                decrees.append(self.decree(worker, first, 3))  # the first appointment
            decrees.append(self.decree(worker, current, 3 if rng.random() < 0.6 else None))
            worker.status_since = current
            events.append(self.event(worker, Status.VERIFIED, Status.ACTIVE, "", current))
            return decrees, events
        decrees.append(self.decree(worker, first, 3 if rng.random() < 0.6 else None))
        worker.status_since = self.between(first + datetime.timedelta(30), today)
        reasons = {
            Status.INACTIVE: INACTIVE_REASONS,
            Status.SUSPENDED: SUSPENDED_REASONS,
            Status.EXITED: EXITED_REASONS,
        }[status]
        events.append(
            self.event(worker, Status.ACTIVE, status, rng.choice(reasons), worker.status_since)
        )
        return decrees, events

    def event(self, worker, from_status, to_status, reason, on) -> WorkerEvent:
        return WorkerEvent(
            worker=worker,
            kind=WorkerEvent.Kind.STATUS,
            at=_aware(on),
            on=on,
            from_status=from_status,
            to_status=to_status,
            reason=reason,
            region_code=worker.village_id,
        )


class _Writer:
    """Collects generated rows and writes them in batches of BATCH_SIZE."""

    def __init__(self, people: _People, focus_numbers: set[int]):
        self.people = people
        self.focus_numbers = focus_numbers
        self.rows: list[tuple] = []
        self.written = 0

    def add(self, generated: tuple) -> Worker:
        self.rows.append(generated)
        if len(self.rows) >= BATCH_SIZE:
            self.flush()
        return generated[0]

    def flush(self) -> None:
        if not self.rows:
            return
        workers = [row[0] for row in self.rows]
        pending = workers
        while pending:  # NIKs someone already holds (another province's records) move on
            taken = set(
                Worker.objects.filter(nik_hash__in=[w.nik_hash for w in pending]).values_list(
                    "nik_hash", flat=True
                )
            )
            pending = [w for w in pending if w.nik_hash in taken]
            for worker in pending:
                self.people.renumber(worker)
        Worker.objects.bulk_create(workers, batch_size=BATCH_SIZE)
        through = Worker.focus_areas.through
        through.objects.bulk_create(
            [
                through(worker_id=w.pk, pmkscategory_id=n)
                for w, focus, _d, _e in self.rows
                for n in focus
                if n in self.focus_numbers
            ],
            batch_size=BATCH_SIZE,
        )
        Decree.objects.bulk_create(
            [d for _w, _f, decrees, _e in self.rows for d in decrees], batch_size=BATCH_SIZE
        )
        WorkerEvent.objects.bulk_create(
            [e for _w, _f, _d, events in self.rows for e in events], batch_size=BATCH_SIZE
        )
        self.written += len(workers)
        self.rows = []


def _village_count(rng: random.Random, per_village: float, regency_factor: float) -> int:
    base = _weighted(rng, VILLAGE_COUNTS)
    scaled = base * per_village / BASE_MEAN * regency_factor
    whole = int(scaled)
    return whole + (1 if rng.random() < scaled - whole else 0)


def seed_province(province: str, per_village: float, today: datetime.date) -> int:
    """Generate and write the workers of one province; returns how many were written."""
    rng = random.Random(f"mitra-demo-workers-{province}-{per_village}")  # noqa: S311
    people = _People(rng, today, province)
    writer = _Writer(people, set(PmksCategory.objects.values_list("number", flat=True)))
    regency_factor = {code: rng.uniform(0.45, 1.55) for code in sorted(people.regencies)}
    villages_by_district: dict[str, list[tuple[str, str]]] = defaultdict(list)
    villages = (
        Village.objects.filter(prefix_q("code", province))
        .order_by("code")
        .values_list("code", "kind")
    )
    for code, kind in villages:
        villages_by_district[code[:6]].append((code, kind))
        count = _village_count(rng, per_village, regency_factor.get(code[:4], 1.0))
        if code == TRIMULYO:
            # The demo story's village (host of Temu Nasional 2018): a well-organised PSM group.
            writer.add(people.worker(code, kind, status=Status.ACTIVE, sex="P"))
            count = max(count, 5)
        for _ in range(count):
            writer.add(people.worker(code, kind))
    # One TKSK in most districts, living in one of its villages.
    for district in sorted(villages_by_district):
        if rng.random() < 0.85:
            code, kind = rng.choice(villages_by_district[district])
            writer.add(people.worker(code, kind, kind=WorkerKind.TKSK, status=Status.ACTIVE))
    writer.flush()
    return writer.written


def link_demo_psm(today: datetime.date) -> Worker | None:
    """Give the demo login psm.trimulyo its PSM record: an active PSM of Trimulyo."""
    from mitra.accounts.models import User
    from mitra.accounts.roles import Role

    user = User.objects.filter(username=DEMO_PSM_USERNAME, role=Role.WORKER).first()
    if user is None or not Village.objects.filter(code=TRIMULYO).exists():
        return None
    linked = Worker.objects.filter(user=user).first()
    if linked is not None:
        return linked
    candidates = Worker.objects.filter(
        village_id=TRIMULYO, kind=WorkerKind.PSM, status=Status.ACTIVE, user__isnull=True
    )
    worker = candidates.order_by("created_at", "pk").first()
    if worker is None:  # the province was seeded by someone else: add the one record
        people = _People(random.Random(f"mitra-demo-psm-{TRIMULYO}"), today, TRIMULYO[:2])  # noqa: S311
        writer = _Writer(people, set(PmksCategory.objects.values_list("number", flat=True)))
        worker = writer.add(
            people.worker(TRIMULYO, Village.Kind.DESA, status=Status.ACTIVE, sex="P")
        )
        writer.flush()
    Worker.objects.filter(pk=worker.pk).update(user=user)
    worker.user = user
    return worker


def seed_workers(scale: str = "demo", stdout=None, per_village: float | None = None) -> int:
    """Seed the workers of the scale's provinces; returns how many were written."""
    per_village = density_from_env() if per_village is None else per_village
    today = timezone.localdate()
    provinces = SCALE_PROVINCES[scale]
    if provinces is None:
        provinces = list(Province.objects.order_by("code").values_list("code", flat=True))
    total, started = 0, time.monotonic()
    for province in provinces:
        if not Province.objects.filter(code=province).exists():
            continue
        if Worker.objects.filter(prefix_q("region_code", province)).exists():
            if stdout:
                stdout.write(f"Workers: province {province} already has workers, skipped.")
            continue
        began = time.monotonic()
        written = seed_province(province, per_village, today)
        total += written
        if stdout:
            stdout.write(
                f"Workers: province {province}: {written:,} in {time.monotonic() - began:.1f} s"
            )
    if provinces and "34" in provinces:
        linked = link_demo_psm(today)
        if stdout and linked is not None:
            stdout.write(f"Workers: {DEMO_PSM_USERNAME} is linked to a PSM record in Trimulyo.")
    if stdout:
        stdout.write(
            f"Workers: {total:,} new ({per_village:g} PSM per village on average), "
            f"{time.monotonic() - started:.1f} s"
        )
    return total
