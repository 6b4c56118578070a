"""Helpers for the training page tests: an English client (so a test reads the source strings,
whatever the Indonesian catalogue says) and small builders."""

import datetime

from django.conf import settings

from mitra.training.models import Batch, BatchStatus
from mitra.training.tests.builders import make_batch


def english(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def text(response) -> str:
    return response.content.decode()


def batch_in(region: str, **kwargs) -> Batch:
    """A basic-course batch organised for `region` (national: '')."""
    kwargs.setdefault("status", BatchStatus.OPEN)
    kwargs.setdefault("name", f"Angkatan {region or 'nasional'}")
    return make_batch(region=region, **kwargs)


def form_data(batch=None, **overrides) -> dict:
    """A valid batch form as posted (basic course, Trimulyo venue, Bantul area)."""
    from mitra.training.models import Course

    data = {
        "course": Course.objects.get(code="PSM-D").pk,
        "name": "Angkatan II 2026",
        "organiser": "Dinas Sosial Kabupaten Bantul",
        "region_code": "3402",
        "venue_code": "3402092004",
        "venue_detail": "Balai Desa Trimulyo",
        "starts_on": "2026-07-06",
        "ends_on": "2026-07-10",
        "quota": "30",
        "trainers": "Drs. Bambang (BBPPKS Yogyakarta)",
        "signer_name": "Drs. Kepala Dinas",
        "signer_title": "Kepala Dinas Sosial Kabupaten Bantul",
        "quota-TOTAL_FORMS": "2",
        "quota-INITIAL_FORMS": "0",
        "quota-MIN_NUM_FORMS": "0",
        "quota-MAX_NUM_FORMS": "40",
        "quota-0-region": "",
        "quota-0-seats": "",
        "quota-1-region": "",
        "quota-1-seats": "",
    }
    data.update(overrides)
    return data


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)
