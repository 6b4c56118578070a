"""The ventures import on the phone (360 px): upload, the per-row report and the confirmation,
nothing sticking out sideways. Indonesian interface (the default)."""

import pytest
from playwright.sync_api import expect

from mitra.testing_browser import horizontal_overflow, login_as
from mitra.ventures.models import Venture
from mitra.workers.tests.builders import build_worker

from .builders import national_kind

pytestmark = pytest.mark.browser


def test_an_officer_imports_ventures_on_the_phone(
    phone_page, live_server, bantul_officer, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    national_kind("Warung sembako")
    psm = build_worker(status="active", full_name="Sri Wahyuni")
    path = tmp_path / "usaha.csv"
    path.write_text(
        "NIK PSM;Nama Usaha;Jenis Usaha;Tanggal Mulai;Kode Desa;Status;Jenis Dukungan;Sumber;"
        "Jumlah (Rp);Tanggal Dukungan\n"
        f"{psm.nik};Warung Berkah;Warung sembako;01-03-2025;34.02.09.2004;berjalan;Modal;"
        "Kemensos;5.000.000;15-03-2025\n"
        f"{psm.nik};Warung Kedua;Ternak unta;01-03-2025;;berjalan;;;;\n",
        encoding="utf-8",
    )
    login_as(phone_page, live_server, bantul_officer)
    phone_page.goto(f"{live_server.url}/usaha/")
    phone_page.get_by_role("link", name="Impor dari lembar kerja").click()
    assert horizontal_overflow(phone_page) == ""
    phone_page.locator("input[type=file]").set_input_files(str(path))
    phone_page.get_by_role("button", name="Unggah dan periksa baris").click()
    expect(phone_page.locator("table.problems")).to_contain_text("Jenis Usaha (C)")
    assert horizontal_overflow(phone_page) == ""
    phone_page.get_by_role("button", name="Tulis baris yang valid").click()
    expect(phone_page.locator(".confirm-box")).to_contain_text("Tersimpan")
    assert horizontal_overflow(phone_page) == ""
    assert list(Venture.objects.values_list("name", flat=True)) == ["Warung Berkah"]
