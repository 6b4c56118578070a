"""Builders for training tests: batches of the seeded courses, enrolled and assessed workers."""

import datetime

from mitra.regions.models import Village
from mitra.training.models import Batch, BatchStatus, Course, TrainingSession


def make_batch(
    code="PSM-D",
    *,
    starts=datetime.date(2026, 3, 2),
    days=5,
    quota=30,
    region="34",
    status=BatchStatus.OPEN,
    sessions=4,
    name="Angkatan I",
) -> Batch:
    batch = Batch.objects.create(
        course=Course.objects.get(code=code),
        name=name,
        organiser="BBPPKS Yogyakarta",
        region_code=region,
        venue=Village.objects.get(code="3402092004"),
        starts_on=starts,
        ends_on=starts + datetime.timedelta(days=days - 1),
        quota=quota,
        status=status,
        signer_name="Dra. Sri Lestari",
        signer_title="Kepala BBPPKS Yogyakarta",
    )
    for i in range(sessions):
        TrainingSession.objects.create(
            batch=batch, on=starts + datetime.timedelta(days=i), title=f"Sesi {i + 1}"
        )
    return batch
