"""The areas, counts and lists of the training-needs page (used by the page, the exports and the
API)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mitra.core.categories import WorkerKind
from mitra.core.scope import format_code, normalize_code, prefix_q, user_scope
from mitra.regions.models import MODEL_BY_LENGTH, Province
from mitra.workers.models import Status as WorkerStatus
from mitra.workers.models import Worker

from .. import services
from ..models import Certificate, Enrolment, Level, Result

EXPIRY_DAYS = 90  # the window of services.training_needs
CHILD_LENGTH = {0: 2, 2: 4, 4: 6, 6: 10}
COUNT_KEYS = (
    "active",
    "with_basic",
    "without_basic",
    "with_advanced",
    "without_advanced",
    "expiring",
)


@dataclass(frozen=True)
class NeedsList:
    key: str  # in URLs (?list=dasar)
    need: str  # the key of services.training_needs
    label: object
    file_stem: str


NEEDS_LISTS = {
    "dasar": NeedsList(
        "dasar", "without_basic", gettext_lazy("Without basic training"), "tanpa-pelatihan-dasar"
    ),
    "lanjutan": NeedsList(
        "lanjutan",
        "without_advanced",
        gettext_lazy("Without advanced training"),
        "tanpa-pelatihan-lanjutan",
    ),
    "kedaluwarsa": NeedsList(
        "kedaluwarsa",
        "expiring",
        gettext_lazy("Certificate expiring within 90 days"),
        "sertifikat-segera-berakhir",
    ),
}
DEFAULT_LIST = "dasar"


# ---- the area -----------------------------------------------------------------------------------


class AboveScope(Exception):
    """The region asked for contains the user's scope (it is on the path to it)."""


@dataclass
class Area:
    """A region inside the user's scope ('' = national), with the region row (None: national)."""

    code: str
    region: object = None
    trail: list = field(default_factory=list)

    @property
    def child_length(self) -> int | None:
        return CHILD_LENGTH.get(len(self.code))

    @property
    def child_model(self):
        return MODEL_BY_LENGTH.get(self.child_length) if self.child_length else None

    @property
    def name(self) -> str:
        return self.region.name if self.region is not None else _("Indonesia")

    @property
    def level(self) -> str:
        return self.region.level if self.region is not None else "national"


def resolve_area(user, raw_code: str | None) -> Area:
    """The area a user asks for: '' means their own scope. 404 outside the scope, AboveScope for
    a region that contains it."""
    scope = user_scope(user)
    if scope is None:
        raise Http404
    try:
        code = normalize_code(raw_code or "")
    except ValueError:
        raise Http404 from None
    if not code:
        code = scope
    if not code.startswith(scope):
        if scope.startswith(code):
            raise AboveScope(code)
        raise Http404
    region = None
    if code:
        region = MODEL_BY_LENGTH[len(code)].objects.filter(code=code).first()
        if region is None:
            raise Http404
    trail = []
    node = region
    while node is not None:
        trail.append(node)
        node = node.parent
    return Area(code=code, region=region, trail=list(reversed(trail)))


# ---- queries ------------------------------------------------------------------------------------


def psm_workers(user):
    """The PSM records (merged ones excluded) the user may see."""
    return Worker.objects.visible_to(user).registered().filter(kind=WorkerKind.PSM)


def _advanced_workers():
    return Enrolment.objects.filter(
        result=Result.PASSED, batch__course__level=Level.ADVANCED
    ).values("worker_id")


def _expiring_workers(today: datetime.date):
    return Certificate.objects.filter(
        revoked_at__isnull=True,
        valid_until__gte=today,
        valid_until__lte=today + datetime.timedelta(days=EXPIRY_DAYS),
    ).values("enrolment__worker_id")


def _count_expressions(today: datetime.date) -> dict:
    advanced = Q(pk__in=_advanced_workers())
    trained = Q(basic_training_on__isnull=False)
    return {
        "active": Count("pk"),
        "with_basic": Count("pk", filter=trained),
        "without_basic": Count("pk", filter=Q(basic_training_on__isnull=True)),
        "with_advanced": Count("pk", filter=advanced),
        "without_advanced": Count("pk", filter=trained & ~advanced),
        "expiring": Count("pk", filter=Q(pk__in=_expiring_workers(today))),
    }


def _empty_counts() -> dict:
    return dict.fromkeys(COUNT_KEYS, 0)


@dataclass
class ChildRow:
    code: str
    name: str
    counts: dict

    @property
    def dotted_code(self) -> str:
        return format_code(self.code)

    @property
    def url(self) -> str:
        return needs_url(self.code)

    @property
    def trained_percent(self) -> int | None:
        active = self.counts["active"]
        return round(self.counts["with_basic"] * 100 / active) if active else None


def needs_counts(user, area: Area) -> tuple[list[ChildRow], dict]:
    """Counts per child region of the area, and the area's totals: one grouped query (plus one
    for the child regions' names)."""
    today = timezone.localdate()
    active = psm_workers(user).in_region(area.code).filter(status=WorkerStatus.ACTIVE)
    expressions = _count_expressions(today)
    length = area.child_length
    if length is None:  # a village: no children, the totals only
        totals = active.aggregate(**expressions)
        return [], {k: totals[k] or 0 for k in COUNT_KEYS}
    grouped = {
        row.pop("child"): row
        for row in active.annotate(child=Substr("region_code", 1, length))
        .values("child")
        .annotate(**expressions)
        .order_by()
    }
    model = area.child_model
    children = (
        model.objects.all()
        if model is Province
        else model.objects.filter(prefix_q("code", area.code))
    )
    rows = []
    totals = _empty_counts()
    for code, name in children.order_by("code").values_list("code", "name"):
        counts = grouped.pop(code, None) or _empty_counts()
        rows.append(ChildRow(code, name, counts))
        for key in COUNT_KEYS:
            totals[key] += counts[key]
    for code, counts in grouped.items():  # a worker in a region code missing from the tree
        rows.append(ChildRow(code, code, counts))
        for key in COUNT_KEYS:
            totals[key] += counts[key]
    return rows, totals


def needs_queryset(user, area: Area, key: str):
    """One of the three lists (a key of NEEDS_LISTS) for an area, in region and name order."""
    needs = services.training_needs(psm_workers(user).in_region(area.code))
    return needs[NEEDS_LISTS[key].need].order_by("region_code", "full_name", "pk")


def expiring_certificates(worker_ids, today: datetime.date | None = None) -> dict:
    """Worker id -> their certificates expiring within the window (soonest first): one query."""
    today = today or timezone.localdate()
    certificates = (
        Certificate.objects.filter(
            enrolment__worker_id__in=list(worker_ids),
            revoked_at__isnull=True,
            valid_until__gte=today,
            valid_until__lte=today + datetime.timedelta(days=EXPIRY_DAYS),
        )
        .select_related("enrolment__batch__course")
        .order_by("valid_until", "number")
    )
    result = defaultdict(list)
    for certificate in certificates:
        result[certificate.enrolment.worker_id].append(certificate)
    return result


class KnownCountPaginator(Paginator):
    """A paginator whose total is already known (from the grouped counts): no COUNT query."""

    def __init__(self, object_list, per_page, count: int):
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


def needs_url(code: str = "") -> str:
    return reverse("training:needs_region", args=[code]) if code else reverse("training:needs")
