"""Appeals: filed by the nominee's officer within the window, decided by the level above; an
upheld appeal republishes the ranking as a new revision and corrects who advances."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from mitra.awards import services
from mitra.awards.models import AppealStatus, Level, Nomination, NominationStatus, Ranking
from mitra.cases.models import ActivityReport, ReportStatus

from .builders import eligible_psm, make_cycle, nominate, score, stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(make_user, diy_officer, bantul_officer):
    """Bantul's ranking: A leads on the jury's marks; B's five activity reports were still
    waiting for verification when the ranking was published."""
    cycle = make_cycle()
    juror = make_user(username="juri.satu", role="juror", scope_code="")
    services.assign_juror(
        stage=stage(cycle),
        juror=juror,
        region_code="34",
        home_region_code="3471",
        by=diy_officer,
    )
    a = nominate(cycle, eligible_psm(), bantul_officer)
    b = nominate(cycle, eligible_psm(), bantul_officer)
    for _ in range(5):
        ActivityReport.objects.create(
            worker=b.worker,
            on=datetime.date(2025, 5, 2),
            village=b.worker.village,
            activity_type="outreach",
            description="Pendataan DTSEN",
            status=ReportStatus.SUBMITTED,
        )
    score(a, juror, innovation=8, interview=8)
    score(b, juror, innovation=7, interview=7)
    ranking = services.publish_ranking(stage(cycle), "3402", bantul_officer)
    return cycle, ranking, a, b


def test_the_nominees_officer_appeals_within_the_window(published, bantul_officer, sleman_officer):
    _cycle, ranking, _a, b = published
    with pytest.raises(PermissionDenied):
        services.file_appeal(ranking, b, sleman_officer, "Bukan wilayah saya")
    with pytest.raises(ValidationError):
        services.file_appeal(ranking, b, bantul_officer, "  ")
    appeal = services.file_appeal(ranking, b, bantul_officer, "Laporan belum diverifikasi TKSK")
    assert appeal.status == AppealStatus.PENDING and appeal.region_code == b.region_code
    with pytest.raises(ValidationError):
        services.file_appeal(ranking, b, bantul_officer, "Kedua kalinya")
    ranking.published_at -= datetime.timedelta(days=ranking.stage.appeal_days + 1)
    ranking.save()
    with pytest.raises(ValidationError):
        services.file_appeal(ranking, b, bantul_officer, "Terlambat")


def test_a_rejected_appeal_changes_nothing_but_is_recorded(published, bantul_officer, diy_officer):
    _cycle, ranking, a, b = published
    appeal = services.file_appeal(ranking, b, bantul_officer, "Nilai wawancara terlalu rendah")
    with pytest.raises(PermissionDenied):  # the publisher does not judge their own ranking
        services.decide_appeal(appeal, bantul_officer, upheld=False, reason="x")
    services.decide_appeal(
        appeal, diy_officer, upheld=False, reason="Penilaian juri sesuai rubrik", version=1
    )
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.REJECTED and appeal.decided_by == diy_officer
    assert appeal.decision_reason == "Penilaian juri sesuai rubrik" and appeal.new_ranking is None
    assert Ranking.objects.filter(stage=ranking.stage).count() == 1
    with pytest.raises(ValidationError):
        services.decide_appeal(appeal, diy_officer, upheld=True, reason="Berubah pikiran")


def test_an_upheld_appeal_republishes_with_history_and_corrects_advancement(
    published, bantul_officer, diy_officer
):
    cycle, ranking, a, b = published
    province = stage(cycle, Level.PROVINCE)
    assert Nomination.objects.get(stage=province).worker == a.worker
    appeal = services.file_appeal(ranking, b, bantul_officer, "Laporan belum diverifikasi TKSK")
    # The supervisor verifies the reports; the appeal is upheld.
    ActivityReport.objects.filter(worker=b.worker).update(status=ReportStatus.VERIFIED)
    services.decide_appeal(appeal, diy_officer, upheld=True, reason="Laporan sah, terlambat")
    appeal.refresh_from_db()
    history = list(services.ranking_history(ranking.stage, "3402"))
    assert [r.revision for r in history] == [2, 1]
    assert history[1].superseded_at is not None and history[0].superseded_at is None
    assert appeal.new_ranking == history[0]
    assert "Laporan sah" in history[0].reason
    old = {e.nomination_id: e.rank for e in history[1].entries.all()}
    new = {e.nomination_id: e.rank for e in history[0].entries.all()}
    assert old == {a.pk: 1, b.pk: 2} and new == {b.pk: 1, a.pk: 2}
    a.refresh_from_db()
    b.refresh_from_db()
    assert b.status == NominationStatus.ADVANCED and b.evidence["verified_activities"] == 5
    assert a.status == NominationStatus.ELIMINATED
    carried = {n.worker_id: n.status for n in Nomination.objects.filter(stage=province)}
    assert carried == {
        a.worker_id: NominationStatus.WITHDRAWN,
        b.worker_id: NominationStatus.NOMINATED,
    }
    # Only the current revision can be appealed.
    with pytest.raises(ValidationError):
        services.file_appeal(history[1], a, bantul_officer, "Revisi lama")
