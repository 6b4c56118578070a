"""Export of the filtered worker list (the list page's filters and scope) to CSV and XLSX.

Decisions:
- The rows are `filtered_workers(user, request.GET)`: the same scope and filters as the list page,
  so a region in the query string outside the user's scope yields no rows, never other rows.
- One access-log row per export, written *before the first byte leaves*: a CSV is logged with a
  COUNT of the rows just before streaming starts (the COUNT is needed anyway to send large exports
  to a background job); an XLSX is logged after the file is written, with the exact number written,
  before it is sent; a background export is logged each time its file is downloaded. If the log
  cannot be written, nothing is exported. (A row added between the COUNT and the read can make a
  streamed CSV differ from the logged count by that row; the log says what was asked for.)
- Rows are read with values_list() of the needed columns only (the village, district and regency
  names come in the same query through joins), `.iterator(chunk_size=2000)`, and the focus areas
  with one query per chunk: constant memory and no query per row.
- NIKs are masked unless the user has `workers.view_nik`; without it the encrypted NIK is not even
  read. File names say the region and the date only: `pekerja-sosial-3402-20261128.csv`.
- More than 50,000 rows (CSV) or 20,000 rows (XLSX, which cannot stream: the whole workbook is
  built before the first byte, ~0.3 ms per row) run as a background job; the file is kept in
  private storage and downloaded from the job page through `export_download`, which is scoped like
  the job and logged like a direct export.
"""

from __future__ import annotations

import itertools
import json
from collections import defaultdict

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET

from mitra.core import crypto
from mitra.core.categories import WorkerKind
from mitra.core.export_flow import (
    export_job_owner,
    export_response,
    start_export_job,
    stored_export_response,
    with_progress,
)
from mitra.core.exports import (
    DATE,
    Column,
    save_export,
)
from mitra.core.models import Job
from mitra.core.scope import format_code

from .filters import WorkerFilterForm, filtered_workers
from .models import Education, Status, Worker

EXPORT_PERMISSION = "workers.export_worker"
NIK_PERMISSION = "workers.view_nik"
CHUNK_SIZE = 2000
JOB_KIND = "workers_export"
JOB_FUNC = "mitra.workers.exports.run_export_job"
SHEET_NAME = "Pekerja Sosial"


def stream_limit(fmt: str) -> int:
    """Exports with more rows than this run in the background. A CSV streams (~0.1 ms per row);
    an XLSX is built whole before its first byte (~15 us per cell, 0.3 ms per row of 21
    columns), so its limit is lower to keep the wait for a direct download under ~6 s."""
    limit = getattr(settings, "MITRA_EXPORT_STREAM_LIMIT", 50_000)
    if fmt == "xlsx":
        limit = min(limit, getattr(settings, "MITRA_EXPORT_XLSX_LIMIT", 20_000))
    return limit


# ---- columns and rows --------------------------------------------------------------------------

_FIELDS = (
    "id",
    "nik",  # replaced by nik_masked when the user may not see NIKs
    "full_name",
    "sex",
    "birth_place",
    "birth_date",
    "address",
    "village_id",
    "village__name",
    "village__district__name",
    "village__district__regency__name",
    "kind",
    "status",
    "status_since",
    "phone",
    "education",
    "occupation",
    "joined_on",
    "basic_training_on",
    "ktp_checked",
)


def export_columns() -> list[Column]:
    return [
        Column("NIK", width=19),
        Column(gettext_lazy("Full name"), width=30),
        Column(gettext_lazy("Sex"), width=8),
        Column(gettext_lazy("Place of birth"), width=18),
        Column(gettext_lazy("Date of birth"), DATE, 13),
        Column(pgettext_lazy("domicile", "Address"), width=36),
        Column(gettext_lazy("Village code"), width=15),
        Column(gettext_lazy("Village"), width=20),
        Column(gettext_lazy("District"), width=20),
        Column(gettext_lazy("Regency/city"), width=26),
        Column(gettext_lazy("Kind"), width=30),
        Column(gettext_lazy("Status"), width=14),
        Column(gettext_lazy("Status since"), DATE, 13),
        Column(gettext_lazy("Phone"), width=15),
        Column(gettext_lazy("Education"), width=11),
        Column(gettext_lazy("Occupation"), width=20),
        Column(gettext_lazy("Joined on"), DATE, 13),
        Column(gettext_lazy("Basic training"), DATE, 13),
        Column(gettext_lazy("KTP checked"), width=11),
        Column(gettext_lazy("Focus areas (PMKS numbers)"), width=18),
        Column(gettext_lazy("Mitra ID"), width=38),
    ]


def _focus_areas(worker_ids) -> dict:
    through = Worker.focus_areas.through
    result = defaultdict(list)
    rows = (
        through.objects.filter(worker_id__in=worker_ids)
        .order_by("pmkscategory_id")
        .values_list("worker_id", "pmkscategory_id")
    )
    for worker_id, number in rows:
        result[worker_id].append(str(number))
    return result


