"""Demo awards: the PSM Berprestasi cycles of past years with their published results, and this
year's cycle open at the regency stage.

Past cycles (2016 to last year): one winner per province at the province stage (DI Yogyakarta,
whose workers the demo seeds, has three candidates there), the national stage with ranks I-III and
three honourable mentions. The 2017 national winner is a PSM of Trimulyo, Kabupaten Bantul (hence
the Temu Nasional 2018 there); DI Yogyakarta's 2018 winner is the demo login psm.trimulyo, so that
login finds their Temu Nasional invitation. Provinces without seeded workers get made-up PSM,
generated like the workers demo's. Historical marks are made up by three unnamed jurors (no score
sheets: the rankings say they come from the paper archive).

This year's cycle: open at the regency stage, nominations in Bantul, Sleman and Kota Yogyakarta made
through the services (eligibility checked), a jury of three covering DI Yogyakarta: the demo login
juri.demo (home: Kota Yogyakarta, so its candidate is not theirs to score), juri.dua and juri.tiga,
who have submitted their sheets; juri.demo has submitted some and has the rest to do.

Idempotent: nothing is done when the current year's cycle exists.
"""

from __future__ import annotations

import datetime
import random
import time
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from mitra.core.categories import WorkerKind
from mitra.core.current import acting_as
from mitra.core.models import PmksCategory
from mitra.core.scope import prefix_q
from mitra.regions.models import Province, Village
from mitra.workers.models import Status, Worker

from . import services
from .evidence import evidence_for_workers
from .models import (
    Award,
    AwardCycle,
    Criterion,
    Level,
    Metric,
    Nomination,
    NominationStatus,
    Ranking,
    RankingEntry,
    Source,
    Stage,
)
from .ranking import Mark, method_text, score_group

FIRST_YEAR = 2016
TRIMULYO = "3402092004"
DIY = "34"
DEMO_PSM = "psm.trimulyo"
CRITERIA = [
    ("tenure", "Masa pengabdian", 10, Source.COMPUTED, Metric.TENURE_YEARS),
    ("activities", "Kegiatan terverifikasi", 15, Source.COMPUTED, Metric.VERIFIED_ACTIVITIES),
    ("reached", "Warga terjangkau", 10, Source.COMPUTED, Metric.PEOPLE_REACHED),
    ("resolved", "Kasus tuntas", 15, Source.COMPUTED, Metric.CASES_RESOLVED),
    ("training", "Pelatihan diikuti", 10, Source.COMPUTED, Metric.TRAININGS_COMPLETED),
    ("innovation", "Inovasi dan dampaknya", 20, Source.JUROR, ""),
    ("testimony", "Testimoni masyarakat", 10, Source.JUROR, ""),
    ("interview", "Wawancara dan presentasi", 10, Source.JUROR, ""),
]
RUBRIC = {
    "innovation": "1-3: kegiatan rutin; 4-6: ada pembaruan kecil; 7-8: inovasi nyata dengan "
    "hasil terukur; 9-10: inovasi yang ditiru desa lain.",
    "testimony": "Kesaksian warga, perangkat desa dan TKSK tentang kehadiran dan manfaat PSM.",
    "interview": "Pemahaman tugas PSM, kesejahteraan sosial dan kemampuan menyampaikan.",
}
INNOVATIONS = [
    ("Bank Sampah Peduli Lansia", "Hasil bank sampah membiayai makan bergizi lansia telantar."),
    ("Posyandu Disabilitas Keliling", "Layanan kesehatan bulanan ke rumah penyandang disabilitas."),
    ("Kebun Gizi Keluarga Miskin", "Pekarangan warga miskin ditanami sayur untuk gizi anak."),
    ("Kelas Literasi Anak Jalanan", "Belajar membaca sore hari di balai dusun."),
    ("Jimpitan Beras Desa", "Beras sejumput tiap rumah untuk warga yang kehabisan pangan."),
    ("Rumah Singgah Korban KDRT", "Tempat aman sementara dan pendampingan ke UPTD PPA."),
    ("Validasi DTSEN Gotong Royong", "Kader dusun memutakhirkan data kesejahteraan bersama."),
    ("Ojek Sehat Lansia", "Antar-jemput lansia ke puskesmas dengan relawan."),
]


