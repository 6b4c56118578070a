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


def test_history_names_unlabelled_relations_after_their_model_in_indonesian():
    """An invitation's `event`, `worker` and `region_code` carry no label of their own: the
    history names them after the model they point to (translated), not in English."""
    from django.contrib.contenttypes.models import ContentType

    from mitra.events.models import Invitation

    entry = ChangeLog(
        content_type=ContentType.objects.get_for_model(Invitation),
        changes={"event": [None, 2], "worker": [None, "x"], "region_code": [None, "3402052001"]},
    )
    with translation.override("id"):
        labels = [label for label, _before, _after in entry.display_changes()]
    with translation.override("en"):
        english = [label for label, _before, _after in entry.display_changes()]
    assert english == ["event", "social worker", "region code"]
    assert labels[1:] == ["pekerja sosial", "kode wilayah"]
    assert not set(labels) & set(english)
