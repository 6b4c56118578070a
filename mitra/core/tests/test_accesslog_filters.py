"""The access log's filters (the auditor's home links to them): by action, by whose records
(app) and by the last N days; a value that makes no sense is ignored, never an error."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from mitra.cases.models import Beneficiary, Case
from mitra.core.models import AccessLog
from mitra.workers.models import Worker

pytestmark = pytest.mark.django_db


def entry(model, action="view", days=0, user=None):
    return AccessLog.objects.create(
        at=timezone.now() - datetime.timedelta(days=days, minutes=1),
        user=user,
        action=action,
        content_type=ContentType.objects.get_for_model(model),
        object_id="1",
        region_code="3402",
    )


@pytest.fixture
def log(bantul_officer):
    return {
        "read": entry(Beneficiary, user=bantul_officer),
        "export": entry(Case, "export", days=2),
        "worker": entry(Worker, days=3),
        "old": entry(Beneficiary, days=10),
    }


@pytest.mark.parametrize(
    "params, expected",
    [
        ({}, {"read", "export", "worker", "old"}),
        ({"action": "export"}, {"export"}),
        ({"app": "cases"}, {"read", "export", "old"}),
        ({"days": "7"}, {"read", "export", "worker"}),
        ({"days": "7", "app": "cases"}, {"read", "export"}),
        ({"user": "dinsos.bantul"}, {"read"}),
        ({"days": "0", "action": "nonsense", "app": "x-y"}, {"read", "export", "worker", "old"}),
    ],
)
def test_the_access_log_filters(params, expected, log, auditor, client_for):
    response = client_for(auditor).get(reverse("core:accesslog"), params)

    assert response.status_code == 200
    ids = {e.pk for e in response.context["object_list"]}
    assert ids == {log[k].pk for k in expected}
