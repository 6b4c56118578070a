"""Attendance and results: the grid saves a row on every change (htmx) and answers the result the
rules decide; "save all" saves every row or none; a results spreadsheet is checked as a whole,
reported per row, written on confirmation in one go, and importing it again changes nothing."""

import io

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mitra.core.models import AccessLog, ChangeLog
from mitra.training import services
from mitra.training.models import Attendance, Enrolment, EnrolmentStatus, Result
from mitra.training.results_import import check_file
from mitra.training.tests.pagehelpers import batch_in, english, text
from mitra.workers.tests.builders import build_worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def running(bantul_officer):
    """A running Bantul batch (4 sessions, 3 seats) with Ani, Budi and Citra enrolled and Dewi
    waiting."""
    batch = batch_in("3402", quota=3, status="open")
    people = {}
    for name in ("Ani", "Budi", "Citra", "Dewi"):
        people[name] = services.nominate(batch, build_worker(full_name=name), bantul_officer)
    services.change_batch_status(batch, "running", bantul_officer)
    batch.people = people
    batch.session_ids = list(batch.sessions.values_list("pk", flat=True))
    return batch


def _stored_version(enrolment) -> int:
    return Enrolment.objects.values_list("version", flat=True).get(pk=enrolment.pk)


def _row_post(client, batch, enrolment, *, pre="", post="", present=(), version=None):
    """A row as the page posts it, with the version the page shows (default: the stored one)."""
    data = {f"row-{enrolment.pk}": "1", f"pre-{enrolment.pk}": pre, f"post-{enrolment.pk}": post}
    data[f"att-{enrolment.pk}"] = [str(s) for s in present]
    data[f"version-{enrolment.pk}"] = str(
        _stored_version(enrolment) if version is None else version
    )
    return client.post(
        reverse("training:grid_row", args=[batch.pk, enrolment.pk]), data, HTTP_HX_REQUEST="true"
    )


# ---- the grid -------------------------------------------------------------------------------


def test_the_grid_lists_enrolled_participants_with_a_checkbox_per_session(
    running, bantul_officer, client
):
    response = english(client, bantul_officer).get(reverse("training:grid", args=[running.pk]))
    assert response.status_code == 200
    assert [r["e"].worker.full_name for r in response.context["rows"]] == ["Ani", "Budi", "Citra"]
    page = text(response)
    assert page.count(f'name="att-{running.people["Ani"].pk}"') == 4
    assert (
        f'hx-post="{reverse("training:grid_row", args=[running.pk, running.people["Ani"].pk])}"'
        in page
    )


def test_saving_a_row_answers_it_with_the_decided_result(running, bantul_officer, client):
    ani = running.people["Ani"]
    c = english(client, bantul_officer)
    response = _row_post(c, running, ani, pre="55", post="85", present=running.session_ids)
    assert response.status_code == 200
    page = text(response)
    # the row's computed cells come back out of band; the boxes being typed in stay as they are
    assert page.lstrip().startswith("<template>")
    assert f'id="result-{ani.pk}" hx-swap-oob="true"' in page
    assert f'id="attcell-{ani.pk}" hx-swap-oob="true"' in page and "100%" in page
    assert "result-passed" in page and "saved" in page
    assert 'name="post-' not in page
    assert 'id="grid-summary" hx-swap-oob="true"' in page and "1 passed" in page
    # the version the row's next save must send comes back inside the swapped result cell
    cell = page.split(f'id="result-{ani.pk}"')[1].split("</td>")[0]
    assert f'id="version-{ani.pk}" value="{_stored_version(ani)}"' in cell
    ani.refresh_from_db()
    assert (ani.pre_score, ani.post_score, ani.result) == (55, 85, Result.PASSED)
    assert Attendance.objects.filter(enrolment=ani, present=True).count() == 4

    # one session less: 75% is below the 80% minimum, and the row says why
    response = _row_post(c, running, ani, pre="55", post="85", present=running.session_ids[:3])
    ani.refresh_from_db()
    assert ani.result == Result.FAILED
    assert "result-failed" in text(response)
    assert "attendance 75% below the minimum 80%" in text(response)


def test_a_post_test_under_the_pass_mark_fails_and_clearing_it_returns_to_pending(
    running, bantul_officer, client
):
    budi = running.people["Budi"]
    c = english(client, bantul_officer)
    response = _row_post(c, running, budi, post="69", present=running.session_ids)
    assert "post-test 69 below the pass mark 70" in text(response)
    budi.refresh_from_db()
    assert budi.result == Result.FAILED
    _row_post(c, running, budi, post="", present=running.session_ids)
    budi.refresh_from_db()
    assert (budi.post_score, budi.result) == (None, Result.PENDING)


