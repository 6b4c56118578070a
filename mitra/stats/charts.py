"""Server-drawn charts: one geometry, drawn as SVG in the pages and as reportlab graphics in the PDF.

Each chart function lays its shapes out once (`Chart`: rectangles, lines, polylines and text, with
optional links) and the two back ends only translate them, so what prints from the browser and
what the PDF report shows are the same picture. No JavaScript is needed to see a chart; the page's
small script only re-sorts the ranked bars.

Colours: the Okabe-Ito palette (safe for the common colour-vision deficiencies); a single series
uses its blue. Text is dark grey on white and never placed on a coloured bar except in white on
the darkest shades.
"""

from __future__ import annotations

import datetime
import functools
import math
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from django.utils.formats import date_format, get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
INK, MUTED, GRID = "#1d2a33", "#5b6b76", "#d9e1e6"
FONT = 12
CHAR_WIDTH = 0.58  # average advance of DejaVu Sans, in ems: enough to keep labels apart


@dataclass
class Shape:
    kind: str  # rect | line | polyline | text | circle
    x: float = 0
    y: float = 0
    w: float = 0
    h: float = 0
    points: list[tuple[float, float]] = field(default_factory=list)
    fill: str = "none"
    stroke: str = "none"
    stroke_width: float = 1
    text: str = ""
    size: float = FONT
    anchor: str = "start"  # start | middle | end
    bold: bool = False
    title: str = ""  # tooltip and accessible name of the shape
    href: str = ""
    group: str = ""  # shapes of one sortable bar share a group id
    fit: float = (
        0  # a text wider than this is squeezed to it, never cut (its link's name has it all)
    )
    dash: str = ""  # stroke pattern, e.g. "4 3": a line still moving (the running month)


@dataclass
class Chart:
    width: float
    height: float
    title: str
    shapes: list[Shape] = field(default_factory=list)
    css_class: str = "chart"
    sortable: bool = False
    row_height: float = 0
    top: float = 0

    def add(self, kind: str, **attrs) -> Shape:
        shape = Shape(kind, **attrs)
        self.shapes.append(shape)
        return shape


def _separators() -> tuple[str, str]:
    """(decimal, thousands) of the active language."""
    return _separators_of(get_language())


@functools.lru_cache(maxsize=16)
def _separators_of(language: str) -> tuple[str, str]:
    return get_format("DECIMAL_SEPARATOR"), get_format("THOUSAND_SEPARATOR")


def _number(value: float, places: int) -> str:
    # Python's own formatting with the language's separators swapped in: the charts format
    # hundreds of figures per page and django's number_format costs ~10x more per call.
    decimal, thousands = _separators()
    text = f"{value:,.{places}f}"
    return text.replace(",", "\0").replace(".", decimal).replace("\0", thousands)


def format_value(value, unit: str = "count") -> str:
    """A figure as people read it: 1.234, 45,3%, 2,5, 9,1; no value is a dash."""
    if value is None:
        return "—"
    if unit == "percent":
        return f"{_number(value, 1)}%"
    if unit == "ratio":
        # No padding zeros: the figures carry their own precision, and "9,10 years" reads as
        # nine years ten months in Indonesian.
        decimal, _thousands = _separators()
        return _number(value, 2 if abs(value) < 10 else 1).rstrip("0").rstrip(decimal)
    if isinstance(value, float) and not value.is_integer():
        return _number(value, 1)
    return _number(value, 0)


def text_width(text: str, size: float = FONT) -> float:
    return len(text) * size * CHAR_WIDTH


def _clip(text: str, width: float, size: float = FONT) -> str:
    most = max(3, int(width / (size * CHAR_WIDTH)))
    return text if len(text) <= most else text[: most - 1] + "…"


