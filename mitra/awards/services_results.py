"""What other parts of Mitra read from the award: winners for the events app, the good-practice
library and the public results page. Only published results appear here: `Nomination.rank` and
`award` are set from a current published ranking and cleared when it is superseded."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.db.models import OuterRef, Q, Subquery

from mitra.regions.models import Province, Regency

from .models import Award, AwardCycle, Level, Nomination, NominationStatus

# What a public page or the library may show of a nomination (never NIK, contact, beneficiaries).
PUBLIC_FIELDS = (
    "id",
    "cycle__year",
    "cycle__title",
    "worker__full_name",
    "region_code",
    "rank",
    "award",
    "innovation_title",
    "innovation_summary",
    "innovation_text",
    "photo",
)


def provincial_winners(cycle: AwardCycle):
    """QuerySet[Nomination]: each province's rank-1 nomination at the province stage of `cycle`
    (published rankings only), ordered by region code. For Temu Nasional invitations."""
    return (
        Nomination.objects.filter(cycle=cycle, stage__level=Level.PROVINCE, rank=1)
        .exclude(status=NominationStatus.WITHDRAWN)
        .select_related("worker", "cycle")
        .order_by("region_code")
    )


def national_results(cycle: AwardCycle):
    """QuerySet[Nomination] at the national stage with a published award (I, II, III, then
    honourable mentions), ordered by award."""
    return (
        Nomination.objects.filter(cycle=cycle, stage__level=Level.NATIONAL)
        .exclude(award="")
        .select_related("worker", "cycle")
        .order_by("award", "rank")
    )


def practices(query: str = ""):
    """QuerySet[Nomination]: the good-practice library, i.e. the provincial winners of all cycles
    (published), searched in innovation title/summary/text and the worker's name. Each row is
    annotated with `national_award` (the award of the national nomination, '' if none).
    Callers show public fields only (see PUBLIC_FIELDS)."""
    national = Nomination.objects.filter(previous=OuterRef("pk"), stage__level=Level.NATIONAL)
    qs = (
        Nomination.objects.filter(stage__level=Level.PROVINCE, rank=1)
        .exclude(status=NominationStatus.WITHDRAWN)
        .annotate(national_award=Subquery(national.values("award")[:1]))
        .select_related("worker", "cycle")
        .order_by("-cycle__year", "region_code")
    )
    for word in (query or "").split()[:8]:
        qs = qs.filter(
            Q(innovation_title__icontains=word)
            | Q(innovation_summary__icontains=word)
            | Q(innovation_text__icontains=word)
            | Q(worker__full_name__icontains=word)
        )
    return qs


def _names(codes: set[str]) -> tuple[dict, dict]:
    regencies = dict(
        Regency.objects.filter(code__in={c[:4] for c in codes}).values_list("code", "name")
    )
    provinces = dict(
        Province.objects.filter(code__in={c[:2] for c in codes}).values_list("code", "name")
    )
    return regencies, provinces


def public_results(cycle: AwardCycle | None = None) -> list[dict]:
    """Published national results with the winners' stories, without sensitive data: dicts with
    year, cycle_title, award, award_label, rank, name, regency, province, region_code,
    innovation_title, innovation_summary, photo_url. Newest cycle first; one cycle if given."""
    qs = Nomination.objects.filter(stage__level=Level.NATIONAL).exclude(award="")
    if cycle is not None:
        qs = qs.filter(cycle=cycle)
    rows = list(
        qs.order_by("-cycle__year", "award", "rank").values(
            "cycle__year",
            "cycle__title",
            "award",
            "rank",
            "worker__full_name",
            "region_code",
            "innovation_title",
            "innovation_summary",
            "photo",
        )
    )
    regencies, provinces = _names({r["region_code"] for r in rows})
    labels = dict(Award.choices)
    return [
        {
            "year": r["cycle__year"],
            "cycle_title": r["cycle__title"],
            "award": r["award"],
            "award_label": str(labels.get(r["award"], "")),
            "rank": r["rank"],
            "name": r["worker__full_name"],
            "regency": regencies.get(r["region_code"][:4], ""),
            "province": provinces.get(r["region_code"][:2], ""),
            "region_code": r["region_code"][:4],
            "innovation_title": r["innovation_title"],
            "innovation_summary": r["innovation_summary"],
            "photo_url": default_storage.url(r["photo"]) if r["photo"] else "",
        }
        for r in rows
    ]