@pytest.mark.parametrize("bad", ["101", "abc", "85.5", "-1"])
def test_a_bad_score_is_shown_in_the_row_and_nothing_is_saved(bad, running, bantul_officer, client):
    citra = running.people["Citra"]
    response = _row_post(
        english(client, bantul_officer), running, citra, post=bad, present=running.session_ids
    )
    page = text(response)
    assert response.status_code == 200
    assert "has-error" in page and "Not saved" in page
    assert "between 0 and 100" in page or "whole number" in page
    citra.refresh_from_db()
    assert citra.post_score is None
    assert not Attendance.objects.filter(enrolment=citra).exists()


def test_save_all_saves_every_row_or_none(running, bantul_officer, client):
    ani, budi = running.people["Ani"], running.people["Budi"]
    data = {}
    for e in (ani, budi, running.people["Citra"]):
        data[f"row-{e.pk}"] = "1"
        data[f"att-{e.pk}"] = [str(s) for s in running.session_ids]
        data[f"version-{e.pk}"] = str(_stored_version(e))
    data |= {f"post-{ani.pk}": "90", f"post-{budi.pk}": "200"}
    c = english(client, bantul_officer)
    response = c.post(reverse("training:grid", args=[running.pk]), data)
    assert response.status_code == 200
    assert "Nothing was saved" in text(response)
    ani.refresh_from_db()
    assert ani.post_score is None and not Attendance.objects.exists()

    data[f"post-{budi.pk}"] = "60"
    response = c.post(reverse("training:grid", args=[running.pk]), data)
    assert response.status_code == 302
    ani.refresh_from_db()
    budi.refresh_from_db()
    assert (ani.result, budi.result) == (Result.PASSED, Result.FAILED)


CONFLICT = (
    "Someone else changed this record while you were working on it. Reload the page and try again."
)


def test_a_row_read_before_someone_elses_save_is_refused_and_says_so(
    running, bantul_officer, client
):
    """ADR 0010: the row states the version its page was read at; a stale or missing one writes
    nothing and the row says to reload, keeping the stale version so a retry is refused too."""
    ani = running.people["Ani"]
    c = english(client, bantul_officer)
    read_at = _stored_version(ani)
    _row_post(c, running, ani, post="85", present=running.session_ids, version=read_at)
    for version in (read_at, ""):
        response = _row_post(c, running, ani, post="40", present=(), version=version)
        page = text(response)
        assert response.status_code == 200
        assert "has-error" in page and "Not saved" in page and CONFLICT in page
        assert f'id="version-{ani.pk}" value="{version or 0}"' in page
    ani.refresh_from_db()
    assert (ani.post_score, ani.result, ani.version) == (85, Result.PASSED, read_at + 1)
    assert Attendance.objects.filter(enrolment=ani, present=True).count() == 4


def test_save_all_with_a_stale_row_saves_none_and_marks_it(running, bantul_officer, client):
    ani, budi = running.people["Ani"], running.people["Budi"]
    data = {}
    for e in (ani, budi):
        data |= {f"row-{e.pk}": "1", f"post-{e.pk}": "90", f"version-{e.pk}": str(e.version)}
    c = english(client, bantul_officer)
    _row_post(c, running, budi, post="50", present=running.session_ids)  # someone else, first
    response = c.post(reverse("training:grid", args=[running.pk]), data)
    assert response.status_code == 200
    page = text(response)
    assert CONFLICT in page and "Nothing was saved" in page
    assert f'id="version-{budi.pk}" value="{budi.version}"' in page  # still the stale one
    ani.refresh_from_db()
    budi.refresh_from_db()
    assert (ani.post_score, budi.post_score) == (None, 50)


def test_the_grid_is_for_the_organiser_of_a_batch_that_took_place(
    bantul_officer, diy_officer, jetis_supervisor, client
):
    open_batch = batch_in("3402")
    response = english(client, bantul_officer).get(reverse("training:grid", args=[open_batch.pk]))
    assert response.status_code == 302  # not started yet: back to the batch with a message
    diy = batch_in("34", status="running")
    enrolment = services.nominate(batch_in("34", name="open DIY"), build_worker(), bantul_officer)
    c = english(client, bantul_officer)
    assert c.get(reverse("training:grid", args=[diy.pk])).status_code == 403
    assert (
        english(client, jetis_supervisor).get(reverse("training:grid", args=[diy.pk])).status_code
        == 403
    )
    url = reverse("training:grid_row", args=[enrolment.batch_id, enrolment.pk])
    not_yet = english(client, diy_officer).post(url, {})  # batch not running: told so
    assert not_yet.status_code == 302
    assert not_yet.url == reverse("training:batch_detail", args=[enrolment.batch_id])