def _nice_max(value: float) -> float:
    """A round axis maximum at or above `value` (1, 2, 2.5, 5 or 10 times a power of ten)."""
    if value <= 0:
        return 1
    power = 10 ** (len(str(int(value))) - 1) if value >= 1 else 1
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def _nice_step(value: float, whole: bool = False) -> float:
    """A round tick step at or above `value`; whole numbers only for counts."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * power
        if step >= value and not (whole and step != int(step)):
            return step
    return 10 * power


def bar_chart(
    items,
    title: str,
    unit: str = "count",
    width: int = 520,
    links: dict | None = None,
    sortable: bool = False,
    color: str = OKABE_ITO[0],
) -> Chart:
    """Horizontal bars, one per (key, label, value), labels on the left, values at the bar's end.

    With `sortable`, each bar is a group the page's script can reorder (by value or by name)."""
    items = list(items)
    row, top = (26 if len(items) <= 15 else 21), 30
    label_w = min(220, max([text_width(str(label)) for _k, label, _v in items] or [60]) + 12)
    value_w = 70
    height = top + row * max(1, len(items)) + 8
    chart = Chart(
        width, height, title, css_class="chart bars", sortable=sortable, row_height=row, top=top
    )
    chart.add("text", x=0, y=16, text=title, bold=True, size=13)
    if not items:
        chart.add("text", x=0, y=top + 16, text=_("No figures for this period."), fill=MUTED)
        return chart
    scale_w = width - label_w - value_w
    peak = _nice_max(max((v or 0) for _k, _l, v in items))
    for index, (key, label, value) in enumerate(items):
        y = top + index * row
        group = f"bar-{index}"
        href = (links or {}).get(key, "")
        full = f"{label}: {format_value(value, unit)}"
        chart.add(
            "text",
            x=label_w - 8,
            y=y + 17,
            text=_clip(str(label), label_w - 10),
            anchor="end",
            fill=INK,
            group=group,
            href=href,
            title=full,
        )
        bar = (value or 0) / peak * scale_w
        chart.add(
            "rect",
            x=label_w,
            y=y + 5,
            w=max(bar, 1 if value else 0),
            h=row - 10,
            fill=color,
            group=group,
            title=full,
            href=href,
        )
        chart.add(
            "text",
            x=label_w + bar + 5,
            y=y + 17,
            text=format_value(value, unit),
            fill=INK,
            group=group,
        )
    return chart


def ranked_bars(rows, key: str, label: str, unit: str, links: dict | None = None) -> Chart:
    """The child regions compared on one indicator, highest first (sortable on the page)."""
    items = sorted(
        ((r["code"], r["name"], r.get(key)) for r in rows),
        key=lambda item: (item[2] is None, -(item[2] or 0), item[1]),
    )
    return bar_chart(items, label, unit, width=620, links=links, sortable=True)


def _month_label(day: datetime.date, with_year: bool) -> str:
    return _cached_month_label(day, with_year, get_language())


@functools.lru_cache(maxsize=1024)
def _cached_month_label(day: datetime.date, with_year: bool, language: str) -> str:
    return date_format(day, "M Y" if with_year else "M")


def line_chart(
    series: dict[str, list],
    title: str,
    unit: str = "count",
    width: int = 560,
    running: datetime.date | None = None,
) -> Chart:
    """Monthly trends: one line per named series, points marked, a legend above the plot.
    `running` (today) marks its month, if shown, as unfinished (ADR 0020): a dashed last segment,
    an asterisk on its label and a note, so a half month does not read as a drop."""
    height, left, right, top, bottom = 220, 52, 12, 44, 28
    chart = Chart(width, height, title, css_class="chart trend")
    chart.add("text", x=0, y=16, text=title, bold=True, size=13)
    months = sorted({d for points in series.values() for d, _v in points})
    values = [v for points in series.values() for _d, v in points if v is not None]
    if not months or not values:
        chart.add("text", x=0, y=top + 16, text=_("No figures for this period."), fill=MUTED)
        chart.height = top + 30
        return chart
    partial = running.replace(day=1) if running and running.replace(day=1) in months else None
    if partial:
        height, bottom = height + 16, bottom + 16  # room for the note under the months
    x = 0
    for index, name in enumerate(series if len(series) > 1 else []):
        color = OKABE_ITO[index % len(OKABE_ITO)]
        chart.add("rect", x=x, y=24, w=12, h=12, fill=color)
        chart.add("text", x=x + 16, y=34, text=name, fill=INK, size=11)
        x += 16 + text_width(name, 11) + 18
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = 4 * _nice_step(max(values) / 4, whole=unit == "count")
    for step in range(5):
        value = peak * step / 4
        y = top + plot_h - plot_h * step / 4
        chart.add("line", points=[(left, y), (left + plot_w, y)], stroke=GRID)
        chart.add(
            "text",
            x=left - 6,
            y=y + 4,
            text=format_value(value, unit),
            anchor="end",
            fill=MUTED,
            size=10,
        )
    span = max(1, len(months) - 1)
    position = {m: left + plot_w * i / span for i, m in enumerate(months)}
    every = max(1, round(len(months) / 8))
    for i, month in enumerate(months):
        if i % every == 0 or i == len(months) - 1:
            with_year = i == 0 or month.month == 1
            chart.add(
                "text",
                x=position[month],
                y=top + plot_h + 18,
                anchor="middle",
                fill=MUTED,
                size=10,
                text=_month_label(month, with_year) + ("*" if month == partial else ""),
            )
    if partial:
        note = _("* Month still running: figures up to %(date)s.") % {
            "date": date_format(running, "j M Y")
        }
        chart.add("text", x=0, y=height - 4, text=note, fill=MUTED, size=10)
    for index, (name, points) in enumerate(series.items()):
        color = OKABE_ITO[index % len(OKABE_ITO)]
        coords = [(position[d], top + plot_h - plot_h * (v or 0) / peak) for d, v in sorted(points)]
        done = coords[:-1] if partial and sorted(points)[-1][0] == partial else coords
        if len(done) > 1:
            chart.add("polyline", points=done, stroke=color, stroke_width=2.2)
        if len(done) < len(coords) and done:
            chart.add("polyline", points=coords[-2:], stroke=color, stroke_width=2.2, dash="4 3")
        for (d, v), (px, py) in zip(sorted(points), coords, strict=True):
            suffix = " *" if d == partial else ""
            chart.add(
                "circle",
                x=px,
                y=py,
                w=3,
                fill=color,
                title=f"{name}, {_month_label(d, True)}{suffix}: {format_value(v, unit)}",
            )
    return chart