def _stages(cycle: AwardCycle, spans: dict, archive: bool = False) -> dict:
    stages = {}
    for level, (opens, closes) in spans.items():
        stage = Stage.objects.create(
            cycle=cycle,
            level=level,
            opens_on=opens,
            closes_on=closes,
            advance_count=3 if level == Level.NATIONAL else 1,
            honourable_mentions=3 if level == Level.NATIONAL else 0,
            appeal_days=7,
        )
        Criterion.objects.bulk_create(
            Criterion(
                stage=stage,
                key=key,
                label=label,
                weight=Decimal(weight),
                source=source,
                metric=metric,
                rubric=RUBRIC.get(key, ""),
                position=i,
            )
            for i, (key, label, weight, source, metric) in enumerate(CRITERIA)
            if not archive or source == Source.JUROR
        )
        stages[level] = stage
    return stages


def _story(rng, name: str) -> tuple[str, str, str]:
    title, summary = rng.choice(INNOVATIONS)
    text = (
        f"{summary} Dimulai oleh {name} bersama warga dan perangkat desa, kegiatan ini berjalan "
        "rutin, dicatat dalam laporan kegiatan yang diverifikasi TKSK, dan kini didukung dana desa."
    )
    return title, summary, text


class _Winners:
    """A different active PSM per province and year, drawn once for all the past cycles; where a
    province has too few seeded workers the rest are made up (one generator per province)."""

    def __init__(self, rng: random.Random, today: datetime.date, reserved: set):
        self.rng, self.today = rng, today
        self.pool: dict[str, list[Worker]] = {}
        self.reserved = reserved

    def prepare(self, need: dict[str, int]) -> None:
        from mitra.workers.demo import _People, _Writer

        seeded = Worker.objects.filter(
            kind=WorkerKind.PSM,
            status=Status.ACTIVE,
            merged_into__isnull=True,
            user__isnull=True,
        ).exclude(pk__in=self.reserved)
        numbers = None
        for province, count in need.items():
            ids = list(
                seeded.filter(prefix_q("region_code", province))
                .order_by("pk")
                .values_list("pk", flat=True)[: count * 4]
            )
            self.rng.shuffle(ids)
            workers = list(Worker.objects.filter(pk__in=ids[:count]).order_by("pk"))
            if len(workers) < count:
                people = _People(
                    random.Random(f"mitra-demo-awards-{province}"),
                    self.today,
                    province,  # noqa: S311
                )
                if numbers is None:
                    numbers = set(PmksCategory.objects.values_list("number", flat=True))
                writer = _Writer(people, numbers)
                villages = list(
                    Village.objects.filter(prefix_q("code", province))
                    .order_by("code")
                    .values_list("code", "kind")[:300]
                )
                for _ in range(count - len(workers)):
                    code, kind = self.rng.choice(villages)
                    workers.append(writer.add(people.worker(code, kind, status=Status.ACTIVE)))
                writer.flush()
            self.rng.shuffle(workers)
            self.pool[province] = workers

    def take(self, province: str, count: int) -> list[Worker]:
        pool = self.pool[province]
        return [pool.pop() for _ in range(min(count, len(pool)))]


def _nomination(cycle, stage, worker, rng, previous=None, **fields) -> Nomination:
    title, summary, text = (
        (previous.innovation_title, previous.innovation_summary, previous.innovation_text)
        if previous
        else _story(rng, worker.full_name)
    )
    return Nomination(
        cycle=cycle, stage=stage, worker=worker, region_code=worker.region_code,
        previous=previous, nominated_at=timezone.make_aware(
            datetime.datetime.combine(stage.opens_on, datetime.time(9))
        ),
        innovation_title=title, innovation_summary=summary, innovation_text=text, **fields,
    )  # fmt: skip


def _rank_archive(stage, criteria, nominations, rng, top=None):
    """Rank historical candidates on made-up marks of three archive jurors (the paper era had no
    Mitra data, so the past stages have jury criteria only)."""
    marks = []
    for nom in nominations:
        for juror in range(1, 4):
            for c in criteria:
                value = 10.0 if nom.pk == top else float(rng.randint(5, 9))
                marks.append(Mark(nom.pk, -juror, f"Juri arsip {juror}", c.key, value))
    entries = score_group(criteria, nominations, {}, marks)
    national = stage.level == Level.NATIONAL
    for e in entries:
        nom = e.nomination
        nom.rank = e.rank
        if national:
            if e.rank <= 3:
                nom.award = [Award.FIRST, Award.SECOND, Award.THIRD][e.rank - 1]
            elif e.rank <= 6:
                nom.award = Award.HONOURABLE
            nom.status = NominationStatus.WINNER if nom.award else NominationStatus.ELIMINATED
        else:
            e.advanced = e.rank == 1
            nom.status = NominationStatus.ADVANCED if e.advanced else NominationStatus.ELIMINATED
        e.award = nom.award
    return entries


