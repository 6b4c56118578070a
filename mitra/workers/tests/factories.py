"""Factories for the registry's tests: workers with VALID NIKs (the district of the village, the
birth date with +40 for women, a serial never used twice) and their decrees.

    WorkerFactory()                                   # a PSM in Trimulyo (34.02.09.2004)
    WorkerFactory(village_code="3404012001", sex="L", birth_date=date(1980, 1, 2))
    WorkerFactory(ready=True)                         # KTP checked and basic training done
    activate(WorkerFactory(ready=True), officer)      # verified, decree recorded, active
"""

import datetime
import itertools

import factory
from django.utils import timezone
from faker import Faker

from mitra.core import crypto
from mitra.regions.models import Village
from mitra.workers import services
from mitra.workers.models import Decree, Status, Worker

TRIMULYO = "3402092004"

# Serials start high so they do not meet the small ones of `builders.valid_nik` or of a test
# that writes a NIK by hand; every serial is also checked against the database before use.
_serials = itertools.count(5001)


def nik_for(district: str, sex: str, birth_date: datetime.date, serial: int | None = None) -> str:
    """A NIK that passes every rule of `mitra.core.nik` for a person of this district, sex and
    birth date. Without `serial`, one that no worker in the database holds yet."""
    day = birth_date.day + (40 if sex == "P" else 0)
    stem = f"{district[:6]}{day:02d}{birth_date:%m%y}"
    if serial is not None:
        return f"{stem}{serial:04d}"
    while True:
        nik = f"{stem}{1 + next(_serials) % 9999:04d}"
        if not Worker.objects.filter(nik_hash=crypto.blind_index(nik)).exists():
            return nik


def _village(code: str) -> Village:
    return Village.objects.select_related("district__regency").get(code=code)


_fake = Faker("id_ID")


def _full_name(o) -> str:
    return _fake.name_female() if o.sex == "P" else _fake.name_male()


class WorkerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Worker
        skip_postgeneration_save = True

    class Params:
        village_code = TRIMULYO
        # KTP checked and basic training done: ready to be verified.
        ready = factory.Trait(
            ktp_checked=True,
            basic_training_on=factory.LazyFunction(
                lambda: timezone.localdate() - datetime.timedelta(days=400)
            ),
        )

    village = factory.LazyAttribute(lambda o: _village(o.village_code))
    sex = factory.Iterator(["P", "L"])
    birth_date = factory.Faker("date_of_birth", minimum_age=20, maximum_age=64)
    full_name = factory.LazyAttribute(_full_name)
    nik = factory.LazyAttribute(lambda o: nik_for(o.village.code[:6], o.sex, o.birth_date))
    birth_place = factory.Faker("city", locale="id_ID")
    address = factory.Faker("street_address", locale="id_ID")
    phone = factory.Sequence(lambda n: f"0812{n % 100000000:08d}")
    kind = "psm"

    @factory.post_generation
    def focus_areas(self, create, extracted, **kwargs):
        if create and extracted:
            self.focus_areas.set(extracted)


class DecreeFactory(factory.django.DjangoModelFactory):
    """A decree on record (it does not change the worker's status: use `activate` for that)."""

    class Meta:
        model = Decree

    worker = factory.SubFactory(WorkerFactory)
    number = factory.Sequence(lambda n: f"460/{n + 1}/2025")
    issued_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    office = "Dinas Sosial Kabupaten Bantul"


def activate(worker: Worker, officer, **decree) -> Worker:
    """Take a worker through the lifecycle as the officer would: requirements met, verified, then
    a decree that makes them active."""
    if not (worker.ktp_checked and worker.basic_training_on):
        worker.ktp_checked = True
        worker.basic_training_on = worker.basic_training_on or timezone.localdate()
        worker.save()
    if worker.status == Status.APPLIED:
        services.change_status(worker, Status.VERIFIED, officer)
    services.record_decree(
        worker,
        officer,
        number=decree.get("number", "460/1/2025"),
        issued_on=decree.get("issued_on", timezone.localdate()),
        office=decree.get("office", "Dinas Sosial Kabupaten Bantul"),
        valid_until=decree.get("valid_until"),
    )
    worker.refresh_from_db()
    return worker
