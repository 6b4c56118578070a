"""Demo field work for DI Yogyakarta (every scale seeds DIY only): beneficiaries and their cases
with interventions and referrals, and activity reports, for the active PSM already seeded.

Proportions: PMKS categories weighted as in the field (poverty 24, disabled 9, neglected elderly 8
lead); about a fifth of open cases overdue, a quarter referred (most served); reports mostly
verified, some waiting or returned. Children are recorded with a parent's or guardian's consent.

Idempotent: a province that already has beneficiaries is skipped. Rows go in with bulk_create,
which encrypts (get_prep_value) but bypasses save(): the derived fields (name key, NIK hash and
mask, region codes, the case's next_follow_up_on) are filled here. No change history is written.
"""

from __future__ import annotations

import datetime
import random
import time

from django.db import transaction
from django.utils import timezone
from faker.providers.person.id_ID import Provider as PersonProvider

from mitra.core.models import PmksCategory
from mitra.core.scope import prefix_q
from mitra.workers.models import Status as WorkerStatus
from mitra.workers.models import Worker

from .models import (
    ActivityReport,
    ActivityType,
    Beneficiary,
    Case,
    CaseStatus,
    Intervention,
    Referral,
    ReferralStatus,
    ReportStatus,
)
from .services import fill_beneficiary_fields

PROVINCE = "34"
BATCH = 2000
CASES_PER_PSM = 3
# PMKS number -> weight; with the age band each category implies.
CATEGORIES = {24: 30, 9: 14, 8: 14, 23: 6, 2: 4, 5: 4, 19: 4, 25: 4, 21: 4, 1: 2, 6: 2, 17: 2,
              16: 1, 15: 1, 12: 1, 11: 1, 13: 1, 3: 1, 4: 1, 7: 1, 18: 1, 20: 1, 22: 1}  # fmt: skip
CHILD_CATEGORIES = {1, 2, 3, 4, 5, 6, 7}
STATUSES = {
    CaseStatus.IDENTIFIED: 12,
    CaseStatus.ASSESSED: 15,
    CaseStatus.ASSISTING: 30,
    CaseStatus.REFERRED: 18,
    CaseStatus.CLOSED: 25,
}
REPORT_STATUS = {
    ReportStatus.VERIFIED: 75,
    ReportStatus.SUBMITTED: 12,
    ReportStatus.RETURNED: 5,
    ReportStatus.DRAFT: 8,
}
PROGRAMMES = {"pkh": 30, "sembako": 25, "pbi_jk": 20, "health": 10, "lks": 5, "rehab": 5, "ppa": 5}
NOTES = ["Kunjungan rumah, kondisi keluarga dicatat", "Pendampingan pengurusan KIS",
         "Asesmen kebutuhan bersama perangkat desa", "Tindak lanjut bantuan sembako",
         "Koordinasi dengan puskesmas"]  # fmt: skip
REPORT_TEXT = {
    ActivityType.OUTREACH: "Penjangkauan warga rentan di dusun",
    ActivityType.DISASTER: "Pendataan warga terdampak banjir",
    ActivityType.MEETING: "Rapat koordinasi PSM tingkat desa",
    ActivityType.SOCIALISATION: "Sosialisasi program PKH dan BPNT",
    ActivityType.DTSEN: "Validasi data DTSEN bersama operator desa",
    ActivityType.OTHER: "Kegiatan sosial kemasyarakatan",
}


def _weighted(rng, table):
    return rng.choices(list(table), weights=list(table.values()))[0]


def _days(n):
    return datetime.timedelta(days=n)


