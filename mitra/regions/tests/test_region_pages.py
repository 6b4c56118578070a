import pytest

from mitra.core.models import Job

pytestmark = pytest.mark.django_db


def test_a_scoped_officer_lands_on_their_own_area(bantul_officer, client_for):
    response = client_for(bantul_officer).get("/wilayah/")
    assert response.status_code == 302 and response["Location"] == "/wilayah/3402/"


def test_national_admin_sees_all_provinces_with_regency_counts(national_admin, client_for):
    response = client_for(national_admin).get("/wilayah/")
    rows = list(response.context["rows"])
    assert len(rows) == 38
    diy = next(r for r in rows if r.code == "34")
    assert diy.n_children == 5


def test_region_page_accepts_dotted_codes_and_shows_breadcrumbs(bantul_officer, client_for):
    response = client_for(bantul_officer).get("/wilayah/34.02.09/")
    assert response.status_code == 200
    assert [r.code for r in response.context["trail"]] == ["34", "3402", "340209"]
    assert "Trimulyo" in response.content.decode()


def test_htmx_filter_returns_only_the_matching_children(bantul_officer, client_for):
    response = client_for(bantul_officer).get(
        "/wilayah/340209/?q=trimu", headers={"HX-Request": "true", "HX-Target": "region-children"}
    )
    html = response.content.decode()
    assert "<html" not in html  # a fragment, not the page
    assert [r.code for r in response.context["rows"]] == ["3402092004"]


def test_search_finds_by_name_and_by_code_within_scope(bantul_officer, client_for):
    client = client_for(bantul_officer)
    by_name = client.get("/wilayah/cari/?q=Trimulyo")
    assert [r.code for g in by_name.context["results"] for r in g["rows"]] == ["3402092004"]
    by_code = client.get("/wilayah/cari/?q=34.02.09.2004")
    assert "3402092004" in [r.code for g in by_code.context["results"] for r in g["rows"]]


@pytest.mark.parametrize("code", ["abc", "3402x", "34020", "99"])
def test_malformed_or_unknown_codes_are_404(code, national_admin, client_for):
    assert client_for(national_admin).get(f"/wilayah/{code}/").status_code == 404


def test_only_the_national_admin_may_reload_regions(
    national_admin, diy_officer, client_for, django_capture_on_commit_callbacks
):
    assert client_for(diy_officer).post("/wilayah/muat-ulang/").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(national_admin).post("/wilayah/muat-ulang/")
    job = Job.objects.get(kind="regions.reload")
    assert response["Location"] == f"/tugas-latar/{job.pk}/"
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert job.result["created"] == 0
    assert job.percent == 100


def test_reload_is_post_only(national_admin, client_for):
    assert client_for(national_admin).get("/wilayah/muat-ulang/").status_code == 405
