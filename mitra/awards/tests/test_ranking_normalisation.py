"""Normalisation per juror (docs/adr/0013-award-scoring.md), checked against a worked example
computed by hand, and the stated tie-break."""

import datetime
import types
from decimal import Decimal

import pytest

from mitra.awards import services
from mitra.awards.models import Criterion, Source
from mitra.awards.ranking import Mark, normalise_marks, score_group

from .builders import eligible_psm, make_cycle, nominate, score, stage

# ---- The worked example -----------------------------------------------------------------------
# Two jury criteria on a 1-10 scale: innovation (weight 3) and interview (weight 2); three jurors
# A, B, C each mark the three candidates X, Y, Z.
#
#               innovation         interview
#   juror       X   Y   Z          X   Y   Z
#   A           4   5   6          2  10   6      (A is harsh on innovation, wide on interview)
#   B           8   9  10          8   7   9      (B is lenient)
#   C           5   7   9          7   6   8
#
# Innovation. Panel (all nine marks): mean M = 63/9 = 7; deviations -3 -2 -1 1 2 3 -2 0 2,
# squares sum 36, population SD S = sqrt(36/9) = 2.
# Every juror's marks are (m-d, m, m+d), so the z-scores are -sqrt(3/2), 0, +sqrt(3/2) for X, Y, Z.
# Normalised mark = M + z*S = 7 -/+ 2*sqrt(1.5) = 7 -/+ sqrt(6) = 4.550510 / 7 / 9.449490 for all
# three jurors. As 0-1 of the scale ((v-1)/9): X 0.394501, Y 0.666667, Z 0.938832.
#
# Interview. Panel: M = 63/9 = 7; deviations -5 3 -1 1 0 2 0 -1 1, squares sum 42,
# S = sqrt(42/9) = 2.160247. z for A (mean 6, SD sqrt(32/3)): X -sqrt(1.5), Y +sqrt(1.5), Z 0;
# for B (mean 8) and C (mean 7), SD sqrt(2/3): X 0, Y -sqrt(1.5), Z +sqrt(1.5).
# z*S = sqrt(1.5*42/9) = sqrt(7) = 2.645751, so the normalised marks are
#   X: 7 - sqrt7, 7, 7            -> mean 7 - sqrt7/3   = 6.118083 -> 0-1: 0.568676
#   Y: 7 + sqrt7, 7 - sqrt7 (x2)  -> mean 7 - sqrt7/3   = 6.118083 -> 0-1: 0.568676
#   Z: 7, 7 + sqrt7 (x2)          -> mean 7 + 2sqrt7/3  = 8.763834 -> 0-1: 0.862648
# (Raw means would be X 5.67, Y 7.67: juror A's 2-vs-10 alone would open a two-point gap that the
# other two jurors, who put X above Y, do not support. Normalised, X and Y are level.)
#
# Total = 100 * (3*innovation + 2*interview) / 5 = 60*innovation + 40*interview:
#   X: 60*0.394501 + 40*0.568676 = 23.6701 + 22.7470 = 46.4171
#   Y: 60*0.666667 + 40*0.568676 = 40.0000 + 22.7470 = 62.7470
#   Z: 60*0.938832 + 40*0.862648 = 56.3299 + 34.5059 = 90.8359
# Ranking: Z 1st, Y 2nd, X 3rd.
INNOVATION = {"A": (4, 5, 6), "B": (8, 9, 10), "C": (5, 7, 9)}
INTERVIEW = {"A": (2, 10, 6), "B": (8, 7, 9), "C": (7, 6, 8)}
EXPECTED = {"X": "46.4171", "Y": "62.7470", "Z": "90.8359"}
WORKED_CRITERIA = [
    ("innovation", "Inovasi", 3, Source.JUROR, ""),
    ("interview", "Wawancara", 2, Source.JUROR, ""),
]


def _criteria():
    return [
        Criterion(
            key=k, label=label, weight=Decimal(w), source=s, metric=m, scale_min=1, scale_max=10
        )
        for k, label, w, s, m in WORKED_CRITERIA
    ]


def _candidate(name, minutes=0):
    return types.SimpleNamespace(pk=name, nominated_at=datetime.datetime(2026, 3, 1, 8, minutes))


