"""Creating and editing users: scope, rank, the role's region level, and the change history."""

import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from mitra.accounts.models import User
from mitra.core.models import ChangeLog

pytestmark = pytest.mark.django_db

CREATE_URL = reverse("accounts:user_create")
NEW_PASSWORD = "Zebra-lampu-9911"
TRIMULYO = "3402092004"  # a village in Jetis, Bantul
SLEMAN_VILLAGE = "3404012001"  # a village in Sleman, Bantul's neighbour


def tr(message: str, **params) -> str:
    """The message as the app shows it (Indonesian is the default language)."""
    with translation.override("id"):
        text = gettext(message)
    return text % params if params else text


def new_user_data(**overrides) -> dict:
    return {
        "username": "psm.baru",
        "full_name": "Sri Wahyuni",
        "email": "",
        "phone": "",
        "role": "worker",
        "scope_code": TRIMULYO,
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        **overrides,
    }


def edit_data(user: User, **overrides) -> dict:
    """What the edit form posts back unchanged for `user`."""
    data = {
        "full_name": user.full_name,
        "email": user.email,
        "phone": user.phone,
        "role": user.role,
        "scope_code": user.scope_code,
        "password1": "",
        "password2": "",
    }
    if user.is_active:
        data["is_active"] = "on"
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def form_errors(response) -> dict:
    assert response.status_code == 200, response
    return {name: list(errors) for name, errors in response.context["form"].errors.items()}


@pytest.fixture
def sleman_worker(make_user):
    return make_user(username="psm.sleman", role="worker", scope_code=SLEMAN_VILLAGE)


# --- creating: inside the officer's area, with a role not above their own ---------------------


def test_bantul_officer_creates_a_worker_in_a_bantul_village(bantul_officer, client_for):
    response = client_for(bantul_officer).post(CREATE_URL, new_user_data())

    created = User.objects.get(username="psm.baru")
    assert response.status_code == 302
    assert response.url == reverse("accounts:user_detail", args=[created.pk])
    assert (created.role, created.scope_code, created.is_active) == ("worker", TRIMULYO, True)
    assert created.check_password(NEW_PASSWORD)
    assert created.created_by == bantul_officer


def test_dotted_region_code_is_accepted_and_stored_as_digits(bantul_officer, client_for):
    client_for(bantul_officer).post(CREATE_URL, new_user_data(scope_code="34.02.09.2004"))

    assert User.objects.get(username="psm.baru").scope_code == TRIMULYO


@pytest.mark.parametrize(
    ("actor_fixture", "role", "scope"),
    [
        ("bantul_officer", "province_officer", "34"),
        ("bantul_officer", "auditor", "3402"),
        ("bantul_officer", "national_admin", ""),
        ("diy_officer", "national_admin", ""),
    ],
)
def test_officer_cannot_give_a_role_above_their_own(
    request, client_for, actor_fixture, role, scope
):
    actor = request.getfixturevalue(actor_fixture)

    response = client_for(actor).post(CREATE_URL, new_user_data(role=role, scope_code=scope))

    assert form_errors(response)["role"] == [tr("You cannot give a role above your own.")]
    assert not User.objects.filter(username="psm.baru").exists()


def test_roles_above_the_officer_are_not_offered(bantul_officer, client_for):
    response = client_for(bantul_officer).get(CREATE_URL)

    offered = {value for value, _label in response.context["form"].fields["role"].choices}
    assert offered == {"", "regency_officer", "district_supervisor", "juror", "worker"}


def test_officer_may_give_a_role_equal_to_their_own(bantul_officer, client_for):
    response = client_for(bantul_officer).post(
        CREATE_URL, new_user_data(role="regency_officer", scope_code="3402")
    )

    assert response.status_code == 302
    assert User.objects.get(username="psm.baru").role == "regency_officer"


