"""Training needs per region: the counts per child region and the three lists equal independent
computations on random data, at every level; the scope holds (a Bantul officer sees no Sleman
row and gets 404 for Sleman); the page costs the same few queries whatever the data; exports
mask NIKs without `workers.view_nik`, log one access row each and need
`training.export_training`; the worker profile's training tab shows the record and the needs."""

import csv
import datetime
import io
import random
from collections import Counter, defaultdict

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from python_calamine import CalamineWorkbook

from mitra.accounts.roles import ROLE_PERMISSIONS, Role
from mitra.core.categories import WorkerKind
from mitra.core.models import AccessLog, Job
from mitra.training import needs, services
from mitra.training.models import BatchStatus, Certificate, Enrolment, EnrolmentStatus, Result
from mitra.training.tests.builders import make_batch
from mitra.workers.models import Status, Worker
from mitra.workers.tests.builders import build_worker

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
NEEDS_URL = reverse("training:needs")
CSV_URL = reverse("training:needs_export_csv")
XLSX_URL = reverse("training:needs_export_xlsx")

# Villages in several districts of Bantul (3402), Sleman (3404) and Kota Yogyakarta (3471).
VILLAGES = [
    "3402012001",
    "3402012002",
    "3402022001",
    "3402022003",
    "3402032002",
    "3402092004",
    "3404012001",
    "3404012003",
    "3404022002",
    "3471011001",
]
STATUSES = [Status.ACTIVE] * 6 + [Status.APPLIED, Status.INACTIVE, Status.EXITED, Status.VERIFIED]
FIRST = ["Siti", "Budi", "Sri", "Agus", "Dewi", "Joko", "Rina", "Eko", "Tri", "Wahyu", "Yuni"]
LAST = ["Rahayu", "Santoso", "Lestari", "Wibowo", "Suryani", "Pratama", "Handayani"]


def random_workforce(seed: int = 1, n: int = 70) -> list[Worker]:
    """Workers in several villages with random kinds, statuses and training, some merged; some
    passed the advanced course (or failed it), some hold certificates that expire soon, later,
    already, or were revoked."""
    rng = random.Random(seed)
    workers = []
    for i in range(n):
        sex = rng.choice("LP")
        workers.append(
            build_worker(
                village=rng.choice(VILLAGES),
                sex=sex,
                birth_date=datetime.date(
                    rng.randint(1960, 2000), rng.randint(1, 12), rng.randint(1, 28)
                ),
                full_name=f"{rng.choice(FIRST)} {rng.choice(LAST)} {i:02d}",
                kind=WorkerKind.PSM if rng.random() < 0.85 else WorkerKind.TKSK,
                status=rng.choice(STATUSES),
                basic_training_on=datetime.date(2015 + rng.randint(0, 10), 3, 1)
                if rng.random() < 0.7
                else None,
            )
        )
    for duplicate, primary in zip(workers[:2], workers[2:4], strict=True):
        Worker.objects.filter(pk=duplicate.pk).update(merged_into=primary)
    advanced = make_batch("PSM-L", status=BatchStatus.FINISHED, starts=datetime.date(2022, 5, 2))
    thematic = make_batch(
        "TEM-BENCANA", status=BatchStatus.FINISHED, starts=datetime.date(2023, 9, 4)
    )
    serial = 0
    for worker in workers:
        roll = rng.random()
        if roll < 0.3:
            batch, result = advanced, Result.PASSED
        elif roll < 0.4:
            batch, result = advanced, Result.FAILED
        elif roll < 0.6:
            batch, result = thematic, Result.PASSED
        else:
            continue
        enrolment = Enrolment.objects.create(
            batch=batch, worker=worker, status=EnrolmentStatus.ENROLLED, result=result
        )
        if result != Result.PASSED:
            continue
        serial += 1
        valid_until = TODAY + datetime.timedelta(days=rng.choice([-5, 0, 10, 45, 90, 91, 400]))
        Certificate.objects.create(
            enrolment=enrolment,
            number=services.certificate_number(batch, serial),
            issued_on=batch.ends_on,
            valid_until=valid_until,
            revoked_at=timezone.now() if rng.random() < 0.1 else None,
        )
    return workers