def share_bar(items, title: str, width: int = 560) -> Chart:
    """One 100% stacked bar (e.g. workers by sex or tenure) with a legend of shares and counts."""
    items = [(k, label, v or 0) for k, label, v in items]
    total = sum(v for _k, _l, v in items)
    chart = Chart(width, 60, title, css_class="chart share")
    chart.add("text", x=0, y=16, text=title, bold=True, size=13)
    if not total:
        chart.add("text", x=0, y=42, text=_("No figures for this period."), fill=MUTED)
        return chart
    x = 0.0
    for index, (_k, label, value) in enumerate(items):
        w = width * value / total
        share = format_value(value * 100 / total, "percent")
        chart.add(
            "rect",
            x=x,
            y=26,
            w=w,
            h=22,
            fill=OKABE_ITO[index % len(OKABE_ITO)],
            title=f"{label}: {format_value(value)} ({share})",
            stroke="#fff",
        )
        x += w
    # Legend rows below the bar, wrapped to the width.
    x, y = 0.0, 68
    for index, (_k, label, value) in enumerate(items):
        text = f"{label} {format_value(value * 100 / total, 'percent')} ({format_value(value)})"
        need = 18 + text_width(text, 11) + 14
        if x and x + need > width:
            x, y = 0.0, y + 18
        chart.add("rect", x=x, y=y - 10, w=12, h=12, fill=OKABE_ITO[index % len(OKABE_ITO)])
        chart.add("text", x=x + 16, y=y, text=text, fill=INK, size=11)
        x += need
    chart.height = y + 10
    return chart


# ---- back ends ---------------------------------------------------------------------------------


def _svg_shape(shape: Shape) -> str:
    title = f"<title>{escape(shape.title)}</title>" if shape.title else ""
    if shape.kind == "rect":
        body = (
            f'<rect x="{shape.x:.1f}" y="{shape.y:.1f}" width="{shape.w:.1f}" '
            f'height="{shape.h:.1f}" fill="{shape.fill}" stroke="{shape.stroke}">{title}</rect>'
        )
    elif shape.kind == "circle":
        body = (
            f'<circle cx="{shape.x:.1f}" cy="{shape.y:.1f}" r="{shape.w:.1f}" '
            f'fill="{shape.fill}">{title}</circle>'
        )
    elif shape.kind in {"line", "polyline"}:
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in shape.points)
        body = (
            f'<polyline points="{points}" fill="none" stroke="{shape.stroke}" '
            f'stroke-width="{shape.stroke_width}" stroke-linejoin="round"'
            + (f' stroke-dasharray="{shape.dash}"' if shape.dash else "")
            + "/>"
        )
    else:
        weight = ' font-weight="bold"' if shape.bold else ""
        if shape.fit and text_width(shape.text, shape.size) > shape.fit:
            weight += f' textLength="{shape.fit:.1f}" lengthAdjust="spacingAndGlyphs"'
        fill = shape.fill if shape.fill != "none" else INK
        body = (
            f'<text x="{shape.x:.1f}" y="{shape.y:.1f}" font-size="{shape.size}" '
            f'text-anchor="{shape.anchor}" fill="{fill}"{weight}>{escape(shape.text)}'
            f"{title}</text>"
        )
    return body


