"""The field-app story: psm.trimulyo (a PSM of Trimulyo, Jetis, Bantul) with one open case of
Mbah Sastro, another PSM of Trimulyo to hand cases over to, and helpers to push and pull."""

import datetime
import json
import uuid

import pytest
from django.utils import timezone

from mitra.cases import services
from mitra.cases.models import Beneficiary
from mitra.core.models import PmksCategory
from mitra.regions.models import Village
from mitra.workers.models import Status
from mitra.workers.tests.builders import build_worker

PULL, PUSH = "/api/v1/sync/pull", "/api/v1/sync/push"


def today() -> datetime.date:
    return timezone.localdate()


def make_person(village="3402092004", **fields) -> Beneficiary:
    values = {
        "full_name": "Mbah Sastro",
        "nik": "3402090101400001",
        "sex": "L",
        "birth_date": datetime.date(1940, 1, 1),
        "address": "Dusun Kembangsongo",
        "health_notes": "diabetes melitus",
        "consent_by": "Mbah Sastro",
        "consent_relation": "self",
        "consent_on": today(),
        "consent_method": "verbal",
        "village": Village.objects.get(code=village),
        **fields,
    }
    person = Beneficiary(**values)
    person.save()
    person.categories.set([PmksCategory.objects.get(number=8)])
    return person


@pytest.fixture
def psm(trimulyo_worker):
    return build_worker(user=trimulyo_worker, status=Status.ACTIVE)


@pytest.fixture
def other_psm(make_user):
    user = make_user(username="psm.trimulyo2", role="worker", scope_code="3402092004")
    return build_worker(full_name="Sri Lestari", user=user, status=Status.ACTIVE)


@pytest.fixture
def case(psm, trimulyo_worker):
    return services.open_case(
        make_person(), psm, trimulyo_worker, [PmksCategory.objects.get(number=8)]
    )


@pytest.fixture
def psm_client(client, trimulyo_worker, psm):
    client.force_login(trimulyo_worker)
    return client


def entry(kind: str, data: dict, **fields) -> dict:
    return {"uuid": str(uuid.uuid4()), "kind": kind, "data": data, **fields}


def visit(case_id=None, **data) -> dict:
    values = {"kind": "home_visit", "on": today().isoformat(), "place": "rumah", **data}
    if case_id is not None:
        values["case"] = str(case_id)
    return values


def new_person(**data) -> dict:
    return {
        "full_name": "Bu Painem",
        "sex": "P",
        "estimated_age": 70,
        "village": "3402092004",
        "address": "Dusun Sawahan RT 02",
        "health_notes": "hipertensi berat",
        "categories": [8],
        "consent_by": "Bu Painem",
        "consent_relation": "self",
        "consent_on": today().isoformat(),
        "consent_method": "verbal",
        **data,
    }


def report(**data) -> dict:
    return {
        "on": today().isoformat(),
        "activity_type": "outreach",
        "description": "Sosialisasi PKH di balai desa",
        "reached_adults_f": 12,
        **data,
    }


def push(client, *entries, status=200):
    response = client.post(PUSH, json.dumps({"entries": list(entries)}), "application/json")
    assert response.status_code == status, response.content[:500]
    return response.json()
