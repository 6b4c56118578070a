"""Monthly and yearly reports of a region as PDF and XLSX, generated in the background and kept.

The layout is the one a Dinas Sosial sends upward: a title block (region, period, date of the
figures), the indicators with their definitions, grouped, the charts (the same shapes as on the
page, drawn with reportlab graphics), and one table per child region. The XLSX holds the same
figures on one sheet per table.

Figures come from `indicators.dashboard()` for the user who asked (or who asked for the schedule),
so a report never shows more than that user may see and matches the dashboard for the same filters.
Files are stored under `private/reports/` with random names; the `GeneratedReport` row keeps the
region, so downloads are scoped like every other region-bound row.
"""

from __future__ import annotations

import datetime
import io
import logging
import tempfile
import uuid

import xlsxwriter
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from mitra.core.exports import neutralise
from mitra.core.scope import format_code
from mitra.ventures.indicators import report_rows as venture_rows

from . import charts, maps
from .exports import BREAKDOWN_LABELS, sheet_title, table, table_names
from .indicators import INDICATOR_BY_KEY, INDICATORS, Filters, dashboard
from .models_reports import GeneratedReport, ReportKind, ReportSubscription

log = logging.getLogger(__name__)
GROUP_ORDER = ("workforce", "training", "fieldwork", "recognition", "ventures")
PDF_TABLE_KEYS = 6  # indicator columns per child table on an A4 landscape page


def period_bounds(kind: str, start: datetime.date) -> tuple[datetime.date, datetime.date]:
    if kind == ReportKind.YEARLY:
        return datetime.date(start.year, 1, 1), datetime.date(start.year, 12, 31)
    first = start.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, following - datetime.timedelta(days=1)