def expected_needs(prefix: str) -> dict:
    """The three lists, computed in Python from the rows (not with the code under test)."""
    advanced = {
        e.worker_id
        for e in Enrolment.objects.select_related("batch__course")
        if e.result == Result.PASSED and e.batch.course.level == "lanjutan"
    }
    expiring = {
        c.enrolment.worker_id
        for c in Certificate.objects.select_related("enrolment")
        if c.revoked_at is None
        and c.valid_until is not None
        and TODAY <= c.valid_until <= TODAY + datetime.timedelta(days=90)
    }
    lists = {"active": set(), "without_basic": set(), "without_advanced": set(), "expiring": set()}
    lists["advanced"] = advanced
    for w in Worker.objects.all():
        if not (
            w.kind == WorkerKind.PSM
            and w.status == Status.ACTIVE
            and w.merged_into_id is None
            and w.region_code.startswith(prefix)
        ):
            continue
        lists["active"].add(w.pk)
        if w.basic_training_on is None:
            lists["without_basic"].add(w.pk)
        elif w.pk not in advanced:
            lists["without_advanced"].add(w.pk)
        if w.pk in expiring:
            lists["expiring"].add(w.pk)
    return lists


def expected_counts(prefix: str, length: int) -> dict:
    """Child code -> counts, computed in Python."""
    lists = expected_needs(prefix)
    trained = {w.pk for w in Worker.objects.filter(basic_training_on__isnull=False)}
    counts = defaultdict(Counter)
    for w in Worker.objects.filter(pk__in=lists["active"]):
        child = counts[w.region_code[:length]]
        child["active"] += 1
        child["with_basic"] += w.pk in trained
        child["without_basic"] += w.pk in lists["without_basic"]
        child["with_advanced"] += w.pk in lists["advanced"]
        child["without_advanced"] += w.pk in lists["without_advanced"]
        child["expiring"] += w.pk in lists["expiring"]
    return {code: {k: c[k] for k in needs.COUNT_KEYS} for code, c in counts.items()}


@pytest.fixture
def workforce(regions):
    return random_workforce()


def page_rows(client, url, key) -> list:
    """Every row of one list, page after page."""
    rows, page = [], 1
    while True:
        response = client.get(url, {"list": key, "page": page})
        assert response.status_code == 200
        rows += [w.pk for w in response.context["object_list"]]
        if not response.context["page_obj"].has_next():
            return rows
        page += 1


# --- counts and lists ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "code", "child_length"),
    [
        ("national_admin", "", 2),
        ("diy_officer", "34", 4),
        ("diy_officer", "3402", 6),
        ("bantul_officer", "3402", 6),
        ("bantul_officer", "340202", 10),
    ],
)
@pytest.mark.parametrize("seed", [1, 2])
def test_counts_per_child_region_equal_independent_counts(
    seed, persona, code, child_length, request, regions, client_for
):
    random_workforce(seed)
    user = request.getfixturevalue(persona)
    url = needs.needs_url(code)

    response = client_for(user).get(url)

    assert response.status_code == 200
    shown = {row.code: row.counts for row in response.context["children"] if row.counts["active"]}
    expected = expected_counts(code, child_length)
    assert shown == expected
    assert response.context["totals"] == {
        k: sum(c[k] for c in expected.values()) for k in needs.COUNT_KEYS
    }
    assert sum(expected[c]["active"] for c in expected) > 0


@pytest.mark.parametrize("seed", [1, 3])
def test_the_three_lists_equal_the_rules_on_every_page(
    seed, regions, diy_officer, client_for, monkeypatch
):
    monkeypatch.setattr("mitra.training.needs.views.PAGE_SIZE", 4)
    random_workforce(seed)
    client = client_for(diy_officer)
    expected = expected_needs("3402")
    rules = services.training_needs(
        Worker.objects.visible_to(diy_officer).filter(kind="psm", region_code__startswith="3402")
    )

    for key, item in needs.NEEDS_LISTS.items():
        rows = page_rows(client, needs.needs_url("3402"), key)
        assert len(rows) == len(set(rows))
        assert (
            set(rows) == expected[item.need] == set(rules[item.need].values_list("pk", flat=True))
        )


def test_a_village_page_has_lists_and_totals_but_no_children(workforce, bantul_officer, client_for):
    worker = next(w for w in workforce if w.region_code == "3402092004")
    response = client_for(bantul_officer).get(needs.needs_url(worker.region_code))

    assert response.status_code == 200
    assert response.context["children"] == []
    expected = expected_needs("3402092004")
    assert response.context["totals"]["without_basic"] == len(expected["without_basic"])
    assert response.context["totals"]["active"] == len(expected["active"])


