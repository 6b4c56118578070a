"""Who may push and what: a stale base version is a conflict (never a silent overwrite), a case
handed over is refused, ids outside the PSM's reach are refused without telling whether they
exist, and every role but a PSM with a worker record gets 403."""

import datetime
import json
import uuid

import pytest

from mitra.cases import services
from mitra.cases.models import Case, Intervention, Referral
from mitra.core.current import acting_as
from mitra.core.models import PmksCategory
from mitra.sync.models import SyncReceipt

from .conftest import PULL, PUSH, entry, make_person, push, today, visit

pytestmark = pytest.mark.django_db


def test_an_officers_change_since_the_pull_is_a_conflict_with_both_versions(
    psm_client, case, jetis_supervisor
):
    pulled = case.version
    with acting_as(jetis_supervisor):
        services.change_case_status(case, "assessed", jetis_supervisor)
    mine = entry("intervention", visit(case.pk, place="rumah Mbah Sastro"), base_version=pulled)
    result = push(psm_client, mine)["results"][0]
    assert result["status"] == "conflict"
    assert result["message"].startswith("Orang lain mengubah data ini")
    assert result["server"]["status"] == "assessed" and result["server"]["version"] == pulled + 1
    assert result["server"]["updated_by_name"] == jetis_supervisor.full_name
    assert result["mine"] == mine["data"]
    assert Intervention.objects.count() == 0 and SyncReceipt.objects.count() == 0
    # "Kirim tetap": the same entry over the server's version is applied.
    again = {**mine, "resolve": "overwrite", "base_version": result["server"]["version"]}
    assert push(psm_client, again)["results"][0]["status"] == "applied"
    assert Intervention.objects.count() == 1


def test_the_psms_own_earlier_entries_are_not_a_conflict(psm_client, case):
    """A visit moves the identified case on (its version goes up); the referral made offline
    after it, on the same pulled version, is the PSM's own sequence, not a conflict."""
    pulled = case.version
    answer = push(
        psm_client,
        entry("intervention", visit(case.pk), base_version=pulled),
        entry(
            "referral",
            {"case": str(case.pk), "programme": "pkh", "sent_on": str(today())},
            base_version=pulled,
        ),
    )
    assert [r["status"] for r in answer["results"]] == ["applied", "applied"]
    assert Referral.objects.filter(case=case).count() == 1


def test_a_case_for_a_person_an_officer_corrected_since_the_pull_is_a_conflict(
    psm_client, psm, trimulyo_worker, bantul_officer
):
    person = make_person(created_by=trimulyo_worker)
    pulled = person.version
    with acting_as(bantul_officer):
        services.update_beneficiary(person, bantul_officer, list(person.categories.all()), pulled)
    opened = entry("case", {"beneficiary": str(person.pk), "categories": [8]}, base_version=pulled)
    result = push(psm_client, opened)["results"][0]
    assert result["status"] == "conflict" and result["server"]["version"] == pulled + 1
    assert "address" not in result["server"] and "health_notes" not in result["server"]
    assert Case.objects.count() == 0


def test_an_entry_on_a_case_handed_over_is_refused_and_says_nothing_of_the_new_worker(
    psm_client, case, other_psm, bantul_officer
):
    services.transfer_case(case, other_psm, bantul_officer, reason="pindah tugas")
    result = push(psm_client, entry("intervention", visit(case.pk)))["results"][0]
    assert result["status"] == "refused"
    assert result["message"].startswith("Kasus ini sudah dialihkan ke pekerja lain")
    assert "Sri Lestari" not in str(result) and str(other_psm.pk) not in str(result)
    assert result["object"] is None and result["server"] is None
    assert Intervention.objects.count() == 0


def test_ids_out_of_reach_are_refused_alike_whether_they_exist_or_not(
    psm_client, sleman_officer, trimulyo_worker
):
    from mitra.workers.models import Status
    from mitra.workers.tests.builders import build_worker

    sleman_psm = build_worker(village="3404012001", full_name="Tri Wahyuni", status=Status.ACTIVE)
    stranger = make_person(village="3404012001", nik="3404010101400003")
    theirs = services.open_case(
        stranger, sleman_psm, sleman_officer, [PmksCategory.objects.get(number=8)]
    )
    answer = push(
        psm_client,
        entry("intervention", visit(theirs.pk)),
        entry("intervention", visit(uuid.uuid4())),
        entry("case", {"beneficiary": str(stranger.pk), "categories": [8]}),
        entry("case", {"beneficiary": str(uuid.uuid4()), "categories": [8]}),
    )
    results = answer["results"]
    assert {r["status"] for r in results} == {"refused"}
    assert results[0]["message"] == results[1]["message"] == results[2]["message"]
    assert results[2]["message"] == results[3]["message"]
    assert "Tri Wahyuni" not in str(answer) and "Mbah" not in str(answer)
    assert Intervention.objects.count() == 0 and Case.objects.count() == 1
    # A case for another worker is refused too (a PSM opens cases for themself).
    own = make_person(nik="3402090101400005", created_by=trimulyo_worker)
    other = {"beneficiary": str(own.pk), "categories": [8], "worker": str(sleman_psm.pk)}
    result = push(psm_client, entry("case", other))["results"][0]
    assert result["status"] == "invalid" and "worker" in result["errors"]
    assert Case.objects.count() == 1