@pytest.mark.parametrize(
    ("role", "scope", "shown_as"),
    [
        ("worker", SLEMAN_VILLAGE, "34.04.01.2001"),
        ("regency_officer", "3404", "34.04"),
        ("district_supervisor", "340401", "34.04.01"),
    ],
)
def test_officer_cannot_create_a_user_outside_their_area(
    bantul_officer, client_for, role, scope, shown_as
):
    response = client_for(bantul_officer).post(
        CREATE_URL, new_user_data(role=role, scope_code=scope)
    )

    assert form_errors(response) == {
        "scope_code": [tr("Region %(code)s is outside your own area.", code=shown_as)]
    }
    assert not User.objects.filter(username="psm.baru").exists()


def test_regional_officer_cannot_create_a_national_user(bantul_officer, client_for):
    response = client_for(bantul_officer).post(
        CREATE_URL, new_user_data(role="juror", scope_code="")
    )

    assert form_errors(response) == {
        "scope_code": [tr("Region %(code)s is outside your own area.", code=tr("National"))]
    }


@pytest.mark.parametrize(
    ("role", "scope", "level"),
    [
        ("province_officer", "3402", "province"),
        ("regency_officer", "34", "regency/city"),
        ("regency_officer", "340209", "regency/city"),
        ("district_supervisor", "3402", "district"),
        ("worker", "340209", "village"),
    ],
)
def test_scope_must_be_at_the_level_of_the_role(national_admin, client_for, role, scope, level):
    response = client_for(national_admin).post(
        CREATE_URL, new_user_data(role=role, scope_code=scope)
    )

    expected = tr("This role needs a region at the %(level)s level.", level=tr(level))
    assert form_errors(response) == {"scope_code": [expected]}
    assert not User.objects.filter(username="psm.baru").exists()


def test_national_administrator_has_no_region(national_admin, client_for):
    response = client_for(national_admin).post(
        CREATE_URL, new_user_data(role="national_admin", scope_code="34")
    )

    assert form_errors(response) == {"scope_code": [tr("A national administrator has no region.")]}


@pytest.mark.parametrize(("role", "scope"), [("juror", ""), ("juror", "34"), ("auditor", "3402")])
def test_juror_and_auditor_may_have_a_scope_at_any_level(national_admin, client_for, role, scope):
    response = client_for(national_admin).post(
        CREATE_URL, new_user_data(role=role, scope_code=scope)
    )

    assert response.status_code == 302
    assert User.objects.get(username="psm.baru").scope_code == scope


@pytest.mark.parametrize(("code", "shown_as"), [("3499", "34.99"), ("3402992004", "34.02.99.2004")])
def test_unknown_region_code_is_rejected(national_admin, client_for, code, shown_as):
    role = "regency_officer" if len(code) == 4 else "worker"
    response = client_for(national_admin).post(
        CREATE_URL, new_user_data(role=role, scope_code=code)
    )

    assert form_errors(response) == {
        "scope_code": [tr("There is no region with code %(code)s.", code=shown_as)]
    }


def test_malformed_region_code_is_rejected(national_admin, client_for):
    response = client_for(national_admin).post(CREATE_URL, new_user_data(scope_code="34-02-09"))

    assert form_errors(response) == {
        "scope_code": [tr("Write a region code like 34, 34.02, 34.02.09 or 34.02.09.2004.")]
    }


def test_model_validation_rejects_unknown_region_outside_forms(regions):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        User.objects.create_user(
            "x", NEW_PASSWORD, full_name="X", role="worker", scope_code="3402992004"
        )

    assert caught.value.message_dict == {
        "scope_code": [tr("Unknown region code %(code)s.", code="34.02.99.2004")]
    }


def test_mismatched_passwords_are_refused(bantul_officer, client_for):
    response = client_for(bantul_officer).post(
        CREATE_URL, new_user_data(password2=NEW_PASSWORD + "x")
    )

    assert form_errors(response) == {"password2": [tr("The two passwords are not the same.")]}


@pytest.mark.parametrize("persona", ["jetis_supervisor", "trimulyo_worker", "juror", "auditor"])
def test_roles_without_user_management_get_403_on_the_create_page(request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))

    assert client.get(CREATE_URL).status_code == 403
    assert client.post(CREATE_URL, new_user_data()).status_code == 403
    assert not User.objects.filter(username="psm.baru").exists()


