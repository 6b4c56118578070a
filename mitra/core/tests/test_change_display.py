import pytest
from django.utils import translation

from mitra.core.current import acting_as
from mitra.core.models import ChangeLog

pytestmark = pytest.mark.django_db


def test_history_shows_labels_and_choice_names_not_codes(national_admin, bantul_officer):
    with acting_as(national_admin):
        bantul_officer.role = "province_officer"
        bantul_officer.scope_code = "34"
        bantul_officer.is_active = False
        bantul_officer.save()
    entry = ChangeLog.for_object(bantul_officer).filter(action="update").get()
    with translation.override("en"):
        rows = {label: (before, after) for label, before, after in entry.display_changes()}
    assert rows["role"] == (
        "Regency/city officer (Dinas Sosial)",
        "Province officer (Dinas Sosial)",
    )
    assert rows["region scope"] == ("3402", "34")
    assert rows["active"] == ("yes", "no")
