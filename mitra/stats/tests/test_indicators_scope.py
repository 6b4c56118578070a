"""The dashboard service's scope: a region outside the user's scope is a 404, never figures."""

import pytest
from django.http import Http404

from mitra.stats.indicators import INDICATORS, Filters, child_table, dashboard


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["", "34", "3404", "340401", "3404012001"])
def test_regency_officer_cannot_open_figures_outside_their_regency(bantul_officer, code):
    with pytest.raises(Http404):
        dashboard(bantul_officer, code, Filters.default())
    with pytest.raises(Http404):
        child_table(bantul_officer, code, Filters.default())


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["99", "3499", "junk", "34020"])
def test_unknown_region_is_404(national_admin, code):
    with pytest.raises(Http404):
        dashboard(national_admin, code, Filters.default())


@pytest.mark.django_db
def test_regency_officer_sees_their_regency_with_a_row_per_district(bantul_officer):
    from mitra.regions.models import District

    board = dashboard(bantul_officer, "3402", Filters.default())
    assert board.level == "regency"
    assert [row["code"] for row in board.children] == list(
        District.objects.filter(regency_id="3402").order_by("code").values_list("code", flat=True)
    )
    assert {i.key for i in INDICATORS} <= set(board.values)
    # Above the officer's regency the crumbs are shown but not linkable.
    assert [(c.code, c.linkable) for c in board.crumbs] == [
        ("", False),
        ("34", False),
        ("3402", True),
    ]


@pytest.mark.django_db
def test_national_dashboard_lists_every_province(national_admin):
    from mitra.regions.models import Province

    board = dashboard(national_admin, "", Filters.default())
    assert board.level == "national"
    assert len(board.children) == Province.objects.count()
    assert all(c.linkable for c in board.crumbs)


@pytest.mark.django_db
def test_village_level_has_no_children(trimulyo_worker):
    board = dashboard(trimulyo_worker, "3402092004", Filters.default())
    assert board.children == []
    assert child_table(trimulyo_worker, "3402092004", Filters.default()) == []