def seed_cases(scale: str = "demo", stdout=None) -> int:
    """Seed DIY's field work; returns how many cases were written (0 when already seeded)."""
    if Beneficiary.objects.filter(prefix_q("region_code", PROVINCE)).exists():
        if stdout:
            stdout.write(f"Cases: province {PROVINCE} already has beneficiaries, skipped.")
        return 0
    started = time.monotonic()
    rng = random.Random(34_2027)
    today = timezone.localdate()
    workers = list(
        Worker.objects.filter(prefix_q("region_code", PROVINCE), status=WorkerStatus.ACTIVE)
        .order_by("region_code", "pk")
        .only("pk", "village_id", "user_id")
    )
    categories = {c.number: c for c in PmksCategory.objects.all()}
    people, cases, interventions, referrals, reports = [], [], [], [], []
    person_cats, case_cats = [], []
    serials: dict[str, int] = {}
    for worker in workers:
        count = CASES_PER_PSM + (3 if worker.user_id else rng.randint(-1, 1))
        for _ in range(count):
            number = _weighted(rng, CATEGORIES)
            child = number in CHILD_CATEGORIES
            if child:
                age = rng.randint(1 if number == 1 else 5, 17)
            elif number == 8:
                age = rng.randint(60, 92)
            else:
                age = rng.randint(19, 80)
            sex = "P" if rng.random() < 0.55 else "L"
            birth = today - _days(int(age * 365.25) + rng.randrange(300))
            name = (
                f"{rng.choice(PersonProvider.first_names_female if sex == 'P' else PersonProvider.first_names_male)} "
                f"{rng.choice(PersonProvider.last_names_female if sex == 'P' else PersonProvider.last_names_male)}"
            )
            nik = ""
            if rng.random() < 0.8:
                stem = f"{worker.village_id[:6]}{birth.day + (40 if sex == 'P' else 0):02d}{birth:%m%y}"
                serials[stem] = serials.get(stem, 0) + 1
                nik = f"{stem}{serials[stem]:04d}"
            opened = today - _days(rng.randint(5, 540))
            relation = rng.choice(["parent", "guardian"]) if child else "self"
            b = Beneficiary(
                full_name=name,
                nik=nik,
                sex=sex,
                birth_date=birth if nik or rng.random() < 0.5 else None,
                estimated_age=age,
                village_id=worker.village_id,
                address=f"RT {rng.randint(1, 12):02d}/RW {rng.randint(1, 8):02d}",
                disability_type="Disabilitas fisik" if number in (5, 9) else "",
                health_notes="Hipertensi" if number == 8 and rng.random() < 0.4 else "",
                violence_details="Kekerasan dalam rumah tangga" if number in (6, 19) else "",
                consent_by=f"Orang tua dari {name}" if child else name,
                consent_relation=relation,
                consent_on=opened,
                consent_method=_weighted(rng, {"written": 50, "thumbprint": 20, "verbal": 30}),
                created_at=_at(opened),
            )
            fill_beneficiary_fields(b)
            people.append(b)
            person_cats.append((b, number))
            status = _weighted(rng, STATUSES)
            c = Case(
                beneficiary=b,
                worker_id=worker.pk,
                status=status,
                priority=_weighted(rng, {"low": 15, "normal": 60, "high": 20, "urgent": 5}),
                opened_on=opened,
                region_code=b.region_code,
                created_at=_at(opened),
            )
            if status == CaseStatus.CLOSED:
                c.closed_on = min(today, opened + _days(rng.randint(20, 200)))
                c.closure_reason = _weighted(
                    rng, {"resolved": 60, "referral_accepted": 25, "moved": 8, "died": 7}
                )
            cases.append(c)
            case_cats.append((c, number))
            # Interventions: identification, then visits every few weeks up to today.
            day, visits = opened, []
            for k in range(rng.randint(1, 7)):
                if day > today:
                    break
                kind = "identification" if k == 0 else rng.choice(
                    ["home_visit", "assessment", "assistance", "follow_up"]
                )  # fmt: skip
                visits.append(
                    Intervention(
                        case=c,
                        kind=kind,
                        on=day,
                        notes=rng.choice(NOTES),
                        worker_id=worker.pk,
                        region_code=c.region_code,
                        follow_up_done=True,
                        created_at=_at(day),
                    )
                )
                day += _days(rng.randint(14, 60))
            if status == CaseStatus.IDENTIFIED:
                # Any later step would have moved the case on (services.add_intervention).
                visits = visits[:1]
            last = visits[-1]
            if status != CaseStatus.CLOSED:
                # The last visit sets the next follow-up: ~20% overdue, the rest in the coming weeks.
                if rng.random() < 0.2:
                    nxt = today - _days(rng.randint(1, 30))
                else:
                    nxt = today + _days(rng.randint(0, 45))
                last.next_follow_up_on = max(nxt, last.on)
                last.follow_up_done = False
                c.next_follow_up_on = last.next_follow_up_on
            interventions.extend(visits)
            if status == CaseStatus.REFERRED or (
                status == CaseStatus.CLOSED and c.closure_reason == "referral_accepted"
            ):
                sent = min(today, opened + _days(rng.randint(7, 60)))
                outcome = _weighted(rng, {"served": 60, "accepted": 20, "sent": 15, "rejected": 5})
                referrals.append(
                    Referral(
                        case=c,
                        programme=_weighted(rng, PROGRAMMES),
                        sent_on=sent,
                        status=outcome,
                        outcome_on=None
                        if outcome == ReferralStatus.SENT
                        else min(today, sent + _days(rng.randint(3, 30))),
                        region_code=c.region_code,
                        created_at=_at(sent),
                    )
                )
        for _ in range(rng.randint(2, 6)):
            on = today - _days(rng.randint(0, 300))
            status = _weighted(rng, REPORT_STATUS)
            kind = _weighted(rng, dict.fromkeys(ActivityType.values, 1))
            r = ActivityReport(
                worker_id=worker.pk,
                on=on,
                village_id=worker.village_id,
                region_code=worker.village_id,
                activity_type=kind,
                description=REPORT_TEXT[ActivityType(kind)],
                status=status,
                created_at=_at(on),
                **{
                    f: rng.randint(0, 15)
                    for f in (
                        "reached_children_m",
                        "reached_children_f",
                        "reached_adults_m",
                        "reached_adults_f",
                        "reached_elderly_m",
                        "reached_elderly_f",
                    )
                },
            )
            if status != ReportStatus.DRAFT:
                r.submitted_at = _at(min(today, on + _days(1)))
            if status == ReportStatus.VERIFIED:
                r.verified_at = _at(min(today, on + _days(5)))
            if status == ReportStatus.RETURNED:
                r.return_reason = "Jumlah warga yang dijangkau belum dirinci"
            reports.append(r)
    with transaction.atomic():
        Beneficiary.objects.bulk_create(people, batch_size=BATCH)
        Beneficiary.categories.through.objects.bulk_create(
            [
                Beneficiary.categories.through(
                    beneficiary_id=b.pk, pmkscategory_id=categories[n].pk
                )
                for b, n in person_cats
            ],
            batch_size=BATCH,
        )
        Case.objects.bulk_create(cases, batch_size=BATCH)
        Case.categories.through.objects.bulk_create(
            [
                Case.categories.through(case_id=c.pk, pmkscategory_id=categories[n].pk)
                for c, n in case_cats
            ],
            batch_size=BATCH,
        )
        Intervention.objects.bulk_create(interventions, batch_size=BATCH)
        Referral.objects.bulk_create(referrals, batch_size=BATCH)
        ActivityReport.objects.bulk_create(reports, batch_size=BATCH)
    if stdout:
        stdout.write(
            f"Cases: {len(people):,} beneficiaries, {len(cases):,} cases, "
            f"{len(interventions):,} interventions, {len(referrals):,} referrals, "
            f"{len(reports):,} activity reports in {time.monotonic() - started:.1f} s"
        )
    return len(cases)


def _at(day: datetime.date) -> datetime.datetime:
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))
    return min(moment, timezone.now())
