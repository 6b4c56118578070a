"""End to end in Debian's Chromium: a PSM of Trimulyo records a person and opens their case, adds
a home visit with a follow-up (inline, htmx) and a referral; the TKSK of Jetis then finds the case
on the district's due list. A PSM submits an activity report that the TKSK verifies on the reports
list, and an officer downloads a beneficiary's data-subject file (their record and who read it).

The browser uses the English interface (language cookie), so the test reads the source labels
whatever the Indonesian catalogue says."""

import datetime
import json
import re

import pytest
from playwright.sync_api import expect

from mitra.cases import services
from mitra.cases.models import (
    ActivityReport,
    Beneficiary,
    Case,
    ReferralStatus,
    ReportStatus,
)
from mitra.core.current import acting_as
from mitra.core.models import PmksCategory
from mitra.testing_browser import login_as
from mitra.workers.models import Status
from mitra.workers.tests.builders import build_worker

pytestmark = pytest.mark.browser


def test_a_psm_records_a_case_and_the_tksk_sees_it_due(
    page, live_server, trimulyo_worker, jetis_supervisor
):
    psm = build_worker(user=trimulyo_worker, status=Status.ACTIVE)
    today = datetime.date.today()
    follow_up = today + datetime.timedelta(days=3)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    login_as(page, live_server, trimulyo_worker)

    page.locator(".sidebar").get_by_role("link", name="Cases & activities").click()
    expect(page.locator("h1")).to_have_text("Cases & activities")
    page.get_by_role("link", name="Record a beneficiary").first.click()
    page.wait_for_load_state("networkidle")
    # The PSM's own village is chosen for them.
    expect(page.locator("#id_village")).to_have_value(re.compile(r"^34\.?02\.?09\.?2004$"))
    page.locator("#id_full_name").fill("Mbah Karto Suwito")
    page.locator("#id_sex").select_option("L")
    page.locator("#id_birth_date").fill("1942-03-04")
    page.locator("#id_address").fill("Dusun Kembangsongo RT 02")
    elderly = PmksCategory.objects.get(number=8)
    page.locator(f"input[name=categories][value='{elderly.pk}']").check()
    page.locator("#id_consent_by").fill("Mbah Karto Suwito")
    page.locator("#id_consent_relation").select_option("self")
    page.locator("#id_consent_method").select_option("thumbprint")
    page.locator("#id_health_notes").fill("Hipertensi")
    page.get_by_role("button", name="Record and open the case").click()

    case = Case.objects.get()
    expect(page).to_have_url(re.compile(rf"/kasus/{case.pk}/$"))
    assert case.worker == psm and case.beneficiary.health_notes == "Hipertensi"
    expect(page.locator("#case-worker")).to_have_text(psm.full_name)

    # A home visit with a follow-up in three days, added inline (htmx).
    form = page.locator("form.intervention-form")
    form.locator("#id_kind").select_option("home_visit")
    form.locator("#id_place").fill("Rumah Mbah Karto")
    form.locator("#id_notes").fill("Tinggal sendiri, perlu alat bantu jalan")
    form.locator("#id_next_follow_up_on").fill(follow_up.isoformat())
    form.get_by_role("button", name="Add intervention").click()
    timeline = page.locator("#interventions .timeline")
    expect(timeline).to_contain_text("Home visit")
    expect(timeline).to_contain_text("Tinggal sendiri")
    case.refresh_from_db()
    assert case.next_follow_up_on == follow_up

    # A referral to the PKH programme.
    page.get_by_text("Refer to a programme or service").click()
    referral = page.locator("form.referral-form")
    referral.locator("#id_programme").select_option("pkh")
    referral.locator("#id_target_detail").fill("Pendamping PKH Jetis")
    referral.get_by_role("button", name="Record the referral").click()
    expect(page.locator("#referrals table")).to_contain_text("Pendamping PKH Jetis")
    assert case.referrals.get().status == ReferralStatus.SENT

    # The TKSK of Jetis sees the case on the district's due list, with the responsible worker.
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    login_as(page, live_server, jetis_supervisor)
    page.goto("/kasus/")
    due = page.locator("table.due-cases tbody")
    expect(due).to_contain_text("Mbah Karto Suwito")
    expect(due).to_contain_text(psm.full_name)
    due.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(rf"/kasus/{case.pk}/$"))


def _english(page, live_server):
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])


def test_the_tksk_verifies_a_report_and_an_officer_exports_the_subject_file(
    page, live_server, trimulyo_worker, jetis_supervisor, bantul_officer
):
    psm = build_worker(user=trimulyo_worker, status=Status.ACTIVE)
    with acting_as(trimulyo_worker):
        person = Beneficiary.objects.create(
            full_name="Mbah Ngadiyem",
            sex="P",
            birth_date=datetime.date(1939, 6, 1),
            village=psm.village,
            address="Dusun Kembangsongo RT 04",
            consent_by="Mbah Ngadiyem",
            consent_relation="self",
            consent_on=datetime.date.today(),
            consent_method="thumbprint",
        )
        services.open_case(person, psm, trimulyo_worker, [PmksCategory.objects.get(number=8)])

    # The PSM writes an outreach report and submits it.
    _english(page, live_server)
    login_as(page, live_server, trimulyo_worker)
    page.goto("/kasus/laporan-kegiatan/baru/")
    page.locator("#id_activity_type").select_option("outreach")
    page.locator("#id_description").fill("Sosialisasi PKH di balai dusun Kembangsongo")
    page.locator("#id_reached_adults_f").fill("14")
    page.locator("#id_reached_elderly_m").fill("3")
    page.get_by_role("button", name="Save and submit for verification").click()
    report = ActivityReport.objects.get()
    expect(page).to_have_url(re.compile(rf"/kasus/laporan-kegiatan/{report.pk}/$"))
    expect(page.locator(".lead")).to_contain_text("waiting for verification")

    # The TKSK finds it waiting on the reports list and verifies it there (inline, htmx).
    _english(page, live_server)
    login_as(page, live_server, jetis_supervisor)
    page.goto("/kasus/")
    page.locator("nav.tabs").get_by_role("link", name="Activity reports").click()
    row = page.locator(f"#report-{report.pk}")
    expect(row).to_contain_text("Sosialisasi PKH")
    expect(row).to_contain_text("17")
    row.get_by_role("button", name="Verify").click()
    expect(row.locator(".status")).to_have_text("verified")
    report.refresh_from_db()
    assert report.status == ReportStatus.VERIFIED and report.verified_by == jetis_supervisor

    # The Bantul officer answers a data-subject request: opens the person, downloads the file.
    _english(page, live_server)
    login_as(page, live_server, bantul_officer)
    page.goto(f"/kasus/penerima/{person.pk}/")
    expect(page.locator("h1")).to_have_text("Mbah Ngadiyem")
    page.get_by_role("link", name="Data-subject request").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as JSON").click()
    with open(download.value.path(), encoding="utf-8") as fh:
        data = json.load(fh)
    assert data["person"]["full_name"] == "Mbah Ngadiyem"
    assert len(data["cases"]) == 1
    # Who accessed the record: the officer's opening of the page, and this export itself.
    readers = {(row["user"]["username"], row["action"]) for row in data["access_log"]}
    assert (bantul_officer.username, "view") in readers
    assert (bantul_officer.username, "export") in readers
