"""Exports of the three lists (CSV streamed, XLSX, large ones as background jobs), each logged."""

from __future__ import annotations

import itertools

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from mitra.core.export_flow import (
    export_job_owner,
    export_response,
    start_export_job,
    stored_export_response,
    with_progress,
)
from mitra.core.exports import DATE, Column
from mitra.core.models import Job
from mitra.core.scope import format_code
from mitra.workers.models import Worker

from .queries import (
    DEFAULT_LIST,
    NEEDS_LISTS,
    AboveScope,
    Area,
    expiring_certificates,
    needs_queryset,
    resolve_area,
)

EXPORT_PERMISSION = "training.export_training"
NIK_PERMISSION = "workers.view_nik"
CHUNK_SIZE = 2000
JOB_KIND = "training_needs_export"
SHEET_NAME = "Kebutuhan Pelatihan"
JOB_FUNC = "mitra.training.needs.exports.run_needs_export_job"


# ---- exports ------------------------------------------------------------------------------------


def export_columns(key: str) -> list[Column]:
    columns = [
        Column("NIK", width=19),
        Column(gettext_lazy("Full name"), width=30),
        Column(gettext_lazy("Sex"), width=8),
        Column(gettext_lazy("Phone"), width=15),
        Column(gettext_lazy("Village code"), width=15),
        Column(gettext_lazy("Village"), width=20),
        Column(gettext_lazy("District"), width=20),
        Column(gettext_lazy("Regency/city"), width=26),
        Column(gettext_lazy("Joined on"), DATE, 13),
        Column(gettext_lazy("Basic training"), DATE, 13),
    ]
    if key == "kedaluwarsa":
        columns += [
            Column(gettext_lazy("Course"), width=30),
            Column(gettext_lazy("Certificate number"), width=26),
            Column(gettext_lazy("Valid until"), DATE, 13),
        ]
    return columns + [Column(gettext_lazy("Mitra ID"), width=38)]


_EXPORT_FIELDS = (
    "id",
    "nik",  # nik_masked when the user may not see NIKs (the encrypted NIK is then not read)
    "full_name",
    "sex",
    "phone",
    "village_id",
    "village__name",
    "village__district__name",
    "village__district__regency__name",
    "joined_on",
    "basic_training_on",
)


def export_rows(queryset, key: str, show_nik: bool):
    """The export's rows, read chunk by chunk (constant memory, no query per row)."""
    fields = (
        _EXPORT_FIELDS
        if show_nik
        else tuple("nik_masked" if f == "nik" else f for f in _EXPORT_FIELDS)
    )
    rows = queryset.values_list(*fields).iterator(chunk_size=CHUNK_SIZE)
    for chunk in itertools.batched(rows, CHUNK_SIZE):
        certificates = (
            expiring_certificates(row[0] for row in chunk) if key == "kedaluwarsa" else {}
        )
        for (
            pk,
            nik,
            name,
            sex,
            phone,
            village_code,
            village,
            district,
            regency,
            joined,
            basic,
        ) in chunk:
            row = [
                nik,
                name,
                sex,
                phone,
                format_code(village_code),
                village,
                district,
                regency,
                joined,
                basic,
            ]
            if key == "kedaluwarsa":
                soonest = (certificates.get(pk) or [None])[0]
                row += (
                    [
                        str(soonest.enrolment.batch.course),
                        soonest.number,
                        soonest.valid_until,
                    ]
                    if soonest
                    else ["", "", None]
                )
            row.append(str(pk))
            yield row


def export_filename(area: Area, key: str, fmt: str) -> str:
    region = area.code or "nasional"
    stem = NEEDS_LISTS[key].file_stem
    return f"kebutuhan-pelatihan-{stem}-{region}-{timezone.localdate():%Y%m%d}.{fmt}"


def export_purpose(area: Area, key: str, fmt: str) -> str:
    return f"training needs {NEEDS_LISTS[key].need} {fmt}; region={area.code or 'national'}"


def _stream_limit(fmt: str) -> int:
    from mitra.workers.exports import stream_limit

    return stream_limit(fmt)


def _check_export(user) -> None:
    if not user.has_perm(EXPORT_PERMISSION):
        raise PermissionDenied


def _export_request(user, params) -> tuple[Area, str]:
    key = params.get("list") or DEFAULT_LIST
    if key not in NEEDS_LISTS:
        raise Http404
    try:
        area = resolve_area(user, params.get("region") or "")
    except AboveScope:
        raise Http404 from None
    return area, key


def _export(request, fmt: str):
    user = request.user
    _check_export(user)
    area, key = _export_request(user, request.GET)
    queryset = needs_queryset(user, area, key)
    total = queryset.count()
    if total > _stream_limit(fmt):
        return _start_background_export(request, fmt, area, key, total)
    show_nik = user.has_perm(NIK_PERMISSION)
    return export_response(
        request,
        fmt,
        model=Worker,
        filename=export_filename(area, key, fmt),
        columns=export_columns(key),
        rows=export_rows(queryset, key, show_nik),
        count=total,
        region_code=area.code,
        purpose=export_purpose(area, key, fmt),
        sheet_name=SHEET_NAME,
    )


@require_GET
@login_required
def needs_export_csv(request):
    return _export(request, "csv")


@require_GET
@login_required
def needs_export_xlsx(request):
    return _export(request, "xlsx")


def _start_background_export(request, fmt: str, area: Area, key: str, total: int):
    return start_export_job(
        request,
        kind=JOB_KIND,
        func=JOB_FUNC,
        title=_("Export of training needs: %(list)s (%(format)s, %(count)s rows)")
        % {
            "list": NEEDS_LISTS[key].label,
            "format": fmt.upper(),
            "count": number_format(total, force_grouping=True),
        },
        same=lambda params: (
            (params.get("fmt"), params.get("region"), params.get("which")) == (fmt, area.code, key)
        ),
        fmt=fmt,
        region=area.code,
        which=key,
    )


def run_needs_export_job(*, job: Job, progress, fmt: str, region: str, which: str, language: str):
    """The background export: the rows the user would get directly, as a stored file. The scope
    is the user's scope now, not when the job was asked for."""
    from mitra.core.exports import save_export

    user = export_job_owner(job, _check_export)
    with translation.override(language):
        area, key = _export_request(user, {"region": region, "list": which})
        queryset = needs_queryset(user, area, key)
        total = queryset.count()
        progress(0, total)
        show_nik = user.has_perm(NIK_PERMISSION)

        name, count = save_export(
            fmt,
            export_columns(key),
            with_progress(export_rows(queryset, key, show_nik), progress, CHUNK_SIZE),
            sheet_name=SHEET_NAME,
        )
    return {
        "file": name,
        "filename": export_filename(area, key, fmt),
        "format": fmt,
        "rows": count,
        "region": area.code,
        "nik_visible": show_nik,
        "purpose": export_purpose(area, key, fmt),
        "download_url": reverse("training:needs_export_download", args=[job.pk]),
    }


@require_GET
@login_required
def needs_export_download(request, job_id):
    """The file of a finished background export, for users who may see the job."""
    _check_export(request.user)
    return stored_export_response(
        request, job_id, kind=JOB_KIND, model=Worker, sensitive_permission=NIK_PERMISSION
    )
