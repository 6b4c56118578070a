"""The field-work pages as a PSM, a TKSK and officers use them: scope (404), permission (403),
the access log, sensitive details, recording a person with the duplicate warning, the case's
steps, the due list, referrals and hand-over."""

import datetime

import pytest
from django.urls import reverse

from mitra.accounts.roles import ROLE_PERMISSIONS, Role
from mitra.cases import services
from mitra.cases.models import Beneficiary, Case, CaseEvent, CaseStatus, ReferralStatus
from mitra.core.models import AccessLog, PmksCategory
from mitra.regions.models import Village
from mitra.workers.models import Status
from mitra.workers.tests.builders import build_worker, valid_nik

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
ELDERLY = 8  # Lanjut Usia Telantar
POOR = 24  # Fakir Miskin


def person(village="3402092004", **fields) -> Beneficiary:
    defaults = {
        "full_name": "Mbah Sastro",
        "sex": "L",
        "birth_date": datetime.date(1940, 1, 1),
        "address": "Dusun Kembangsongo",
        "consent_by": "Mbah Sastro",
        "consent_relation": "self",
        "consent_on": TODAY,
        "consent_method": "verbal",
        "village": Village.objects.get(code=village),
    }
    defaults.update(fields)
    b = Beneficiary(**defaults)
    b.save()
    b.categories.set([PmksCategory.objects.get(number=ELDERLY)])
    return b


def open_case(worker, user, **fields):
    return services.open_case(
        person(village=worker.village_id, **fields),
        worker,
        user,
        [PmksCategory.objects.get(number=ELDERLY)],
    )


def _post_form(**overrides):
    data = {
        "full_name": "Mbah Karto Suwito",
        "nik": "",
        "sex": "L",
        "birth_date": "1942-03-04",
        "estimated_age": "",
        "village": "34.02.09.2004",
        "address": "Dusun Kembangsongo RT 02",
        "household_notes": "Tinggal sendiri",
        "categories": [str(PmksCategory.objects.get(number=ELDERLY).pk)],
        "consent_by": "Mbah Karto Suwito",
        "consent_relation": "self",
        "consent_on": TODAY.isoformat(),
        "consent_method": "thumbprint",
        "disability_type": "",
        "health_notes": "Hipertensi",
        "violence_details": "",
        "priority": "high",
    }
    data.update(overrides)
    return data


# ---- scope, permission, access log -------------------------------------------------------------


def test_a_psm_cannot_open_a_person_of_another_villages_psm(
    psm, sumberagung_psm, trimulyo_worker, bantul_officer, client_for
):
    theirs = open_case(sumberagung_psm, bantul_officer)
    client = client_for(trimulyo_worker)
    assert (
        client.get(reverse("cases:beneficiary_detail", args=[theirs.beneficiary_id])).status_code
        == 404
    )
    assert client.get(reverse("cases:case_detail", args=[theirs.pk])).status_code == 404
    assert (
        client.post(
            reverse("cases:intervention_add", args=[theirs.pk]),
            {"kind": "home_visit", "on": TODAY.isoformat()},
        ).status_code
        == 404
    )


def test_the_officer_and_the_tksk_see_their_area_but_not_beyond(
    psm, bantul_officer, jetis_supervisor, sleman_officer, client_for
):
    case = open_case(psm, bantul_officer)
    for user in (bantul_officer, jetis_supervisor):
        client = client_for(user)
        assert client.get(reverse("cases:case_detail", args=[case.pk])).status_code == 200
        listed = client.get(reverse("cases:case_list")).context["object_list"]
        assert case in listed
    client = client_for(sleman_officer)
    assert client.get(reverse("cases:case_detail", args=[case.pk])).status_code == 404
    assert (
        client.get(reverse("cases:beneficiary_detail", args=[case.beneficiary_id])).status_code
        == 404
    )
    assert case not in client.get(reverse("cases:case_list")).context["object_list"]


