"""End to end in Debian's Chromium: the invitee registers themself, and the organiser ticks their
attendance on the grid (saved row by row with htmx, no button).

The browser uses the English interface (language cookie), so the test reads the source labels
whatever the Indonesian catalogue says."""

import pytest
from playwright.sync_api import expect

from mitra.events.models import Attendance, InvitationStatus
from mitra.testing_browser import login_as

from .builders import invite, make_event, worker_in

pytestmark = pytest.mark.browser


def test_an_invitee_registers_and_the_organiser_ticks_attendance(
    page, live_server, trimulyo_worker, bantul_officer
):
    event = make_event(region="3402", sessions=2, name="Temu PSM Bantul")
    invitation = invite(event, worker_in("3402", user=trimulyo_worker, full_name="Sri Wahyuni"))
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])

    login_as(page, live_server, trimulyo_worker)
    page.goto(f"{live_server.url}/acara/{event.pk}/")
    page.get_by_role("link", name="Register").click()
    expect(page.locator("#id_travel_from")).to_have_value("Kabupaten Bantul")
    page.locator("#id_transport").select_option("motorbike")
    page.locator("#id_accessibility_needs").fill("Kursi roda")
    page.get_by_role("button", name="Register").click()
    expect(page.locator(".my-invitation")).to_contain_text("registered")
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED

    page.context.clear_cookies()
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    login_as(page, live_server, bantul_officer)
    page.goto(f"{live_server.url}/acara/{event.pk}/kehadiran/")
    page.get_by_label("Sri Wahyuni present at session 1").check()
    expect(page.locator(f"#attcell-{invitation.pk}")).to_contain_text("50%")
    assert Attendance.objects.filter(invitation=invitation, present=True).count() == 1
