"""A batch sent by several pushes at once (a retry while the first answer is still on its way, two
tabs) writes every entry once: on PostgreSQL the pushes are real threads with their own
connections, released together; the receipts' primary key makes every later writer of an entry
roll that entry back and answer "duplicate". SQLite serialises writers on its one file lock, so
there they run one after another (the rule, not the race)."""

import json
import threading

import pytest
from django.db import connection
from django.test import Client

from mitra.cases.models import ActivityReport, Beneficiary, Intervention
from mitra.core.current import acting_as
from mitra.sync.models import SyncReceipt

from .conftest import PUSH, entry, new_person, report, visit

PUSHES = 8


def _all_at_once(user, body: str) -> list:
    clients = []
    for _ in range(PUSHES):
        client = Client()
        client.force_login(user)
        clients.append(client)

    def send(client):
        return client.post(PUSH, body, content_type="application/json")

    if connection.vendor != "postgresql":
        return [send(c) for c in clients]
    barrier, results = threading.Barrier(PUSHES), [None] * PUSHES

    def run(i):
        try:
            barrier.wait(timeout=60)
            results[i] = send(clients[i])
        except Exception as exc:  # reported by the assertions, not lost in the thread
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(PUSHES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return results


@pytest.mark.django_db(transaction=True)
def test_one_batch_pushed_several_times_at_once_writes_each_entry_once(
    regions, psm, trimulyo_worker
):
    from mitra.cases import services
    from mitra.core.models import PmksCategory

    from .conftest import make_person

    with acting_as(trimulyo_worker):
        case = services.open_case(
            make_person(), psm, trimulyo_worker, [PmksCategory.objects.get(number=8)]
        )
    batch = [
        entry("beneficiary", new_person()),
        entry("intervention", visit(case.pk), base_version=case.version),
        entry("report", report()),
    ]
    results = _all_at_once(trimulyo_worker, json.dumps({"entries": batch}))
    assert all(getattr(r, "status_code", None) == 200 for r in results), results
    answers = [r.json()["results"] for r in results]
    for n, sent in enumerate(batch):
        statuses = sorted(a[n]["status"] for a in answers)
        assert statuses == ["applied"] + ["duplicate"] * (PUSHES - 1), (sent["kind"], statuses)
        assert len({json.dumps(a[n]["object"]) for a in answers}) == 1
    assert Beneficiary.objects.filter(full_name="Bu Painem").count() == 1
    assert Intervention.objects.filter(case=case).count() == 1
    assert ActivityReport.objects.count() == 1
    assert SyncReceipt.objects.count() == 3
