"""Business-valid bodies for every API write: with the objects of `_objects(code)` (test_matrix_routes)
in the URL, each body is one the operation ACCEPTS (2xx) for an allowed caller, not merely one its
schema parses. Check 3 of the trust issue sends them with extra fields (must be refused) and alone
(must be accepted, then rolled back); the access matrix can send them for its allowed callers.

    objects = _objects(BANTUL)
    users = extra_objects(objects)      # the juror, the report author, ... (and their url values)
    bodies = business_bodies(objects)   # "POST /api/v1/workers/" -> {...}

Each body is built from the stored rows at build time (versions are read from the database, so a
body still fits when an operation starts to require the version it was read at).
"""

import datetime

from django.utils import timezone

from mitra.accounts.tests.factories import UserFactory
from mitra.core.tests import test_access as access

# Callers that are not just "a role with a scope": they need rows of their own.
JUROR = "assigned juror"  # a juror assigned to a Sleman nomination, their sheet filled in
AUTHOR = "report author"  # a Bantul PSM with a user account and a draft activity report
PUBLISHER = "publishing officer"  # the officer of a regency whose ranking is scored, unpublished
APPELLANT_REGION = "3403"  # Gunungkidul: its ranking is appealed (the appeal to decide)
PUBLISH_REGION = "3401"  # Kulon Progo: every sheet submitted, the ranking not yet published
OPEN_BATCH = "open batch"  # `_objects`' batch is running: nominations are closed
APPEAL = "pending appeal"  # `_objects` has no appeal (the policy's kind is "absent")

# op -> the key of `objects` whose url values go in the URL instead of the kind its route policy
# names (the policy's object would refuse the write for a business reason).
URL_OBJECTS = {
    "POST /api/v1/training/batches/{batch_id}/enrolments": OPEN_BATCH,
    "POST /api/v1/cases/reports/{report_id}/submit": AUTHOR,
    "PUT /api/v1/awards/nominations/{nomination_id}/scores": JUROR,
    "POST /api/v1/awards/nominations/{nomination_id}/scores/submit": JUROR,
    "POST /api/v1/awards/stages/{stage_id}/publish": PUBLISHER,
    "POST /api/v1/awards/appeals/{appeal_id}/decision": APPEAL,
}


def _code(objects) -> str:
    return objects["region"][0]["code"]


def _village_of(code: str) -> str:
    from mitra.regions.models import Village

    return (
        access._VILLAGE_IN.get(code)
        or (
            Village.objects.filter(code__startswith=code)
            .order_by("code")
            .values_list("code", flat=True)[0]
        )
    )


def _today():
    return timezone.localdate()


def _days_ago(n: int) -> str:
    return (_today() - datetime.timedelta(days=n)).isoformat()


def _scored_nomination(code: str, *, juror_home: str):
    """A nomination of the regency `code` whose only juror submitted the sheet."""
    from mitra.awards import services as award_services
    from mitra.awards.models import AwardCycle
    from mitra.awards.tests.builders import eligible_psm, make_cycle, nominate, score

    cycle = AwardCycle.objects.filter(year=2026).first() or make_cycle(2026)
    officer = UserFactory(role="regency_officer", scope_code=code)
    nomination = nominate(cycle, eligible_psm(village=_village_of(code)), officer)
    juror = UserFactory(role="juror", scope_code="")
    award_services.assign_juror(
        stage=nomination.stage,
        juror=juror,
        region_code=code,
        home_region_code=juror_home,
        by=officer,
    )
    score(nomination, juror, innovation=8, interview=7)
    return nomination, officer


def _pending_appeal():
    """An appeal waiting against Gunungkidul's ranking (built once per database): decided above
    the regency, and not against Bantul's ranking, which must stay open to a new appeal."""
    from mitra.awards import services as award_services
    from mitra.awards.models import Appeal, AppealStatus

    appeal = Appeal.objects.filter(
        ranking__region_code=APPELLANT_REGION, status=AppealStatus.PENDING
    ).first()
    if appeal is None:
        appealed, officer = _scored_nomination(APPELLANT_REGION, juror_home="3471")
        ranking = award_services.publish_ranking(appealed.stage, APPELLANT_REGION, officer)
        appeal = award_services.file_appeal(ranking, appealed, officer, "Nilai belum lengkap")
    return appeal


def _publishable():
    """The stage of Kulon Progo's scored, unpublished ranking (built once per database), and an
    officer of Kulon Progo: only the officer whose scope is the ranking's region publishes it."""
    from mitra.awards.models import Nomination

    ready = Nomination.objects.filter(region_code__startswith=PUBLISH_REGION).first()
    if ready is None:
        ready, _officer = _scored_nomination(PUBLISH_REGION, juror_home="3471")
    return ready.stage_id, UserFactory(role="regency_officer", scope_code=PUBLISH_REGION)


