"""The award pages: the home, cycle set-up, nominating with eligibility and the evidence sheet,
the jury's pages (a juror opens only assigned nominations; a submitted sheet stays as it was),
rankings (published only by the responsible officer), appeals, the library and the public page."""

import datetime

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mitra.awards import services
from mitra.awards.models import (
    Appeal,
    AwardCycle,
    Criterion,
    JuryAssignment,
    Level,
    Nomination,
    NominationFile,
    ScoreSheet,
)
from mitra.testing_files import pdf_bytes, png_bytes
from mitra.workers.models import Status

from .builders import (
    SLEMAN_VILLAGE,
    TODAY,
    eligible_psm,
    make_cycle,
    nominate,
    score,
    stage,
)

pytestmark = pytest.mark.django_db

PNG = png_bytes()
PDF = pdf_bytes()


def english(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def text(response) -> str:
    return response.content.decode()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploaded portfolio files go to a temporary folder, not the installation's media."""
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def cycle():
    return make_cycle()


@pytest.fixture
def bantul_nomination(cycle, bantul_officer):
    return nominate(cycle, eligible_psm(full_name="Sri Wahyuni"), bantul_officer)


def _assign(cycle, juror, officer, region="3402", home="3471", level=Level.REGENCY):
    return services.assign_juror(
        stage=stage(cycle, level),
        juror=juror,
        region_code=region,
        home_region_code=home,
        by=officer,
    )


# ---- home --------------------------------------------------------------------------------------


def test_the_home_shows_each_stage_and_what_the_officer_can_do_now(cycle, bantul_officer, client):
    response = english(client, bantul_officer).get(reverse("awards:index"))
    assert response.status_code == 200
    page = text(response)
    assert cycle.title in page
    assert reverse("awards:nominate", args=[cycle.pk]) in page  # the regency stage is open
    assert "Regency/city stage" in page and "National stage" in page


def test_a_juror_sees_their_candidates_to_score_on_the_home(
    cycle, bantul_nomination, juror, bantul_officer, client
):
    _assign(cycle, juror, bantul_officer)
    page = text(english(client, juror).get(reverse("awards:index")))
    assert reverse("awards:jury_queue") in page
    assert reverse("awards:nominate", args=[cycle.pk]) not in page


# ---- cycle set-up ------------------------------------------------------------------------------


def _cycle_post(**overrides):
    data = {
        "year": "2027",
        "title": "PSM Berprestasi 2027",
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        "min_tenure_years": "2",
        "exclusion_years": "3",
        "description": "",
    }
    for i, level in enumerate(["regency", "province", "national"]):
        start = TODAY + datetime.timedelta(days=40 * i)
        data[f"{level}-opens_on"] = start.isoformat()
        data[f"{level}-closes_on"] = (start + datetime.timedelta(days=30)).isoformat()
        data[f"{level}-advance_count"] = "3" if level == "national" else "1"
        data[f"{level}-appeal_days"] = "7"
    data["national-honourable_mentions"] = "2"
    data.update(overrides)
    return data


def test_the_national_admin_creates_a_cycle_with_three_stages_and_starting_criteria(
    national_admin, client
):
    response = english(client, national_admin).post(reverse("awards:cycle_create"), _cycle_post())
    created = AwardCycle.objects.get(year=2027)
    assert response.status_code == 302
    assert sorted(created.stages.values_list("level", flat=True)) == [
        "national",
        "province",
        "regency",
    ]
    for s in created.stages.all():
        assert sum(c.weight for c in s.criteria.all()) == 100


def test_only_the_national_admin_sets_up_cycles(cycle, bantul_officer, diy_officer, client):
    for user in (bantul_officer, diy_officer):
        c = english(client, user)
        assert c.get(reverse("awards:cycle_create")).status_code == 403
        assert c.get(reverse("awards:criteria", args=[stage(cycle).pk])).status_code == 403


def _criteria_post(stage_, weights):
    data = {
        "crit-TOTAL_FORMS": str(len(weights)),
        "crit-INITIAL_FORMS": "0",
        "crit-MIN_NUM_FORMS": "0",
        "crit-MAX_NUM_FORMS": "20",
    }
    for i, w in enumerate(weights):
        data.update(
            {
                f"crit-{i}-label": f"Kriteria {i}",
                f"crit-{i}-weight": str(w),
                f"crit-{i}-source": "juror",
                f"crit-{i}-metric": "",
                f"crit-{i}-scale_min": "1",
                f"crit-{i}-scale_max": "10",
                f"crit-{i}-rubric": "1 buruk, 10 sangat baik",
            }
        )
    return data


def test_weights_that_do_not_add_up_to_100_are_refused_with_a_clear_message(national_admin, client):
    cycle = make_cycle(criteria=[])
    regency = stage(cycle)
    c = english(client, national_admin)
    response = c.post(
        reverse("awards:criteria", args=[regency.pk]), _criteria_post(regency, [60, 30])
    )
    assert response.status_code == 200
    assert "The weights add up to 90; they must add up to exactly 100." in text(response)
    assert not regency.criteria.exists()
    response = c.post(
        reverse("awards:criteria", args=[regency.pk]), _criteria_post(regency, [60, 40])
    )
    assert response.status_code == 302
    assert sorted(regency.criteria.values_list("weight", flat=True)) == [40, 60]


def test_criteria_cannot_change_once_jurors_have_marked(
    cycle, bantul_nomination, juror, bantul_officer, national_admin, client
):
    _assign(cycle, juror, bantul_officer)
    score(bantul_nomination, juror, submit=False, innovation=7, interview=6)
    regency = stage(cycle)
    before = list(Criterion.objects.filter(stage=regency).values_list("key", "weight"))
    c = english(client, national_admin)
    c.post(reverse("awards:criteria", args=[regency.pk]), _criteria_post(regency, [50, 50]))
    assert list(Criterion.objects.filter(stage=regency).values_list("key", "weight")) == before


# ---- nominating --------------------------------------------------------------------------------


def test_the_picker_lists_eligible_workers_and_the_reasons_of_the_others(
    cycle, bantul_officer, client
):
    ready = eligible_psm(full_name="Ani Siap")
    eligible_psm(full_name="Budi Nonaktif", status=Status.INACTIVE)
    eligible_psm(full_name="Citra Sleman", village=SLEMAN_VILLAGE)
    response = english(client, bantul_officer).get(reverse("awards:nominate", args=[cycle.pk]))
    assert [w.pk for w in response.context["eligible"]] == [ready.pk]
    ineligible = {w.full_name: w.reasons for w in response.context["ineligible"]}
    assert set(ineligible) == {"Budi Nonaktif"}
    assert ineligible["Budi Nonaktif"]
    assert "Citra Sleman" not in text(response)


def test_an_officer_nominates_with_a_portfolio_after_seeing_the_evidence_sheet(
    cycle, bantul_officer, client
):
    worker = eligible_psm(full_name="Sri Wahyuni")
    c = english(client, bantul_officer)
    url = reverse("awards:nominate", args=[cycle.pk])
    form_page = c.get(url, {"worker": str(worker.pk)})
    assert "Evidence sheet" in text(form_page)
    assert form_page.context["evidence"]["headline"]
    response = c.post(
        url,
        {
            "worker": str(worker.pk),
            "innovation_title": "Bank Sampah Lansia",
            "innovation_summary": "Tabungan sampah untuk lansia.",
            "innovation_text": "Uraian.",
            "documents": [SimpleUploadedFile("proposal.pdf", PDF)],
            "photos": [SimpleUploadedFile("foto.png", PNG)],
        },
    )
    nomination = Nomination.objects.get(worker=worker)
    assert response.status_code == 302
    assert response["Location"] == reverse("awards:nomination_detail", args=[nomination.pk])
    kinds = sorted(
        NominationFile.objects.filter(nomination=nomination).values_list("kind", flat=True)
    )
    assert kinds == ["document", "photo"]


def test_a_file_that_is_not_what_it_claims_is_refused_and_nothing_is_saved(
    cycle, bantul_officer, client
):
    worker = eligible_psm()
    response = english(client, bantul_officer).post(
        reverse("awards:nominate", args=[cycle.pk]),
        {
            "worker": str(worker.pk),
            "innovation_title": "X",
            "innovation_summary": "Y",
            "innovation_text": "Z",
            "photos": [SimpleUploadedFile("foto.png", b"MZ not an image")],
        },
    )
    assert response.status_code == 200
    assert "This file is not a real JPEG/PNG file." in text(response)
    assert not Nomination.objects.filter(worker=worker).exists()


def test_an_officer_cannot_nominate_a_worker_outside_their_area(cycle, bantul_officer, client):
    sleman = eligible_psm(village=SLEMAN_VILLAGE)
    response = english(client, bantul_officer).get(
        reverse("awards:nominate", args=[cycle.pk]), {"worker": str(sleman.pk)}
    )
    assert response.status_code == 404


def test_nominating_needs_the_permission(cycle, juror, jetis_supervisor, client):
    for user in (juror, jetis_supervisor):
        assert (
            english(client, user).get(reverse("awards:nominate", args=[cycle.pk])).status_code
            == 403
        )


def test_the_nomination_list_and_page_are_scoped(
    cycle, bantul_nomination, sleman_officer, bantul_officer, client
):
    sleman_nom = nominate(cycle, eligible_psm(village=SLEMAN_VILLAGE), sleman_officer)
    c = english(client, bantul_officer)
    listed = c.get(reverse("awards:stage_nominations", args=[stage(cycle).pk]))
    assert [n.pk for n in listed.context["object_list"]] == [bantul_nomination.pk]
    assert (
        c.get(reverse("awards:nomination_detail", args=[bantul_nomination.pk])).status_code == 200
    )
    assert c.get(reverse("awards:nomination_detail", args=[sleman_nom.pk])).status_code == 404


# ---- jury --------------------------------------------------------------------------------------


def test_an_officer_can_only_choose_rankings_of_their_own_area(
    cycle, juror, bantul_officer, diy_officer, client
):
    url = reverse("awards:jury", args=[stage(cycle).pk])
    bantul = english(client, bantul_officer).get(url)
    assert [c for c, _label in bantul.context["form"].fields["region_code"].choices] == ["3402"]
    response = english(client, bantul_officer).post(
        url, {"juror": juror.pk, "region_code": "3404", "home_region_code": "3471"}
    )
    assert response.status_code == 200 and response.context["form"].errors["region_code"]
    assert not JuryAssignment.objects.exists()
    diy = english(client, diy_officer).get(url)
    assert {c for c, _label in diy.context["form"].fields["region_code"].choices} == {
        "3401",
        "3402",
        "3403",
        "3404",
        "3471",
    }


def test_a_juror_from_the_regency_they_would_score_is_refused_as_a_conflict_of_interest(
    cycle, juror, bantul_officer, client
):
    response = english(client, bantul_officer).post(
        reverse("awards:jury", args=[stage(cycle).pk]),
        {"juror": juror.pk, "region_code": "3402", "home_region_code": "3402"},
    )
    assert response.status_code == 200
    assert "Conflict of interest: this juror is from Kabupaten Bantul (34.02)" in text(response)
    assert not JuryAssignment.objects.exists()


def test_an_officer_assigns_a_juror_for_their_regency(cycle, juror, bantul_officer, client):
    response = english(client, bantul_officer).post(
        reverse("awards:jury", args=[stage(cycle).pk]),
        {"juror": juror.pk, "region_code": "3402", "home_region_code": "3471"},
    )
    assert response.status_code == 302
    assignment = JuryAssignment.objects.get()
    assert (assignment.region_code, assignment.home_region_code) == ("3402", "3471")


def test_a_juror_opens_only_assigned_nominations(
    cycle, bantul_nomination, juror, sleman_officer, bantul_officer, client
):
    sleman_nom = nominate(cycle, eligible_psm(village=SLEMAN_VILLAGE), sleman_officer)
    _assign(cycle, juror, bantul_officer)
    c = english(client, juror)
    queue = c.get(reverse("awards:jury_queue"))
    assert [n.pk for _s, noms in queue.context["groups"] for n in noms] == [bantul_nomination.pk]
    assert c.get(reverse("awards:score", args=[bantul_nomination.pk])).status_code == 200
    assert c.get(reverse("awards:score", args=[sleman_nom.pk])).status_code == 404
    assert c.post(reverse("awards:score", args=[sleman_nom.pk]), {}).status_code == 404
    assert not ScoreSheet.objects.filter(nomination=sleman_nom).exists()


def test_a_juror_never_opens_a_candidate_from_their_home_regency(
    cycle, bantul_nomination, juror, diy_officer, client
):
    _assign(cycle, juror, diy_officer, region="34", home="3402")
    assert (
        english(client, juror).get(reverse("awards:score", args=[bantul_nomination.pk])).status_code
        == 404
    )


def test_a_juror_saves_a_draft_then_submits_and_the_sheet_locks(
    cycle, bantul_nomination, juror, bantul_officer, client
):
    _assign(cycle, juror, bantul_officer)
    c = english(client, juror)
    url = reverse("awards:score", args=[bantul_nomination.pk])
    c.post(url, {"action": "save", "value_innovation": "8", "comment_innovation": "Bagus"})
    sheet = ScoreSheet.objects.get(nomination=bantul_nomination, juror=juror)
    assert not sheet.is_locked
    # Submitting with a criterion unmarked is refused, with the reason.
    refused = c.post(
        url,
        {"action": "submit", "understood": "on", "value_innovation": "8", "version": sheet.version},
    )
    assert refused.status_code == 200 and "Give a mark for every criterion" in text(refused)
    sheet.refresh_from_db()
    c.post(
        url,
        {
            "action": "submit",
            "understood": "on",
            "value_innovation": "8",
            "value_interview": "7.5",
            "version": sheet.version,
        },
    )
    sheet.refresh_from_db()
    assert sheet.is_locked
    page = text(c.get(url))
    assert "Submitted and locked." in page and 'name="value_innovation"' not in page


def test_submit_and_lock_needs_the_ticked_box_and_sits_apart_from_save(
    cycle, bantul_nomination, juror, bantul_officer, client
):
    _assign(cycle, juror, bantul_officer)
    c = english(client, juror)
    url = reverse("awards:score", args=[bantul_nomination.pk])
    marks = {"value_innovation": "8", "value_interview": "7.5"}
    refused = c.post(url, {"action": "submit", **marks})
    assert "Tick the box to confirm: this cannot be undone." in text(refused)
    assert not ScoreSheet.objects.filter(nomination=bantul_nomination, juror=juror).exists()
    assert 'value="7.5"' in text(refused)  # the marks stay on the page
    page = text(c.get(url))
    actions = page[page.index('<div class="form-actions">') :]
    actions = actions[: actions.index("</div>")]
    assert 'value="save"' in actions and 'value="submit"' not in actions
    zone = page[page.index('<fieldset class="confirm-zone">') :]
    assert 'value="submit"' in zone[: zone.index("</fieldset>")]


def test_a_locked_sheet_cannot_be_changed_through_the_form(
    cycle, bantul_nomination, juror, bantul_officer, client
):
    _assign(cycle, juror, bantul_officer)
    sheet = score(bantul_nomination, juror, innovation=8, interview=7)
    c = english(client, juror)
    response = c.post(
        reverse("awards:score", args=[bantul_nomination.pk]),
        {
            "action": "save",
            "value_innovation": "2",
            "value_interview": "2",
            "version": sheet.version,
        },
        follow=True,
    )
    assert "locked" in text(response)
    marks = dict(sheet.scores.values_list("criterion__key", "value"))
    assert marks == {"innovation": 8, "interview": 7}


def test_officers_do_not_score(cycle, bantul_nomination, bantul_officer, client):
    c = english(client, bantul_officer)
    assert c.get(reverse("awards:jury_queue")).status_code == 403
    assert c.get(reverse("awards:score", args=[bantul_nomination.pk])).status_code == 403


# ---- ranking, publishing, appeals ----------------------------------------------------------------


@pytest.fixture
def scored(cycle, juror, bantul_officer):
    first = nominate(cycle, eligible_psm(full_name="Ani Juara"), bantul_officer)
    second = nominate(cycle, eligible_psm(full_name="Budi Kedua"), bantul_officer)
    _assign(cycle, juror, bantul_officer)
    score(first, juror, innovation=9, interview=9)
    score(second, juror, innovation=5, interview=4)
    return first, second


def test_the_ranking_shows_the_method_and_each_total_traced_to_its_parts(
    cycle, scored, bantul_officer, client
):
    url = reverse("awards:ranking", args=[stage(cycle).pk, "3402"])
    response = english(client, bantul_officer).get(url)
    assert response.status_code == 200
    page = text(response)
    assert "How the ranking is computed" in page and "Ties are broken" in page
    first = response.context["entries"][0]
    assert first.nomination == scored[0]
    assert {p["key"] for p in first.parts} >= {"innovation", "interview", "activities"}
    assert "Open the evidence sheet" in page


def test_only_the_responsible_officer_publishes(
    cycle, scored, bantul_officer, diy_officer, sleman_officer, client
):
    regency = stage(cycle)
    url = reverse("awards:publish", args=[regency.pk, "3402"])
    assert english(client, diy_officer).post(url).status_code == 403
    assert english(client, sleman_officer).post(url).status_code == 404
    assert services.current_ranking(regency, "3402") is None
    c = english(client, bantul_officer)
    confirm = c.get(url)
    assert "Publishing cannot be undone." in text(confirm)
    unticked = c.post(url)
    assert "Tick the box to confirm: this cannot be undone." in text(unticked)
    assert services.current_ranking(regency, "3402") is None
    response = c.post(url, {"understood": "on"}, follow=True)
    assert services.current_ranking(regency, "3402") is not None
    assert "Going on to the province stage: Ani Juara." in text(response)
    assert Nomination.objects.filter(
        stage=stage(cycle, Level.PROVINCE), worker=scored[0].worker
    ).exists()


def test_an_appeal_is_filed_by_the_nominees_officer_and_decided_above(
    cycle, scored, bantul_officer, diy_officer, client
):
    regency = stage(cycle)
    services.publish_ranking(regency, "3402", bantul_officer)
    second = scored[1]
    c = english(client, bantul_officer)
    appeal_url = reverse("awards:appeal_file", args=[second.pk])
    assert appeal_url in text(c.get(reverse("awards:index")))  # the home offers the appeal
    response = c.post(
        reverse("awards:appeal_file", args=[second.pk]), {"reason": "Laporan Maret belum dihitung."}
    )
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert appeal_url not in text(c.get(reverse("awards:index")))  # one waiting appeal is enough
    ranking_page = text(c.get(reverse("awards:ranking", args=[regency.pk, "3402"])))
    assert "Laporan Maret belum dihitung." in ranking_page
    # The nominee's own officer does not decide; the province officer does.
    assert c.get(reverse("awards:appeal_decide", args=[appeal.pk])).status_code == 403
    d = english(client, diy_officer)
    d.post(
        reverse("awards:appeal_decide", args=[appeal.pk]),
        {"upheld": "0", "reason": "Laporan itu di luar periode.", "version": appeal.version},
    )
    appeal.refresh_from_db()
    assert appeal.status == "rejected"


# ---- library and public page ---------------------------------------------------------------------


def test_the_public_results_page_needs_no_login_and_shows_no_sensitive_data(
    cycle, bantul_officer, client
):
    winner = nominate(cycle, eligible_psm(full_name="Sri Teladan"), bantul_officer)
    response = client.get(reverse("awards:public_results", args=[cycle.year]))
    assert response.status_code == 200
    page = text(response)
    assert winner.worker.nik_masked not in page
    assert client.get(reverse("awards:public_results", args=[1990])).status_code == 404


def test_the_library_needs_a_login(client, regions):
    response = client.get(reverse("awards:library"))
    assert response.status_code == 302


def test_portfolio_files_are_served_only_through_a_visible_nomination(
    cycle, bantul_nomination, sleman_officer, bantul_officer, client
):
    own = services.add_nomination_file(
        bantul_nomination,
        bantul_officer,
        title="Foto",
        file=SimpleUploadedFile("a.png", PNG),
        kind="photo",
    )
    sleman_nom = nominate(cycle, eligible_psm(village=SLEMAN_VILLAGE), sleman_officer)
    other = services.add_nomination_file(
        sleman_nom,
        sleman_officer,
        title="Foto",
        file=SimpleUploadedFile("b.png", PNG),
        kind="photo",
    )
    c = english(client, bantul_officer)
    response = c.get(reverse("awards:nomination_file", args=[bantul_nomination.pk, own.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert (
        c.get(reverse("awards:nomination_file", args=[sleman_nom.pk, other.pk])).status_code == 404
    )
    # A file id taken from another nomination does not open through one's own.
    assert (
        c.get(reverse("awards:nomination_file", args=[bantul_nomination.pk, other.pk])).status_code
        == 404
    )
