"""The API's `count` (mitra/api/counts.py): exact and fresh up to the cap; past it, counted once
per list, filter and minute instead of on every page (ADR 0024 addendum)."""

import pytest
from django.core.cache import cache

from mitra.api import counts
from mitra.workers.tests.test_api import LIST, make_worker

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_counts():
    cache.clear()
    yield
    cache.clear()


def test_a_count_below_the_cap_is_exact_at_once(bantul_officer, client_for):
    client = client_for(bantul_officer)
    make_worker(full_name="Siti Rahayu")
    assert client.get(LIST).json()["count"] == 1
    make_worker(full_name="Budi Santoso")
    assert client.get(LIST).json()["count"] == 2


def test_a_count_past_the_cap_is_kept_a_minute_per_reach_and_filter(
    monkeypatch, bantul_officer, client_for
):
    monkeypatch.setattr(counts, "COUNT_CAP", 2)
    client = client_for(bantul_officer)
    for name in ("Siti Rahayu", "Budi Santoso", "Sri Wahyuni"):
        make_worker(full_name=name)
    assert client.get(LIST).json()["count"] == 3
    make_worker(full_name="Dewi Lestari")
    # The page itself is fresh; its total is the one counted a moment ago.
    body = client.get(LIST).json()
    assert body["count"] == 3 and len(body["items"]) == 4
    # Another filter is another count; a narrower one below the cap is exact.
    assert client.get(LIST, {"q": "Dewi"}).json()["count"] == 1
    cache.clear()  # the minute has passed
    assert client.get(LIST).json()["count"] == 4


def test_the_kept_count_is_per_reach(monkeypatch, bantul_officer, national_admin, client_for):
    monkeypatch.setattr(counts, "COUNT_CAP", 1)
    for name in ("Siti Rahayu", "Budi Santoso"):
        make_worker(full_name=name)
    make_worker(village="3404012001", full_name="Ani Sleman")  # Sleman: outside Bantul
    assert client_for(bantul_officer).get(LIST).json()["count"] == 2
    assert client_for(national_admin).get(LIST).json()["count"] == 3
