"""The course catalogue pages: everyone with training access reads it; only the national
administrator adds and changes courses; a course cannot require itself."""

import pytest
from django.urls import reverse

from mitra.training.models import Course, Level
from mitra.training.tests.pagehelpers import english, text

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "persona",
    ["national_admin", "diy_officer", "bantul_officer", "jetis_supervisor", "auditor"],
)
def test_the_catalogue_lists_each_course_with_its_rules(persona, request, client):
    user = request.getfixturevalue(persona)
    response = english(client, user).get(reverse("training:course_list"))
    assert response.status_code == 200
    page = text(response)
    for course in Course.objects.all():
        assert course.code in page
    basic = Course.objects.get(code="PSM-D")
    row = page.split("PSM-L", 1)[1].split("</tr>", 1)[0]
    assert ">60<" in row  # hours (JPL) of the advanced course
    assert "PSM-D" in row  # its prerequisite
    assert "5 years" in row  # certificate validity
    assert f">{basic.pass_mark}<" in page
    assert ("New course" in page) == (persona == "national_admin")


def test_a_worker_reads_the_catalogue_but_a_juror_does_not(trimulyo_worker, juror, client):
    url = reverse("training:course_list")
    assert english(client, trimulyo_worker).get(url).status_code == 200
    assert english(client, juror).get(url).status_code == 403


def test_course_detail_shows_prerequisites_and_what_it_opens(bantul_officer, client):
    basic = Course.objects.get(code="PSM-D")
    page = text(
        english(client, bantul_officer).get(reverse("training:course_detail", args=[basic.pk]))
    )
    assert "completes the basic-training requirement" in page
    assert "PSM-L" in page  # required before the advanced course
    assert "Edit course" not in page


def test_the_national_administrator_adds_a_course(national_admin, client):
    basic = Course.objects.get(code="PSM-D")
    response = english(client, national_admin).post(
        reverse("training:course_create"),
        {
            "code": "tem-anak",
            "title": "Perlindungan Anak",
            "level": Level.THEMATIC,
            "organiser_type": "provinsi",
            "hours": "24",
            "pass_mark": "75",
            "attendance_min": "90",
            "validity_years": "3",
            "prerequisites": [basic.pk],
            "competencies": "Hak anak; rujukan",
            "is_active": "on",
        },
    )
    course = Course.objects.get(code="TEM-ANAK")
    assert response.status_code == 302
    assert response["Location"] == reverse("training:course_detail", args=[course.pk])
    assert list(course.prerequisites.all()) == [basic]
    assert (course.pass_mark, course.attendance_min, course.hours) == (75, 90, 24)


def test_pass_mark_above_100_and_zero_hours_are_refused(national_admin, client):
    basic = Course.objects.get(code="PSM-D")
    response = english(client, national_admin).post(
        reverse("training:course_update", args=[basic.pk]),
        {
            "code": "PSM-D",
            "title": basic.title,
            "level": basic.level,
            "organiser_type": basic.organiser_type,
            "hours": "0",
            "pass_mark": "101",
            "attendance_min": "80",
        },
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"hours", "pass_mark"}
    basic.refresh_from_db()
    assert basic.pass_mark == 70


def test_a_course_cannot_become_its_own_prerequisite_through_a_chain(national_admin, client):
    basic = Course.objects.get(code="PSM-D")
    advanced = Course.objects.get(code="PSM-L")  # requires PSM-D
    response = english(client, national_admin).post(
        reverse("training:course_update", args=[basic.pk]),
        {
            "code": "PSM-D",
            "title": basic.title,
            "level": basic.level,
            "organiser_type": basic.organiser_type,
            "hours": "40",
            "pass_mark": "70",
            "attendance_min": "80",
            "prerequisites": [advanced.pk],
            "completes_basic": "on",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "prerequisite of itself" in str(response.context["form"].errors["prerequisites"])
    assert not basic.prerequisites.exists()


@pytest.mark.parametrize("persona", ["diy_officer", "bantul_officer", "auditor"])
def test_only_the_national_administrator_changes_the_catalogue(persona, request, client):
    user = request.getfixturevalue(persona)
    basic = Course.objects.get(code="PSM-D")
    c = english(client, user)
    assert c.get(reverse("training:course_create")).status_code == 403
    assert c.get(reverse("training:course_update", args=[basic.pk])).status_code == 403
    assert c.post(reverse("training:course_update", args=[basic.pk]), {}).status_code == 403
