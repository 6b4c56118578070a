"""End to end in Debian's Chromium: the Bantul officer nominates a PSM, a juror scores and submits,
the Bantul officer publishes the regency ranking, the DIY officer publishes the province ranking and
the winner appears in the national stage; the ministry then invites her to the Temu Nasional.

The browser uses the English interface (language cookie), so the test reads the source labels.
With MITRA_SHOTS=<directory> set, each page is also saved as awards-<name>.png there."""

import os
import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from mitra.awards import services
from mitra.awards.models import Level, Nomination, ScoreSheet
from mitra.testing_browser import login_as

from .builders import eligible_psm, make_cycle, score, stage

pytestmark = pytest.mark.browser


def _shot(page, name):
    directory = os.environ.get("MITRA_SHOTS")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{directory}/awards-{name}.png", full_page=True)


def _as(page, live_server, user):
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    login_as(page, live_server, user)


def test_a_psm_goes_from_nomination_to_the_national_stage_and_the_temu_nasional(
    page, live_server, bantul_officer, diy_officer, national_admin, juror
):
    cycle = make_cycle()
    worker = eligible_psm(full_name="Sri Wahyuni")
    eligible_psm(full_name="Tono Belum Aktif", status="verified")
    regency, province, national = (stage(cycle, lv) for lv in Level)
    services.assign_juror(
        stage=regency, juror=juror, region_code="3402", home_region_code="3471", by=bantul_officer
    )

    # The regency officer nominates from the award home.
    _as(page, live_server, bantul_officer)
    page.locator(".sidebar").get_by_role("link", name="Awards").click()
    expect(page.locator("h1")).to_have_text("PSM Berprestasi award")
    _shot(page, "home")
    page.get_by_role("link", name="Nominate a worker").first.click()
    expect(page.locator(".candidate.ineligible")).to_contain_text("Tono Belum Aktif")
    _shot(page, "nominate-pick")
    page.locator("label.candidate", has_text="Sri Wahyuni").locator("input").check()
    page.get_by_role("button", name="Continue with this worker").click()
    expect(page.locator("#evidence-title")).to_be_visible()
    page.locator("#id_innovation_title").fill("Bank Sampah Peduli Lansia")
    page.locator("#id_innovation_summary").fill("Tabungan sampah warga membiayai layanan lansia.")
    page.locator("#id_innovation_text").fill(
        "Warga menabung sampah; hasilnya untuk posyandu lansia."
    )
    _shot(page, "nominate-form")
    page.get_by_role("button", name="Confirm the nomination").click()
    nomination = Nomination.objects.get(worker=worker, stage=regency)
    expect(page).to_have_url(re.compile(reverse("awards:nomination_detail", args=[nomination.pk])))
    expect(page.locator(".messages")).to_contain_text("Sri Wahyuni is nominated")
    _shot(page, "nomination")

    # The juror sees only the assigned nomination, scores it and submits: the sheet locks.
    _as(page, live_server, juror)
    page.goto(reverse("awards:jury_queue"))
    expect(page.locator("table tbody tr")).to_have_count(1)
    _shot(page, "jury-queue")
    page.get_by_role("link", name="Score", exact=True).click()
    page.locator("#id_value_innovation").fill("9")
    page.locator("#id_comment_innovation").fill("Inovasi ditiru dua desa tetangga.")
    page.locator("#id_value_interview").fill("8.5")
    _shot(page, "score")
    page.get_by_label("I checked every mark").check()
    page.get_by_role("button", name="Submit and lock").click()
    expect(page.locator(".messages")).to_contain_text("The sheet is now locked")
    assert ScoreSheet.objects.get(nomination=nomination, juror=juror).is_locked
    page.get_by_role("link", name="View", exact=True).click()
    expect(page.locator(".locked-banner")).to_contain_text("Submitted and locked.")
    expect(page.locator("#id_value_innovation")).to_have_count(0)
    _shot(page, "score-locked")

    # The regency officer reviews the ranking and publishes it: Sri goes on to the province.
    _as(page, live_server, bantul_officer)
    page.goto(reverse("awards:ranking", args=[regency.pk, "3402"]))
    expect(page.locator(".method")).to_contain_text("Ties are broken")
    trace = page.locator("tr.detail-row").first
    expect(trace).to_be_hidden()
    page.locator("td.total .trace-toggle").first.click()
    expect(trace).to_contain_text("mean of the jurors' normalised marks")
    _shot(page, "ranking-preview")
    page.get_by_role("link", name="Review and publish").click()
    _shot(page, "publish-confirm")
    page.get_by_label("I understand that publishing cannot be undone.").check()
    page.get_by_role("button", name="Publish the ranking").click()
    expect(page.locator(".messages")).to_contain_text(
        "Going on to the province stage: Sri Wahyuni."
    )
    _shot(page, "ranking-published")

    # Province stage: the DIY jury scores (set up directly), the DIY officer publishes.
    services.assign_juror(
        stage=province, juror=juror, region_code="34", home_region_code="3471", by=diy_officer
    )
    score(Nomination.objects.get(worker=worker, stage=province), juror, innovation=9, interview=9)
    _as(page, live_server, diy_officer)
    page.goto(reverse("awards:ranking", args=[province.pk, "34"]))
    page.get_by_role("link", name="Review and publish").click()
    page.get_by_label("I understand that publishing cannot be undone.").check()
    page.get_by_role("button", name="Publish the ranking").click()
    expect(page.locator(".messages")).to_contain_text(
        "Going on to the national stage: Sri Wahyuni."
    )
    page.goto(reverse("awards:stage_nominations", args=[national.pk]))
    expect(page.locator("#nomination-table")).to_contain_text("Sri Wahyuni")
    _shot(page, "national-stage")

    # The ministry invites the provincial winners to the Temu Nasional.
    from mitra.events.models import Invitation
    from mitra.events.tests.builders import make_event

    event = make_event(region="")
    _as(page, live_server, national_admin)
    page.goto(reverse("events:invitations", args=[event.pk]))
    page.locator("#id_cycle").select_option(str(cycle.pk))
    page.get_by_role("button", name="Generate invitations").click()
    expect(page.locator(".messages")).to_contain_text("invited")
    invitation = Invitation.objects.get(event=event, worker=worker)
    assert invitation.source == "award_winner"
    expect(page.locator("#content")).to_contain_text("Sri Wahyuni")
    _shot(page, "temu-nasional-invited")

    if os.environ.get("MITRA_SHOTS"):
        _other_pages(page, cycle, regency, juror, national_admin, worker)