def test_every_opening_of_a_person_or_a_case_writes_an_access_log_row(
    psm, trimulyo_worker, client_for
):
    case = open_case(psm, trimulyo_worker)
    client = client_for(trimulyo_worker)
    for _ in range(2):
        client.get(reverse("cases:beneficiary_detail", args=[case.beneficiary_id]))
        client.get(reverse("cases:case_detail", args=[case.pk]))
    rows = AccessLog.objects.filter(user=trimulyo_worker, action=AccessLog.Action.VIEW)
    assert rows.filter(object_id=str(case.beneficiary_id)).count() == 2
    assert rows.filter(object_id=str(case.pk)).count() == 2
    # The lists and the due page are not a reading of one person's record.
    before = AccessLog.objects.count()
    client.get(reverse("cases:home"))
    client.get(reverse("cases:case_list"))
    assert AccessLog.objects.count() == before


def test_roles_without_cases_permissions_get_403(auditor, juror, client_for):
    for user in (auditor, juror):
        client = client_for(user)
        for name in ("cases:home", "cases:case_list", "cases:beneficiary_list"):
            assert client.get(reverse(name)).status_code == 403, (user.role, name)


def test_sensitive_details_only_for_users_with_view_sensitive(
    psm, jetis_supervisor, client_for, monkeypatch
):
    case = open_case(psm, jetis_supervisor, health_notes="HIV positif", violence_details="KDRT")
    url = reverse("cases:beneficiary_detail", args=[case.beneficiary_id])
    client = client_for(jetis_supervisor)
    page = client.get(url).content.decode()
    assert "HIV positif" in page and "KDRT" in page
    # Every role that may see cases today may also see their sensitive details; a role that may
    # see cases but not the details (e.g. a future data clerk) is the TKSK without that one.
    perms = ROLE_PERMISSIONS[Role.DISTRICT_SUPERVISOR] - {"cases.view_sensitive"}
    monkeypatch.setitem(ROLE_PERMISSIONS, Role.DISTRICT_SUPERVISOR, perms)
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "HIV positif" not in page and "KDRT" not in page
    assert "Mbah Sastro" in page
    form = client.get(reverse("cases:beneficiary_create")).context["form"]
    assert not {"health_notes", "disability_type", "violence_details"} & set(form.fields)


def test_get_changes_nothing_and_changes_need_post(psm, trimulyo_worker, client_for):
    case = open_case(psm, trimulyo_worker)
    client = client_for(trimulyo_worker)
    for name in ("case_status", "intervention_add", "referral_add", "referral_outcome"):
        assert client.get(reverse(f"cases:{name}", args=[case.pk])).status_code == 405
    case.refresh_from_db()
    assert case.status == CaseStatus.IDENTIFIED and case.version == 1


# ---- recording a person -------------------------------------------------------------------------


def test_a_psm_records_a_person_and_opens_their_case(psm, trimulyo_worker, client_for):
    client = client_for(trimulyo_worker)
    form = client.get(reverse("cases:beneficiary_create")).context["form"]
    assert form["village"].value() == "3402092004"
    assert "worker" not in form.fields
    response = client.post(reverse("cases:beneficiary_create"), _post_form())
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case_detail", args=[case.pk])
    assert case.worker == psm and case.priority == "high"
    b = case.beneficiary
    assert b.health_notes == "Hipertensi" and b.created_by == trimulyo_worker
    assert list(case.categories.values_list("number", flat=True)) == [ELDERLY]


def test_likely_duplicates_are_shown_before_saving_and_confirmed(psm, trimulyo_worker, client_for):
    existing = open_case(
        psm, trimulyo_worker, full_name="Mbah Karto Suwito", birth_date=datetime.date(1942, 3, 4)
    )
    client = client_for(trimulyo_worker)
    response = client.post(reverse("cases:beneficiary_create"), _post_form())
    assert response.status_code == 200
    assert response.context["duplicates"] == [existing.beneficiary]
    assert reverse("cases:beneficiary_detail", args=[existing.beneficiary_id]) in (
        response.content.decode()
    )
    assert Beneficiary.objects.count() == 1
    response = client.post(reverse("cases:beneficiary_create"), _post_form(confirm_duplicates="on"))
    assert response.status_code == 302
    assert Beneficiary.objects.count() == 2


