"""The tile map's links are named by what the tiles show: a voice-control user says the words
they see ("Sumberagung", "AC") and a screen reader reaches the links (a chart with links is a
group, not an image, whose content would be hidden)."""

import re

from mitra.stats import charts, maps


def _links(svg: str) -> list[tuple[str, str]]:
    """(accessible name, visible words) of each link of the SVG."""
    found = []
    for label, inner in re.findall(r'<a href="[^"]*" aria-label="([^"]*)">(.*?)</a>', svg):
        texts = re.findall(r"<text[^>]*>([^<]*)", inner)
        found.append((label, " ".join(texts)))
    return found


def test_region_tiles_show_whole_names_their_links_carry():
    rows = [
        {"code": "340209", "name": "Sumberagungmulyosari Kidul", "n": 1234567},
        {"code": "340210", "name": "Canden", "n": 4},
    ]
    links = {"340209": "/dasbor/340209/", "340210": "/dasbor/340210/"}
    svg = charts.to_svg(maps.tile_map(rows, "n", "PSM", "count", links, national=False))
    assert 'role="group"' in svg
    named = _links(svg)
    assert named == [
        ("Sumberagungmulyosari Kidul: 1.234.567", "Sumberagungmulyosari Kidul 1.234.567"),
        ("Canden: 4", "Canden 4"),
    ]
    assert "textLength" in svg  # the long name is squeezed into its tile, not cut


def test_province_tiles_name_their_letters():
    rows = [{"code": "11", "name": "Aceh", "n": 12}]
    svg = charts.to_svg(maps.tile_map(rows, "n", "PSM", "count", {"11": "/dasbor/11/"}, True))
    assert _links(svg) == [("Aceh, AC: 12", "AC 12")]


def test_a_chart_without_links_stays_an_image():
    chart = charts.Chart(100, 50, "Tren")
    chart.add("text", x=0, y=10, text="Jan")
    assert 'role="img"' in charts.to_svg(chart)
