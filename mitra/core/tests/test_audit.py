"""The change history and the access log: append-only evidence, the actor of each change, and
history scoped by the region of the changed row."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse

from mitra.accounts.models import User
from mitra.accounts.tests.factories import UserFactory
from mitra.core.current import acting_as
from mitra.core.models import AccessLog, ChangeLog

pytestmark = pytest.mark.django_db

PASSWORD = "Zebra-lampu-9911"


def a_changelog_row() -> ChangeLog:
    user = UserFactory(username="subjek", role="worker", scope_code="3402092004")
    return ChangeLog.for_object(user).get()


def an_accesslog_row() -> AccessLog:
    return AccessLog.objects.create(
        action=AccessLog.Action.VIEW,
        content_type=ContentType.objects.get_for_model(User),
        object_id="1",
        region_code="3402",
    )


ROW_MAKERS = {"ChangeLog": a_changelog_row, "AccessLog": an_accesslog_row}


def change_and_save(row):
    row.region_code = "3404"
    row.save()


def update_through_queryset(row):
    type(row).objects.filter(pk=row.pk).update(region_code="3404")


def update_through_manager(row):
    type(row).objects.update(region_code="3404")


def bulk_update(row):
    row.region_code = "3404"
    type(row).objects.bulk_update([row], ["region_code"])


def delete_through_queryset(row):
    type(row).objects.filter(pk=row.pk).delete()


def delete_all(row):
    type(row).objects.all().delete()


def delete_instance(row):
    row.delete()


TAMPERING = [
    change_and_save,
    update_through_queryset,
    update_through_manager,
    bulk_update,
    delete_through_queryset,
    delete_all,
    delete_instance,
]


@pytest.mark.parametrize("model_name", ROW_MAKERS)
@pytest.mark.parametrize("tamper", TAMPERING, ids=lambda f: f.__name__)
def test_log_rows_cannot_be_changed_or_deleted(model_name, tamper):
    row = ROW_MAKERS[model_name]()
    model = type(row)
    count = model.objects.count()

    # A savepoint, so that the test can read the table after a refusal inside an atomic block.
    with pytest.raises(PermissionError), transaction.atomic():
        tamper(row)

    assert model.objects.count() == count
    assert model.objects.get(pk=row.pk).region_code == "3402" + (
        "092004" if model is ChangeLog else ""
    )


@pytest.mark.parametrize("model_name", ROW_MAKERS)
def test_new_log_rows_can_be_added(model_name):
    row = ROW_MAKERS[model_name]()

    assert type(row).objects.filter(pk=row.pk).exists()


def test_creating_a_user_logs_a_create_by_the_acting_user(national_admin):
    with acting_as(national_admin, "10.0.0.7"):
        created = User.objects.create_user(
            "psm.baru", PASSWORD, full_name="Sri Wahyuni", role="worker", scope_code="3402092004"
        )

    entry = ChangeLog.for_object(created).get()
    assert entry.action == ChangeLog.Action.CREATE
    assert entry.actor == national_admin
    assert entry.address == "10.0.0.7"
    assert entry.content_type == ContentType.objects.get_for_model(User)
    assert entry.object_label == "psm.baru"
    assert entry.changes["full_name"] == [None, "Sri Wahyuni"]
    assert entry.changes["password"] == [None, "•••"]
    assert created.created_by == created.updated_by == national_admin


def test_saves_outside_acting_as_have_no_actor(national_admin):
    with acting_as(national_admin):
        pass

    created = User.objects.create_user(
        "psm.baru", PASSWORD, full_name="Sri", role="worker", scope_code="3402092004"
    )

    entry = ChangeLog.for_object(created).get()
    assert entry.actor is None
    assert entry.address == ""
    assert created.created_by is None


def test_changes_made_in_a_request_record_the_user_and_address(
    bantul_officer, trimulyo_worker, client_for
):
    edit = reverse("accounts:user_update", args=[trimulyo_worker.pk])

    client_for(bantul_officer).post(
        edit,
        {
            "full_name": "Sri Lestari",
            "role": "worker",
            "scope_code": "3402092004",
            "is_active": "on",
        },
        REMOTE_ADDR="203.0.113.9",
    )

    entry = ChangeLog.for_object(trimulyo_worker).get(action=ChangeLog.Action.UPDATE)
    assert (entry.actor, entry.address) == (bantul_officer, "203.0.113.9")


def test_deleting_a_row_logs_its_last_values(national_admin):
    subject = UserFactory(username="sementara", role="worker", scope_code="3402092004")
    pk = subject.pk

    with acting_as(national_admin):
        subject.delete()

    entry = ChangeLog.objects.get(object_id=str(pk), action=ChangeLog.Action.DELETE)
    assert entry.actor == national_admin
    assert entry.changes["username"] == ["sementara", None]
    assert entry.region_code == "3402092004"


def test_log_rows_carry_the_region_code_of_the_changed_row(national_admin):
    with acting_as(national_admin):
        bantul = UserFactory(username="psm.bantul", role="worker", scope_code="3402092004")
        sleman = UserFactory(username="psm.sleman", role="worker", scope_code="3404012001")
        national = UserFactory(username="juri.nasional", role="juror", scope_code="")

    assert ChangeLog.for_object(bantul).get().region_code == "3402092004"
    assert ChangeLog.for_object(sleman).get().region_code == "3404012001"
    assert ChangeLog.for_object(national).get().region_code == ""


@pytest.fixture
def history_in_several_areas(national_admin):
    with acting_as(national_admin):
        for username, role, scope in [
            ("psm.bantul", "worker", "3402092004"),
            ("tksk.bantul", "district_supervisor", "340209"),
            ("psm.sleman", "worker", "3404012001"),
            ("dinsos.kulonprogo", "regency_officer", "3401"),
            ("dinsos.jateng", "province_officer", "33"),
            ("juri.nasional", "juror", ""),
        ]:
            User.objects.create_user(
                username, PASSWORD, full_name=username, role=role, scope_code=scope
            )


def history_page_labels(client) -> tuple[set[str], object]:
    response = client.get(reverse("core:changelog"))
    assert response.status_code == 200
    return {entry.object_label for entry in response.context["object_list"]}, response


def test_bantul_officer_history_shows_only_bantul_entries(
    bantul_officer, history_in_several_areas, client_for
):
    labels, response = history_page_labels(client_for(bantul_officer))

    assert {"psm.bantul", "tksk.bantul", "dinsos.bantul"} <= labels
    assert labels.isdisjoint({"psm.sleman", "dinsos.kulonprogo", "dinsos.jateng", "juri.nasional"})
    assert all(e.region_code.startswith("3402") for e in response.context["object_list"])


def test_province_officer_history_covers_the_whole_province(
    diy_officer, history_in_several_areas, client_for
):
    labels, _response = history_page_labels(client_for(diy_officer))

    assert {"psm.bantul", "psm.sleman", "dinsos.kulonprogo", "dinsos.diy"} <= labels
    assert labels.isdisjoint({"dinsos.jateng", "juri.nasional"})


def test_national_admin_history_covers_everything(
    national_admin, history_in_several_areas, client_for
):
    labels, _response = history_page_labels(client_for(national_admin))

    assert {"psm.bantul", "psm.sleman", "dinsos.jateng", "juri.nasional"} <= labels


@pytest.fixture
def accesses(trimulyo_worker, bantul_officer):
    user_type = ContentType.objects.get_for_model(User)
    for user, object_id in [
        (trimulyo_worker, "11"),
        (bantul_officer, "12"),
        (bantul_officer, "13"),
    ]:
        AccessLog.objects.create(
            user=user,
            action=AccessLog.Action.VIEW,
            content_type=user_type,
            object_id=object_id,
            region_code="3402092004",
        )


@pytest.mark.parametrize("persona", ["auditor", "national_admin"])
def test_auditors_can_open_the_access_log(request, accesses, client_for, persona):
    response = client_for(request.getfixturevalue(persona)).get(reverse("core:accesslog"))

    assert response.status_code == 200
    assert {e.object_id for e in response.context["object_list"]} == {"11", "12", "13"}


def test_access_log_can_be_filtered_by_user(auditor, accesses, client_for):
    response = client_for(auditor).get(reverse("core:accesslog"), {"user": "psm.trimulyo"})

    assert [e.object_id for e in response.context["object_list"]] == ["11"]


@pytest.mark.parametrize("persona", ["bantul_officer", "diy_officer", "trimulyo_worker"])
def test_officers_and_workers_get_403_on_the_access_log(request, accesses, client_for, persona):
    response = client_for(request.getfixturevalue(persona)).get(reverse("core:accesslog"))

    assert response.status_code == 403
