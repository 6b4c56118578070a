"""Every GET route on the demo seed, as every demo user, through the test client: no server error.

Issue 13: a 500 on a tab nobody opened in a test reached users. Here each demo user (README.md)
walks (a) every page reachable by links from the home page, each `?tab=` variant, each GET form
submitted with each of its options (and blank, and nonsense), and the downloads the pages offer,
then (b) every route of the URLconf, API and exports included, with a row they see and a row
outside their scope (which must answer 404). The seed is made once for the module and rolled
back after it. A route neither requested nor listed in EXCLUDED (with its reason) fails the
coverage test, so a new route cannot escape the walk.
"""

from dataclasses import dataclass, field

import pytest
from django.core.cache import caches
from django.db import transaction
from django.test import Client

from mitra.accounts.demo import DEMO_USERS
from mitra.core.tests.trust_routewalk import routes
from mitra.testing_getwalk import ClientWalker, Hit, resolved_route
from mitra.testing_routesamples import Unsampled, samples
from mitra.testing_walk import seed_demo

# The marker makes pytest-django create the test database; the walk itself runs in the module
# fixture, in a transaction of its own.
pytestmark = pytest.mark.django_db

# Routes the walk does not request, by template, each with its reason. None so far: a POST-only
# route is requested too (it must answer 405, not 500), and so is logout (405 to a GET).
EXCLUDED: dict[str, str] = {}


@dataclass
class Walk:
    hits: list[Hit] = field(default_factory=list)
    pages: dict[str, int] = field(default_factory=dict)  # pages the link walk opened, per user
    unsampled: dict[str, str] = field(default_factory=dict)  # template -> why no address


def _templates() -> dict[str, object]:
    """One route per template (the API's GET and POST on one path are one address)."""
    return {r.template: r for r in reversed(routes())}


def _walk_every_user() -> Walk:
    from mitra.accounts.models import User

    walk, shared, walkers = Walk(), {}, []
    for index, (username, *_) in enumerate(DEMO_USERS):
        user = User.objects.get(username=username)
        client = Client(raise_request_exception=False)
        client.force_login(user)
        walker = ClientWalker(client, username, shared, offset=index)
        walk.pages[username] = walker.walk("/")
        walkers.append((user, walker))
    templates = _templates()
    for user, walker in walkers:
        walked = {h.route for h in walker.hits}
        for template, route in templates.items():
            if template in EXCLUDED:
                continue
            try:
                noted = shared.get("targets", {}).get(resolved_route(route.path()), [])
                found = samples(route, user, noted)
            except Unsampled as why:
                walk.unsampled[template] = str(why)
                continue
            for how, path in found:
                # A route the links already opened needs only its out-of-scope row here.
                if how == "out of scope" or resolved_route(path) not in walked:
                    walker.get(path, how)
        walk.hits += walker.hits
    return walk


@pytest.fixture(scope="module")
def demo_walk(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        seed_demo()
        walk = _walk_every_user()
        transaction.set_rollback(True)
    for cache in caches.all():
        cache.clear()  # nothing of the rolled-back seed may answer from a cache later
    return walk


def test_no_get_route_answers_a_server_error_to_any_demo_user(demo_walk):
    errors = [h for h in demo_walk.hits if h.status >= 500]
    shown = "\n".join(h.describe() for h in errors[:15])
    rest = "\n".join(f"  {h.user}: {h.url}" for h in errors[15:])
    assert not errors, f"{len(errors)} server errors:\n{shown}\nand also:\n{rest}"


def test_every_route_of_the_urlconf_was_requested_or_excluded_with_a_reason(demo_walk):
    templates = _templates()
    by_route = {resolved_route(route.path()): template for template, route in templates.items()}
    requested = {by_route[h.route] for h in demo_walk.hits if h.route in by_route}
    missed = sorted(set(templates) - requested - set(EXCLUDED))
    why = "\n".join(f"  {t}: {demo_walk.unsampled.get(t, 'never requested')}" for t in missed)
    assert not missed, f"routes neither requested nor in EXCLUDED:\n{why}"
    assert sorted(set(EXCLUDED) - set(templates)) == [], "exclusions of routes that are gone"
    assert all(EXCLUDED.values()), "every exclusion says why"


def test_a_row_outside_the_users_scope_answers_404(demo_walk):
    """...or what the same user gets with a row they see when that is no page either (403 for
    a role without the permission, 405 for a POST-only route, a PSM's redirect to their own
    training): the route answers that before it looks for the row."""
    answers = {}
    for h in demo_walk.hits:
        if h.how != "out of scope":
            answers.setdefault((h.user, h.route), set()).add(h.status)
    outside = [h for h in demo_walk.hits if h.how == "out of scope"]
    wrong = [
        h
        for h in outside
        if h.status != 404
        and not (h.status >= 300 and h.status in answers.get((h.user, h.route), ()))
    ]
    assert outside
    assert not wrong, "\n".join(f"{h.status} as {h.user}: {h.url}" for h in wrong)


def test_the_link_walk_reaches_the_pages_of_each_role(demo_walk):
    assert all(n > 3 for n in demo_walk.pages.values()), demo_walk.pages