def test_the_form_checks_nik_consent_categories_and_scope(psm, trimulyo_worker, client_for):
    client = client_for(trimulyo_worker)
    child = (TODAY - datetime.timedelta(days=365 * 8)).isoformat()
    response = client.post(
        reverse("cases:beneficiary_create"),
        _post_form(
            nik="1234567890123456",
            categories=[],
            birth_date=child,
            village="34.02.09.2003",
        ),
    )
    errors = response.context["form"].errors
    assert {"nik", "categories", "village"} <= set(errors)
    response = client.post(
        reverse("cases:beneficiary_create"), _post_form(birth_date=child, consent_relation="self")
    )
    assert "consent_relation" in response.context["form"].errors
    response = client.post(
        reverse("cases:beneficiary_create"), _post_form(birth_date="", estimated_age="")
    )
    assert "birth_date" in response.context["form"].errors
    assert not Beneficiary.objects.exists()
    nik = valid_nik("340209", datetime.date(1942, 3, 4), "L")
    response = client.post(reverse("cases:beneficiary_create"), _post_form(nik=nik))
    assert response.status_code == 302
    b = Beneficiary.objects.get()
    assert b.nik == nik and b.nik_masked != nik
    page = client.get(reverse("cases:beneficiary_detail", args=[b.pk])).content.decode()
    assert nik not in page and b.nik_masked in page
    # The same NIK again: refused, and the record that has it is offered instead.
    response = client.post(
        reverse("cases:beneficiary_create"),
        _post_form(nik=nik, full_name="Karto", birth_date="1942-03-04"),
    )
    assert "nik" in response.context["form"].errors
    assert response.context["duplicates"] == [b]
    assert Beneficiary.objects.count() == 1


def test_an_officer_picks_an_active_worker_of_the_district(psm, bantul_officer, client_for):
    sleman_psm = build_worker(village="3404012001", full_name="PSM Sleman", status=Status.ACTIVE)
    elsewhere = build_worker(village="3402012001", full_name="PSM Srandakan", status=Status.ACTIVE)
    client = client_for(bantul_officer)
    form = client.get(reverse("cases:beneficiary_create")).context["form"]
    choices = set(form.fields["worker"].queryset)
    assert psm in choices and sleman_psm not in choices
    response = client.post(reverse("cases:beneficiary_create"), _post_form(worker=elsewhere.pk))
    assert "worker" in response.context["form"].errors
    response = client.post(reverse("cases:beneficiary_create"), _post_form(worker=psm.pk))
    assert response.status_code == 302
    assert Case.objects.get().worker == psm


# ---- the case's steps ---------------------------------------------------------------------------


def test_status_changes_and_closing_with_a_reason(psm, trimulyo_worker, client_for):
    case = open_case(psm, trimulyo_worker)
    client = client_for(trimulyo_worker)
    url = reverse("cases:case_status", args=[case.pk])
    page = client.get(reverse("cases:case_detail", args=[case.pk]))
    assert [s["to"] for s in page.context["steps"]] == ["assessed", "closed"]
    client.post(url, {"to": "assessed", "version": 1})
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSESSED and case.version == 2
    # A stale page (version 1) is refused.
    client.post(url, {"to": "assisting", "version": 1})
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSESSED
    # Closing needs a reason.
    client.post(url, {"to": "closed", "version": 2})
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSESSED
    client.post(url, {"to": "closed", "version": 2, "reason": "resolved", "note": "Sudah PKH"})
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.closure_reason == "resolved"
    assert case.closure_note == "Sudah PKH" and case.closed_on == TODAY
    assert case.events.filter(kind=CaseEvent.Kind.STATUS).count() == 2


