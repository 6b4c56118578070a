"""The dashboard pages: each level renders for every role in scope, a region outside the scope is a
404 whatever the URL says, the figures are the service's, drill-down links and breadcrumbs stay
inside the scope, and a bad filter gets an Indonesian message."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from mitra.stats.indicators import Filters, dashboard
from mitra.workers.models import Status
from mitra.workers.tests.builders import build_worker

pytestmark = pytest.mark.django_db


def url(code):
    return reverse("stats:dashboard", args=[code])


@pytest.fixture
def workers(regions):
    """Two active PSM in Trimulyo (Bantul), one in Sleman, one applicant in Trimulyo."""
    return [
        build_worker(village="3402092004", full_name="Siti", status=Status.ACTIVE),
        build_worker(village="3402092004", full_name="Rahayu", sex="L", status=Status.ACTIVE),
        build_worker(village="3404012001", full_name="Warsini", status=Status.ACTIVE),
        build_worker(village="3402092004", full_name="Calon", status=Status.APPLIED),
    ]


@pytest.mark.parametrize(
    ("persona", "landing"),
    [
        ("national_admin", "nasional"),
        ("diy_officer", "34"),
        ("bantul_officer", "3402"),
        ("jetis_supervisor", "340209"),
        ("trimulyo_worker", "3402092004"),
    ],
)
def test_index_sends_each_role_to_its_own_area(persona, landing, request, client_for):
    user = request.getfixturevalue(persona)
    response = client_for(user).get(reverse("stats:index"))
    assert response.status_code == 302
    assert response.url == url(landing)


@pytest.mark.parametrize(
    ("persona", "codes"),
    [
        ("national_admin", ["nasional", "34", "3402", "340209", "3402092004"]),
        ("diy_officer", ["34", "3404", "340209"]),
        ("bantul_officer", ["3402", "340209", "3402092004"]),
        ("jetis_supervisor", ["340209", "3402092004"]),
        ("auditor", ["nasional", "3471"]),
        ("trimulyo_worker", ["3402092004"]),
    ],
)
def test_every_level_in_scope_renders(persona, codes, request, client_for, workers):
    client = client_for(request.getfixturevalue(persona))
    for code in codes:
        response = client.get(url(code))
        assert response.status_code == 200, code
        html = response.content.decode()
        assert 'class="card indicator"' in html
        assert "<svg" in html
        # A level with children has the map, the ranked bars and the table; a village has none.
        assert ("child-table" in html) == (len(code) < 10), code
        assert ('class="chart map"' in html) == (len(code) < 10), code


@pytest.mark.parametrize(
    ("persona", "codes"),
    [
        ("bantul_officer", ["nasional", "34", "3404", "340401", "3404012001", "3471"]),
        ("diy_officer", ["nasional", "35", "3501"]),
        ("jetis_supervisor", ["3402", "340201", "3402012001"]),
        ("trimulyo_worker", ["340209", "3402", "3402092005", "nasional"]),
    ],
)
def test_a_region_outside_the_scope_is_404(persona, codes, request, client_for):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    for code in codes:
        assert client.get(url(code)).status_code == 404, code
        export = client.get(reverse("stats:export", args=[code, "tren", "csv"]))
        assert export.status_code == (404 if user.has_perm("stats.export_stats") else 403)


def test_unknown_region_is_404(national_admin, client_for):
    assert client_for(national_admin).get(url("3499")).status_code == 404


def test_roles_without_the_dashboard_get_403(juror, client_for):
    client = client_for(juror)
    assert client.get(reverse("stats:index")).status_code == 403
    assert client.get(url("nasional")).status_code == 403


def test_figures_are_the_service_figures(diy_officer, client_for, workers):
    response = client_for(diy_officer).get(url("34"))
    board = dashboard(diy_officer, "34", Filters.default())
    assert board.values["psm_active"] == 3
    cards = response.context["groups"][0]["items"]
    shown = {item["indicator"].key: item["value"] for item in cards}
    assert shown["psm_active"] == "3"
    rows = {row["code"]: row for row in response.context["rows"]}
    assert set(rows) == {c["code"] for c in board.children}
    assert rows["3402"]["cells"][1][0] == 2  # active workers of Bantul
    assert rows["3404"]["cells"][1][0] == 1


def test_child_rows_and_map_tiles_drill_down_with_the_filters(national_admin, client_for, workers):
    response = client_for(national_admin).get(url("nasional"), {"year_from": "2025"})
    html = response.content.decode()
    # 38 province tiles, each a link to the province's dashboard keeping the period.
    tiles = re.findall(r'<a href="(/dasbor/\d{2}/\?[^"]*)" aria-label="[^"]*"><rect', html)
    assert len(set(tiles)) == 38
    assert all("year_from=2025" in link for link in tiles)
    assert f'href="{url("34")}?year_from=2025' in html.replace("&amp;", "&")


def test_breadcrumbs_stop_at_the_users_own_area(bantul_officer, client_for):
    response = client_for(bantul_officer).get(url("3402092004"))
    crumbs = [name for name, _link in response.context["crumbs"]]
    assert crumbs[0] == "Kabupaten Bantul"
    assert "Indonesia" not in crumbs and "Daerah Istimewa Yogyakarta" not in crumbs
    assert crumbs[-1] == response.context["board"].region_name


def test_a_bad_filter_gets_an_indonesian_message_and_the_default_period(bantul_officer, client_for):
    client = client_for(bantul_officer)
    response = client.get(url("3402"), {"month_from": "13"})
    assert response.status_code == 400
    with translation.override("id"):
        message = translation.gettext("The month must be a number from 1 to 12.")
    html = response.content.decode()
    assert message in html
    assert 'role="alert"' in html
    assert response.context["board"].filters == Filters.default()
    response = client.get(url("3402"), {"year_from": "2026", "year_to": "2020"})
    assert response.status_code == 400
    with translation.override("id"):
        message = translation.gettext("The start of the period must not be after its end.")
    assert message in response.content.decode()


def test_the_filters_reach_the_figures(bantul_officer, client_for, workers):
    client = client_for(bantul_officer)
    response = client.get(url("3402"), {"kind": "tksk"})
    assert response.status_code == 200
    assert response.context["board"].values["psm_active"] == 0
    assert response.context["bar"]["chosen"]["kind"] == "tksk"


def test_the_menu_and_home_lead_to_the_dashboard(bantul_officer, client_for):
    html = client_for(bantul_officer).get(reverse("core:home")).content.decode()
    assert f'href="{reverse("stats:index")}"' in html