def _other_pages(page, cycle, regency, juror, admin, worker):
    """Only for the screenshots: the set-up pages, the library, an appeal and the public page."""
    national = stage(cycle, Level.NATIONAL)
    services.assign_juror(
        stage=national, juror=juror, region_code="", home_region_code="3471", by=admin
    )
    score(Nomination.objects.get(worker=worker, stage=national), juror, innovation=9, interview=8)
    services.publish_ranking(national, "", admin)
    for name, url in [
        ("national-ranking", reverse("awards:ranking", args=[national.pk, "nasional"])),
        (
            "appeal",
            reverse(
                "awards:appeal_file", args=[Nomination.objects.get(worker=worker, stage=regency).pk]
            ),
        ),
        ("public", reverse("awards:public_results", args=[cycle.year])),
        ("cycle", reverse("awards:cycle_detail", args=[cycle.pk])),
        ("cycle-form", reverse("awards:cycle_update", args=[cycle.pk])),
        ("criteria", reverse("awards:criteria", args=[stage(cycle, Level.NATIONAL).pk])),
        ("jury", reverse("awards:jury", args=[stage(cycle, Level.NATIONAL).pk])),
        ("library", reverse("awards:library")),
        ("rankings", reverse("awards:rankings", args=[regency.pk])),
    ]:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        _shot(page, name)