def test_the_tksk_may_not_work_on_a_psms_case_without_change_permission(
    psm, trimulyo_worker, auditor, client_for
):
    case = open_case(psm, trimulyo_worker)
    # An auditor has no cases permissions at all.
    client = client_for(auditor)
    assert client.get(reverse("cases:case_detail", args=[case.pk])).status_code == 403
    assert (
        client.post(
            reverse("cases:case_status", args=[case.pk]), {"to": "assessed", "version": 1}
        ).status_code
        == 403
    )


def test_an_intervention_with_a_follow_up_shows_on_the_due_list(
    psm, trimulyo_worker, jetis_supervisor, client_for
):
    case = open_case(psm, trimulyo_worker)
    # Already assessed: the visit leaves the status as it is, so htmx swaps only the section.
    services.change_case_status(case, CaseStatus.ASSESSED, trimulyo_worker)
    client = client_for(trimulyo_worker)
    follow_up = TODAY + datetime.timedelta(days=3)
    response = client.post(
        reverse("cases:intervention_add", args=[case.pk]),
        {
            "kind": "home_visit",
            "on": TODAY.isoformat(),
            "place": "Rumah",
            "notes": "Kondisi lemah",
            "next_follow_up_on": follow_up.isoformat(),
        },
        headers={"HX-Request": "true", "HX-Target": "interventions"},
    )
    assert response.status_code == 200
    assert "Kondisi lemah" in response.content.decode()
    case.refresh_from_db()
    assert case.next_follow_up_on == follow_up
    assert list(client.get(reverse("cases:home")).context["due"]) == [case]
    # The district supervisor sees it in the district's due list.
    assert list(client_for(jetis_supervisor).get(reverse("cases:home")).context["due"]) == [case]


def test_an_overdue_follow_up_is_highlighted_and_names_the_worker_behind(
    psm, trimulyo_worker, jetis_supervisor, client_for
):
    case = open_case(psm, trimulyo_worker)
    services.add_intervention(
        case,
        trimulyo_worker,
        kind="home_visit",
        on=TODAY - datetime.timedelta(days=20),
        next_follow_up_on=TODAY - datetime.timedelta(days=5),
    )
    response = client_for(jetis_supervisor).get(reverse("cases:home"))
    assert response.context["overdue_count"] == 1
    assert [w["worker_id"] for w in response.context["behind"]] == [psm.pk]
    assert 'class="overdue"' in response.content.decode()


