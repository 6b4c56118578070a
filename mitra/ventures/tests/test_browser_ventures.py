"""End to end in Debian's Chromium: an officer records a venture and a grant, the PSM adds a
quarterly result from the phone (360 px, nothing sticks out sideways), and the area's figures
and the dashboard show it. Indonesian interface (the default), so the test reads the labels people see."""

import pytest
from playwright.sync_api import expect

from mitra.testing_browser import horizontal_overflow, login_as
from mitra.ventures.models import Support, Venture, VentureResult
from mitra.workers.tests.builders import build_worker

from .builders import national_kind

pytestmark = pytest.mark.browser


def test_officer_records_a_venture_and_grant_the_psm_adds_a_quarter_from_the_phone(
    page, phone_page, live_server, trimulyo_worker, bantul_officer
):
    build_worker(user=trimulyo_worker, status="active", full_name="Sri Wahyuni")
    national_kind("Warung sembako")

    login_as(page, live_server, bantul_officer)
    page.goto(f"{live_server.url}/usaha/baru/")
    page.get_by_label("Nama usaha").fill("Warung Sembako Berkah")
    page.get_by_label("PSM").select_option(
        label=page.get_by_label("PSM").locator("option").nth(1).inner_text()
    )
    page.get_by_label("Jenis usaha").select_option(label="Warung sembako")
    page.get_by_label("Status").select_option("running")
    page.get_by_label("Mulai").fill("2025-01-06")
    page.get_by_role("button", name="Simpan").click()
    expect(page.locator("#venture-status")).to_contain_text("berjalan")
    venture = Venture.objects.get()

    page.get_by_role("link", name="+ Catat dukungan").click()
    page.get_by_label("Jenis dukungan").select_option("capital")
    page.get_by_label("Pemberi").select_option("kemensos")
    page.get_by_label("Program atau mitra").fill("PENA Kemensos")
    page.get_by_label("Jumlah (Rp)").fill("5.000.000")
    page.get_by_label("Diterima pada").fill("2025-01-06")
    page.get_by_role("button", name="Simpan").click()
    expect(page.locator("#support")).to_contain_text("Rp 5.000.000")
    assert Support.objects.get().venture == venture

    login_as(phone_page, live_server, trimulyo_worker)
    phone_page.goto(f"{live_server.url}/usaha/")
    phone_page.get_by_role("link", name="Warung Sembako Berkah").click()
    assert horizontal_overflow(phone_page) == ""
    phone_page.get_by_role("link", name="+ Catat hasil").click()
    assert horizontal_overflow(phone_page) == ""
    phone_page.locator("#id_period").select_option(index=1)  # the last quarter
    phone_page.locator("#id_turnover").fill("4.500.000")
    phone_page.get_by_label("Rp 1 – 2,5 juta").check()
    phone_page.locator("#id_people_working").fill("2")
    phone_page.get_by_role("button", name="Simpan").click()
    expect(phone_page.locator("#results")).to_contain_text("Rp 4.500.000")
    assert horizontal_overflow(phone_page) == ""
    assert VentureResult.objects.get().period_kind == "quarter"

    page.goto(f"{live_server.url}/usaha/ringkasan/")
    expect(page.locator("#psm-running")).to_have_text("1")
    expect(page.locator("main")).to_contain_text("Rp 5.000.000")
    page.goto(f"{live_server.url}/dasbor/")
    expect(page.locator(".indicator[data-key=psm_running] .stat-value")).to_have_text("1")
