"""Likely duplicates in an officer's area, and merging two records of one person without losing
any of their history."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from mitra.core.models import AccessLog
from mitra.workers import services
from mitra.workers.models import Status, Worker, WorkerEvent
from mitra.workers.tests.factories import DecreeFactory, WorkerFactory, activate

pytestmark = pytest.mark.django_db

DUPLICATES = reverse("workers:duplicates")
MERGE = reverse("workers:merge")
BIRTH = datetime.date(1979, 4, 2)


def tr(message: str, **params) -> str:
    with translation.override("id"):
        text = gettext(message)
    return escape(text % params if params else text)


@pytest.fixture
def pair(bantul_officer):
    """One woman registered twice in Jetis: once as an active PSM, once later as a new applicant
    under her name with a title."""
    active = activate(
        WorkerFactory(
            full_name="Sri Lestari",
            sex="P",
            birth_date=BIRTH,
            village_code="3402092004",
            ready=True,
            phone="",
        ),
        bantul_officer,
        number="460/5/2023",
    )
    applicant = WorkerFactory(
        full_name="Hj. Sri Lestari",
        sex="P",
        birth_date=BIRTH,
        village_code="3402092001",
        phone="085600001111",
        occupation="Petani",
    )
    return active, applicant


def merge_url(a, b):
    return f"{MERGE}?a={a.pk}&b={b.pk}"


def test_the_officer_sees_the_likely_duplicates_of_their_area(pair, bantul_officer, client_for):
    WorkerFactory(full_name="Sri Lestari", sex="P", birth_date=BIRTH, village_code="3402012001")
    WorkerFactory(full_name="Budi", sex="L", birth_date=BIRTH, village_code="3402092004")
    response = client_for(bantul_officer).get(DUPLICATES)
    assert response.status_code == 200
    found = [{a.pk, b.pk} for a, b in response.context["pairs"]]
    assert found == [{pair[0].pk, pair[1].pk}]  # other district, other name: not a pair
    assert merge_url(*response.context["pairs"][0]) in response.content.decode().replace(
        "&amp;", "&"
    )


def test_another_regency_sees_none_of_them(pair, sleman_officer, client_for):
    response = client_for(sleman_officer).get(DUPLICATES)
    assert response.context["pairs"] == []
    assert client_for(sleman_officer).get(merge_url(*pair)).status_code == 404


def test_comparing_opens_both_records_and_is_logged(pair, bantul_officer, client_for):
    response = client_for(bantul_officer).get(merge_url(*pair))
    assert response.status_code == 200
    assert response.context["counts"]["decrees"] == (1, 0)
    logged = set(AccessLog.objects.values_list("object_id", flat=True))
    assert logged == {str(pair[0].pk), str(pair[1].pk)}


def test_merging_keeps_every_decree_and_event(pair, bantul_officer, client_for):
    active, applicant = pair
    DecreeFactory(worker=applicant, number="460/9/2018")
    events = set(WorkerEvent.objects.filter(worker__in=pair).values_list("pk", flat=True))
    response = client_for(bantul_officer).post(
        merge_url(active, applicant),
        {"keep": "a", "reason": "", "version_a": active.version, "version_b": applicant.version},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("workers:detail", args=[active.pk])
    active.refresh_from_db()
    applicant.refresh_from_db()
    assert applicant.merged_into == active and applicant.status == Status.EXITED
    assert active.status == Status.ACTIVE
    assert sorted(active.decrees.values_list("number", flat=True)) == ["460/5/2023", "460/9/2018"]
    # Every event that existed still exists, now on the record that stays; both got a merge note.
    assert events <= set(active.events.values_list("pk", flat=True))
    assert active.events.filter(kind=WorkerEvent.Kind.MERGE).exists()
    assert applicant.events.filter(kind=WorkerEvent.Kind.MERGE).exists()
    # The moved rows follow the region of the record that stays (its village, not the other's).
    assert set(active.decrees.values_list("region_code", flat=True)) == {active.region_code}
    assert set(active.events.values_list("region_code", flat=True)) == {active.region_code}
    # Empty fields were filled from the other record.
    assert active.phone == "085600001111" and active.occupation == "Petani"
    # The merged record leaves the list and the duplicates, but stays readable for history.
    client = client_for(bantul_officer)
    assert applicant not in client.get(reverse("workers:list")).context["object_list"]
    assert client.get(DUPLICATES).context["pairs"] == []
    assert client.get(reverse("workers:detail", args=[applicant.pk])).status_code == 200


def test_the_officer_chooses_which_record_stays(pair, bantul_officer, client_for):
    active, applicant = pair
    client_for(bantul_officer).post(
        merge_url(active, applicant),
        {"keep": "b", "version_a": active.version, "version_b": applicant.version},
    )
    active.refresh_from_db()
    assert active.merged_into_id == applicant.pk
    assert Worker.objects.get(pk=applicant.pk).decrees.count() == 1


def test_a_stale_comparison_merges_nothing(pair, bantul_officer, client_for):
    active, applicant = pair
    seen = applicant.version
    services.change_status(applicant, Status.EXITED, bantul_officer, reason="x")
    response = client_for(bantul_officer).post(
        merge_url(active, applicant), {"keep": "a", "version_a": active.version, "version_b": seen}
    )
    assert response.status_code == 200
    assert (
        tr(
            "Someone else changed one of these records while you were working on it. Reload "
            "the page and try again."
        )
        in response.content.decode()
    )
    assert Worker.objects.get(pk=applicant.pk).merged_into is None


def test_only_officers_who_merge_may_see_or_merge(
    pair, jetis_supervisor, auditor, trimulyo_worker, client_for
):
    for user in (jetis_supervisor, auditor, trimulyo_worker):
        client = client_for(user)
        assert client.get(DUPLICATES).status_code == 403
        assert client.post(merge_url(*pair), {"keep": "a"}).status_code == 403
    assert Worker.objects.filter(merged_into__isnull=False).count() == 0


def test_a_record_cannot_be_merged_with_itself_or_twice(pair, bantul_officer, client_for):
    active, applicant = pair
    client = client_for(bantul_officer)
    assert client.get(merge_url(active, active)).status_code == 404
    assert client.get(f"{MERGE}?a=nonsense&b={active.pk}").status_code == 404
    services.merge(active, applicant, bantul_officer)
    assert client.get(merge_url(active, applicant)).status_code == 404


def test_an_unsaved_record_is_compared_within_its_own_district_only():
    """The register form asks before saving, when the record has no region code yet."""
    WorkerFactory(full_name="Sri Lestari", sex="P", birth_date=BIRTH, village_code="3402012001")
    unsaved = WorkerFactory.build(
        full_name="Sri Lestari", sex="P", birth_date=BIRTH, village_code="3402092004"
    )
    assert unsaved.region_code == ""
    assert services.likely_duplicates(unsaved) == []
    twin = WorkerFactory(full_name="Sri Lestari", sex="P", birth_date=BIRTH)
    assert services.likely_duplicates(unsaved) == [twin]
