"""Issue 13 on the demo data, on a 360 px phone: a PSM's home visit on an identified case moves
it on (htmx reloads the page: new status, history entry, no "belum ada langkah"); the regency
officer finds the worker's stopping steps apart from the everyday ones, and the exit form asks
for the "Saya mengerti" box. Every page fits the phone's width."""

import datetime

import pytest
from playwright.sync_api import expect

from mitra.cases.models import Case, CaseStatus
from mitra.testing_browser import horizontal_overflow
from mitra.testing_walk import demo_login, seed_demo
from mitra.workers.models import Status, Worker

pytestmark = pytest.mark.browser


def test_a_visit_moves_the_case_and_stopping_steps_ask_first_on_a_phone(phone_page):
    seed_demo()
    page = phone_page
    case = Case.objects.filter(
        status=CaseStatus.IDENTIFIED, worker__user__username="psm.trimulyo"
    ).first()
    if case is None:  # the seed's statuses are random per worker: make one identified
        case = Case.objects.filter(worker__user__username="psm.trimulyo").first()
        case.interventions.exclude(kind="identification").delete()
        Case.objects.filter(pk=case.pk).update(status=CaseStatus.IDENTIFIED)
    demo_login(page, "psm.trimulyo")
    page.goto(f"/kasus/{case.pk}/")
    expect(page.locator("#case-status")).to_have_text("teridentifikasi")
    assert not horizontal_overflow(page), horizontal_overflow(page)
    page.locator("#id_kind").select_option("home_visit")
    page.locator("#id_on").fill(datetime.date.today().isoformat())
    page.locator(".intervention-form button").click()
    expect(page.locator("#case-status")).to_have_text("sudah diasesmen")
    expect(page.locator("#events")).to_contain_text("teridentifikasi → sudah diasesmen")
    expect(page.locator("#events")).not_to_contain_text("belum ada langkah")
    assert not horizontal_overflow(page), horizontal_overflow(page)

    page.context.clear_cookies()
    demo_login(page, "dinsos.bantul")
    worker = Worker.objects.filter(status=Status.ACTIVE, region_code__startswith="3402").first()
    page.goto(f"/pekerja/{worker.pk}/")
    danger = page.locator(".actions-danger")
    expect(danger.get_by_role("link", name="Berhentikan dari program")).to_be_visible()
    expect(page.locator(".actions-bar").first.locator(".danger")).to_have_count(0)
    assert not horizontal_overflow(page), horizontal_overflow(page)
    danger.get_by_role("link", name="Berhentikan dari program").click()
    expect(page.get_by_label("Saya mengerti")).to_be_visible()
    assert not horizontal_overflow(page), horizontal_overflow(page)