def _past_cycle(year: int, winners: _Winners, rng, forced: dict) -> int:
    cycle = AwardCycle.objects.create(
        year=year,
        title=f"PSM Berprestasi {year}",
        period_start=datetime.date(year - 1, 1, 1),
        period_end=datetime.date(year - 1, 12, 31),
        description="Penghargaan tahunan bagi Pekerja Sosial Masyarakat teladan.",
    )
    stages = _stages(cycle, {
        Level.REGENCY: (datetime.date(year, 3, 1), datetime.date(year, 4, 15)),
        Level.PROVINCE: (datetime.date(year, 5, 1), datetime.date(year, 6, 15)),
        Level.NATIONAL: (datetime.date(year, 7, 1), datetime.date(year, 8, 10)),
    }, archive=True)  # fmt: skip
    published = {}
    for level, stage in stages.items():
        published[level] = timezone.make_aware(
            datetime.datetime.combine(stage.closes_on, datetime.time(10))
        )
        stage.published_at = published[level]
    Stage.objects.bulk_update(stages.values(), ["published_at"])
    province_stage, national_stage = stages[Level.PROVINCE], stages[Level.NATIONAL]
    criteria = list(province_stage.criteria.all())
    groups = {}
    for province in Province.objects.order_by("code").values_list("code", flat=True):
        people = winners.take(province, 3 if province == DIY else 1)
        if province == DIY and forced.get(year):
            people = [forced[year], *[p for p in people if p.pk != forced[year].pk][:2]]
        groups[province] = [_nomination(cycle, province_stage, w, rng) for w in people]
    everyone = [n for noms in groups.values() for n in noms]
    sheets = evidence_for_workers([n.worker_id for n in everyone], cycle.period_start,
                                  cycle.period_end)  # fmt: skip
    for nom in everyone:
        nom.evidence = sheets.get(nom.worker_id, {})
        nom.evidence_frozen_at = published[Level.PROVINCE]
    ranked = {}
    for province, noms in groups.items():
        top = noms[0].pk if province == DIY and forced.get(year) else None
        ranked[province] = _rank_archive(province_stage, criteria, noms, rng, top=top)
    finalists = []
    for entries in ranked.values():
        winner = entries[0].nomination
        carried = _nomination(cycle, national_stage, winner.worker, rng, previous=winner)
        carried.evidence, carried.evidence_frozen_at = winner.evidence, published[Level.NATIONAL]
        finalists.append(carried)
    top = next((f.pk for f in finalists if year == 2017 and f.region_code.startswith("3402")), None)
    ranked[""] = _rank_archive(
        national_stage, list(national_stage.criteria.all()), finalists, rng, top=top
    )
    Nomination.objects.bulk_create(everyone + finalists, batch_size=500)
    rankings = Ranking.objects.bulk_create(
        Ranking(
            stage=national_stage if group == "" else province_stage, region_code=group,
            method=method_text(), published_at=published[Level.NATIONAL if group == "" else
            Level.PROVINCE], reason="Hasil dari arsip penilaian (kertas)",
        )
        for group in ranked
    )  # fmt: skip
    RankingEntry.objects.bulk_create(
        [
            RankingEntry(
                ranking=ranking, nomination=e.nomination, rank=e.rank, total=e.total,
                juror_total=e.juror_total, computed_total=e.computed_total,
                components=e.components, advanced=e.advanced, award=e.award,
                region_code=e.nomination.region_code,
            )
            for ranking, entries in zip(rankings, ranked.values(), strict=True)
            for e in entries
        ],
        batch_size=500,
    )  # fmt: skip
    return len(everyone) + len(finalists)


