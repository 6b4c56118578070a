"""No serious accessibility fault on any page a demo user can reach: axe-core runs on every page
each demo user's walk opens from their home (every route and tab once), on the login page and on
the public certificate verification page in each of its states. The PSM and the TKSK are walked
on a 360 px phone, as they work; the officers, jurors and the auditor at desktop width.

Runs on SQLite only (docs/adr/0023-rendering-walks-on-sqlite-only.md): it checks what the
browser renders, which the database does not change, and the walk costs over two minutes."""

from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from mitra.testing_axe import axe_problems
from mitra.testing_browser import rendering_walk_on_sqlite_only
from mitra.testing_walk import demo_login, route_key, seed_demo, walk

pytestmark = [pytest.mark.browser, rendering_walk_on_sqlite_only()]

PHONE_USERS = ("psm.trimulyo", "tksk.jetis")
# The auditor sees the national pages admin.nasional does (read only); the Bantul officer the
# officers' action pages with data in them.
DESK_USERS = ("dinsos.bantul", "auditor.demo", "juri.demo")


def _verification_codes() -> dict[str, str]:
    """A certificate code for each state the public page shows, and one nobody issued."""
    from mitra.events.models import ParticipationCertificate
    from mitra.training.models import Certificate

    today = timezone.localdate()
    certificates = Certificate.objects.order_by("pk")
    codes = {
        "valid": certificates.filter(revoked_at=None, valid_until__gte=today).first(),
        "expired": certificates.filter(revoked_at=None, valid_until__lt=today).first(),
        "revoked": certificates.exclude(revoked_at=None).first(),
        "event": ParticipationCertificate.objects.order_by("pk").first(),
    }
    found = {state: c.verify_code for state, c in codes.items() if c is not None}
    found["unknown"] = "TidakAdaSertifikatIni"
    return found


def _check_walk(page, username: str, checked: set) -> list[str]:
    """axe on the pages of `username`'s walk whose route no earlier walk checked (a route
    renders with the same templates for everyone); the home always, as each role has its own.
    The walk still opens the checked routes: the pages behind them are found through them."""
    page.context.clear_cookies()
    demo_login(page, username)
    problems = []
    for url in walk(page, per_route=1):
        parts = urlsplit(url)
        key = route_key(parts.path, parts.query)
        if key in checked and parts.path != "/":
            continue
        checked.add(key)
        problems += axe_problems(page, f"{username} {url}")
    return problems


def test_no_serious_accessibility_violation_on_any_demo_page(page, phone_page):
    seed_demo()
    problems = []
    for target in (page, phone_page):
        target.goto("/masuk/")
        problems += axe_problems(target, "anonymous /masuk/")
    for state, code in _verification_codes().items():
        for target in (page, phone_page):
            target.goto(f"/verifikasi/{code}/")
            problems += axe_problems(target, f"verification ({state})")
    checked: set = set()
    for username in PHONE_USERS:
        problems += _check_walk(phone_page, username, checked)
    # A route the phone walks checked is not checked again at desk width: the page is the same
    # HTML and CSS, and the desk layout (the sidebar) is checked on every other desk page.
    for username in DESK_USERS:
        problems += _check_walk(page, username, checked)
    assert not problems, f"{len(problems)} accessibility violations:\n" + "\n".join(problems)