def _linked(shapes: list[Shape]) -> list[str]:
    """Shapes in order; consecutive ones with the same link share one <a> (one tab stop, one
    target: a tile's label must not hide its square from the pointer)."""
    out: list[str] = []
    run: list[Shape] = []

    def flush():
        if not run:
            return
        href, title = run[0].href, run[0].title
        label = f" aria-label={quoteattr(title)}" if title else ""
        # Spaces between the texts: read together they are the link's visible words ("Canden 4"),
        # which its name must contain for voice control ("click Canden").
        out.append(f"<a href={quoteattr(href)}{label}>" + " ".join(map(_svg_shape, run)) + "</a>")
        run.clear()

    for shape in shapes:
        if shape.href and run and shape.href == run[0].href:
            run.append(shape)
            continue
        flush()
        if shape.href:
            run.append(shape)
        else:
            out.append(_svg_shape(shape))
    flush()
    return out


def to_svg(chart: Chart) -> SafeString:
    """The chart as inline SVG (scales to its container; the title is its accessible name)."""
    # An image hides its content from assistive technology: a chart with links is a group.
    role = "group" if any(shape.href for shape in chart.shapes) else "img"
    parts = [
        f'<svg class="{chart.css_class}" viewBox="0 0 {chart.width:.0f} {chart.height:.0f}" '
        f'width="{chart.width:.0f}" height="{chart.height:.0f}" role="{role}" '
        f'aria-label={quoteattr(chart.title)} font-family="DejaVu Sans, Arial, sans-serif"'
        + (f' data-row="{chart.row_height}" data-top="{chart.top}"' if chart.sortable else "")
        + ">"
    ]
    groups: dict[str, list[Shape]] = {}
    for shape in chart.shapes:
        if shape.group:
            groups.setdefault(shape.group, []).append(shape)
    parts.extend(_linked([shape for shape in chart.shapes if not shape.group]))
    for members in groups.values():
        # A sortable bar is moved as a whole: its shapes are drawn at the first row and the
        # group is translated to its place (the script changes only this transform).
        offset = int(members[0].group.rsplit("-", 1)[1]) * chart.row_height
        inner = _linked([Shape(**{**s.__dict__, "y": s.y - offset}) for s in members])
        label = next((s.text for s in members if s.kind == "text" and s.anchor == "end"), "")
        value = next((s.title.rsplit(": ", 1)[-1] for s in members if s.kind == "rect"), "")
        raw = next((s.w for s in members if s.kind == "rect"), 0)
        parts.append(
            f'<g class="bar" transform="translate(0 {offset:.1f})" data-name={quoteattr(label)} '
            f'data-value="{raw:.3f}" aria-label={quoteattr(f"{label}: {value}")}>'
            + "".join(inner)
            + "</g>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text and attribute is escaped above


def _fitted_size(shape: Shape) -> float:
    """The PDF has no textLength: a text too wide for its `fit` is set smaller instead."""
    wide = text_width(shape.text, shape.size)
    return shape.size * shape.fit / wide if shape.fit and wide > shape.fit else shape.size


def to_drawing(chart: Chart, fonts: tuple[str, str] = ("Helvetica", "Helvetica-Bold")):
    """The chart as a reportlab Drawing for the PDF report (same shapes, y axis flipped)."""
    from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect, String
    from reportlab.lib import colors

    regular, bold = fonts
    drawing = Drawing(chart.width, chart.height)
    flip = chart.height

    def color(value):
        return None if value in ("none", "", None) else colors.HexColor(value)

    for s in chart.shapes:
        if s.kind == "rect":
            drawing.add(
                Rect(
                    s.x,
                    flip - s.y - s.h,
                    s.w,
                    s.h,
                    fillColor=color(s.fill),
                    strokeColor=color(s.stroke),
                    strokeWidth=0.5,
                )
            )
        elif s.kind == "circle":
            drawing.add(Circle(s.x, flip - s.y, s.w, fillColor=color(s.fill), strokeColor=None))
        elif s.kind == "line":
            (x1, y1), (x2, y2) = s.points
            drawing.add(
                Line(
                    x1,
                    flip - y1,
                    x2,
                    flip - y2,
                    strokeColor=color(s.stroke),
                    strokeWidth=s.stroke_width,
                )
            )
        elif s.kind == "polyline":
            flat = [c for x, y in s.points for c in (x, flip - y)]
            dash = [float(n) for n in s.dash.split()] or None
            drawing.add(
                PolyLine(
                    flat,
                    strokeColor=color(s.stroke),
                    strokeWidth=s.stroke_width,
                    strokeDashArray=dash,
                )
            )
        else:
            drawing.add(
                String(
                    s.x,
                    flip - s.y,
                    s.text,
                    fontName=bold if s.bold else regular,
                    fontSize=_fitted_size(s),
                    fillColor=color(s.fill) or colors.HexColor(INK),
                    textAnchor=s.anchor,
                )
            )
    return drawing
