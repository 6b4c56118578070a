import pytest

from mitra.workers.models import Status
from mitra.workers.tests.builders import build_worker


@pytest.fixture
def psm(trimulyo_worker):
    """The PSM of Trimulyo: a login with its worker record linked."""
    return build_worker(user=trimulyo_worker, status=Status.ACTIVE)