def extra_objects(objects) -> dict:
    """The rows some writes need beyond `_objects`, and the users who act on them (persona key ->
    user); each persona's url values are added to `objects` under its key."""
    from mitra.awards import services as award_services
    from mitra.awards.tests.builders import score
    from mitra.cases.models import ActivityReport, Referral
    from mitra.workers.tests.builders import build_worker

    code = _code(objects)
    # Bantul's ranking is published (frozen), so the juror scores a Sleman nomination; the sheet
    # is filled in (not submitted), so that saving marks and submitting are both valid.
    nomination = access._award_nomination_in(access.SLEMAN)
    juror = UserFactory(role="juror", scope_code="")
    award_services.assign_juror(
        stage=nomination.stage,
        juror=juror,
        region_code=access.SLEMAN,
        home_region_code="3471",
        by=UserFactory(role="regency_officer", scope_code=access.SLEMAN),
    )
    score(nomination, juror, submit=False, innovation=8, interview=7)
    objects[JUROR] = ({"nomination_id": nomination.pk, "juror_pk": juror.pk}, access.SLEMAN)

    objects[APPEAL] = ({"appeal_id": _pending_appeal().pk}, APPELLANT_REGION)
    stage_id, publisher = _publishable()
    objects[PUBLISHER] = ({"stage_id": stage_id}, PUBLISH_REGION)

    psm = UserFactory(role="worker", scope_code=_village_of(code))
    worker = build_worker(
        village=_village_of(code), full_name="PSM Penulis", status="active", user=psm
    )
    draft = ActivityReport.objects.create(
        worker=worker,
        village=worker.village,
        on=_today() - datetime.timedelta(days=2),
        activity_type="outreach",
        description="Penyuluhan lansia",
        reached_adults_f=3,
    )
    objects[AUTHOR] = ({"report_id": draft.pk}, worker.region_code)

    enrolment = objects["enrolment"][0]
    objects[OPEN_BATCH] = ({"batch_id": enrolment["pk"]}, code)

    if "referral" not in objects:  # the matrix's _objects may build it already
        case_id = objects["case"][0]["case_id"]
        referral = Referral.objects.create(case_id=case_id, programme="pkh", sent_on=_today())
        objects["referral"] = ({"case_id": case_id, "referral_id": referral.pk}, code)
    return {JUROR: juror, PUBLISHER: publisher, AUTHOR: psm}


def _declared(key: str) -> set[str]:
    from mitra.api.api import api

    method, path = key.split(" ", 1)
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    operation = schema["paths"][path][method.lower()]
    content = operation.get("requestBody", {}).get("content", {})
    body = content.get("application/json", {}).get("schema", {})
    ref = body.get("$ref", "").rsplit("/", 1)[-1]
    return set(schema.get("components", {}).get("schemas", {}).get(ref, body).get("properties", {}))


def _versioned(bodies: dict, key: str, obj) -> None:
    """Add the row's current version when the operation's body declares one."""
    obj.refresh_from_db()
    if "version" in _declared(key):
        bodies[key]["version"] = obj.version


