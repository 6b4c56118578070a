"""Demo events: the Temu Nasional PSM Berprestasi 2018 at the village hall of Trimulyo
(34.02.09.2004), Bantul, hosted there because the 2017 national winner came from Bantul.

Invitees: one PSM per province (all 38). They are the provincial winners of the 2018 award cycle
when the awards demo published them; a province without a winner gets its first active PSM (by
name), and a province without any worker at this scale (the demo scale seeds DI Yogyakarta only)
gets one made-up PSM, generated like the workers demo's. Everyone registers except two who
decline; attendance is drawn per session (seeded, so every run gives the same), and the
participants who attended enough get their certificates.

Idempotent: the event is made once (found again by name and year). The dates and the agenda are
made up; the demo banner says so.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from mitra.core.current import acting_as
from mitra.core.scope import prefix_q
from mitra.regions.models import Province, Village
from mitra.workers.models import Status, Worker

from . import services
from .models import (
    Attendance,
    Event,
    EventSession,
    EventStatus,
    Invitation,
    InvitationSource,
    InvitationStatus,
    Material,
    Registration,
    Speaker,
)

NAME = "Temu Nasional PSM Berprestasi 2018"
HOST = "3402092004"
DEMO_PSM = "psm.trimulyo"
STARTS = datetime.date(2018, 10, 23)

# (day, start, end, title, room, speakers [(name, role, organisation)], material link)
AGENDA = [
    (0, "13.00", "15.00", "Registrasi peserta dan pembagian kamar", "Pendopo Balai Desa", [], ""),
    (0, "19.00", "21.30", "Pembukaan Temu Nasional PSM Berprestasi 2018", "Aula Balai Desa",
     [("Dra. Sri Wahyuningsih, M.Si.", "Direktur Jenderal Pemberdayaan Sosial", "Kementerian Sosial RI"),
      ("H. Suharsono", "Bupati", "Pemerintah Kabupaten Bantul")], ""),
    (1, "08.00", "10.00", "Kebijakan pemberdayaan PSM dan pilar sosial", "Aula Balai Desa",
     [("Ir. Bambang Setiawan, M.Si.", "Direktur PSKS", "Kementerian Sosial RI")],
     "https://kemensos.go.id/"),
    (1, "10.15", "12.00", "Dari Trimulyo untuk Indonesia: kisah PSM teladan nasional 2017",
     "Aula Balai Desa",
     [("Sumarni", "PSM Teladan Nasional 2017", "IPSM Kabupaten Bantul"),
      ("Drs. Agus Riyanto", "Kepala Dinas Sosial", "Dinas Sosial Kabupaten Bantul")], ""),
    (1, "13.00", "16.00", "Kunjungan lapangan: layanan lansia dan disabilitas di Trimulyo",
     "Dusun Kembangsongo", [("Tim PSM Desa Trimulyo", "Pendamping", "IPSM Desa Trimulyo")], ""),
    (1, "19.30", "21.30", "Malam budaya dan pameran inovasi PSM", "Lapangan Desa Trimulyo", [], ""),
    (2, "08.00", "11.00", "Berbagi praktik baik: panel PSM berprestasi antarwilayah",
     "Aula Balai Desa",
     [("Dr. Rina Kusumawati", "Moderator", "Universitas Gadjah Mada")],
     "https://www.youtube.com/"),
    (2, "11.15", "12.30", "Rencana tindak lanjut dan deklarasi IPSM", "Aula Balai Desa",
     [("H. Ahmad Fauzi", "Ketua Umum", "IPSM Pusat")], ""),
    (2, "13.30", "15.00", "Penutupan dan penyerahan sertifikat", "Aula Balai Desa",
     [("Dra. Sri Wahyuningsih, M.Si.", "Direktur Jenderal Pemberdayaan Sosial", "Kementerian Sosial RI")], ""),
]  # fmt: skip

# Java and Bali travel overland; the others fly (Bantul's own come by motorbike).
OVERLAND = {"31", "32", "33", "35", "36", "51"}


def _aware(day: datetime.date, hhmm: str) -> datetime.datetime:
    hour, minute = (int(x) for x in hhmm.split("."))
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _award_winners() -> dict[str, Worker]:
    """Province code -> the 2018 provincial winner, when the awards demo made them."""
    try:
        from mitra.awards.models import AwardCycle
        from mitra.awards.services_results import provincial_winners
    except ImportError:
        return {}
    cycle = AwardCycle.objects.filter(year=2018).first()
    if cycle is None:
        return {}
    try:
        winners = list(provincial_winners(cycle).select_related("worker"))
    except NotImplementedError:
        return {}
    return {n.region_code[:2]: n.worker for n in winners}


def _made_up_psm(province: str, today: datetime.date) -> Worker:
    """One active PSM in the province's first village, generated like the workers demo's."""
    from mitra.workers.demo import _People

    village = Village.objects.filter(prefix_q("code", province)).order_by("code").first()
    people = _People(random.Random(f"mitra-demo-events-{province}"), today, province)  # noqa: S311
    worker, *_rest = people.worker(village.code, village.kind, status=Status.ACTIVE)
    worker.save()
    return worker


def invitees(today: datetime.date) -> list[tuple[Worker, bool]]:
    """One PSM per province: (worker, is an award winner)."""
    winners = _award_winners()
    chosen = []
    for province in Province.objects.order_by("code").values_list("code", flat=True):
        if province in winners:
            chosen.append((winners[province], True))
            continue
        candidates = Worker.objects.filter(
            prefix_q("region_code", province), status=Status.ACTIVE, kind="psm"
        ).filter(merged_into__isnull=True)
        # The host province sends the demo PSM persona, so its login finds the invitation.
        worker = (
            candidates.filter(user__username=DEMO_PSM).first()
            or candidates.order_by("full_name", "pk").first()
        )
        chosen.append((worker or _made_up_psm(province, today), False))
    return chosen


def seed_events(scale: str = "demo", stdout=None) -> int:
    """Seed the Temu Nasional 2018; returns how many invitations were made."""
    from mitra.accounts.models import User

    if Event.objects.filter(name=NAME, year=2018).exists():
        if stdout:
            stdout.write("Events: the Temu Nasional 2018 exists already, skipped.")
        return 0
    admin = User.objects.filter(role="national_admin").order_by("pk").first()
    rng = random.Random("mitra-demo-events-2018")  # noqa: S311
    today = timezone.localdate()
    with acting_as(admin), transaction.atomic():
        event = Event.objects.create(
            name=NAME,
            kind="temu_nasional",
            year=2018,
            organiser="Kementerian Sosial RI",
            region_code="",
            host_village=Village.objects.get(code=HOST),
            venue="Balai Desa Trimulyo",
            starts_on=STARTS,
            ends_on=STARTS + datetime.timedelta(days=2),
            description=(
                "Pertemuan nasional PSM terbaik dari setiap provinsi sebagai penghargaan dan "
                "ajang saling belajar. Diselenggarakan di Desa Trimulyo, Kecamatan Jetis, "
                "Kabupaten Bantul, kampung halaman PSM Teladan Nasional 2017."
            ),
            status=EventStatus.CLOSED,
            attendance_min=50,
            signer_name="Dra. Sri Wahyuningsih, M.Si.",
            signer_title="Direktur Jenderal Pemberdayaan Sosial",
        )
        sessions = []
        for day, start, end, title, room, speakers, link in AGENDA:
            on = STARTS + datetime.timedelta(days=day)
            session = EventSession.objects.create(
                event=event,
                title=title,
                starts_at=_aware(on, start),
                ends_at=_aware(on, end),
                room=room,
            )
            Speaker.objects.bulk_create(
                Speaker(session=session, name=n, role=r, organisation=o, position=i)
                for i, (n, r, o) in enumerate(speakers)
            )
            if link:
                Material.objects.create(session=session, title="Bahan paparan", url=link)
            sessions.append(session)

        people = invitees(today)
        # Two decline; never the demo persona, whose login shows a registered invitation.
        others = [w.pk for w, _winner in people if w.user_id is None]
        declining = set(rng.sample(others, 2))
        invitations = []
        for worker, winner in people:
            status = (
                InvitationStatus.DECLINED if worker.pk in declining else InvitationStatus.ACCEPTED
            )
            invitations.append(
                Invitation.objects.create(
                    event=event,
                    worker=worker,
                    source=InvitationSource.AWARD_WINNER if winner else InvitationSource.MANUAL,
                    invited_by=admin,
                    status=status,
                    note="Berhalangan karena tugas desa" if status == "declined" else "",
                )
            )
        for invitation in invitations:
            if invitation.status != InvitationStatus.ACCEPTED:
                continue
            province = invitation.region_code[:2]
            far = province not in OVERLAND and province != "34"
            Registration.objects.create(
                invitation=invitation,
                travel_from=invitation.worker.village.district.regency.name,
                arrival_on=event.starts_on - datetime.timedelta(days=1 if far else 0),
                departure_on=event.ends_on + datetime.timedelta(days=1 if far else 0),
                transport="plane" if far else ("motorbike" if province == "34" else "bus"),
                lodging_needed=province != "34",
                dietary_needs=rng.choice(["", "", "", "vegetarian", "tanpa makanan laut"]),
                accessibility_needs=rng.choice(["", "", "", "", "", "kursi roda"]),
                registered_by=admin,
            )
            for session in sessions:
                Attendance.objects.create(
                    invitation=invitation,
                    session=session,
                    present=rng.random() < 0.9,
                    recorded_by=admin,
                )
        issued = 0
        for invitation in invitations:
            if invitation.status == InvitationStatus.ACCEPTED and services.earns_certificate(
                invitation
            ):
                services.issue_certificate(invitation, on=event.ends_on)
                issued += 1
        upcoming = _upcoming_bantul_event(admin, today)
    if stdout:
        stdout.write(f"Events: {NAME}: {len(invitations)} invitations, {issued} certificates.")
        stdout.write(f"Events: {upcoming[0].event if upcoming else ''}: {len(upcoming)} invited.")
    return len(invitations) + len(upcoming)


def _upcoming_bantul_event(admin, today: datetime.date) -> list[Invitation]:
    """A regency gathering a month ahead, open for registration, to which the Trimulyo PSM and
    other Bantul PSM are invited (the self-service registration of the demo)."""
    starts = today + datetime.timedelta(days=30)
    event = Event.objects.create(
        name=f"Temu PSM Kabupaten Bantul {starts.year}",
        kind="other",
        year=starts.year,
        organiser="Dinas Sosial Kabupaten Bantul",
        region_code="3402",
        host_village=Village.objects.get(code=HOST),
        venue="Balai Desa Trimulyo",
        starts_on=starts,
        ends_on=starts + datetime.timedelta(days=1),
        description="Pertemuan tahunan PSM se-Kabupaten Bantul: evaluasi, berbagi praktik baik "
        "dan persiapan seleksi PSM Berprestasi.",
        status=EventStatus.OPEN,
        signer_name="Drs. Agus Riyanto",
        signer_title="Kepala Dinas Sosial Kabupaten Bantul",
    )
    for day, start, end, title in (
        (0, "08.00", "10.00", "Pembukaan dan evaluasi program PSM"),
        (0, "10.30", "12.00", "Berbagi praktik baik antarkecamatan"),
        (1, "08.00", "11.00", "Persiapan seleksi PSM Berprestasi"),
    ):
        on = starts + datetime.timedelta(days=day)
        EventSession.objects.create(
            event=event, title=title, starts_at=_aware(on, start), ends_at=_aware(on, end)
        )
    active = Worker.objects.filter(
        prefix_q("region_code", "3402"), status=Status.ACTIVE, kind="psm"
    )
    persona = list(active.filter(user__username=DEMO_PSM))
    others = list(active.exclude(user__username=DEMO_PSM).order_by("full_name", "pk")[:11])
    return [
        Invitation.objects.create(event=event, worker=w, invited_by=admin) for w in persona + others
    ]
