import pytest
from django.test import RequestFactory

from mitra.accounts.models import User
from mitra.core.access import log_access, log_export
from mitra.core.models import AccessLog

pytestmark = pytest.mark.django_db


def _request(user):
    request = RequestFactory().get("/", REMOTE_ADDR="10.1.2.3")
    request.user = user
    return request


def test_opening_a_record_writes_who_what_when_and_from_where(bantul_officer, trimulyo_worker):
    entry = log_access(_request(bantul_officer), trimulyo_worker)
    entry.refresh_from_db()
    assert entry.user == bantul_officer
    assert entry.address == "10.1.2.3"
    assert entry.action == AccessLog.Action.VIEW
    assert entry.object_id == str(trimulyo_worker.pk)
    assert entry.content_type.model_class() is User
    # Scoped like the record: the auditor of Bantul can find it, Sleman's cannot.
    assert entry.region_code == "3402092004"
    assert entry.at is not None


def test_an_export_is_one_row_with_its_size(bantul_officer):
    entry = log_export(_request(bantul_officer), User, 120, "3402", "daftar pengguna")
    assert entry.row_count == 120 and entry.action == AccessLog.Action.EXPORT


def test_access_log_is_scoped_like_the_records(bantul_officer, sleman_officer, trimulyo_worker):
    log_access(_request(bantul_officer), trimulyo_worker)
    assert AccessLog.objects.visible_to(sleman_officer).count() == 0
    assert AccessLog.objects.visible_to(bantul_officer).count() == 1
