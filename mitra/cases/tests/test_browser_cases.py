"""End to end in Debian's Chromium: a PSM of Trimulyo records a person and opens their case, adds
a home visit with a follow-up (inline, htmx) and a referral; the TKSK of Jetis then finds the case
on the district's due list.

The browser uses the English interface (language cookie), so the test reads the source labels
whatever the Indonesian catalogue says."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from mitra.cases.models import Case, ReferralStatus
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
