"""Queries per page for the pages the load test reads (bench/load.py), as NetBox pins them: a
baseline per page and role on the demo seed, so an N+1 or a repeated lookup shows up as a failed
count, and a check that the lists do not grow a query per row.

A page that legitimately needs one more query updates its number here, in the same commit,
saying why. Each request is counted after a first one (the session and language are warm)."""

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from mitra.testing_walk import seed_demo

pytestmark = pytest.mark.django_db

# Per page: the queries of one request as the national admin, a regency officer (Bantul) and a
# district supervisor (Jetis). Every HTML page shares: session, user, the 2FA device check, the
# scope's region name (not for the nation); the session is written only every five minutes
# (mitra/accounts/session_idle.py), not by these requests. The API pages start
# with the token. Detail pages write their access-log row.
BASELINES = {
    "worker list": (6, 7, 6),
    "worker profile": (10, 11, 11),
    "case list": (7, 8, 8),
    "case detail": (9, 10, 10),
    "beneficiary": (9, 10, 10),
    "batches": (8, 9, 9),
    "api cases": (4, 4, 4),
    "api case": (7, 7, 7),
    "api reports": (3, 3, 3),
    "dashboard": (18, 20, 26),
}
USERS = ("admin.nasional", "dinsos.bantul", "tksk.jetis")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        seed_demo()
        yield
        transaction.set_rollback(True)


def _pages(username):
    from mitra.accounts.models import ApiToken, User
    from mitra.cases.models import Beneficiary, Case
    from mitra.workers.models import Worker

    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(user, 'counts')[1]}")
    worker = Worker.objects.visible_to(user).order_by("pk").first()
    case = Case.objects.visible_to(user).exclude(status="closed").order_by("pk").first()
    person = Beneficiary.objects.visible_to(user).order_by("pk").first()
    return {
        "worker list": (client, "/pekerja/"),
        "worker profile": (client, f"/pekerja/{worker.pk}/"),
        "case list": (client, "/kasus/daftar/"),
        "case detail": (client, f"/kasus/{case.pk}/"),
        "beneficiary": (client, f"/kasus/penerima/{person.pk}/"),
        "batches": (client, "/pelatihan/"),
        "api cases": (api, "/api/v1/cases/"),
        "api case": (api, f"/api/v1/cases/{case.pk}"),
        "api reports": (api, "/api/v1/cases/reports"),
        "dashboard": (client, f"/dasbor/{user.scope_code or 'nasional'}/"),
    }


def _count(client, url) -> int:
    assert client.get(url).status_code == 200, url
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200, url
    return len(queries.captured_queries)


@pytest.mark.parametrize("index,username", list(enumerate(USERS)))
def test_the_load_tests_pages_keep_their_query_counts(demo, index, username):
    counted = {label: _count(*page) for label, page in _pages(username).items()}
    expected = {label: counts[index] for label, counts in BASELINES.items()}
    assert counted == expected


def test_the_lists_do_not_grow_a_query_per_row(demo):
    """Jetis's lists with five more workers, people and cases: the same number of queries."""
    from mitra.cases.models import Beneficiary, Case
    from mitra.cases.tests.test_rules import person
    from mitra.workers.models import Status
    from mitra.workers.tests.builders import build_worker

    pages = _pages("tksk.jetis")
    lists = ("worker list", "case list", "api cases", "api reports", "batches")
    before = {label: _count(*pages[label]) for label in lists}
    shown = Case.objects.filter(region_code__startswith="340209").count()
    for n in range(5):
        worker = build_worker(
            village="3402092004", status=Status.ACTIVE, full_name=f"Pekerja Uji {n}"
        )
        Case.objects.create(beneficiary=person(village="3402092004"), worker=worker)
    assert Case.objects.filter(region_code__startswith="340209").count() == shown + 5
    assert Beneficiary.objects.filter(region_code__startswith="340209").exists()
    after = {label: _count(*pages[label]) for label in lists}
    assert after == before
