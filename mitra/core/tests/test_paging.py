"""Lists count at most COUNT_CAP rows (issue 16 item 4): past the cap they say "more than" and ask
for a filter, and the count query stops at the cap instead of scanning the whole reach."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mitra.core import paging
from mitra.core.paging import CappedPaginator
from mitra.workers.models import Worker
from mitra.workers.tests.builders import build_worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def five_workers(regions):
    return [
        build_worker(birth_date=datetime.date(1980 + i, 1, 1), full_name=f"Pekerja {i}")
        for i in range(5)
    ]


def test_below_the_cap_the_count_is_exact(five_workers):
    paginator = CappedPaginator(Worker.objects.order_by("full_name"), 2, cap=10)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (5, False, 3)


def test_past_the_cap_the_count_stops_and_says_so(five_workers):
    paginator = CappedPaginator(Worker.objects.order_by("full_name"), 2, cap=3)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (3, True, 2)
    # The pages end at the cap, in the list's order.
    assert [w.full_name for w in paginator.get_page(99).object_list] == ["Pekerja 2"]


def test_the_count_query_is_bounded_and_unordered(five_workers):
    paginator = CappedPaginator(Worker.objects.order_by("full_name"), 2, cap=3)
    with CaptureQueriesContext(connection) as queries:
        assert paginator.count == 3
    (sql,) = [q["sql"].upper() for q in queries.captured_queries]
    assert "COUNT(" in sql and "LIMIT 4" in sql
    assert "ORDER BY" not in sql


def test_the_worker_list_says_more_than_the_cap_in_indonesian(
    five_workers, bantul_officer, client, monkeypatch
):
    monkeypatch.setattr(paging, "COUNT_CAP", 3)
    client.force_login(bantul_officer)
    page = client.get(reverse("workers:list")).content.decode()
    assert "Lebih dari 3 pekerja: saring untuk melihat sisanya." in page


def test_below_the_cap_the_worker_list_gives_the_exact_number(five_workers, bantul_officer, client):
    client.force_login(bantul_officer)
    page = client.get(reverse("workers:list")).content.decode()
    assert "5 pekerja" in page and "Lebih dari" not in page
