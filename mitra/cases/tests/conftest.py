"""Field-work personas beyond the project's: the PSM records of Trimulyo's and Sumberagung's
workers (villages of Jetis, Bantul), each with a login."""

import pytest

from mitra.workers.models import Status
from mitra.workers.tests.builders import build_worker


@pytest.fixture
def psm(trimulyo_worker):
    return build_worker(user=trimulyo_worker, status=Status.ACTIVE)


@pytest.fixture
def other_psm(make_user):
    """Another PSM of Trimulyo, with a login."""
    user = make_user(username="psm.trimulyo2", role="worker", scope_code="3402092004")
    return build_worker(full_name="Sri Lestari", user=user, status=Status.ACTIVE)


@pytest.fixture
def sumberagung_psm(make_user):
    """A PSM of another village of Jetis (Sumberagung), with a login."""
    user = make_user(username="psm.sumberagung", role="worker", scope_code="3402092003")
    return build_worker(
        village="3402092003", full_name="Sri Lestari", user=user, status=Status.ACTIVE
    )
