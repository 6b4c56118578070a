"""Every demo user's home on the demo seed: it opens, and each to-do item's count is the number
of rows its link's list shows with the seeded data."""

import pytest

from mitra.accounts.demo import DEMO_USERS
from mitra.accounts.models import User
from mitra.testing_walk import seed_demo

from .home_helpers import assert_counts_match_lists, home_tasks

pytestmark = pytest.mark.django_db


def test_every_demo_users_home_counts_what_its_links_list(regions, client):
    seed_demo()
    seen = {}
    for username, _name, _role, _scope in DEMO_USERS:
        client.force_login(User.objects.get(username=username))
        tasks = home_tasks(client)
        assert_counts_match_lists(client, tasks)
        seen[username] = {key: task.count for key, task in tasks.items()}
    # The seed gives each kind of desk something to do (a check that the items are wired up).
    assert seen["dinsos.bantul"]["workers_applied"] > 0
    assert seen["dinsos.bantul"]["reports_late"] > 0
    assert seen["tksk.jetis"]["reports_submitted"] > 0
    assert any(k.startswith("sheets_") for k in seen["juri.demo"])
    assert set(seen["auditor.demo"]) == {"exports", "pmks_reads"}
