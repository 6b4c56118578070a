"""The push with whatever a device (or someone posing as one) sends in `data`: every entry gets an
answer of the documented kinds, never a server error for the batch; and a server error inside
one entry rolls that entry back alone, the rest of the batch is applied. The API's own schema
fuzzing (test_matrix_fuzz) cannot reach this: its PSM has no worker record, so it gets 403."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mitra.cases import services
from mitra.cases.models import ActivityReport, Intervention
from mitra.sync.models import SyncReceipt

from .conftest import PUSH, entry, new_person, push, report, visit

pytestmark = pytest.mark.django_db

STATUSES = {"applied", "duplicate", "conflict", "refused", "invalid"}
NAMES = [
    "case",
    "case_ref",
    "beneficiary",
    "beneficiary_ref",
    "kind",
    "on",
    "categories",
    "village",
    "sex",
    "birth_date",
    "estimated_age",
    "nik",
    "programme",
    "sent_on",
    "worker",
    "priority",
    "reached_adults_f",
    "submit",
    "next_follow_up_on",
    "place",
    "target_detail",
    "full_name",
    "région",
]
VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63)
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.sampled_from(
        ["2026-01-01", "3402092004", "home_visit", "pkh", "L", "9999-12-31", "x" * 300]
    ),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=5,
)


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(
    kinds=st.lists(
        st.sampled_from(["beneficiary", "case", "intervention", "referral", "report"]),
        min_size=1,
        max_size=4,
    ),
    data=st.lists(st.dictionaries(st.sampled_from(NAMES), VALUES, max_size=6), min_size=4),
    base=st.one_of(st.none(), st.integers(-(2**40), 2**40)),
)
def _fuzz(client, case, kinds, data, base):
    sent = [
        entry(k, {"case": str(case.pk), **d}, base_version=base)
        for k, d in zip(kinds, data, strict=False)
    ]
    response = client.post(PUSH, json.dumps({"entries": sent}), "application/json")
    assert response.status_code == 200, response.content[:300]
    results = response.json()["results"]
    assert [r["uuid"] for r in results] == [e["uuid"] for e in sent]
    assert {r["status"] for r in results} <= STATUSES
    for r in results:
        assert r["status"] != "invalid" or r["errors"], r
        # An entry the server failed on is answered too (and logged): it must not happen here.
        assert not (r["message"] or "").startswith("Server tidak dapat"), (r, sent)


def test_arbitrary_data_gets_an_answer_per_entry_and_never_a_server_error(psm_client, case):
    _fuzz(psm_client, case)


def test_a_server_error_in_one_entry_rolls_back_that_entry_alone(psm_client, case, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug after the intervention row was written")

    monkeypatch.setattr(services, "change_case_status", broken)
    answer = push(
        psm_client,
        entry("beneficiary", new_person()),
        entry("intervention", visit(case.pk)),
        entry("report", report()),
    )
    statuses = [r["status"] for r in answer["results"]]
    assert statuses == ["applied", "invalid", "applied"]
    assert answer["results"][1]["message"].startswith("Server tidak dapat menyimpan")
    assert Intervention.objects.count() == 0 and ActivityReport.objects.count() == 1
    assert SyncReceipt.objects.count() == 2
