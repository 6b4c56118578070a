import pytest

from mitra.regions.models import District, Province, Regency, Village

pytestmark = pytest.mark.django_db


def test_bantul_officer_sees_path_to_bantul_and_everything_below(bantul_officer):
    assert list(Province.objects.visible_to(bantul_officer).values_list("code", flat=True)) == [
        "34"
    ]
    assert list(Regency.objects.visible_to(bantul_officer).values_list("code", flat=True)) == [
        "3402"
    ]
    districts = District.objects.visible_to(bantul_officer)
    assert districts.count() == District.objects.filter(code__startswith="3402").count() == 17
    assert not Village.objects.visible_to(bantul_officer).exclude(code__startswith="3402").exists()


def test_national_admin_sees_whole_tree(national_admin):
    assert Village.objects.visible_to(national_admin).count() == 83762


def test_anonymous_and_inactive_users_see_nothing(bantul_officer):
    from django.contrib.auth.models import AnonymousUser

    assert not Province.objects.visible_to(AnonymousUser()).exists()
    assert not Province.objects.visible_to(None).exists()
    bantul_officer.is_active = False
    assert not Province.objects.visible_to(bantul_officer).exists()