def _current_cycle(today: datetime.date, rng, officers: dict, jurors: list) -> int:
    year = today.year
    opens = today - datetime.timedelta(days=20)
    cycle = AwardCycle.objects.create(
        year=year,
        title=f"PSM Berprestasi {year}",
        period_start=opens - datetime.timedelta(days=365),
        period_end=opens - datetime.timedelta(1),
        description="Seleksi tahun berjalan: tahap kabupaten/kota sedang dibuka.",
    )
    stages = _stages(cycle, {
        Level.REGENCY: (opens, today + datetime.timedelta(days=25)),
        Level.PROVINCE: (today + datetime.timedelta(days=30), today + datetime.timedelta(days=60)),
        Level.NATIONAL: (today + datetime.timedelta(days=65), today + datetime.timedelta(days=95)),
    })  # fmt: skip
    regency = stages[Level.REGENCY]
    nominations = []
    for code, count in (("3402", 4), ("3404", 3), ("3471", 1)):
        officer = officers.get(code)
        if officer is None:
            continue
        candidates = list(
            services.eligible_workers(cycle, officer).exclude(user__isnull=False)[:40]
        )
        for worker in rng.sample(candidates, min(count, len(candidates))):
            title, summary, text = _story(rng, worker.full_name)
            with acting_as(officer):
                nominations.append(
                    services.nominate(
                        cycle=cycle,
                        worker=worker,
                        by=officer,
                        innovation_title=title,
                        innovation_summary=summary,
                        innovation_text=text,
                        testimony="Warga merasakan langsung manfaat pendampingannya.",
                    )
                )
    diy = officers.get(DIY)
    homes = ["3471", "3403", "3401"]
    for juror, home in zip(jurors, homes, strict=False):
        services.assign_juror(
            stage=regency, juror=juror, region_code=DIY, home_region_code=home, by=diy
        )
    keys = [c.key for c in regency.criteria.filter(source=Source.JUROR)]
    for j, juror in enumerate(jurors):
        for n, nom in enumerate(services.nominations_for_juror(juror, regency)):
            if j == 0 and n % 2:  # the demo juror still has work to do
                continue
            with acting_as(juror):
                sheet = services.sheet_for(nom, juror)
                marks = {
                    k: {"value": rng.randint(5, 10), "comment": "Sesuai rubrik."} for k in keys
                }
                services.save_scores(sheet, juror, marks)
                if not (j == 0 and n == 2):
                    services.submit_sheet(sheet, juror)
    return len(nominations)


def seed_awards(scale: str = "demo", stdout=None) -> int:
    """Seed the past cycles and this year's; returns how many nominations were made."""
    from mitra.accounts.models import User
    from mitra.accounts.roles import Role

    today = timezone.localdate()
    if AwardCycle.objects.filter(year=today.year).exists():
        if stdout:
            stdout.write(f"Awards: the {today.year} cycle exists already, skipped.")
        return 0
    if not Province.objects.exists():
        return 0
    started = time.monotonic()
    rng = random.Random("mitra-demo-awards")  # noqa: S311
    forced = {}
    # The 2017 national winner: a PSM of Trimulyo (or else of Bantul), kept out of other years.
    bantul = Worker.objects.filter(
        prefix_q("region_code", "3402"),
        status=Status.ACTIVE,
        kind=WorkerKind.PSM,
        user__isnull=True,
        merged_into__isnull=True,
    ).order_by("pk")
    winner_2017 = bantul.filter(village_id=TRIMULYO).first() or bantul.first()
    if winner_2017 is not None:
        forced[2017] = winner_2017
    persona = Worker.objects.filter(user__username=DEMO_PSM).first()
    if persona is not None:
        forced[2018] = persona
    total = 0
    years = range(FIRST_YEAR, today.year)
    winners = _Winners(rng, today, {w.pk for w in forced.values()})
    with transaction.atomic():
        winners.prepare(
            {
                code: len(years) * (3 if code == DIY else 1)
                for code in Province.objects.order_by("code").values_list("code", flat=True)
            }
        )
        for year in years:
            total += _past_cycle(year, winners, rng, forced)
        officers = {
            u.scope_code: u
            for u in User.objects.filter(
                role__in=[Role.REGENCY_OFFICER, Role.PROVINCE_OFFICER], scope_code__in=["3402",
                "3404", "3471", DIY], is_active=True,
            ).order_by("pk")
        }  # fmt: skip
        # The jury of the current cycle: the demo jurors (accounts.demo).
        jurors = list(
            User.objects.filter(
                username__in=["juri.demo", "juri.dua", "juri.tiga"], role=Role.JUROR
            ).order_by("username")
        )
        if DIY in officers and Village.objects.filter(code=TRIMULYO).exists():
            total += _current_cycle(today, rng, officers, jurors)
    if stdout:
        stdout.write(
            f"Awards: {today.year - FIRST_YEAR} past cycles with winners and the {today.year} "
            f"cycle ({total:,} nominations), {time.monotonic() - started:.1f} s"
        )
    return total