def test_worked_example_by_hand():
    candidates = [_candidate(n) for n in "XYZ"]
    marks = []
    for table, key in ((INNOVATION, "innovation"), (INTERVIEW, "interview")):
        for juror_id, juror in enumerate("ABC", start=1):
            for name, value in zip("XYZ", table[juror], strict=True):
                marks.append(Mark(name, juror_id, juror, key, float(value)))
    entries = score_group(_criteria(), candidates, {}, marks)
    assert [e.nomination.pk for e in entries] == ["Z", "Y", "X"]
    assert {e.nomination.pk: str(e.total) for e in entries} == EXPECTED
    x = entries[2].components
    assert x["innovation"]["normalised"] == pytest.approx(0.394501, abs=1e-6)
    assert x["interview"]["normalised"] == pytest.approx(0.568676, abs=1e-6)
    assert x["innovation"]["contribution"] == pytest.approx(23.6701, abs=1e-4)
    assert [m["normalised"] for m in x["interview"]["marks"]] == [4.3542, 7.0, 7.0]
    assert x["interview"]["raw"] == pytest.approx(17 / 3, abs=1e-4)


def test_the_worked_example_through_sheets_and_the_preview(make_user, diy_officer, bantul_officer):
    cycle = make_cycle(criteria=WORKED_CRITERIA)
    regency = stage(cycle)
    nominations = {n: nominate(cycle, eligible_psm(), bantul_officer) for n in "XYZ"}
    homes = {"A": "3403", "B": "3404", "C": "3471"}  # none of them from Bantul
    for name, home in homes.items():
        juror = make_user(username=f"juri.{name}", role="juror", scope_code="")
        services.assign_juror(
            stage=regency, juror=juror, region_code="34", home_region_code=home, by=diy_officer
        )
        for n, inn, itv in zip("XYZ", INNOVATION[name], INTERVIEW[name], strict=True):
            score(nominations[n], juror, innovation=inn, interview=itv)
    preview = services.preview_ranking(regency, "3402")
    assert preview.problems == []
    got = {e.nomination.pk: str(e.total) for e in preview.entries}
    assert got == {nominations[n].pk: total for n, total in EXPECTED.items()}
    assert preview.entries[0].advanced and not preview.entries[1].advanced


def test_one_juror_keeps_their_marks_and_a_flat_juror_adds_no_preference():
    one = [Mark("X", 1, "A", "c", 3.0), Mark("Y", 1, "A", "c", 8.0)]
    assert normalise_marks(one, 1, 10) == {("X", 1): 3.0, ("Y", 1): 8.0}
    flat = [Mark("X", 2, "B", "c", 9.0), Mark("Y", 2, "B", "c", 9.0)]
    both = normalise_marks(one + flat, 1, 10)
    assert both[("X", 2)] == both[("Y", 2)] == pytest.approx(29 / 4)  # the panel mean


def test_ties_go_to_the_jury_part_then_verified_activities_then_the_earlier_nomination():
    criteria = [
        Criterion(
            key="innovation",
            label="Inovasi",
            weight=Decimal(1),
            source=Source.JUROR,
            scale_min=1,
            scale_max=10,
        ),
    ]
    p, q, r, s = _candidate("P", 1), _candidate("Q", 2), _candidate("R", 3), _candidate("S", 4)
    marks = [Mark(c, 1, "A", "innovation", v) for c, v in (("P", 8), ("Q", 8), ("R", 6), ("S", 8))]
    evidence = {
        "P": {"verified_activities": 3},
        "Q": {"verified_activities": 5},
        "R": {"verified_activities": 50},
        "S": {"verified_activities": 5},
    }
    entries = score_group(criteria, [p, q, r, s], evidence, marks)
    # P, Q, S have the same total and jury part; Q and S have more activities than P; Q was
    # nominated before S. R's many activities do not lift a lower total.
    assert [e.nomination.pk for e in entries] == ["Q", "S", "P", "R"]
    assert [e.rank for e in entries] == [1, 2, 3, 4]
    assert entries[0].total == entries[1].total == entries[2].total


def test_computed_criteria_are_scaled_between_the_lowest_and_highest_candidate():
    criteria = [
        Criterion(
            key="activities",
            label="Kegiatan",
            weight=Decimal(1),
            source=Source.COMPUTED,
            metric="verified_activities",
        ),
        Criterion(
            key="tenure",
            label="Masa",
            weight=Decimal(1),
            source=Source.COMPUTED,
            metric="tenure_years",
        ),
    ]
    a, b, c = _candidate("A"), _candidate("B"), _candidate("C")
    evidence = {
        "A": {"verified_activities": 10, "tenure_years": 4.0},
        "B": {"verified_activities": 20, "tenure_years": 4.0},
        "C": {"verified_activities": 30, "tenure_years": 4.0},
    }
    entries = {e.nomination.pk: e for e in score_group(criteria, [a, b, c], evidence, [])}
    # activities 0, 0.5, 1 (x 50 points); equal tenure counts 1 for all (50 points).
    assert {k: str(e.total) for k, e in entries.items()} == {
        "A": "50.0000",
        "B": "75.0000",
        "C": "100.0000",
    }
    assert entries["B"].components["activities"]["raw"] == 20.0
    assert entries["B"].juror_total == Decimal("0.0000")