def test_a_row_of_another_batch_is_not_found(running, bantul_officer, client):
    other = batch_in("3402", name="lain", status="running")
    stranger = Enrolment.objects.create(
        batch=other, worker=build_worker(full_name="Eko"), status=EnrolmentStatus.ENROLLED
    )
    response = _row_post(english(client, bantul_officer), running, stranger, post="90")
    assert response.status_code == 404


# ---- spreadsheet import ---------------------------------------------------------------------


def _xlsx(rows) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("Nilai")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    book.close()
    return out.getvalue()


def _upload(client, batch, name, content, follow=True):
    return client.post(
        reverse("training:results_import", args=[batch.pk]),
        {"file": SimpleUploadedFile(name, content)},
        follow=follow,
    )


def _results_file(batch):
    p = batch.people
    return _xlsx(
        [
            ["DAFTAR NILAI PELATIHAN DASAR PSM"],
            ["Angkatan I"],
            [
                "No. Peserta",
                "Nama",
                "NIK",
                "Pre-test",
                "Post-test",
                "Sesi 1",
                "Sesi 2",
                "Sesi 3",
                "Sesi 4",
            ],
            [p["Ani"].pk, "Ani", None, 50, 85, 1, 1, 1, 1],
            [None, "Budi", p["Budi"].worker.nik, 40, 150, 1, 1, 1, 1],
            [None, "Citra", 3402094508850001.0, 45, 80, 1, 1, 1, 1],
            [p["Dewi"].pk, "Dewi", None, 60, 90, 1, 1, 1, 1],
            [None, "Entah", "3402094508859999", 60, 90, 1, 1, 1, "ya"],
            [p["Citra"].pk, "Citra", None, 45, 75, "H", "H", "S", "H"],
            [p["Ani"].pk, "Ani lagi", None, 50, 85, 1, 1, 1, 1],
        ]
    )


def test_import_reports_each_bad_row_then_writes_the_good_ones_on_confirmation(
    running, bantul_officer, client
):
    c = english(client, bantul_officer)
    content = _results_file(running)
    response = _upload(c, running, "nilai.xlsx", content)
    assert response.status_code == 200
    check = response.context["check"]
    problems = {(p.row, p.column.split(" ")[0]): p.reason for p in check.problems}
    assert set(problems) == {(5, "E"), (6, "C"), (7, "A"), (8, "C"), (10, "A")}
    assert "between 0 and 100" in problems[(5, "E")]
    assert "stored as a number" in problems[(6, "C")]
    assert "not enrolled" in problems[(7, "A")] and "waiting list" in problems[(7, "A")]
    assert "No participant of this batch" in problems[(8, "C")]
    assert "already in row 4" in problems[(10, "A")]
    page = text(response)
    assert "E (Post-test)" in page and "between 0 and 100" in page
    assert [ch.name for ch in check.changes] == ["Ani", "Citra"]
    # nothing is written before the confirmation
    ani = running.people["Ani"]
    ani.refresh_from_db()
    assert ani.post_score is None and not Attendance.objects.exists()

    response = c.post(
        reverse("training:results_import_confirm", args=[running.pk]),
        {"digest": check.digest},
        follow=True,
    )
    assert "The results of 2 participants were written" in text(response)
    for e in running.people.values():
        e.refresh_from_db()
    assert (ani.pre_score, ani.post_score, ani.result) == (50, 85, Result.PASSED)
    citra = running.people["Citra"]
    # H, H, S (sakit), H: 3 of 4 sessions, under the 80% minimum
    assert (citra.post_score, citra.result) == (75, Result.FAILED)
    assert "attendance 75%" in citra.result_note
    assert running.people["Budi"].post_score is None


