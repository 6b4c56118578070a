"""The ventures list as CSV or XLSX: one row per venture in the user's area, with its total
support and its latest result. Headers in the user's language (Indonesian first); amounts are
whole-rupiah numbers (a spreadsheet sums them; it shows them with its own grouping)."""

from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import OuterRef, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from mitra.core.export_flow import export_response
from mitra.core.exports import DATE, NUMBER, Column

from .models import IncomeBand, Venture, VentureResult

EXPORT = "ventures.export_venture"
COLUMNS = [
    Column(gettext_lazy("Name of the business"), width=28),
    Column(gettext_lazy("PSM"), width=26),
    Column("NIK", width=19),
    Column(gettext_lazy("Kind of business"), width=22),
    Column("KUBE", width=7),
    Column(gettext_lazy("Village code"), width=15),
    Column(gettext_lazy("Village"), width=20),
    Column(gettext_lazy("Status"), width=12),
    Column(gettext_lazy("Started on"), DATE, 13),
    Column(gettext_lazy("Stopped on"), DATE, 13),
    Column(gettext_lazy("Reason for stopping"), width=20),
    Column(gettext_lazy("Total support (Rp)"), NUMBER, 16),
    Column(gettext_lazy("Latest period"), DATE, 13),
    Column(gettext_lazy("Latest turnover (Rp)"), NUMBER, 16),
    Column(gettext_lazy("Latest net income a month"), width=20),
]


def export_rows(queryset):
    latest = VentureResult.objects.filter(venture=OuterRef("pk")).order_by("-period_start", "-id")
    qs = (
        queryset.select_related("worker", "kind", "village")
        .annotate(
            support_total=Sum("supports__amount"),
            last_period=Subquery(latest.values("period_start")[:1]),
            last_turnover=Subquery(latest.values("turnover")[:1]),
            last_band=Subquery(latest.values("income_band")[:1]),
        )
        .order_by("region_code", "name", "id")
    )
    bands = dict(IncomeBand.choices)
    yes = _("yes")
    for v in qs.iterator(chunk_size=2000):
        yield (
            v.name,
            v.worker.full_name,
            v.worker.nik_masked,
            v.kind.name,
            yes if v.is_group else "",
            v.village_id,
            v.village.name,
            v.get_status_display(),
            v.started_on,
            v.stopped_on,
            v.get_stop_reason_display() if v.stop_reason else "",
            int(v.support_total) if v.support_total is not None else None,
            v.last_period,
            int(v.last_turnover) if v.last_turnover is not None else None,
            str(bands[v.last_band]) if v.last_band else "",
        )


def _export(request, fmt: str):
    user = request.user
    queryset = Venture.objects.visible_to(user)
    status = request.GET.get("status", "")
    if status:
        queryset = queryset.filter(status=status)
    return export_response(
        request,
        fmt,
        model=Venture,
        filename=f"usaha-ekonomi-produktif-{timezone.localdate():%Y%m%d}.{fmt}",
        columns=COLUMNS,
        rows=export_rows(queryset),
        count=queryset.count(),
        region_code=user.scope_code or "",
        purpose=_("export of productive ventures"),
        sheet_name="Usaha Ekonomi Produktif",
    )


@require_GET
@login_required
@permission_required(EXPORT, raise_exception=True)
def export_csv(request):
    return _export(request, "csv")


@require_GET
@login_required
@permission_required(EXPORT, raise_exception=True)
def export_xlsx(request):
    return _export(request, "xlsx")
