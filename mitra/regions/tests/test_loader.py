from pathlib import Path

import pytest

from mitra.regions.loader import RegionFileError, load_regions
from mitra.regions.models import District, Province, Regency, Village

pytestmark = pytest.mark.django_db


def test_full_tree_has_the_official_counts(regions):
    assert Province.objects.count() == 38
    assert Regency.objects.count() == 514
    assert District.objects.count() == 7285
    assert Village.objects.count() == 83762


def test_loading_again_changes_nothing(regions):
    summary = load_regions()
    assert summary.created == 0 and summary.renamed == 0
    assert Village.objects.count() == 83762


def test_kinds_follow_the_code_rules(regions):
    assert Regency.objects.get(code="3402").kind == Regency.Kind.KABUPATEN  # Bantul
    assert Regency.objects.get(code="3471").kind == Regency.Kind.KOTA  # Kota Yogyakarta
    trimulyo = Village.objects.get(code="3402092004")
    assert trimulyo.name == "Trimulyo" and trimulyo.kind == Village.Kind.DESA
    assert trimulyo.district.regency.province.name == "Daerah Istimewa Yogyakarta"


def _write(tmp_path: Path, villages: str) -> Path:
    src = Path(__file__).resolve().parents[1] / "data"
    for name in ("provinces.csv", "regencies.csv", "districts.csv"):
        (tmp_path / name).write_text((src / name).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "villages.csv").write_text(villages, encoding="utf-8")
    return tmp_path


def test_a_renamed_village_is_updated_and_missing_ones_are_kept(regions, tmp_path):
    data = _write(tmp_path, "code,district_code,name\n34.02.09.2004,34.02.09,Trimulyo Baru\n")
    summary = load_regions(data)
    assert summary.renamed == 1
    assert summary.levels["village"].missing_from_file == 83761
    assert Village.objects.get(code="3402092004").name == "Trimulyo Baru"
    assert Village.objects.count() == 83762


def test_a_bad_file_is_refused_whole_and_nothing_is_written(regions, tmp_path):
    data = _write(
        tmp_path,
        "code,district_code,name\n34.02.09.2004,34.02.09,Trimulyo Baru\n34.02.09.99,34.02.09,Bad\n",
    )
    with pytest.raises(RegionFileError, match="villages.csv line 3"):
        load_regions(data)
    assert Village.objects.get(code="3402092004").name == "Trimulyo"


def test_a_village_under_the_wrong_district_is_refused(regions, tmp_path):
    data = _write(tmp_path, "code,district_code,name\n34.02.09.2999,34.02.08,Salah\n")
    with pytest.raises(RegionFileError, match="not under its parent"):
        load_regions(data)
    assert not Village.objects.filter(code="3402092999").exists()