def test_importing_the_same_file_again_changes_nothing(running, bantul_officer, client):
    c = english(client, bantul_officer)
    content = _results_file(running)
    check = _upload(c, running, "nilai.xlsx", content).context["check"]
    c.post(reverse("training:results_import_confirm", args=[running.pk]), {"digest": check.digest})
    history = ChangeLog.objects.count()
    stamps = dict(Enrolment.objects.values_list("pk", "updated_at"))
    attendance = list(Attendance.objects.order_by("pk").values_list("pk", "present"))

    response = _upload(c, running, "nilai.xlsx", content)
    again = response.context["check"]
    assert again.changes == [] and again.unchanged == 2
    assert "Nothing to change" in text(response)
    c.post(reverse("training:results_import_confirm", args=[running.pk]), {"digest": again.digest})
    assert ChangeLog.objects.count() == history
    assert dict(Enrolment.objects.values_list("pk", "updated_at")) == stamps
    assert list(Attendance.objects.order_by("pk").values_list("pk", "present")) == attendance


def test_a_csv_with_an_attendance_count_column(running, bantul_officer, client):
    p = running.people
    lines = [
        "NIK;Nama;Post-test;Kehadiran",
        f"{p['Ani'].worker.nik};Ani;88;3",
        f"{p['Budi'].worker.nik};Budi;88;4",
        f"{p['Citra'].worker.nik};Citra;88;9",
    ]
    c = english(client, bantul_officer)
    check = _upload(c, running, "nilai.csv", "\n".join(lines).encode()).context["check"]
    assert [(pr.row, pr.column) for pr in check.problems] == [(4, "D (Kehadiran)")]
    c.post(reverse("training:results_import_confirm", args=[running.pk]), {"digest": check.digest})
    ani, budi = p["Ani"], p["Budi"]
    ani.refresh_from_db()
    budi.refresh_from_db()
    assert ani.result == Result.FAILED and "75%" in ani.result_note
    assert budi.result == Result.PASSED


def test_a_confirmation_after_another_writer_changed_a_participant_writes_nothing(
    running, bantul_officer, client
):
    """Between the check and the confirmation someone saves Ani's row in the grid: the file was
    checked against results it would now overwrite, so the whole import stops (no lost update)."""
    c = english(client, bantul_officer)
    check = _upload(c, running, "nilai.xlsx", _results_file(running)).context["check"]
    ani, citra = running.people["Ani"], running.people["Citra"]
    services.record_results(ani, bantul_officer, pre_score=55, version=ani.version)

    response = c.post(
        reverse("training:results_import_confirm", args=[running.pk]),
        {"digest": check.digest},
        follow=True,
    )
    assert "Someone else changed this record" in text(response)
    ani.refresh_from_db()
    citra.refresh_from_db()
    assert (ani.pre_score, ani.post_score) == (55, None)
    assert citra.post_score is None and not Attendance.objects.exists()


def test_a_file_without_a_header_is_refused_as_a_whole(running, bantul_officer, client):
    response = _upload(
        english(client, bantul_officer),
        running,
        "nilai.xlsx",
        _xlsx([["Nama", "Nilai"], ["Ani", 90]]),
    )
    assert "No header row was found" in text(response)
    assert response.context["check"] is None


def test_a_confirmation_without_the_checked_file_writes_nothing(running, bantul_officer, client):
    c = english(client, bantul_officer)
    check = _upload(c, running, "nilai.xlsx", _results_file(running)).context["check"]
    response = c.post(
        reverse("training:results_import_confirm", args=[running.pk]),
        {"digest": "0" * 64},
        follow=True,
    )
    assert "upload it again" in text(response)
    assert check.changes and not Attendance.objects.exists()


def test_the_template_sheet_reads_back_unchanged_and_is_logged(running, bantul_officer, client):
    ani = running.people["Ani"]
    services.record_results(
        ani, bantul_officer, pre_score=50, post_score=90, present_session_ids=running.session_ids
    )
    response = english(client, bantul_officer).get(
        reverse("training:results_template", args=[running.pk])
    )
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    log = AccessLog.objects.get(action=AccessLog.Action.EXPORT)
    assert (log.user, log.row_count) == (bantul_officer, 3)
    check = check_file("nilai.xlsx", content, running, bantul_officer)
    assert (check.read, check.unchanged, check.problems, check.changes) == (3, 3, [], [])


def test_import_is_for_assessors_only(running, jetis_supervisor, auditor, client):
    for user in (jetis_supervisor, auditor):
        c = english(client, user)
        assert c.get(reverse("training:results_import", args=[running.pk])).status_code == 403
        assert (
            _upload(c, running, "nilai.xlsx", _results_file(running), follow=False).status_code
            == 403
        )
