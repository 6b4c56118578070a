"""The home page's "My tasks" per role, on factories: each item counts exactly the rows its link's
list shows, out-of-area rows are never counted, urgent items come first, zero items say so
calmly, and each role's page makes a bounded number of queries."""

import datetime

import pytest
from django.utils import timezone

from mitra.cases.models import ActivityReport, Case, Intervention, Referral, ReportStatus
from mitra.cases.tests.test_rules import person
from mitra.core.access import log_access, log_export
from mitra.core.models import AccessLog, Job
from mitra.training.models import Enrolment, EnrolmentStatus
from mitra.training.tests.builders import make_batch
from mitra.workers.models import IdentityChangeRequest, Status
from mitra.workers.tests.builders import build_worker

from .home_helpers import assert_counts_match_lists, home_tasks

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
SLEMAN = "3404012001"


def days_ago(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


def report(worker, status, *, sent_days_ago=None, on=None):
    r = ActivityReport.objects.create(
        worker=worker,
        on=on or days_ago(20),
        village=worker.village,
        activity_type="outreach",
        description="Sosialisasi",
        status=status,
        reached_adults_f=3,
        reached_elderly_m=2,
    )
    if sent_days_ago is not None:
        sent = timezone.now() - datetime.timedelta(days=sent_days_ago)
        ActivityReport.objects.filter(pk=r.pk).update(submitted_at=sent)
    return r


def case_for(worker, village="3402092004", next_follow_up_on=None, status="assisting"):
    case = Case.objects.create(beneficiary=person(village=village), worker=worker, status=status)
    if next_follow_up_on:
        Case.objects.filter(pk=case.pk).update(next_follow_up_on=next_follow_up_on)
    return case


def visit(case, on=None):
    return Intervention.objects.create(
        case=case, kind="home_visit", on=on or TODAY, worker=case.worker
    )


# ---- officers ----------------------------------------------------------------------------------


@pytest.fixture
def bantul_desk(bantul_officer):
    """What waits on the Bantul officer's desk, with Sleman's rows beside it (never counted)."""
    for status in (Status.APPLIED, Status.APPLIED, Status.VERIFIED, Status.ACTIVE):
        build_worker(status=status, full_name=f"Calon {status}")
    build_worker(village=SLEMAN, status=Status.APPLIED, full_name="Calon Sleman")
    author = build_worker(status=Status.ACTIVE, full_name="Penulis Laporan")
    IdentityChangeRequest.objects.create(
        worker=author, changes={"full_name": "Penulis L."}, region_code=author.region_code
    )
    report(author, ReportStatus.SUBMITTED, sent_days_ago=20)  # late
    report(author, ReportStatus.SUBMITTED, sent_days_ago=2)
    report(author, ReportStatus.VERIFIED, sent_days_ago=30)
    sleman_author = build_worker(village=SLEMAN, status=Status.ACTIVE, full_name="Sleman")
    report(sleman_author, ReportStatus.SUBMITTED, sent_days_ago=20)
    Job.objects.create(
        kind="workers.import",
        title="Impor",
        status=Job.Status.DONE,
        created_by=bantul_officer,
        region_code="3402",
        params={"phase": "check", "name": "psm.xlsx", "file": "x"},
    )
    Job.objects.create(  # written: nothing waits
        kind="workers.import",
        title="Impor lama",
        status=Job.Status.DONE,
        created_by=bantul_officer,
        region_code="3402",
        params={"phase": "write", "name": "lama.xlsx", "file": "y"},
    )
    batch = make_batch(status="open")
    Enrolment.objects.create(batch=batch, worker=author, status=EnrolmentStatus.APPLIED)
    return author


def test_an_officer_sees_what_waits_in_their_area_and_each_count_is_its_lists_rows(
    bantul_desk, bantul_officer, client_for
):
    client = client_for(bantul_officer)
    tasks = home_tasks(client)

    counts = {key: t.count for key, t in tasks.items()}
    assert counts == {
        "workers_applied": 2,
        "workers_verified": 1,
        "identity": 1,
        "reports_late": 1,
        "imports": 1,
        "applications": 1,
    }
    assert_counts_match_lists(client, tasks)


def test_the_late_reports_come_first_and_zero_items_are_listed_apart(
    bantul_desk, bantul_officer, client_for
):
    IdentityChangeRequest.objects.update(state="approved")
    response = client_for(bantul_officer).get("/")

    waiting = [t.key for t in response.context["waiting"]]
    assert waiting[0] == "reports_late"
    assert [t.key for t in response.context["calm"]] == ["identity"]
    assert "No identity correction waits for a decision." in response.content.decode() or (
        "Tidak ada koreksi identitas yang menunggu keputusan." in response.content.decode()
    )


def test_an_officer_with_nothing_waiting_is_told_so_calmly(sleman_officer, client_for):
    response = client_for(sleman_officer).get("/")

    assert response.context["waiting"] == []
    assert all(t.count == 0 for t in response.context["calm"])
    assert 'class="todo-none"' in response.content.decode()


def test_the_open_award_stage_of_the_officers_level_counts_their_nominations(
    bantul_officer, diy_officer, client_for
):
    from mitra.awards.tests.builders import eligible_psm, make_cycle, nominate

    cycle = make_cycle()
    nominate(cycle, eligible_psm(), bantul_officer)
    nominate(cycle, eligible_psm(), bantul_officer)
    client = client_for(bantul_officer)
    tasks = home_tasks(client)

    stage_tasks = [t for key, t in tasks.items() if key.startswith("stage_")]
    assert [t.count for t in stage_tasks] == [2]
    assert_counts_match_lists(client, tasks)
    # The province stage is not open yet: the province officer has no stage item.
    assert not [k for k in home_tasks(client_for(diy_officer)) if k.startswith("stage_")]


def test_appeals_wait_for_the_officers_above_the_ranking_only(
    make_user, national_admin, diy_officer, bantul_officer, client_for
):
    from mitra.awards import services
    from mitra.awards.tests.builders import eligible_psm, make_cycle, nominate, score, stage

    cycle = make_cycle()
    juror = make_user(username="juri.satu", role="juror", scope_code="")
    services.assign_juror(
        stage=stage(cycle), juror=juror, region_code="34", home_region_code="3471", by=diy_officer
    )
    a = nominate(cycle, eligible_psm(), bantul_officer)
    score(a, juror, innovation=8, interview=8)
    ranking = services.publish_ranking(stage(cycle), "3402", bantul_officer)
    services.file_appeal(ranking, a, bantul_officer, "Nilai wawancara keliru.")

    for officer, expected in ((diy_officer, 1), (national_admin, 1)):
        client = client_for(officer)
        tasks = home_tasks(client)
        assert tasks["appeals"].count == expected
        assert_counts_match_lists(client, tasks)
    assert "appeals" not in home_tasks(client_for(bantul_officer))


# ---- district supervisor -----------------------------------------------------------------------


def test_a_tksk_sees_overdue_follow_ups_late_referrals_and_reports_of_the_district(
    jetis_supervisor, client_for
):
    psm = build_worker(status=Status.ACTIVE, full_name="PSM Jetis")
    late = case_for(psm, next_follow_up_on=days_ago(3))
    case_for(psm, next_follow_up_on=TODAY + datetime.timedelta(days=3))  # due, not overdue
    case_for(psm, next_follow_up_on=days_ago(3), status="closed")
    Referral.objects.create(case=late, programme="pkh", sent_on=days_ago(20))
    Referral.objects.create(case=late, programme="rehab", sent_on=days_ago(3))
    report(psm, ReportStatus.SUBMITTED, sent_days_ago=1)
    sleman = build_worker(village=SLEMAN, status=Status.ACTIVE, full_name="PSM Sleman")
    case_for(sleman, village=SLEMAN, next_follow_up_on=days_ago(3))
    report(sleman, ReportStatus.SUBMITTED, sent_days_ago=1)
    client = client_for(jetis_supervisor)
    tasks = home_tasks(client)

    assert {k: t.count for k, t in tasks.items()} == {
        "cases_overdue": 1,
        "referrals_late": 1,
        "reports_submitted": 1,
    }
    assert_counts_match_lists(client, tasks)


# ---- PSM ---------------------------------------------------------------------------------------


def test_a_psm_sees_their_follow_ups_cases_without_steps_and_returned_reports(
    trimulyo_worker, client_for
):
    psm = build_worker(user=trimulyo_worker, status=Status.ACTIVE)
    overdue = case_for(psm, next_follow_up_on=days_ago(2))
    visit(overdue, on=days_ago(10))
    soon = case_for(psm, next_follow_up_on=TODAY + datetime.timedelta(days=6))
    visit(soon)
    case_for(psm)  # nothing recorded yet
    case_for(psm, next_follow_up_on=TODAY + datetime.timedelta(days=30))  # later, no steps
    report(psm, ReportStatus.RETURNED, on=TODAY)
    report(psm, ReportStatus.VERIFIED, on=TODAY)
    other = build_worker(status=Status.ACTIVE, full_name="PSM lain")
    case_for(other, next_follow_up_on=days_ago(2))
    client = client_for(trimulyo_worker)
    tasks = home_tasks(client)

    assert {k: t.count for k, t in tasks.items()} == {
        "cases_overdue": 1,
        "reports_returned": 1,
        "cases_due": 1,
        "cases_no_steps": 2,
    }
    assert_counts_match_lists(client, tasks)


def test_a_psm_home_sums_up_their_month_and_offers_to_record_a_visit(trimulyo_worker, client_for):
    psm = build_worker(user=trimulyo_worker, status=Status.ACTIVE)
    visit(case_for(psm), on=TODAY)
    report(psm, ReportStatus.VERIFIED, on=TODAY)
    report(psm, ReportStatus.DRAFT, on=TODAY)
    report(psm, ReportStatus.VERIFIED, on=TODAY - datetime.timedelta(days=40))  # another month
    client = client_for(trimulyo_worker)
    response = client.get("/")

    figures = {str(f.label): f for f in response.context["month"]["figures"]}
    values = [f.value for f in figures.values()]
    assert values == [1, 0, 1, 0, 1, 10]  # draft, waiting, verified, returned; steps; people
    from .home_helpers import rows_shown

    for f in figures.values():
        if f.url:
            assert rows_shown(client, f.url) == f.value, f.url
    assert [str(a.label) for a in response.context["actions"]][0] in (
        "Record a visit",
        "Catat kunjungan",
    )


# ---- juror and auditor -------------------------------------------------------------------------


def test_a_juror_sees_the_sheets_still_waiting_per_stage_with_the_deadline(
    make_user, diy_officer, bantul_officer, client_for
):
    from mitra.awards import services
    from mitra.awards.tests.builders import eligible_psm, make_cycle, nominate, score, stage

    cycle = make_cycle()
    juror = make_user(username="juri.satu", role="juror", scope_code="")
    services.assign_juror(
        stage=stage(cycle), juror=juror, region_code="34", home_region_code="3471", by=diy_officer
    )
    done, waiting, draft = (nominate(cycle, eligible_psm(), bantul_officer) for _ in range(3))
    score(done, juror, innovation=8, interview=8)
    score(draft, juror, submit=False, innovation=6)
    client = client_for(juror)
    tasks = home_tasks(client)

    (task,) = tasks.values()
    assert task.count == 2
    assert str(stage(cycle).closes_on.year) in task.note
    assert_counts_match_lists(client, tasks)
    assert "38" not in client.get("/").content.decode().split("<main")[1].split("todo-section")[0]


def test_a_juror_without_assignments_has_no_sheet_waiting(juror, client_for):
    tasks = home_tasks(client_for(juror))

    assert [(k, t.count) for k, t in tasks.items()] == [("sheets", 0)]


def test_an_auditor_sees_recent_exports_and_reads_of_pmks_records(
    auditor, bantul_officer, rf, client_for
):
    from django.contrib.contenttypes.models import ContentType

    from mitra.cases.models import Beneficiary
    from mitra.workers.models import Worker

    request = rf.get("/")
    request.user = bantul_officer
    someone = person()
    log_access(request, someone)
    log_access(request, someone)
    log_export(request, Case, 120, "3402")
    for model, days in ((Worker, 1), (Beneficiary, 9)):  # a worker's record; too long ago
        AccessLog.objects.create(
            at=timezone.now() - datetime.timedelta(days=days),
            user=bantul_officer,
            action="view",
            content_type=ContentType.objects.get_for_model(model),
            object_id="1",
            region_code="3402",
        )
    client = client_for(auditor)
    tasks = home_tasks(client)

    assert {k: t.count for k, t in tasks.items()} == {"exports": 1, "pmks_reads": 3}
    assert_counts_match_lists(client, tasks)
    assert len(client.get("/").context["recent_reads"]) == 5


# ---- queries per page --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona, most",
    [
        ("national_admin", 22),
        ("diy_officer", 22),
        ("bantul_officer", 22),
        ("jetis_supervisor", 16),
        ("trimulyo_worker", 19),
        ("juror", 10),
        ("auditor", 12),
    ],
)
def test_each_roles_home_makes_a_bounded_number_of_queries(
    persona, most, request, bantul_desk, client_for, django_assert_max_num_queries
):
    from django.contrib.contenttypes.models import ContentType

    from mitra.awards import services
    from mitra.awards.tests.builders import eligible_psm, make_cycle, nominate, stage

    # Rows behind every item, so that a query per row would show: nominations scored by the
    # juror, reads in the access log.
    officer = request.getfixturevalue("bantul_officer")
    cycle = make_cycle()
    for _ in range(3):
        nominate(cycle, eligible_psm(), officer)
    services.assign_juror(
        stage=stage(cycle),
        juror=request.getfixturevalue("juror"),
        region_code="34",
        home_region_code="3471",
        by=request.getfixturevalue("diy_officer"),
    )
    for _ in range(6):
        AccessLog.objects.create(
            user=officer,
            action="view",
            content_type=ContentType.objects.get_for_model(Case),
            object_id="1",
            region_code="3402",
        )
    user = request.getfixturevalue(persona)
    if persona == "trimulyo_worker":
        build_worker(user=user, status=Status.ACTIVE)
    client = client_for(user)
    client.get("/")  # sessions, content types and permissions cached as in a running server
    with django_assert_max_num_queries(most):
        assert client.get("/").status_code == 200