@pytest.mark.parametrize(
    "persona",
    [
        "national_admin",
        "diy_officer",
        "bantul_officer",
        "jetis_supervisor",
        "juror",
        "auditor",
        "trimulyo_worker",  # a PSM login without a worker record
    ],
)
def test_only_a_psm_with_a_worker_record_may_sync(persona, request, client):
    client.force_login(request.getfixturevalue(persona))
    pulled = client.get(PULL)
    assert pulled.status_code == 403
    assert pulled.json()["error"]["message"].startswith("Aplikasi lapangan ini untuk PSM")
    body = '{"entries": []}'
    assert client.post(PUSH, body, content_type="application/json").status_code == 403


def test_anonymous_callers_get_401(client, regions):
    assert client.get(PULL).status_code == 401
    assert client.post(PUSH, '{"entries": []}', content_type="application/json").status_code == 401


def test_a_token_works_like_the_session(psm, trimulyo_worker, case, client):
    from mitra.accounts.models import ApiToken

    token = ApiToken.issue(trimulyo_worker, "field app")[1]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get(PULL, **headers).json()["changed"] is True
    body = json.dumps({"entries": [entry("intervention", visit(case.pk))]})
    answer = client.post(PUSH, body, content_type="application/json", **headers).json()
    assert answer["results"][0]["status"] == "applied"
    assert Intervention.objects.get().created_by == trimulyo_worker


def test_a_visit_corrected_after_its_case_left_the_lists_is_written_or_refused_never_lost(
    psm_client, case, trimulyo_worker, other_psm, bantul_officer
):
    """What the field app relies on when a PSM corrects an entry whose case is no longer in their
    lists (mitra/static/lapangan/app.js sends the correction with the case it was made on): the
    same entry, corrected, is written while the case is still the PSM's (closed by them since,
    or made on the phone and sent since), else refused with its reason; never answered as
    written without a write."""
    from mitra.cases.models import CaseStatus

    pulled = case.version
    tomorrow = (today() + datetime.timedelta(days=1)).isoformat()
    wrong = entry("intervention", visit(case.pk, on=tomorrow), base_version=pulled)
    assert push(psm_client, wrong)["results"][0]["status"] == "invalid"
    services.change_case_status(case, CaseStatus.CLOSED, trimulyo_worker, reason="resolved")
    corrected = {**wrong, "data": visit(case.pk, notes="diperbaiki")}
    result = push(psm_client, corrected)["results"][0]
    assert result["status"] == "applied"
    assert Intervention.objects.get(pk=result["object"]["id"]).notes == "diperbaiki"
    assert Intervention.objects.get().case == case

    # A case opened on the phone, sent since; its visit corrected still names the case's entry.
    person = make_person(nik="3402090101400005", created_by=trimulyo_worker)
    opened = entry("case", {"beneficiary": str(person.pk), "categories": [8]})
    late = entry("intervention", {**visit(on=tomorrow), "case_ref": opened["uuid"]})
    assert [r["status"] for r in push(psm_client, opened, late)["results"]] == [
        "applied",
        "invalid",
    ]
    late["data"]["on"] = today().isoformat()
    assert push(psm_client, late)["results"][0]["status"] == "applied"

    # Handed over since: refused, with the reason the phone shows.
    other = services.open_case(
        make_person(nik="3402090101400007", full_name="Bu Warsi"),
        case.worker,
        trimulyo_worker,
        [PmksCategory.objects.get(number=8)],
    )
    wrong = entry("intervention", visit(other.pk, on=tomorrow), base_version=other.version)
    assert push(psm_client, wrong)["results"][0]["status"] == "invalid"
    services.transfer_case(other, other_psm, bantul_officer)
    result = push(psm_client, {**wrong, "data": visit(other.pk)})["results"][0]
    assert result["status"] == "refused"
    assert result["message"].startswith("Kasus ini sudah dialihkan ke pekerja lain")
    assert Intervention.objects.filter(case=other).count() == 0