def business_bodies(objects) -> dict[str, dict]:
    """op key -> a body the operation accepts with `objects`' rows in its URL."""
    from mitra.awards.models import Appeal, AwardCycle, Nomination, ScoreSheet
    from mitra.cases.models import ActivityReport, Beneficiary, Case
    from mitra.events.models import Invitation, Registration
    from mitra.regions.models import Village
    from mitra.training.models import Enrolment
    from mitra.workers.models import Worker
    from mitra.workers.tests.builders import build_worker
    from mitra.workers.tests.factories import nik_for

    if JUROR not in objects:
        extra_objects(objects)
    code = _code(objects)
    village = _village_of(code)
    worker = Worker.objects.get(pk=objects["worker"][0]["worker_id"])
    other_village = (
        Village.objects.filter(code__startswith=code)
        .exclude(code=worker.village_id)
        .order_by("code")
        .values_list("code", flat=True)[0]
    )
    enrolment = Enrolment.objects.get(pk=objects["enrolment"][0]["enrolment_id"])
    case = Case.objects.get(pk=objects["case"][0]["case_id"])
    person = Beneficiary.objects.get(pk=objects["beneficiary"][0]["person_id"])
    report = ActivityReport.objects.get(pk=objects["report"][0]["report_id"])
    nomination = Nomination.objects.get(pk=objects["nomination"][0]["nomination_id"])
    published = Nomination.objects.get(pk=objects["published"][0]["pk"])
    ranking = published.ranking_entries.get().ranking
    sheet = ScoreSheet.objects.get(
        nomination_id=objects[JUROR][0]["nomination_id"], juror_id=objects[JUROR][0]["juror_pk"]
    )
    appeal = Appeal.objects.get(pk=objects[APPEAL][0]["appeal_id"])
    cycle = AwardCycle.objects.get(pk=objects["cycle"][0]["cycle_id"])
    invitation = Invitation.objects.get(pk=objects["invitation"][0]["invitation_id"])
    birth = datetime.date(1986, 4, 12)
    bodies = {
        "POST /api/v1/workers/": {
            "kind": "psm",
            "nik": nik_for(village[:6], "P", birth),
            "full_name": "Sri Wahyuningsih",
            "sex": "P",
            "birth_place": "Bantul",
            "birth_date": birth.isoformat(),
            "address": "Dusun Baru RT 02",
            "village": village,
            "confirm_duplicates": True,
        },
        "POST /api/v1/workers/search": {"q": "Siti", "region": code},
        "PATCH /api/v1/workers/{worker_id}": {"address": "Dusun Baru"},
        # A new applicant may leave the programme (the other steps need checks and a decree).
        "POST /api/v1/workers/{worker_id}/status": {"to": "exited", "reason": "Pindah kerja"},
        "POST /api/v1/workers/{worker_id}/decrees": {
            "number": "460/123/2026",
            "issued_on": _days_ago(3),
            "office": "Dinas Sosial",
            "activate": False,
        },
        "POST /api/v1/workers/{worker_id}/transfer": {"village": other_village, "reason": "Pindah"},
        "POST /api/v1/training/batches/{batch_id}/enrolments": {
            "worker_id": str(access._worker_in(code).pk)
        },
        "POST /api/v1/training/enrolments/{enrolment_id}/results": {
            "pre_score": 60,
            "post_score": 80,
        },
        "POST /api/v1/training/enrolments/{enrolment_id}/withdraw": {"reason": "Sakit"},
        "POST /api/v1/cases/": {
            "beneficiary": str(person.pk),
            "worker": str(case.worker_id),
            "categories": [24],
        },
        "POST /api/v1/cases/{case_id}/status": {
            "to": "closed",
            "reason": "resolved",
            "note": "Sudah mandiri",
        },
        "POST /api/v1/cases/{case_id}/interventions": {
            "kind": "home_visit",
            "on": _days_ago(1),
            "place": "Rumah",
        },
        "POST /api/v1/cases/{case_id}/referrals": {"programme": "pkh", "sent_on": _days_ago(1)},
        "POST /api/v1/cases/{case_id}/referrals/{referral_id}/outcome": {
            "status": "accepted",
            "on": _days_ago(0),
        },
        "POST /api/v1/cases/{case_id}/transfer": {
            "worker": str(
                build_worker(
                    village=case.beneficiary.village_id, full_name="PSM Pengganti", status="active"
                ).pk
            ),
            "reason": "Cuti",
        },
        "POST /api/v1/cases/reports": {
            "on": _days_ago(1),
            "activity_type": "outreach",
            "description": "Penyuluhan",
            "reached_adults_f": 4,
        },
        "POST /api/v1/cases/reports/{report_id}/submit": {},
        # The field app's batch: one activity report, written as through POST /cases/reports.
        "POST /api/v1/sync/push": {
            "entries": [
                {
                    "uuid": "6f1c1f7e-5d0a-4c39-9d53-0f3b5c2d9a11",
                    "kind": "report",
                    "data": {"on": _days_ago(1), "activity_type": "outreach", "description": "X"},
                }
            ]
        },
        "POST /api/v1/cases/reports/{report_id}/verify": {"approve": True},
        "POST /api/v1/cases/beneficiaries": {
            "full_name": "Mbah Karto",
            "sex": "L",
            "birth_date": "1940-02-03",
            "village": village,
            "address": "Dusun Lor",
            "categories": [24],
            "consent_by": "Ybs",
            "consent_relation": "self",
            "consent_on": _days_ago(5),
            "consent_method": "verbal",
        },
        # The builder's person has no PMKS category, and an edit must leave one.
        "PATCH /api/v1/cases/beneficiaries/{person_id}": {
            "address": "Dusun Baru",
            "categories": [24],
        },
        "PUT /api/v1/cases/beneficiaries/{person_id}": {
            "full_name": person.full_name,
            "sex": person.sex,
            "birth_date": person.birth_date.isoformat() if person.birth_date else None,
            "address": "Dusun Baru",
            "categories": [24],
            "consent_by": person.consent_by,
            "consent_relation": person.consent_relation,
            "consent_on": person.consent_on.isoformat(),
            "consent_method": person.consent_method,
        },
        "POST /api/v1/awards/nominations": {
            "cycle": cycle.pk,
            "worker": str(_eligible(village).pk),
            "innovation_title": "Posyandu Lansia Keliling",
            "innovation_summary": "Ringkasan",
            "innovation_text": "Uraian",
        },
        "POST /api/v1/awards/nominations/{nomination_id}/withdraw": {"reason": "Salah usul"},
        "PUT /api/v1/awards/nominations/{nomination_id}/scores": {
            "scores": {"innovation": {"value": 9}, "interview": {"value": 6}}
        },
        "POST /api/v1/awards/nominations/{nomination_id}/scores/submit": {},
        "POST /api/v1/awards/stages/{stage_id}/jury": {
            "juror": UserFactory(role="juror", scope_code="").pk,
            "region": code,
            "home_region": "3471",
        },
        "POST /api/v1/awards/stages/{stage_id}/publish": {"region": PUBLISH_REGION},
        "POST /api/v1/awards/appeals": {
            "ranking": ranking.pk,
            "nomination": str(published.pk),
            "reason": "Nilai wawancara tidak tercatat",
        },
        "POST /api/v1/awards/appeals/{appeal_id}/decision": {
            "upheld": False,
            "reason": "Nilai sudah sesuai",
        },
        "POST /api/v1/events/{event_id}/invitations": {"worker": str(access._worker_in(code).pk)},
        "POST /api/v1/events/{event_id}/invitations/from-cycle": {"cycle": cycle.pk},
        "PUT /api/v1/events/{event_id}/invitations/{invitation_id}/registration": {
            "travel_from": "Bantul",
            "arrival_on": invitation.event.starts_on.isoformat(),
            "departure_on": invitation.event.ends_on.isoformat(),
            "transport": "train",
        },
        "PUT /api/v1/events/{event_id}/invitations/{invitation_id}/attendance": {
            "present_sessions": sorted(invitation.event.sessions.values_list("pk", flat=True))
        },
        **_venture_bodies(objects),
    }
    for key, obj in [
        ("PATCH /api/v1/workers/{worker_id}", worker),
        ("POST /api/v1/workers/{worker_id}/status", worker),
        ("POST /api/v1/workers/{worker_id}/transfer", worker),
        ("POST /api/v1/training/enrolments/{enrolment_id}/results", enrolment),
        ("POST /api/v1/cases/{case_id}/status", case),
        ("POST /api/v1/cases/reports/{report_id}/verify", report),
        ("PATCH /api/v1/cases/beneficiaries/{person_id}", person),
        ("PUT /api/v1/cases/beneficiaries/{person_id}", person),
        ("POST /api/v1/awards/nominations/{nomination_id}/withdraw", nomination),
        ("PUT /api/v1/awards/nominations/{nomination_id}/scores", sheet),
        ("POST /api/v1/awards/nominations/{nomination_id}/scores/submit", sheet),
        ("POST /api/v1/awards/appeals/{appeal_id}/decision", appeal),
        ("PATCH /api/v1/ventures/{venture_id}", _venture_of(objects)),
        (
            "PUT /api/v1/events/{event_id}/invitations/{invitation_id}/registration",
            Registration.objects.get(invitation=invitation),
        ),
    ]:
        _versioned(bodies, key, obj)
    return bodies


def _venture_of(objects):
    from mitra.ventures.models import Venture

    return Venture.objects.get(pk=objects["venture"][0]["venture_id"])


def _venture_bodies(objects) -> dict[str, dict]:
    from mitra.ventures.tests.builders import national_kind

    worker = _venture_of(objects).worker
    return {
        "POST /api/v1/ventures/": {
            "name": "Warung Berkah",
            "worker": str(worker.pk),
            "kind": national_kind().pk,
            "status": "planned",
        },
        "PATCH /api/v1/ventures/{venture_id}": {"description": "Etalase baru"},
        "POST /api/v1/ventures/{venture_id}/supports": {
            "kind": "capital",
            "source": "kemensos",
            "programme": "PENA",
            "amount": 5000000,
            "received_on": "2025-01-10",
        },
        "POST /api/v1/ventures/{venture_id}/results": {
            "period_kind": "quarter",
            "period_start": "2025-01-01",
            "turnover": 3000000,
            "income_band": "2",
            "people_working": 1,
        },
    }


def _eligible(village: str):
    from mitra.awards.tests.builders import eligible_psm

    return eligible_psm(village=village)
