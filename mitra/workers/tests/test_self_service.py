"""PSM self-service: their own profile, their contact details, identity corrections that their
regency officer approves or refuses."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from mitra.core.models import AccessLog
from mitra.workers.models import IdentityChangeRequest, Worker, WorkerEvent
from mitra.workers.tests.factories import WorkerFactory, nik_for

pytestmark = pytest.mark.django_db

MINE = reverse("workers:mine")
CONTACT = reverse("workers:mine_contact")
IDENTITY = reverse("workers:mine_identity")
REQUESTS = reverse("workers:request_list")
BIRTH = datetime.date(1985, 8, 17)


def tr(message: str, **params) -> str:
    with translation.override("id"):
        text = gettext(message)
    return escape(text % params if params else text)


@pytest.fixture
def own(trimulyo_worker):
    return WorkerFactory(
        user=trimulyo_worker, full_name="Siti Rahayu", sex="P", birth_date=BIRTH, phone=""
    )


def identity_data(worker, **changes) -> dict:
    data = {
        "full_name": worker.full_name,
        "nik": worker.nik,
        "sex": worker.sex,
        "birth_place": worker.birth_place,
        "birth_date": worker.birth_date.isoformat(),
        "note": "",
    }
    data.update(changes)
    return data


def test_a_psm_sees_their_own_record_with_the_full_nik(own, trimulyo_worker, client_for):
    response = client_for(trimulyo_worker).get(MINE)
    assert response.status_code == 200
    assert response.context["worker"] == own and response.context["self_service"]
    assert own.nik in response.content.decode()
    assert AccessLog.objects.filter(object_id=str(own.pk), user=trimulyo_worker).count() == 1
    # The same record under its own address works too.
    assert (
        client_for(trimulyo_worker).get(reverse("workers:detail", args=[own.pk])).status_code == 200
    )


def test_a_psm_gets_404_on_anyone_elses_record(own, trimulyo_worker, client_for):
    neighbour = WorkerFactory(village_code=own.village_id)
    client = client_for(trimulyo_worker)
    for name in ("workers:detail", "workers:photo"):
        assert client.get(reverse(name, args=[neighbour.pk])).status_code == 404


def test_a_psm_without_a_linked_record_is_told_what_to_do(trimulyo_worker, client_for):
    response = client_for(trimulyo_worker).get(MINE)
    assert response.status_code == 200
    assert tr("Your login is not linked to a worker record yet.") in response.content.decode()
    assert client_for(trimulyo_worker).get(CONTACT).status_code == 404


def test_the_psm_changes_their_own_contact_details(own, trimulyo_worker, client_for):
    response = client_for(trimulyo_worker).post(
        CONTACT, {"phone": "0813-1111-2222", "address": "Dusun Baru RT 1", "version": 1}
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.phone == "081311112222" and own.address == "Dusun Baru RT 1"
    assert own.updated_by == trimulyo_worker


def test_a_wrong_phone_or_a_stale_form_changes_nothing(own, trimulyo_worker, client_for):
    client = client_for(trimulyo_worker)
    bad = client.post(CONTACT, {"phone": "call me", "address": "x", "version": 1})
    assert "phone" in bad.context["form"].errors
    own.address = "Changed by the officer"
    own.version = 2
    own.save()
    stale = client.post(CONTACT, {"phone": "081311112222", "address": "mine", "version": 1})
    assert (
        tr(
            "Someone else changed this record while you were working on it. Reload the page "
            "and try again."
        )
        in stale.content.decode()
    )
    own.refresh_from_db()
    assert own.address == "Changed by the officer" and own.phone == ""


def test_an_identity_correction_waits_for_the_officer_who_approves_it(
    own, trimulyo_worker, bantul_officer, client_for
):
    new_birth = datetime.date(1985, 8, 18)
    new_nik = nik_for("340209", "P", new_birth)
    response = client_for(trimulyo_worker).post(
        IDENTITY,
        identity_data(
            own,
            full_name="Siti Rahayu Ningsih",
            birth_date=new_birth.isoformat(),
            nik=new_nik,
            note="Sesuai KTP baru",
        ),
    )
    assert response.status_code == 302
    req = IdentityChangeRequest.objects.get()
    assert req.state == IdentityChangeRequest.State.PENDING
    assert set(req.changes) == {"full_name", "birth_date", "nik"}
    own.refresh_from_db()
    assert own.full_name == "Siti Rahayu" and own.birth_date == BIRTH  # not yet

    officer = client_for(bantul_officer)
    listing = officer.get(REQUESTS)
    assert req in listing.context["object_list"]
    page = officer.get(reverse("workers:request_detail", args=[req.pk]))
    assert new_nik in page.content.decode()  # the officer has workers.view_nik
    assert AccessLog.objects.filter(object_id=str(own.pk), user=bantul_officer).exists()
    decided = officer.post(
        reverse("workers:request_detail", args=[req.pk]), {"decision": "approve", "reason": ""}
    )
    assert decided.status_code == 302
    own.refresh_from_db()
    assert (own.full_name, own.birth_date, own.nik) == ("Siti Rahayu Ningsih", new_birth, new_nik)
    assert own.events.filter(kind=WorkerEvent.Kind.IDENTITY).exists()
    req.refresh_from_db()
    assert req.state == IdentityChangeRequest.State.APPROVED and req.decided_by == bantul_officer


def test_refusing_needs_a_reason_and_changes_nothing(
    own, trimulyo_worker, bantul_officer, client_for
):
    client_for(trimulyo_worker).post(IDENTITY, identity_data(own, birth_place="Sleman"))
    req = IdentityChangeRequest.objects.get()
    url = reverse("workers:request_detail", args=[req.pk])
    officer = client_for(bantul_officer)
    without = officer.post(url, {"decision": "reject", "reason": " "})
    assert tr("Give a reason for refusing.") in without.content.decode()
    req.refresh_from_db()
    assert req.state == IdentityChangeRequest.State.PENDING
    officer.post(url, {"decision": "reject", "reason": "Tidak sesuai KTP"})
    req.refresh_from_db()
    assert req.state == IdentityChangeRequest.State.REJECTED
    assert req.decision_reason == "Tidak sesuai KTP"
    assert Worker.objects.get(pk=own.pk).birth_place == own.birth_place


def test_an_invalid_correction_is_refused_at_once(own, trimulyo_worker, client_for):
    response = client_for(trimulyo_worker).post(IDENTITY, identity_data(own, sex="L"))
    assert response.status_code == 200
    assert tr("The NIK says a woman (day of birth + 40) but the sex is male.") in (
        response.content.decode()
    )
    unchanged = client_for(trimulyo_worker).post(IDENTITY, identity_data(own))
    assert tr("Nothing was changed.") in unchanged.content.decode()
    assert not IdentityChangeRequest.objects.exists()


def test_one_request_at_a_time(own, trimulyo_worker, client_for):
    client = client_for(trimulyo_worker)
    client.post(IDENTITY, identity_data(own, birth_place="Sleman"))
    again = client.post(IDENTITY, identity_data(own, birth_place="Klaten"))
    assert again.status_code == 200 and again.context["pending"] is not None
    assert IdentityChangeRequest.objects.count() == 1


def test_requests_are_scoped_and_only_for_officers_who_decide(
    own, trimulyo_worker, sleman_officer, jetis_supervisor, client_for
):
    client_for(trimulyo_worker).post(IDENTITY, identity_data(own, birth_place="Sleman"))
    req = IdentityChangeRequest.objects.get()
    sleman = client_for(sleman_officer)
    assert req not in sleman.get(REQUESTS).context["object_list"]
    assert sleman.get(reverse("workers:request_detail", args=[req.pk])).status_code == 404
    assert (
        sleman.post(
            reverse("workers:request_detail", args=[req.pk]), {"decision": "approve"}
        ).status_code
        == 404
    )
    assert client_for(jetis_supervisor).get(REQUESTS).status_code == 403
    assert client_for(trimulyo_worker).get(REQUESTS).status_code == 403
    req.refresh_from_db()
    assert req.state == IdentityChangeRequest.State.PENDING