def test_anonymous_visitor_is_sent_to_login_from_the_create_page(client, regions):
    response = client.get(CREATE_URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


# --- editing: scope, rank, own account ------------------------------------------------------


def test_bantul_officer_gets_404_on_a_sleman_users_pages(bantul_officer, sleman_worker, client_for):
    client = client_for(bantul_officer)
    detail = reverse("accounts:user_detail", args=[sleman_worker.pk])
    edit = reverse("accounts:user_update", args=[sleman_worker.pk])

    assert client.get(detail).status_code == 404
    assert client.get(edit).status_code == 404
    assert client.post(edit, edit_data(sleman_worker, full_name="Ganti")).status_code == 404
    sleman_worker.refresh_from_db()
    assert sleman_worker.full_name != "Ganti"


def test_sleman_users_are_not_listed_for_bantul(
    bantul_officer, sleman_worker, trimulyo_worker, client_for
):
    response = client_for(bantul_officer).get(reverse("accounts:user_list"))

    listed = {u.username for u in response.context["object_list"]}
    assert "psm.trimulyo" in listed
    assert "psm.sleman" not in listed


def test_bantul_officer_edits_a_worker_in_their_area(bantul_officer, trimulyo_worker, client_for):
    edit = reverse("accounts:user_update", args=[trimulyo_worker.pk])

    response = client_for(bantul_officer).post(
        edit, edit_data(trimulyo_worker, full_name="Sri Lestari")
    )

    assert response.status_code == 302
    trimulyo_worker.refresh_from_db()
    assert trimulyo_worker.full_name == "Sri Lestari"


def test_edit_cannot_move_a_user_out_of_the_officers_area(
    bantul_officer, trimulyo_worker, client_for
):
    edit = reverse("accounts:user_update", args=[trimulyo_worker.pk])

    response = client_for(bantul_officer).post(
        edit, edit_data(trimulyo_worker, scope_code=SLEMAN_VILLAGE)
    )

    assert form_errors(response) == {
        "scope_code": [tr("Region %(code)s is outside your own area.", code="34.04.01.2001")]
    }
    trimulyo_worker.refresh_from_db()
    assert trimulyo_worker.scope_code == TRIMULYO


def test_edit_cannot_promote_a_user_above_the_officer(bantul_officer, trimulyo_worker, client_for):
    edit = reverse("accounts:user_update", args=[trimulyo_worker.pk])

    response = client_for(bantul_officer).post(
        edit, edit_data(trimulyo_worker, role="province_officer", scope_code="34")
    )

    assert tr("You cannot give a role above your own.") in form_errors(response)["role"]
    trimulyo_worker.refresh_from_db()
    assert trimulyo_worker.role == "worker"


@pytest.mark.parametrize("persona", ["bantul_officer", "diy_officer", "national_admin"])
def test_nobody_can_change_their_own_role_scope_or_active_flag(request, client_for, persona):
    me = request.getfixturevalue(persona)
    before = (me.role, me.scope_code, me.is_active)
    edit = reverse("accounts:user_update", args=[me.pk])
    client = client_for(me)

    form = client.get(edit).context["form"]
    assert all(form.fields[name].disabled for name in ("role", "scope_code", "is_active"))
    response = client.post(
        edit,
        edit_data(me, full_name="Nama Baru", role="worker", scope_code=TRIMULYO, is_active=None),
    )

    assert response.status_code == 302
    me.refresh_from_db()
    assert me.full_name == "Nama Baru"  # the rest of the form still works
    assert (me.role, me.scope_code, me.is_active) == before


def test_regency_officer_gets_403_editing_a_higher_ranked_user_in_their_area(
    bantul_officer, make_user, client_for
):
    # An auditor (rank above a regency officer) may be scoped to Bantul, so Bantul can see them.
    bantul_auditor = make_user(username="auditor.bantul", role="auditor", scope_code="3402")
    client = client_for(bantul_officer)
    edit = reverse("accounts:user_update", args=[bantul_auditor.pk])

    detail = client.get(reverse("accounts:user_detail", args=[bantul_auditor.pk]))
    assert detail.status_code == 200
    assert detail.context["can_edit"] is False
    assert client.get(edit).status_code == 403
    assert client.post(edit, edit_data(bantul_auditor, full_name="X")).status_code == 403
    bantul_auditor.refresh_from_db()
    assert bantul_auditor.full_name != "X"


def test_regency_officer_cannot_edit_the_province_officer(bantul_officer, diy_officer, client_for):
    # The province officer's scope (34) lies above Bantul's, so for Bantul they do not exist.
    client = client_for(bantul_officer)
    edit = reverse("accounts:user_update", args=[diy_officer.pk])

    assert client.get(edit).status_code == 404
    assert client.post(edit, edit_data(diy_officer, full_name="X")).status_code == 404
    diy_officer.refresh_from_db()
    assert diy_officer.full_name != "X"


def test_province_officer_may_edit_a_regency_officer(diy_officer, bantul_officer, client_for):
    edit = reverse("accounts:user_update", args=[bantul_officer.pk])

    response = client_for(diy_officer).post(edit, edit_data(bantul_officer, phone="0274123456"))

    assert response.status_code == 302
    bantul_officer.refresh_from_db()
    assert bantul_officer.phone == "0274123456"


# --- change history -----------------------------------------------------------------------


def test_editing_a_user_records_before_and_after(bantul_officer, trimulyo_worker, client_for):
    old_name = trimulyo_worker.full_name
    edit = reverse("accounts:user_update", args=[trimulyo_worker.pk])

    client_for(bantul_officer).post(
        edit, edit_data(trimulyo_worker, full_name="Sri Lestari", phone="081234567890")
    )

    entry = ChangeLog.for_object(trimulyo_worker).get(action="update")
    assert entry.actor == bantul_officer
    assert entry.region_code == TRIMULYO
    assert entry.object_label == "psm.trimulyo"
    assert entry.changes == {
        "full_name": [old_name, "Sri Lestari"],
        "phone": ["", "081234567890"],
    }


def test_password_change_is_logged_without_the_hash(bantul_officer, trimulyo_worker, client_for):
    old_hash = trimulyo_worker.password
    edit = reverse("accounts:user_update", args=[trimulyo_worker.pk])
    client = client_for(bantul_officer)

    client.post(edit, edit_data(trimulyo_worker, password1=NEW_PASSWORD, password2=NEW_PASSWORD))

    trimulyo_worker.refresh_from_db()
    assert trimulyo_worker.check_password(NEW_PASSWORD)
    entry = ChangeLog.for_object(trimulyo_worker).get(action="update")
    assert entry.changes == {"password": ["•••", "•••"]}
    stored = json.dumps([e.changes for e in ChangeLog.objects.all()])
    for secret in (old_hash, trimulyo_worker.password, NEW_PASSWORD):
        assert secret not in stored
    page = client.get(reverse("accounts:user_detail", args=[trimulyo_worker.pk]))
    assert "•••" in page.text
    assert trimulyo_worker.password not in page.text


def test_creating_a_user_logs_the_password_as_set_not_its_hash(bantul_officer, client_for):
    client_for(bantul_officer).post(CREATE_URL, new_user_data())

    created = User.objects.get(username="psm.baru")
    entry = ChangeLog.for_object(created).get()
    assert entry.action == "create"
    assert entry.changes["password"] == [None, "•••"]
    assert entry.changes["role"] == [None, "worker"]
    assert created.password not in json.dumps(entry.changes)


# --- deactivation ---------------------------------------------------------------------------


def test_deactivating_a_user_ends_their_session_on_the_next_request(
    bantul_officer, trimulyo_worker, client_for
):
    worker_client = Client()
    worker_client.force_login(trimulyo_worker)
    assert worker_client.get(reverse("core:home")).status_code == 200
    edit = reverse("accounts:user_update", args=[trimulyo_worker.pk])

    response = client_for(bantul_officer).post(edit, edit_data(trimulyo_worker, is_active=None))

    assert response.status_code == 302
    trimulyo_worker.refresh_from_db()
    assert trimulyo_worker.is_active is False
    home = worker_client.get(reverse("core:home"))
    assert home.status_code == 302
    assert home.url.startswith(reverse("accounts:login"))
    assert worker_client.get("/api/v1/me").status_code == 401