def test_an_intervention_in_the_future_is_refused(psm, trimulyo_worker, client_for):
    case = open_case(psm, trimulyo_worker)
    response = client_for(trimulyo_worker).post(
        reverse("cases:intervention_add", args=[case.pk]),
        {"kind": "home_visit", "on": (TODAY + datetime.timedelta(days=2)).isoformat()},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200  # htmx swaps the form back in with its error
    assert response.context["intervention_form"].errors
    assert 'class="form-errors"' in response.content.decode()
    assert not case.interventions.exists()


def test_a_referral_and_its_outcome(psm, trimulyo_worker, client_for):
    case = open_case(psm, trimulyo_worker)
    services.change_case_status(case, CaseStatus.ASSESSED, trimulyo_worker)
    client = client_for(trimulyo_worker)
    sent = TODAY - datetime.timedelta(days=20)
    response = client.post(
        reverse("cases:referral_add", args=[case.pk]),
        {"programme": "pkh", "target_detail": "Pendamping PKH Jetis", "sent_on": sent.isoformat()},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    referral = case.referrals.get()
    assert case.status == CaseStatus.REFERRED
    assert list(client.get(reverse("cases:home")).context["referrals"]) == [referral]
    url = reverse("cases:referral_outcome", args=[case.pk])
    client.post(url, {"referral": referral.pk, "status": "served"})  # not after "sent"
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT
    client.post(url, {"referral": referral.pk, "status": "accepted"})
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED and referral.outcome_on == TODAY
    assert not client.get(reverse("cases:home")).context["referrals"]


def test_hand_over_keeps_history_and_moves_access(
    psm, other_psm, sumberagung_psm, trimulyo_worker, jetis_supervisor, client_for
):
    case = open_case(psm, trimulyo_worker)
    services.add_intervention(case, trimulyo_worker, kind="home_visit", on=TODAY)
    url = reverse("cases:case_transfer", args=[case.pk])
    assert client_for(trimulyo_worker).get(url).status_code == 403
    client = client_for(jetis_supervisor)
    choices = set(client.get(url).context["form"].fields["to_worker"].queryset)
    # Active workers of the person's district, also of another village; not the same one.
    assert choices == {other_psm, sumberagung_psm}
    response = client.post(url, {"to_worker": other_psm.pk, "reason": "PSM pindah tugas"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.worker == other_psm and case.interventions.count() == 1
    event = case.events.get(kind=CaseEvent.Kind.TRANSFER)
    assert event.from_worker == psm and event.reason == "PSM pindah tugas"
    detail = reverse("cases:case_detail", args=[case.pk])
    assert client_for(trimulyo_worker).get(detail).status_code == 404
    assert client_for(other_psm.user).get(detail).status_code == 200


def test_list_filters(psm, trimulyo_worker, jetis_supervisor, client_for):
    a = open_case(psm, trimulyo_worker)
    b = services.open_case(
        person(full_name="Bu Painem"), psm, trimulyo_worker, [PmksCategory.objects.get(number=POOR)]
    )
    services.change_case_status(b, CaseStatus.CLOSED, trimulyo_worker, reason="moved")
    client = client_for(jetis_supervisor)
    url = reverse("cases:case_list")
    assert list(client.get(url).context["object_list"]) == [a]
    assert set(client.get(url, {"status": "all"}).context["object_list"]) == {a, b}
    poor = PmksCategory.objects.get(number=POOR)
    got = client.get(url, {"status": "all", "category": poor.pk})
    assert list(got.context["object_list"]) == [b]
    got = client.get(
        url, {"region": "34.04"}, headers={"HX-Request": "true", "HX-Target": "case-table"}
    )
    assert got.templates[0].name == "cases/_case_table.html"
    assert not got.context["object_list"]
    assert not client.get(url, {"overdue": "on"}).context["object_list"]
    people = reverse("cases:beneficiary_list")
    assert not client.get(people, {"category": poor.pk}).context["object_list"]
    elderly = PmksCategory.objects.get(number=ELDERLY)
    got = client.get(people, {"category": elderly.pk}).context["object_list"]
    assert set(got) == {a.beneficiary, b.beneficiary}


def test_the_menu_leads_to_the_cases_section(trimulyo_worker, auditor, client_for):
    page = client_for(trimulyo_worker).get(reverse("cases:home")).content.decode()
    assert f'href="{reverse("cases:home")}"' in page
    home = client_for(auditor).get("/").content.decode()
    assert f'href="{reverse("cases:home")}"' not in home


def test_a_second_case_for_a_person_already_recorded(
    psm, sumberagung_psm, trimulyo_worker, jetis_supervisor, client_for
):
    first = open_case(psm, trimulyo_worker)
    url = reverse("cases:case_create", args=[first.beneficiary_id])
    poor = PmksCategory.objects.get(number=POOR)
    response = client_for(trimulyo_worker).post(url, {"categories": [poor.pk], "priority": "low"})
    second = Case.objects.exclude(pk=first.pk).get()
    assert response["Location"] == reverse("cases:case_detail", args=[second.pk])
    assert second.worker == psm and list(second.categories.all()) == [poor]
    # The TKSK chooses among the district's active workers.
    form = client_for(jetis_supervisor).get(url).context["form"]
    assert set(form.fields["worker"].queryset) == {psm, sumberagung_psm}