def test_switching_lists_with_htmx_answers_the_list_part_only(
    workforce, bantul_officer, client_for
):
    response = client_for(bantul_officer).get(
        NEEDS_URL, {"list": "lanjutan"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="needs-list"
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="needs-list"') and "<html" not in html
    assert 'class="active" aria-current="page">' in html
    assert [t.name for t in response.templates][0] == "training/needs_list.html"


def test_expiring_list_shows_the_certificate(regions, bantul_officer, client_for):
    worker = build_worker(status=Status.ACTIVE, basic_training_on=datetime.date(2020, 1, 1))
    batch = make_batch("PSM-L", status=BatchStatus.FINISHED, starts=datetime.date(2021, 12, 6))
    enrolment = Enrolment.objects.create(
        batch=batch, worker=worker, status=EnrolmentStatus.ENROLLED, result=Result.PASSED
    )
    Certificate.objects.create(
        enrolment=enrolment,
        number="PSM-L/2021/00001/0001",
        issued_on=batch.ends_on,
        valid_until=TODAY + datetime.timedelta(days=30),
    )

    response = client_for(bantul_officer).get(NEEDS_URL, {"list": "kedaluwarsa"})

    assert [w.pk for w in response.context["object_list"]] == [worker.pk]
    assert [c.number for c in response.context["object_list"][0].expiring] == [
        "PSM-L/2021/00001/0001"
    ]
    assert b"PSM-L/2021/00001/0001" in response.content
    assert b"********" in response.content and worker.nik.encode() not in response.content


# --- scope --------------------------------------------------------------------------------------


def test_bantul_officer_sees_bantul_only_and_sleman_is_404(workforce, bantul_officer, client_for):
    client = client_for(bantul_officer)

    response = client.get(NEEDS_URL)  # no code: the officer's own area
    assert response.context["area"].code == "3402"
    assert {row.code[:4] for row in response.context["children"]} == {"3402"}
    for key in needs.NEEDS_LISTS:
        rows = Worker.objects.filter(pk__in=page_rows(client, NEEDS_URL, key))
        assert all(w.region_code.startswith("3402") for w in rows)
    assert client.get(needs.needs_url("3404")).status_code == 404
    assert client.get(needs.needs_url("340401")).status_code == 404
    assert client.get(needs.needs_url("3404012001")).status_code == 404
    assert client.get("/pelatihan/kebutuhan/99/").status_code == 404  # no such province
    above = client.get(needs.needs_url("34"))  # the province above: their own area instead
    assert above.status_code == 302 and above["Location"] == needs.needs_url("3402")


def test_the_national_page_lists_provinces_and_the_province_officer_is_sent_home(
    workforce, national_admin, diy_officer, client_for
):
    response = client_for(national_admin).get(NEEDS_URL)
    assert len(response.context["children"]) == 38
    assert response.context["totals"]["active"] == len(expected_needs("")["active"])

    client = client_for(diy_officer)
    assert client.get(NEEDS_URL).context["area"].code == "34"
    assert client.get("/pelatihan/kebutuhan/34.02/").status_code == 200  # dotted codes too


def test_roles_without_the_permissions_get_403_and_a_psm_their_profile(
    regions, juror, trimulyo_worker, jetis_supervisor, auditor, client_for
):
    assert client_for(juror).get(NEEDS_URL).status_code == 403
    response = client_for(trimulyo_worker).get(NEEDS_URL)
    assert response.status_code == 302 and "tab=pelatihan" in response["Location"]
    assert client_for(jetis_supervisor).get(NEEDS_URL).status_code == 200
    assert client_for(auditor).get(NEEDS_URL).status_code == 200


def test_the_page_runs_the_same_few_queries_whatever_the_data(regions, diy_officer, client_for):
    client = client_for(diy_officer)

    def run():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(needs.needs_url("34"), {"list": "lanjutan"}).status_code == 200
        return [q["sql"] for q in ctx.captured_queries]

    random_workforce(1, n=10)
    few = run()
    random_workforce(2, n=60)
    many = run()

    assert len(many) == len(few)
    grouped = [sql for sql in many if "GROUP BY" in sql and "workers_worker" in sql]
    assert len(grouped) == 1, grouped
    assert "SUBSTR" in grouped[0].upper()


# --- exports ------------------------------------------------------------------------------------


def headers(key: str) -> list[str]:
    with translation.override("id"):
        return [str(c.label) for c in needs.export_columns(key)]


def read_csv(response, key="dasar") -> list[dict]:
    assert response.status_code == 200, response.status_code
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == headers(key)
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def read_xlsx(response, key="dasar") -> list[dict]:
    assert response.status_code == 200, response.status_code
    data = b"".join(response.streaming_content)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert rows[0] == headers(key)
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def _id_column() -> str:
    with translation.override("id"):
        return str(needs.export_columns("dasar")[-1].label)


@pytest.mark.parametrize("key", list(needs.NEEDS_LISTS))
def test_csv_export_is_the_list_with_full_niks_for_an_officer_and_is_logged(
    key, workforce, bantul_officer, client_for
):
    response = client_for(bantul_officer).get(CSV_URL, {"region": "3402", "list": key})
    rows = read_csv(response, key)
    expected = expected_needs("3402")[needs.NEEDS_LISTS[key].need]

    assert {r[_id_column()] for r in rows} == {str(pk) for pk in expected}
    niks = {str(w.pk): w.nik for w in Worker.objects.filter(pk__in=expected)}
    assert all(r["NIK"] == niks[r[_id_column()]] for r in rows)
    assert "kebutuhan-pelatihan" in response["Content-Disposition"]
    log = AccessLog.objects.get()
    assert (log.action, log.row_count, log.region_code, log.user) == (
        AccessLog.Action.EXPORT,
        len(expected),
        "3402",
        bantul_officer,
    )
    assert log.content_type.model_class() is Worker


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_masks_niks_without_view_nik(
    fmt, workforce, bantul_officer, client_for, monkeypatch
):
    monkeypatch.setitem(
        ROLE_PERMISSIONS,
        Role.REGENCY_OFFICER,
        ROLE_PERMISSIONS[Role.REGENCY_OFFICER] - {"workers.view_nik"},
    )
    url = CSV_URL if fmt == "csv" else XLSX_URL
    reader = read_csv if fmt == "csv" else read_xlsx

    rows = reader(client_for(bantul_officer).get(url, {"list": "dasar"}))

    masked = {str(w.pk): w.nik_masked for w in Worker.objects.all()}
    assert rows and all(r["NIK"] == masked[r[_id_column()]] and "****" in r["NIK"] for r in rows)
    assert AccessLog.objects.get().row_count == len(rows)


def test_export_needs_the_permission_and_the_scope(
    workforce, jetis_supervisor, auditor, bantul_officer, client_for
):
    assert client_for(jetis_supervisor).get(CSV_URL).status_code == 403
    assert client_for(auditor).get(XLSX_URL).status_code == 403
    client = client_for(bantul_officer)
    assert client.get(CSV_URL, {"region": "3404"}).status_code == 404
    assert client.get(CSV_URL, {"region": "34"}).status_code == 404
    assert client.get(CSV_URL, {"list": "bogus"}).status_code == 404
    assert not AccessLog.objects.exists()
    assert (
        reverse("training:needs_export_csv")
        not in client_for(jetis_supervisor).get(NEEDS_URL).content.decode()
    )


def test_export_neutralises_formulas(regions, bantul_officer, client_for):
    build_worker(full_name="=HYPERLINK(1)", status=Status.ACTIVE)
    rows = read_csv(client_for(bantul_officer).get(CSV_URL))
    with translation.override("id"):
        name = str(needs.export_columns("dasar")[1].label)
    assert [r[name] for r in rows] == ["'=HYPERLINK(1)"]


def test_expiring_export_names_the_certificate(regions, bantul_officer, client_for):
    worker = build_worker(status=Status.ACTIVE, basic_training_on=datetime.date(2020, 1, 1))
    batch = make_batch("PSM-L", status=BatchStatus.FINISHED, starts=datetime.date(2021, 12, 6))
    enrolment = Enrolment.objects.create(
        batch=batch, worker=worker, status=EnrolmentStatus.ENROLLED, result=Result.PASSED
    )
    Certificate.objects.create(
        enrolment=enrolment, number="PSM-L/2021/9/1", issued_on=batch.ends_on,
        valid_until=TODAY + datetime.timedelta(days=3),
    )  # fmt: skip

    rows = read_xlsx(
        client_for(bantul_officer).get(XLSX_URL, {"list": "kedaluwarsa"}), "kedaluwarsa"
    )

    assert len(rows) == 1
    assert "PSM-L/2021/9/1" in rows[0].values()


def test_a_large_export_becomes_a_job_whose_download_is_logged(
    workforce, bantul_officer, sleman_officer, client_for, settings, tmp_path,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    settings.MITRA_EXPORT_STREAM_LIMIT = 1
    settings.MEDIA_ROOT = tmp_path
    client = client_for(bantul_officer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(CSV_URL, {"list": "dasar"})

    job = Job.objects.get()
    assert response.status_code == 302
    assert job.status == Job.Status.DONE, job.message
    assert job.result["rows"] == len(expected_needs("3402")["without_basic"]) > 1
    assert not AccessLog.objects.exists()
    download = client.get(job.result["download_url"])
    assert len(read_csv(download)) == job.result["rows"]
    assert AccessLog.objects.get().row_count == job.result["rows"]
    client.force_login(sleman_officer)
    assert client.get(job.result["download_url"]).status_code == 404


# --- the worker profile's training tab -----------------------------------------------------------


def _pass(batch, worker, officer, post=85):
    enrolment = services.nominate(batch, worker, officer)
    ids = list(batch.sessions.values_list("pk", flat=True))
    return services.record_results(
        enrolment, officer, pre_score=50, post_score=post, present_session_ids=ids
    )


def test_worker_training_lists_the_record_and_what_is_still_needed(regions, bantul_officer):
    worker = build_worker(status=Status.ACTIVE)
    basic = make_batch("PSM-D", starts=datetime.date(2021, 3, 1))
    failed = _pass(
        make_batch("PSM-D", starts=datetime.date(2020, 3, 2), name="Lama"),
        worker,
        bantul_officer,
        post=40,
    )
    passed = _pass(basic, worker, bantul_officer)
    certificate = services.issue_certificate(passed, bantul_officer)
    thematic = make_batch("TEM-BENCANA", starts=datetime.date(2023, 1, 9))
    disaster = services.issue_certificate(_pass(thematic, worker, bantul_officer), bantul_officer)
    Certificate.objects.filter(pk=disaster.pk).update(
        valid_until=TODAY + datetime.timedelta(days=20)
    )
    coming = make_batch("PSM-L", starts=TODAY + datetime.timedelta(days=30), quota=1)
    place = services.nominate(coming, worker, bantul_officer)

    data = needs.worker_training(Worker.objects.get(pk=worker.pk), bantul_officer)

    assert [r["enrolment"].pk for r in data["rows"]] == [
        place.pk,
        Enrolment.objects.get(batch=thematic).pk,
        passed.pk,
        failed.pk,
    ]
    by_pk = {r["enrolment"].pk: r for r in data["rows"]}
    assert by_pk[passed.pk]["certificate"] == certificate
    assert by_pk[passed.pk]["certificate_state"] == "valid"
    assert by_pk[passed.pk]["attendance"] == 100
    assert (
        by_pk[failed.pk]["certificate"] is None
        and by_pk[failed.pk]["enrolment"].result == Result.FAILED
    )
    assert data["basic"] == {"done": True, "on": basic.ends_on, "from_batch": True}
    assert data["advanced"] == {"done": False, "eligible": True}
    assert [n["key"] for n in data["needs"]] == ["advanced", "renewal"]
    assert [r["enrolment"].pk for r in data["open_places"]] == [place.pk]
    assert by_pk[place.pk]["attendance"] is None  # nothing recorded yet, not 0%


def test_worker_training_of_an_untrained_worker_and_outside_the_scope(
    regions, sleman_officer, bantul_officer
):
    from django.http import Http404

    worker = build_worker(status=Status.ACTIVE)
    data = needs.worker_training(worker, bantul_officer)
    assert data["rows"] == [] and [n["key"] for n in data["needs"]] == ["basic", "advanced"]
    with pytest.raises(Http404):
        needs.worker_training(worker, sleman_officer)


def test_the_tab_template_renders_the_record(regions, bantul_officer, rf):
    from django.template.loader import render_to_string

    worker = build_worker(status=Status.ACTIVE)
    enrolment = _pass(make_batch("PSM-D", starts=datetime.date(2022, 6, 6)), worker, bantul_officer)
    certificate = services.issue_certificate(enrolment, bantul_officer)
    worker.refresh_from_db()
    request = rf.get("/")
    request.user = bantul_officer

    with translation.override("en"):
        html = render_to_string(
            "training/_worker_training_tab.html",
            {"training": needs.worker_training(worker, bantul_officer)},
            request=request,
        )

    assert certificate.number in html
    assert "Pelatihan Dasar Pekerja Sosial Masyarakat" in html
    assert "Basic training completed on" in html
    assert "Advanced training (pelatihan lanjutan) not passed yet." in html
    assert "valid, does not expire" in html


def test_the_tab_costs_the_same_queries_for_more_enrolments(regions, bantul_officer):
    worker = build_worker(status=Status.ACTIVE)
    _pass(make_batch("PSM-D", starts=datetime.date(2020, 3, 2)), worker, bantul_officer)

    def count():
        fresh = Worker.objects.get(pk=worker.pk)
        with CaptureQueriesContext(connection) as ctx:
            needs.worker_training(fresh, bantul_officer)
        return len(ctx.captured_queries)

    one = count()
    for code, start in (
        ("TEM-BENCANA", datetime.date(2022, 1, 3)),
        ("TEM-KASUS", datetime.date(2023, 1, 2)),
    ):
        services.issue_certificate(_pass(make_batch(code, starts=start), worker, bantul_officer))
    assert count() == one <= 4
