"""The map: the child regions of the current level as a tile grid, shaded by one indicator.

No package on the registries this project may use ships Indonesian boundaries under a licence we
can keep (see docs/adr, "stats map as a tile grid"), so every level is drawn as a tile-grid map:
- national level: the 38 provinces on a hand-made grid that keeps their rough geography (Sumatra
  in the west, Papua in the east, Java in the south), labelled with their ISO 3166-2 letters;
- below it: the children as equal tiles in code order (codes follow the official numbering,
  kabupaten before kota), labelled with their names.
Each tile links to the child's dashboard (click-to-drill) and has its name and value as title.
The map is a `charts.Chart`, so it is drawn the same way in the page (SVG) and in the PDF.
"""

from __future__ import annotations

import math

from django.utils.translation import gettext as _

from .charts import INK, MUTED, Chart, format_value, text_width

# Viridis in five steps (perceptually even, readable in grey and by colour-blind readers).
SHADES = ["#fde725", "#5ec962", "#21918c", "#3b528b", "#440154"]
LIGHT_TEXT_FROM = 2  # the three darkest shades carry white text
NO_DATA = "#e9edf0"
ZERO = "#ffffff"  # a region with none at all stands apart from the lowest class

# code: (column, row, ISO 3166-2 letters)
PROVINCE_TILES = {
    "11": (0, 0, "AC"),
    "12": (1, 1, "SU"),
    "13": (1, 2, "SB"),
    "14": (2, 1, "RI"),
    "21": (3, 1, "KR"),
    "15": (2, 2, "JA"),
    "17": (2, 3, "BE"),
    "16": (3, 3, "SS"),
    "19": (4, 3, "BB"),
    "18": (3, 4, "LA"),
    "31": (5, 4, "JK"),
    "36": (4, 5, "BT"),
    "32": (5, 5, "JB"),
    "33": (6, 5, "JT"),
    "34": (6, 6, "YO"),
    "35": (7, 5, "JI"),
    "51": (8, 5, "BA"),
    "52": (9, 5, "NB"),
    "53": (10, 5, "NT"),
    "65": (7, 0, "KU"),
    "61": (6, 1, "KB"),
    "64": (7, 1, "KI"),
    "62": (6, 2, "KT"),
    "63": (7, 2, "KS"),
    "75": (9, 0, "GO"),
    "71": (10, 0, "SA"),
    "72": (9, 1, "ST"),
    "76": (8, 2, "SR"),
    "73": (9, 2, "SN"),
    "74": (10, 2, "SG"),
    "82": (12, 1, "MU"),
    "81": (12, 2, "MA"),
    "96": (13, 1, "PD"),
    "92": (14, 1, "PB"),
    "91": (15, 1, "PA"),
    "94": (14, 2, "PT"),
    "95": (15, 2, "PE"),
    "93": (15, 3, "PS"),
}


def classes(values: list[float]) -> list[float]:
    """Upper bounds of five equal classes between the smallest and the largest value."""
    low, high = min(values), max(values)
    if high == low:
        return [high] * 5
    step = (high - low) / 5
    return [low + step * (i + 1) for i in range(5)]


def shade_index(value, bounds: list[float]) -> int:
    for index, bound in enumerate(bounds):
        if value <= bound + 1e-9:
            return index
    return len(bounds) - 1