def last_period(kind: str, today: datetime.date | None = None) -> datetime.date:
    """The start of the last complete month (or year) before `today`."""
    today = today or timezone.localdate()
    if kind == ReportKind.YEARLY:
        return datetime.date(today.year - 1, 1, 1)
    return (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def period_label(kind: str, start: datetime.date) -> str:
    if kind == ReportKind.YEARLY:
        return _("Year %(year)s") % {"year": start.year}
    return date_format(start, "F Y")


# ---- PDF ------------------------------------------------------------------------------------


def _fonts() -> tuple[str, str]:
    """DejaVu (vendored with the certificates) so Indonesian names print; Helvetica otherwise."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    from mitra.training.certificates import SYSTEM_FONTS, VENDORED_FONTS

    names = ("MitraReport", "MitraReport-Bold")
    if names[0] in pdfmetrics.getRegisteredFontNames():
        return names
    for directory, regular, bold in (
        (SYSTEM_FONTS, "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
        (VENDORED_FONTS, "DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf"),
    ):
        if (directory / regular).is_file() and (directory / bold).is_file():
            pdfmetrics.registerFont(TTFont(names[0], str(directory / regular)))
            pdfmetrics.registerFont(TTFont(names[1], str(directory / bold)))
            return names
    return ("Helvetica", "Helvetica-Bold")


def _scaled(chart: charts.Chart, width: float, fonts):
    drawing = charts.to_drawing(chart, fonts)
    if chart.width > width:
        factor = width / chart.width
        drawing.scale(factor, factor)
        drawing.width, drawing.height = chart.width * factor, chart.height * factor
    return drawing


def build_pdf(board, kind: str, start: datetime.date, ventures: list | None = None) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        CondPageBreak,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    regular, bold = fonts = _fonts()
    base = ParagraphStyle("base", fontName=regular, fontSize=9, leading=12)
    small = ParagraphStyle(
        "small", parent=base, fontSize=7.5, leading=9.5, textColor=colors.HexColor("#5b6b76")
    )
    h1 = ParagraphStyle("h1", parent=base, fontName=bold, fontSize=16, leading=20)
    h2 = ParagraphStyle(
        "h2",
        parent=base,
        fontName=bold,
        fontSize=12,
        leading=16,
        spaceBefore=8,
        spaceAfter=4,
        textColor=colors.HexColor("#07444f"),
    )
    cell = ParagraphStyle("cell", parent=base, fontSize=8, leading=10)
    grid = TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), regular, 8),
            ("FONT", (0, 0), (-1, 0), bold, 8),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef4")),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#b8c4cb")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ]
    )
    page = landscape(A4)
    width = page[0] - 30 * mm
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=page,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=f"{board.region_name} {period_label(kind, start)}",
    )
    story = [
        Paragraph(_("Social welfare workers and field work report"), h1),
        Paragraph(
            f"{board.region_name}"
            + (f" ({format_code(board.region_code)})" if board.region_code else ""),
            h2,
        ),
        Paragraph(
            _("Period: %(period)s. Figures as of %(as_of)s.")
            % {
                "period": period_label(kind, start),
                "as_of": date_format(timezone.localtime(board.as_of), "j F Y H:i"),
            },
            base,
        ),
        Spacer(1, 4 * mm),
    ]
    for group in GROUP_ORDER:
        rows = [[_("Indicator"), _("Value"), _("Definition")]]
        for indicator in (i for i in INDICATORS if i.group == group):
            rows.append(
                [
                    Paragraph(str(indicator.label), cell),
                    charts.format_value(board.values.get(indicator.key), indicator.unit),
                    Paragraph(str(indicator.definition), small),
                ]
            )
        story.append(Paragraph(str(_group_label(group)), h2))
        story.append(
            Table(rows, colWidths=[70 * mm, 30 * mm, width - 100 * mm], style=grid, repeatRows=1)
        )
    story.append(CondPageBreak(120 * mm))
    story.append(Paragraph(_("Charts"), h2))
    half = (width - 8 * mm) / 2
    pictures = [
        charts.line_chart(
            {
                str(INDICATOR_BY_KEY[k].label): board.trends[k]
                for k in ("new_cases", "closed_cases")
                if k in board.trends
            },
            _("Cases opened and closed per month"),
            running=timezone.localdate(),
        ),
        charts.line_chart(
            {str(INDICATOR_BY_KEY["people_reached"].label): board.trends.get("people_reached", [])},
            str(INDICATOR_BY_KEY["people_reached"].label),
            running=timezone.localdate(),
        ),
    ]
    for name in ("cases_by_category", "referrals_by_programme"):
        if board.breakdowns.get(name):
            pictures.append(charts.bar_chart(board.breakdowns[name], str(BREAKDOWN_LABELS[name])))
    indicator = INDICATOR_BY_KEY["psm_active"]
    if board.children:
        pictures.append(
            charts.ranked_bars(board.children, indicator.key, str(indicator.label), indicator.unit)
        )
    drawings = [_scaled(chart, half, fonts) for chart in pictures]
    pairs = [
        drawings[i : i + 2] + [""] * (2 - len(drawings[i : i + 2]))
        for i in range(0, len(drawings), 2)
    ]
    story.append(
        Table(
            pairs,
            colWidths=[half + 4 * mm, half + 4 * mm],
            style=[("VALIGN", (0, 0), (-1, -1), "TOP")],
        )
    )
    if board.children:
        # The map gets the page's whole width: its labels are small.
        story.append(CondPageBreak(100 * mm))
        story.append(
            _scaled(
                maps.tile_map(
                    board.children,
                    indicator.key,
                    str(indicator.label),
                    indicator.unit,
                    {},
                    national=board.level == "national",
                ),
                width * 0.8,
                fonts,
            )
        )
    if ventures:
        story.append(Paragraph(_("Economic self-reliance of PSM"), h2))
        rows = [[_("Indicator"), _("Value")], *[[Paragraph(str(a), cell), b] for a, b in ventures]]
        story.append(Table(rows, colWidths=[width * 0.6, width * 0.3], style=grid))
    if board.children:
        keys = [i.key for i in INDICATORS]
        for offset in range(0, len(keys), PDF_TABLE_KEYS):
            part = [INDICATOR_BY_KEY[k] for k in keys[offset : offset + PDF_TABLE_KEYS]]
            rows = [[_("Code"), _("Region"), *[Paragraph(str(i.label), cell) for i in part]]]
            for child in board.children:
                rows.append(
                    [
                        format_code(child["code"]),
                        Paragraph(child["name"], cell),
                        *[charts.format_value(child.get(i.key), i.unit) for i in part],
                    ]
                )
            story.append(CondPageBreak(60 * mm))
            story.append(
                Paragraph(
                    _("Figures per region (%(n)s of %(total)s)")
                    % {
                        "n": offset // PDF_TABLE_KEYS + 1,
                        "total": (len(keys) + PDF_TABLE_KEYS - 1) // PDF_TABLE_KEYS,
                    },
                    h2,
                )
            )
            story.append(
                Table(
                    rows,
                    colWidths=[24 * mm, 60 * mm] + [(width - 84 * mm) / len(part)] * len(part),
                    style=grid,
                    repeatRows=1,
                )
            )
    doc.build(story)
    return buffer.getvalue()


def _group_label(group: str):
    from .views import GROUP_LABELS

    return GROUP_LABELS[group]


# ---- XLSX -----------------------------------------------------------------------------------


def build_xlsx(board, kind: str, start: datetime.date, target, ventures=None) -> None:
    workbook = xlsxwriter.Workbook(
        target,
        {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
    )
    try:
        head = workbook.add_format({"bold": True, "bg_color": "#E8EEF4", "border": 1})
        title = workbook.add_format({"bold": True, "font_size": 14})
        wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        sheet = workbook.add_worksheet(_("Summary")[:31])
        sheet.set_column(0, 0, 38)
        sheet.set_column(1, 1, 14)
        sheet.set_column(2, 2, 80)
        sheet.write_string(0, 0, neutralise(board.region_name), title)
        sheet.write_string(1, 0, period_label(kind, start))
        sheet.write_string(
            2,
            0,
            _("Figures as of %(as_of)s")
            % {"as_of": date_format(timezone.localtime(board.as_of), "j F Y H:i")},
        )
        line = 4
        for index, label in enumerate((_("Indicator"), _("Value"), _("Definition"))):
            sheet.write_string(line, index, label, head)
        for indicator in sorted(INDICATORS, key=lambda i: GROUP_ORDER.index(i.group)):
            line += 1
            sheet.write_string(line, 0, str(indicator.label))
            value = board.values.get(indicator.key)
            if value is not None:
                sheet.write_number(line, 1, value)
            sheet.write_string(line, 2, str(indicator.definition), wrap)
        for name in table_names(board):
            columns, rows = table(board, name)
            part = workbook.add_worksheet(sheet_title(name))
            for index, column in enumerate(columns):
                part.set_column(index, index, column.width)
                part.write_string(0, index, str(column.label), head)
            for r, row in enumerate(rows, start=1):
                for c, value in enumerate(row):
                    if isinstance(value, int | float) and not isinstance(value, bool):
                        part.write_number(r, c, value)
                    elif value is not None:
                        part.write_string(r, c, neutralise(str(value)))
            part.freeze_panes(1, 0)
        if ventures:
            part = workbook.add_worksheet(_("Economic self-reliance")[:31])
            part.set_column(0, 0, 50)
            part.set_column(1, 1, 24)
            part.write_string(0, 0, _("Indicator"), head)
            part.write_string(0, 1, _("Value"), head)
            for r, (label, value) in enumerate(ventures, start=1):
                part.write_string(r, 0, str(label))
                part.write_string(r, 1, neutralise(str(value)))
    finally:
        workbook.close()


# ---- generation -----------------------------------------------------------------------------


def generate(
    user, region_code: str, kind: str, start: datetime.date, language: str = ""
) -> GeneratedReport:
    """Build both files for the region and period as `user` sees it, and keep them.

    The files are written in `language` (the official default, Indonesian, unless the user who
    asked reads Mitra in another language): a job has no request, so nothing else would set it.
    Each language keeps its own files, so an English copy never replaces the Indonesian one that
    an officer sends upward."""
    language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    date_from, date_to = period_bounds(kind, start)
    with translation.override(language):
        board = dashboard(user, region_code, Filters(date_from, date_to))
        ventures = venture_rows(user, board.region_code)
        pdf = build_pdf(board, kind, date_from, ventures)
        token = uuid.uuid4().hex
        pdf_name = default_storage.save(f"private/reports/{token}.pdf", File(io.BytesIO(pdf)))
        with tempfile.TemporaryFile() as handle:
            build_xlsx(board, kind, date_from, handle, ventures)
            handle.seek(0)
            xlsx_name = default_storage.save(f"private/reports/{token}.xlsx", File(handle))
    with transaction.atomic():
        key = {
            "region_code": board.region_code,
            "kind": kind,
            "period_start": date_from,
            "language": language,
        }
        old = GeneratedReport.objects.filter(**key).first()
        report = old or GeneratedReport(**key)
        stale = (report.pdf_file, report.xlsx_file) if old else ()
        report.region_name = board.region_name
        report.period_end = date_to
        report.pdf_file, report.xlsx_file = pdf_name, xlsx_name
        report.as_of = board.as_of
        report.created_by = user
        report.created_at = timezone.now()
        report.save()
    for name in stale:
        if name:
            transaction.on_commit(lambda name=name: default_storage.delete(name))
    return report


def generate_job(
    job, progress, region_code: str, report_kind: str, period: str, language: str = ""
) -> dict:
    """Background job (mitra.core.jobs): one region's report for one period, in the language of
    the user who asked (sent along by the page; Indonesian for jobs queued without it)."""
    with translation.override(language or settings.LANGUAGE_CODE):
        progress(0, 1, _("Building the report"))
    start = datetime.date.fromisoformat(period)
    report = generate(job.created_by, region_code, report_kind, start, language)
    progress(1, 1)
    from django.urls import reverse

    return {"report": report.pk, "download_url": reverse("stats:reports")}


def generate_scheduled(kind: str, today: datetime.date | None = None, stdout=None) -> int:
    """Last month's (or year's) report for every region that asked for it, in the official
    language (Indonesian); returns how many."""
    start = last_period(kind, today)
    done = 0
    for subscription in ReportSubscription.objects.filter(kind=kind).select_related("created_by"):
        user = subscription.created_by
        if user is None or not user.is_active or not user.has_perm("stats.view_report"):
            log.warning(
                "scheduled report %s skipped: its owner cannot see reports", subscription.pk
            )
            continue
        try:
            generate(user, subscription.region_code, kind, start, settings.LANGUAGE_CODE)
        except Exception:  # one region's failure must not stop the others
            log.exception("scheduled report %s failed", subscription.pk)
            continue
        done += 1
        if stdout:
            stdout.write(f"{subscription.region_code or 'ID'} {kind} {start:%Y-%m}\n")
    return done
