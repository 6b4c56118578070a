"""Two workers of one name (masked NIKs alike: 3402********0001) are told apart by their village
wherever cases list them: the case list, the due list, the home page and the API (issue 13)."""

import datetime

import pytest
from django.urls import reverse

from mitra.cases import services
from mitra.cases.models import Beneficiary
from mitra.core.models import PmksCategory
from mitra.regions.models import Village

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def _case(worker, user):
    b = Beneficiary(
        full_name="Mbah Sastro",
        sex="L",
        birth_date=datetime.date(1940, 1, 1),
        address="Dusun Kembangsongo",
        consent_by="Mbah Sastro",
        consent_relation="self",
        consent_on=TODAY,
        consent_method="verbal",
        village=Village.objects.get(code=worker.village_id),
    )
    b.save()
    case = services.open_case(b, worker, user, [PmksCategory.objects.get(number=8)])
    services.add_intervention(
        case, user, kind="home_visit", on=TODAY, next_follow_up_on=TODAY + datetime.timedelta(1)
    )
    return case


def test_namesakes_are_told_apart_by_village_in_lists_and_api(
    other_psm, sumberagung_psm, jetis_supervisor, client_for
):
    # Both are "Sri Lestari": one of Trimulyo, one of Sumberagung.
    _case(other_psm, other_psm.user)
    _case(sumberagung_psm, sumberagung_psm.user)
    client = client_for(jetis_supervisor)
    for name in ("cases:home", "cases:case_list"):
        page = client.get(reverse(name)).content.decode()
        assert 'worker-village">Trimulyo<' in page, name
        assert 'worker-village">Sumberagung<' in page, name
    items = client.get("/api/v1/cases/").json()["items"]
    assert sorted((i["worker_name"], i["worker_village"]) for i in items) == [
        ("Sri Lestari", "Sumberagung"),
        ("Sri Lestari", "Trimulyo"),
    ]