def tile_map(rows, key: str, label: str, unit: str, links: dict, national: bool) -> Chart:
    """`rows` are the child table's dicts (code, name, indicator values); `links` code -> url."""
    values = [r.get(key) for r in rows if r.get(key)]
    bounds = classes(values) if values else []
    if national and all(r["code"] in PROVINCE_TILES for r in rows):
        size, gap = 56, 4
        places = {r["code"]: PROVINCE_TILES[r["code"]][:2] for r in rows}
        labels = {r["code"]: PROVINCE_TILES[r["code"]][2] for r in rows}
        columns, lines = 16, 7
    else:
        count = max(1, len(rows))
        columns = max(1, min(10, math.ceil(math.sqrt(count * 3))))
        lines = math.ceil(count / columns)
        size, gap = max(60, min(100, 960 // columns - 6)), 6
        places = {r["code"]: (i % columns, i // columns) for i, r in enumerate(rows)}
        labels = {r["code"]: r["name"] for r in rows}
    top = 24
    width = max(columns * (size + gap), 560)
    height = top + lines * (size + gap) + 64
    chart = Chart(width, height, label, css_class="chart map")
    chart.add("text", x=0, y=16, text=label, bold=True, size=13)
    for row in rows:
        column, line = places[row["code"]]
        x, y = column * (size + gap), top + line * (size + gap)
        value = row.get(key)
        index = shade_index(value, bounds) if value else None
        fill = NO_DATA if value is None else ZERO if not value else SHADES[index]
        ink = "#ffffff" if index is not None and index >= LIGHT_TEXT_FROM else INK
        href = links.get(row["code"], "")
        title = f"{row['name']}: {format_value(value, unit)}"
        if national:
            # The tile shows the letters: the link's name must contain them (voice control).
            title = f"{row['name']}, {labels[row['code']]}: {format_value(value, unit)}"
        chart.add(
            "rect",
            x=x,
            y=y,
            w=size,
            h=size,
            fill=fill,
            stroke="#9aa7b0" if fill == ZERO else "#ffffff",
            href=href,
            title=title,
        )
        name = labels[row["code"]]
        if national:
            chart.add(
                "text",
                x=x + size / 2,
                y=y + size / 2 + 1,
                text=name,
                anchor="middle",
                fill=ink,
                size=12,
                bold=True,
                href=href,
                title=title,
            )
            chart.add(
                "text",
                x=x + size / 2,
                y=y + size - 6,
                anchor="middle",
                fill=ink,
                size=9,
                text=format_value(value, unit),
                fit=size - 4,
                href=href,
                title=title,
            )
        else:
            for n, part in enumerate(_wrap(name, size - 8, 10)):
                chart.add(
                    "text",
                    x=x + 4,
                    y=y + 13 + n * 12,
                    text=part,
                    fill=ink,
                    size=10,
                    fit=size - 8,
                    href=href,
                    title=title,
                )
            chart.add(
                "text",
                x=x + size - 4,
                y=y + size - 6,
                anchor="end",
                fill=ink,
                size=11,
                bold=True,
                text=format_value(value, unit),
                fit=size - 8,
                href=href,
                title=title,
            )
    _legend(chart, bounds, unit, top + lines * (size + gap) + 14)
    return chart


def _legend(chart: Chart, bounds: list[float], unit: str, y: float) -> None:
    x = 0.0
    chart.add("rect", x=x, y=y, w=16, h=16, fill=ZERO, stroke="#9aa7b0")
    chart.add("text", x=x + 21, y=y + 12, text="0", fill=INK, size=11)
    x += 21 + text_width("0", 11) + 16
    low = None
    for index, bound in enumerate(bounds):
        if index and bound == bounds[index - 1]:
            continue
        text = (
            f"> 0 – {format_value(bound, unit)}"
            if low is None
            else f"{format_value(low, unit)} – {format_value(bound, unit)}"
        )
        chart.add("rect", x=x, y=y, w=16, h=16, fill=SHADES[index], stroke="#9aa7b0")
        chart.add("text", x=x + 21, y=y + 12, text=text, fill=INK, size=11)
        x += 21 + text_width(text, 11) + 16
        low = bound
    chart.add("rect", x=x, y=y, w=16, h=16, fill=NO_DATA, stroke="#9aa7b0")
    chart.add("text", x=x + 21, y=y + 12, text=_("no data"), fill=MUTED, size=11)
    chart.add(
        "text",
        x=0,
        y=y + 38,
        size=10,
        fill=MUTED,
        text=_("Tile map: each square is one region, placed roughly where it lies."),
    )


def _wrap(text: str, width: float, size: float) -> list[str]:
    lines, current = [], ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if text_width(trial, size) <= width or not current:
            current = trial
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    # Three lines at most, words never cut: what is too wide is squeezed (`fit`), so the tile
    # shows the whole name its link is called by.
    return lines[:2] + [" ".join(lines[2:])] if len(lines) > 3 else lines
