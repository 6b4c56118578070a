"""POST /api/v1/sync/push: applied, duplicate (a batch sent twice writes once, also when two pushes
race), references to earlier entries, all-or-nothing per record, invalid entries with field errors
in the user's language, encryption at rest and the change history as through the API."""

import datetime
import json
import uuid

import pytest
from django.db import connection

from mitra.cases import services
from mitra.cases.models import ActivityReport, Beneficiary, Case, Intervention, Referral
from mitra.core.models import AccessLog, ChangeLog
from mitra.sync import push as push_module
from mitra.sync.api import SyncEntryIn
from mitra.sync.models import SyncReceipt
from mitra.sync.receipts import Receipts

from .conftest import PUSH, entry, new_person, push, report, today, visit

pytestmark = pytest.mark.django_db


def test_a_visit_is_applied_and_the_same_batch_sent_twice_writes_once(psm_client, case):
    batch = [entry("intervention", visit(case.pk), base_version=case.version)]
    batch.append(entry("report", report()))
    first = push(psm_client, *batch)
    assert [r["status"] for r in first["results"]] == ["applied", "applied"]
    intervention = Intervention.objects.get(case=case)
    assert first["results"][0]["object"] == {"kind": "intervention", "id": str(intervention.pk)}
    assert first["results"][0]["uuid"] == batch[0]["uuid"]
    again = push(psm_client, *batch)
    assert [r["status"] for r in again["results"]] == ["duplicate", "duplicate"]
    assert [r["object"] for r in again["results"]] == [r["object"] for r in first["results"]]
    assert Intervention.objects.filter(case=case).count() == 1
    assert ActivityReport.objects.count() == 1
    assert SyncReceipt.objects.count() == 2
    # The visit moved the identified case on, as through the API; the answer's cursor is new.
    case.refresh_from_db()
    assert case.status == "assessed" and first["cursor"]


def test_a_racing_second_push_of_the_same_entry_answers_duplicate_and_writes_nothing(
    psm, trimulyo_worker, case
):
    """Two pushes of one entry at once: both found no receipt when the batch started; the second
    one's claim of the receipt meets the first one's (primary key), so it writes nothing."""
    item = SyncEntryIn.model_validate(entry("intervention", visit(case.pk)))
    first = push_module.apply_batch(trimulyo_worker, psm, [item])[0]
    assert first.status == "applied"
    # The second push looked for receipts before the first one committed: it saw none.
    receipts = Receipts(trimulyo_worker, [])
    receipts.claim([item], push_module.device_time)
    assert not receipts.claimed(item.uuid)
    second = push_module.apply_entry(trimulyo_worker, psm, item, receipts)
    assert second.status == "duplicate" and second.object == first.object
    assert Intervention.objects.filter(case=case).count() == 1
    assert SyncReceipt.objects.filter(pk=item.uuid).count() == 1


def test_a_new_person_their_case_and_a_visit_in_one_batch_through_references(
    psm_client, psm, trimulyo_worker
):
    person = entry("beneficiary", new_person())
    opened = entry("case", {"beneficiary_ref": person["uuid"], "categories": [8]})
    seen = entry(
        "intervention",
        {**visit(), "case_ref": opened["uuid"], "next_follow_up_on": None},
    )
    answer = push(psm_client, person, opened, seen)
    assert [r["status"] for r in answer["results"]] == ["applied"] * 3, answer
    new = Beneficiary.objects.get(full_name="Bu Painem")
    case = Case.objects.get(beneficiary=new)
    assert case.worker == psm and Intervention.objects.filter(case=case).count() == 1
    assert answer["results"][1]["object"] == {"kind": "case", "id": str(case.pk)}
    # A reference to an entry that was never applied is an error of that field.
    orphan = entry("case", {"beneficiary_ref": str(uuid.uuid4()), "categories": [8]})
    result = push(psm_client, orphan)["results"][0]
    assert result["status"] == "invalid" and "beneficiary_ref" in result["errors"]
    # Another user's entries are not references of this one.
    assert SyncReceipt.objects.filter(user=trimulyo_worker).count() == 3


def test_a_new_case_corrected_after_its_person_was_sent_is_applied_alone(psm_client, psm):
    """What the field app relies on to correct a new case whose person went through: the
    corrected case names the person's server id (from the person's answer) or, from an older
    app, still the person's entry (its receipt)."""
    person = entry("beneficiary", new_person())
    opened = entry("case", {"beneficiary_ref": person["uuid"], "categories": [8]})
    opened["data"]["priority"] = "darurat"
    first = push(psm_client, person, opened)["results"]
    assert [r["status"] for r in first] == ["applied", "invalid"]
    assert list(first[1]["errors"]) == ["priority"]
    person_id = first[0]["object"]["id"]
    by_id = {**opened, "data": {"beneficiary": person_id, "categories": [8], "priority": "high"}}
    assert push(psm_client, by_id)["results"][0]["status"] == "applied"
    case = Case.objects.get(beneficiary_id=person_id)
    assert case.worker == psm and case.priority == "high"
    other = entry("case", {"beneficiary_ref": person["uuid"], "categories": [8]})
    assert push(psm_client, other)["results"][0]["status"] == "applied"
    assert Beneficiary.objects.filter(full_name="Bu Painem").count() == 1


