"""Shared test fixtures: the region tree, and one persona per role in a real story
(DI Yogyakarta; Bantul against its neighbour Sleman; Jetis; Trimulyo)."""

import pytest
from django.utils import translation


def _ensure_regions():
    """Reference data that migrations or the loader put in: regions and the PMKS categories."""
    from mitra.core.categories import PMKS
    from mitra.core.models import PmksCategory
    from mitra.regions.loader import load_regions
    from mitra.regions.models import Village
    from mitra.workers.validation import forget_known_codes

    if not Village.objects.exists():
        load_regions()
        forget_known_codes()
    if not PmksCategory.objects.exists():
        PmksCategory.objects.bulk_create(PmksCategory(number=n, name=name) for n, name in PMKS)
    from mitra.training.catalogue import seed_courses
    from mitra.training.models import Course

    if not Course.objects.exists():
        seed_courses(Course)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the full region tree once per test database, committed, shared by every test."""
    with django_db_blocker.unblock():
        _ensure_regions()


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A test-client request in English leaves English active in the thread: the next test, and
    anything lazy it compares (choice labels), must start from the default language again."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _restore_regions_after_flush(request, django_db_blocker):
    """A transactional test (live server) flushes every table when it ends; this teardown runs
    after that flush and loads the tree again, so the next tests find it."""
    yield
    if {"transactional_db", "live_server"} & set(request.fixturenames):
        with django_db_blocker.unblock():
            _ensure_regions()


@pytest.fixture
def regions(db):
    """The full official region tree."""
    _ensure_regions()


@pytest.fixture
def make_user(regions):
    from mitra.accounts.tests.factories import UserFactory

    return UserFactory


@pytest.fixture
def national_admin(make_user):
    return make_user(username="admin.nasional", role="national_admin", scope_code="")


@pytest.fixture
def diy_officer(make_user):
    return make_user(username="dinsos.diy", role="province_officer", scope_code="34")


@pytest.fixture
def bantul_officer(make_user):
    return make_user(username="dinsos.bantul", role="regency_officer", scope_code="3402")


@pytest.fixture
def sleman_officer(make_user):
    return make_user(username="dinsos.sleman", role="regency_officer", scope_code="3404")


@pytest.fixture
def jetis_supervisor(make_user):
    return make_user(username="tksk.jetis", role="district_supervisor", scope_code="340209")


@pytest.fixture
def trimulyo_worker(make_user):
    return make_user(username="psm.trimulyo", role="worker", scope_code="3402092004")


@pytest.fixture
def juror(make_user):
    return make_user(username="juri.demo", role="juror", scope_code="")


@pytest.fixture
def auditor(make_user):
    return make_user(username="auditor.demo", role="auditor", scope_code="")


@pytest.fixture
def client_for(client):
    """A test client logged in as the given user."""

    def login(user):
        client.force_login(user)
        return client

    return login