def export_rows(queryset, show_nik: bool):
    """The export's rows, in region and name order, read chunk by chunk."""
    fields = _FIELDS if show_nik else tuple("nik_masked" if f == "nik" else f for f in _FIELDS)
    kinds = {k.value: str(k.label) for k in WorkerKind}
    statuses = {s.value: str(s.label) for s in Status}
    education = {e.value: str(e.label) for e in Education}
    yes, no = _("Yes"), _("No")
    rows = (
        queryset.order_by("region_code", "full_name", "pk")
        .values_list(*fields)
        .iterator(chunk_size=CHUNK_SIZE)
    )
    for chunk in itertools.batched(rows, CHUNK_SIZE):
        focus = _focus_areas([row[0] for row in chunk])
        for (
            pk,
            nik,
            full_name,
            sex,
            birth_place,
            birth_date,
            address,
            village_code,
            village,
            district,
            regency,
            kind,
            status,
            status_since,
            phone,
            edu,
            occupation,
            joined_on,
            trained_on,
            ktp_checked,
        ) in chunk:
            yield (
                nik,
                full_name,
                sex,
                birth_place,
                birth_date,
                address,
                format_code(village_code),
                village,
                district,
                regency,
                kinds.get(kind, kind),
                statuses.get(status, status),
                status_since,
                phone,
                education.get(edu, edu),
                occupation,
                joined_on,
                trained_on,
                yes if ktp_checked else no,
                "; ".join(focus.get(pk, ())),
                str(pk),
            )


# ---- naming and logging ------------------------------------------------------------------------


def _cleaned(form: WorkerFilterForm) -> dict:
    return form.cleaned_data if form.is_bound and form.is_valid() else {}


def export_region(user, form: WorkerFilterForm) -> str:
    """The region the file covers: the filter's region when it lies inside the user's scope."""
    scope = user.scope_code or ""
    region = _cleaned(form).get("region") or ""
    return region if region.startswith(scope) else scope


def export_filename(user, form: WorkerFilterForm, fmt: str) -> str:
    region = export_region(user, form) or "nasional"
    return f"pekerja-sosial-{region}-{timezone.localdate():%Y%m%d}.{fmt}"


def export_purpose(form: WorkerFilterForm, fmt: str) -> str:
    """What was exported, for the access log: the filters, never the searched name or NIK."""
    parts = [f"workers {fmt}"]
    for key, value in _cleaned(form).items():
        if value:
            parts.append(key if key == "q" else f"{key}={value}")
    return "; ".join(parts)[:200]


def _query_params(query: dict) -> QueryDict:
    params = QueryDict(mutable=True)
    for key, values in query.items():
        params.setlist(key, values)
    return params


# ---- views -------------------------------------------------------------------------------------


def _check_permission(user) -> None:
    if not user.has_perm(EXPORT_PERMISSION):
        raise PermissionDenied


def _export(request, fmt: str):
    user = request.user
    _check_permission(user)
    form, queryset = filtered_workers(user, request.GET)
    total = queryset.count()
    if total > stream_limit(fmt):
        return _start_background_export(request, fmt, total)
    show_nik = user.has_perm(NIK_PERMISSION)
    return export_response(
        request,
        fmt,
        model=Worker,
        filename=export_filename(user, form, fmt),
        columns=export_columns(),
        rows=export_rows(queryset, show_nik),
        count=total,
        region_code=user.scope_code or "",
        purpose=export_purpose(form, fmt),
        sheet_name=SHEET_NAME,
    )


@require_GET
@login_required
def export_csv(request):
    return _export(request, "csv")


@require_GET
@login_required
def export_xlsx(request):
    return _export(request, "xlsx")


def _start_background_export(request, fmt: str, total: int):
    # The whole query string goes to the job encrypted: a searched name or NIK must not sit in
    # the job's row in plain text.
    query = {key: request.GET.getlist(key) for key in request.GET if key != "page"}
    return start_export_job(
        request,
        kind=JOB_KIND,
        func=JOB_FUNC,
        title=_("Export of social workers (%(format)s, %(count)s rows)")
        % {"format": fmt.upper(), "count": number_format(total, force_grouping=True)},
        same=lambda params: (
            params.get("fmt") == fmt and _decrypt_query(params.get("query")) == query
        ),
        fmt=fmt,
        query=crypto.encrypt(json.dumps(query)),
    )


def _decrypt_query(token) -> dict | None:
    try:
        return json.loads(crypto.decrypt(token))
    except (TypeError, ValueError, AttributeError):
        return None


def run_export_job(*, job: Job, progress, fmt: str, query: str, language: str) -> dict:
    """The background export: the same rows the user would get directly, as a stored file."""
    user = export_job_owner(job, _check_permission)
    with translation.override(language):
        params = _decrypt_query(query)
        if params is None:  # never fall back to "no filters", which would export more
            raise ValueError("The export's filters cannot be read (data key changed?).")
        form, queryset = filtered_workers(user, _query_params(params))
        total = queryset.count()
        progress(0, total)
        show_nik = user.has_perm(NIK_PERMISSION)

        filename = export_filename(user, form, fmt)
        name, count = save_export(
            fmt,
            export_columns(),
            with_progress(export_rows(queryset, show_nik), progress, CHUNK_SIZE),
            sheet_name=SHEET_NAME,
        )
    return {
        "file": name,
        "filename": filename,
        "format": fmt,
        "rows": count,
        "nik_visible": show_nik,
        "purpose": export_purpose(form, fmt),
        "download_url": reverse("workers:export_download", args=[job.pk]),
    }


@require_GET
@login_required
def export_download(request, job_id):
    """The file of a finished background export, for users who may see the job (its scope)."""
    _check_permission(request.user)
    return stored_export_response(
        request,
        job_id,
        kind=JOB_KIND,
        model=Worker,
        sensitive_permission=NIK_PERMISSION,
        region_code=request.user.scope_code or "",
    )