def test_each_entry_is_all_or_nothing(psm_client, case, monkeypatch):
    """The visit moves the identified case to "assessed" after the intervention row is written;
    when that step is refused, the intervention goes too, and the next entry is still applied."""
    from django.core.exceptions import ValidationError

    def refused_step(*args, **kwargs):
        raise ValidationError("Langkah ditolak.")

    failing = entry("intervention", visit(case.pk))
    ok = entry("report", report())
    monkeypatch.setattr(services, "change_case_status", refused_step)
    answer = push(psm_client, failing, ok)
    assert [r["status"] for r in answer["results"]] == ["invalid", "applied"]
    assert answer["results"][0]["errors"] == {"__all__": ["Langkah ditolak."]}
    assert Intervention.objects.count() == 0 and ActivityReport.objects.count() == 1
    assert not SyncReceipt.objects.filter(pk=failing["uuid"]).exists()
    monkeypatch.undo()
    # Fixed and sent again with the same uuid, it is applied.
    bad = entry("intervention", visit(case.pk, on="kemarin"))
    answer = push(psm_client, ok, bad, failing)
    assert [r["status"] for r in answer["results"]] == ["duplicate", "invalid", "applied"]
    assert Intervention.objects.count() == 1


def test_invalid_entries_name_their_fields_in_indonesian(psm_client, case):
    tomorrow = (today() + datetime.timedelta(days=1)).isoformat()
    answer = push(
        psm_client,
        entry("intervention", {"case": str(case.pk), "kind": "jalan-jalan"}),
        entry("intervention", visit(case.pk, on=tomorrow)),
        entry("beneficiary", new_person(nik="1234", sex="X")),
        entry("report", report(hidden="x")),
    )
    parse, future, person, bad_report = answer["results"]
    assert parse["status"] == "invalid"
    assert parse["errors"] == {
        "kind": ["Pilih salah satu nilai yang tersedia."],
        "on": ["Bidang ini tidak boleh kosong."],
    }
    assert parse["message"].startswith("Beberapa nilai tidak valid")
    assert future["status"] == "invalid" and future["errors"] == {
        "__all__": ["Tanggal tidak boleh melewati hari ini."]
    }
    assert person["status"] == "invalid" and set(person["errors"]) >= {"sex", "nik"}
    assert bad_report["errors"] == {"hidden": ["Bidang ini tidak dapat diisi di sini."]}
    assert Intervention.objects.count() == 0 and SyncReceipt.objects.count() == 0


def test_the_messages_follow_the_users_language(psm_client, case):
    psm_client.cookies["django_language"] = "en"
    result = push(psm_client, entry("intervention", {"case": str(case.pk)}))["results"][0]
    assert result["errors"]["on"] == ["This field is required."]


def test_a_pushed_person_is_encrypted_at_rest_and_in_the_history_like_an_api_create(
    psm_client, trimulyo_worker
):
    logged = AccessLog.objects.count()
    result = push(psm_client, entry("beneficiary", new_person(nik="3402094107560002")))
    person = Beneficiary.objects.get(pk=result["results"][0]["object"]["id"])
    assert person.health_notes == "hipertensi berat" and person.nik_masked == "3402********0002"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT health_notes, address, nik FROM cases_beneficiary WHERE id = %s",
            [person.pk.hex if connection.vendor == "sqlite" else person.pk],
        )
        raw = " ".join(cursor.fetchone())
    assert "hipertensi" not in raw and "Sawahan" not in raw and "3402094107560002" not in raw
    history = ChangeLog.for_object(person).get()
    assert history.action == "create" and history.actor == trimulyo_worker
    assert history.changes["health_notes"] == [None, "•••"]
    assert person.created_by == trimulyo_worker
    # As the API's create: no access-log row (nothing was read), and the receipt keeps no
    # personal data.
    assert AccessLog.objects.count() == logged
    fields = {f.name for f in SyncReceipt._meta.concrete_fields}
    assert fields == {"uuid", "user", "kind", "object_id", "applied_at", "entry_created_at"}


def test_a_referral_and_a_report_are_applied_like_the_api(psm_client, case):
    answer = push(
        psm_client,
        entry("intervention", visit(case.pk)),
        entry("referral", {"case": str(case.pk), "programme": "pkh", "sent_on": str(today())}),
        entry("report", report(submit=True)),
    )
    assert [r["status"] for r in answer["results"]] == ["applied"] * 3
    assert Referral.objects.get(case=case).programme == "pkh"
    assert ActivityReport.objects.get().status == "submitted"
    case.refresh_from_db()
    assert case.status == "referred"


def test_a_batch_of_more_than_100_entries_or_with_unknown_fields_is_refused_whole(psm_client):
    response = psm_client.post(
        PUSH,
        json.dumps({"entries": [entry("report", report()) for _ in range(101)]}),
        "application/json",
    )
    assert response.status_code == 422
    assert "paling banyak 100" in json.dumps(response.json(), ensure_ascii=False)
    body = {"entries": [{**entry("report", report()), "owner": "x"}], "region_code": "34"}
    response = psm_client.post(PUSH, json.dumps(body), "application/json")
    assert response.status_code == 422
    named = {d["field"] for d in response.json()["error"]["details"]}
    assert named == {"region_code"}
    body.pop("region_code")
    response = psm_client.post(PUSH, json.dumps(body), "application/json")
    assert {d["field"] for d in response.json()["error"]["details"]} == {"entries.0.owner"}
    assert ActivityReport.objects.count() == 0
