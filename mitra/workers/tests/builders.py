"""Small builders for tests of the registry's rules (valid NIKs that match the person)."""

import datetime
import itertools

from mitra.regions.models import Village
from mitra.workers.models import Worker

_serial = itertools.count(1)


def valid_nik(district: str, birth_date: datetime.date, sex: str) -> str:
    day = birth_date.day + (40 if sex == "P" else 0)
    return f"{district}{day:02d}{birth_date:%m%y}{next(_serial):04d}"


def build_worker(
    village="3402092004",
    sex="P",
    birth_date=datetime.date(1985, 8, 17),
    full_name="Siti Rahayu",
    save=True,
    **fields,
) -> Worker:
    worker = Worker(
        nik=fields.pop("nik", None) or valid_nik(village[:6], birth_date, sex),
        full_name=full_name,
        sex=sex,
        birth_place="Bantul",
        birth_date=birth_date,
        address="Dusun Kembangsongo RT 03",
        village=Village.objects.get(code=village),
        **fields,
    )
    if save:
        worker.save()
    return worker
