"""Tabel 1 / Tabel 2 of the Besluit kwaliteit kinderopvang, Bijlage 1."""

import ast
import math
from datetime import date, time
from fractions import Fraction
from io import StringIO
from itertools import product
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation

from pilots import ratio
from pilots.ratio import (
    AFTER_SCHOOL_GROUP_MAXIMUM,
    AFTER_SCHOOL_RULESETS,
    BANDS,
    DAY_CARE_RULESETS,
    StaffingSlot,
    after_school_group_size_problem,
    check_staffing_day,
    rekenregel_1,
    required_staff_after_school,
    required_staff_day_care,
    table_1_staff,
    table_2_staff,
)

ON = date(2023, 3, 1)
RULES_2019 = DAY_CARE_RULESETS[0]

# Every cell of Tabel 1 (2019): (youngest band, oldest band, staff, max children, max babies).
TABLE_1_CELLS = [
    (0, 0, 1, 3, None),
    (0, 0, 2, 6, None),
    (0, 0, 3, 9, None),
    (0, 0, 4, 12, None),
    (1, 1, 1, 5, None),
    (1, 1, 2, 10, None),
    (1, 1, 3, 15, None),
    (1, 1, 4, 16, None),
    (2, 2, 1, 8, None),
    (2, 2, 2, 16, None),
    (3, 3, 1, 8, None),
    (3, 3, 2, 16, None),
    (0, 1, 1, 4, None),
    (0, 1, 2, 8, None),
    (0, 1, 3, 14, 8),
    (0, 1, 4, 16, 8),
    (0, 2, 1, 5, None),
    (0, 2, 2, 10, None),
    (0, 2, 3, 13, 8),
    (0, 2, 3, 14, 4),
    (0, 2, 3, 15, 3),
    (0, 2, 4, 16, 8),
    (0, 3, 1, 5, None),
    (0, 3, 2, 12, None),
    (0, 3, 3, 14, 8),
    (0, 3, 3, 15, 5),
    (0, 3, 3, 16, 3),
    (0, 3, 4, 16, 8),
    (1, 2, 1, 6, None),
    (1, 2, 2, 11, None),
    (1, 2, 3, 16, None),
    (1, 3, 1, 7, None),
    (1, 3, 2, 13, None),
    (1, 3, 3, 16, None),
    (2, 3, 1, 8, None),
    (2, 3, 2, 16, None),
]

ROW_MAXIMUM = {(0, 0): 12, (1, 1): 16, (2, 2): 16, (3, 3): 16, (0, 1): 16, (0, 2): 16}
ROW_MAXIMUM.update({(0, 3): 16, (1, 2): 16, (1, 3): 16, (2, 3): 16})


def composition(lo, hi, total, babies=None):
    """A group spanning bands lo..hi with ``total`` children (``babies`` under 1)."""
    counts = [0, 0, 0, 0]
    if lo == hi:
        counts[lo] = total
        return tuple(counts)
    first = babies if (lo == 0 and babies is not None) else 1
    counts[lo] = first
    counts[hi] = total - first
    return tuple(counts)


@pytest.mark.parametrize(("lo", "hi", "staff", "children", "babies"), TABLE_1_CELLS)
def test_table_1_cell_full_group(lo, hi, staff, children, babies):
    counts = composition(lo, hi, children, babies)
    assert sum(counts) == children
    assert table_1_staff(counts, RULES_2019).staff == staff


@pytest.mark.parametrize(("lo", "hi", "staff", "children", "babies"), TABLE_1_CELLS)
def test_table_1_cell_one_more_child_needs_more_staff_or_is_refused(
    lo, hi, staff, children, babies
):
    counts = composition(lo, hi, children + 1, babies)
    result = table_1_staff(counts, RULES_2019)
    assert not result.allowed or result.staff > staff


@pytest.mark.parametrize(
    ("lo", "hi", "staff", "children", "babies"),
    [cell for cell in TABLE_1_CELLS if cell[4] is not None],
)
def test_table_1_baby_cap(lo, hi, staff, children, babies):
    counts = composition(lo, hi, children, babies + 1)
    result = table_1_staff(counts, RULES_2019)
    assert not result.allowed or result.staff > staff


@pytest.mark.parametrize(("band", "maximum"), sorted(ROW_MAXIMUM.items()))
def test_group_maximum(band, maximum):
    lo, hi = band
    assert required_staff_day_care(*composition(lo, hi, maximum), on=ON).allowed
    result = required_staff_day_care(*composition(lo, hi, maximum + 1), on=ON)
    assert not result.allowed
    assert result.staff is None
    assert "te groot" in result.reason


def test_group_maximum_12_when_all_under_1():
    assert required_staff_day_care(12, 0, 0, 0, on=ON).staff == 4
    assert "te groot" in required_staff_day_care(13, 0, 0, 0, on=ON).reason


def test_too_many_babies_reason():
    # 16 children aged 0-4, 9 of them under 1: the 4-staff cell allows 8 babies.
    result = required_staff_day_care(9, 0, 0, 7, on=ON)
    assert not result.allowed
    assert "te veel baby" in result.reason


@pytest.mark.parametrize(
    ("counts", "z"),
    [
        ((3, 6, 0, 0), Fraction(2)),
        ((6, 0, 0, 0), Fraction(2)),
        ((2, 3, 0, 0), Fraction(7, 6)),
        ((8, 0, 0, 6), Fraction(79, 24)),
        ((1, 1, 1, 1), Fraction(1, 3) + (Fraction(1, 5) + Fraction(1, 6) + Fraction(1, 8)) * 5 / 6),
    ],
)
def test_rekenregel_1_is_exact(counts, z):
    value = rekenregel_1(counts, RULES_2019)
    assert isinstance(value, Fraction)
    assert value == z


def test_rekenregel_1_whole_number_is_not_rounded_up():
    # Z = 3/3 + (6/5)/1.2 = 2 exactly: 2 staff, not 3.
    assert math.ceil(rekenregel_1((3, 6, 0, 0), RULES_2019)) == 2


def test_rekenregel_1_raises_table_result():
    # Tabel 1: 0-4, 5 children -> 1 staff; Z = 4/3 + (1/8)/1.2 -> 2.
    assert table_1_staff((4, 0, 0, 1), RULES_2019).staff == 1
    assert required_staff_day_care(4, 0, 0, 1, on=ON).staff == 2
    # Tabel 1: 0-4, 14 children of whom 8 babies -> 3; Z = 79/24 -> 4.
    assert table_1_staff((8, 0, 0, 6), RULES_2019).staff == 3
    assert required_staff_day_care(8, 0, 0, 6, on=ON).staff == 4


def test_rekenregel_1_not_applied_without_babies():
    # Z would be (8/6)/1.2 > 1, but without a child under 1 only Tabel 1 counts.
    assert required_staff_day_care(0, 0, 8, 0, on=ON).staff == 1


@pytest.mark.parametrize(
    ("counts", "table", "expected"),
    [
        ((0, 6, 0, 1), 1, 2),  # 1-4: 7 -> 1; without the 3-year-old: 1-2, 6 -> 2
        ((0, 1, 11, 1), 2, 3),  # 1-4: 13 -> 2; without the 3-year-old: 1-3, 12 -> 3
        # 0-3: 10 -> 2 and Z = 65/36 -> 2; without the 2-year-old: 0-2, 9 -> 3.
        ((1, 8, 1, 0), 2, 3),
        # 1-4: 13 -> 2; without a 3-year-old: 1-4, 12 -> 2, but that group needs 3 by
        # rekenregel 2 (without its 3-year-old: 1-2, 11 -> 3), so 3 applies here too.
        ((0, 11, 0, 2), 2, 3),
    ],
)
def test_rekenregel_2(counts, table, expected):
    assert table_1_staff(counts, RULES_2019).staff == table
    assert required_staff_day_care(*counts, on=ON).staff == expected


def test_rekenregel_2_one_child_fewer_from_any_band_never_needs_more():
    """Rekenregel 2 as worded: if the same group with one child fewer (taken from any age
    band present) needs more staff, that higher number applies. Checked for every allowed
    composition of up to 16 children."""
    for counts in product(range(17), repeat=4):
        if not 0 < sum(counts) <= 16:
            continue
        result = required_staff_day_care(*counts, on=ON)
        if not result.allowed:
            continue
        for band in BANDS:
            if counts[band]:
                smaller = tuple(n - 1 if i == band else n for i, n in enumerate(counts))
                other = required_staff_day_care(*smaller, on=ON)
                assert not other.allowed or other.staff <= result.staff, (counts, band)


def test_empty_group_needs_no_staff():
    assert required_staff_day_care(0, 0, 0, 0, on=ON).staff == 0


def test_no_rules_before_2019():
    result = required_staff_day_care(1, 0, 0, 0, on=date(2018, 12, 31))
    assert not result.allowed


def test_rules_in_force_from_effective_date():
    assert required_staff_day_care(1, 0, 0, 0, on=date(2019, 1, 1)).staff == 1


def test_no_float_in_the_module():
    tree = ast.parse(Path(ratio.__file__).read_text())
    for node in ast.walk(tree):
        assert not (isinstance(node, ast.Constant) and isinstance(node.value, float))
        assert not (isinstance(node, ast.Name) and node.id == "float")


# After-school care, Tabel 2 (2019), per base group.

TABLE_2_2019 = AFTER_SCHOOL_RULESETS[0]
ON_2024_BEFORE = date(2024, 6, 30)
ON_2024_FROM = date(2024, 7, 1)

# Every cell of Tabel 2: (row, staff, max children, max aged 4-7 or None). Only the 7+ row
# has a 3-staff cell.
TABLE_2_CELLS = [
    ("young", 1, 10, None),
    ("young", 2, 20, None),
    ("old", 1, 12, None),
    ("old", 2, 24, None),
    ("old", 3, 30, None),
    ("mixed", 1, 11, 9),
    ("mixed", 2, 22, 18),
]

# The group maximum of each row: (row, max children, staff for a full group, full groups).
TABLE_2_ROW_MAXIMA = [
    ("young", 20, 2, [(20, 0)]),
    ("old", 30, 3, [(0, 30)]),
    ("mixed", 22, 2, [(1, 21), (11, 11), (18, 4)]),
]


def bso_composition(row, total, young=None):
    """(n_4_7, n_7_plus) for a group of the row: in a mixed group ``young`` aged 4-7
    (default: all but one)."""
    if row == "young":
        return total, 0
    if row == "old":
        return 0, total
    young = total - 1 if young is None else young
    return young, total - young


def test_table_2_cells_are_the_whole_table():
    cells = [
        (row, cap.staff, cap.children, cap.max_young)
        for row, caps in TABLE_2_2019.table.items()
        for cap in caps
    ]
    assert sorted(cells, key=str) == sorted(TABLE_2_CELLS, key=str)
    maxima = {row: max(cap.children for cap in caps) for row, caps in TABLE_2_2019.table.items()}
    assert maxima == {row: maximum for row, maximum, _, _ in TABLE_2_ROW_MAXIMA}
    assert max(maxima.values()) == AFTER_SCHOOL_GROUP_MAXIMUM


@pytest.mark.parametrize(("row", "staff", "children", "cap"), TABLE_2_CELLS)
def test_table_2_cell_full_group(row, staff, children, cap):
    counts = bso_composition(row, children, cap)
    assert sum(counts) == children
    assert table_2_staff(*counts, TABLE_2_2019) == ratio.Result(staff, True)
    assert required_staff_after_school(*counts, on=ON).staff == staff


@pytest.mark.parametrize(("row", "staff", "children", "cap"), TABLE_2_CELLS)
def test_table_2_cell_one_more_child_needs_more_staff_or_is_refused(row, staff, children, cap):
    # The extra child is aged 7+ in a mixed group, so the 4-7 cap still fits.
    result = table_2_staff(*bso_composition(row, children + 1, cap), TABLE_2_2019)
    assert not result.allowed or result.staff > staff


@pytest.mark.parametrize(
    ("counts", "staff", "more_young", "expected"),
    [
        ((9, 2), 1, (10, 1), 2),  # 10 aged 4-7 > 9: the 2-staff cell
        ((18, 4), 2, (19, 3), None),  # 19 aged 4-7 > 18: no cell of the mixed row fits
    ],
)
def test_table_2_cap_on_children_aged_4_to_7(counts, staff, more_young, expected):
    assert table_2_staff(*counts, TABLE_2_2019).staff == staff
    # Same group size, one more aged 4-7 than the cell allows.
    assert sum(more_young) == sum(counts)
    with translation.override("en"):
        result = table_2_staff(*more_young, TABLE_2_2019)
    assert result.staff == expected
    if expected is None:
        assert not result.allowed
        assert result.reason == "too many children aged 4 to 7 for this group"


@pytest.mark.parametrize(
    ("row", "maximum", "staff", "full"),
    [
        (row, maximum, staff, full)
        for row, maximum, staff, fulls in TABLE_2_ROW_MAXIMA
        for full in fulls
    ],
)
def test_table_2_group_maximum(row, maximum, staff, full):
    assert sum(full) == maximum
    assert required_staff_after_school(*full, on=ON) == ratio.Result(staff, True)
    n_4_7, n_7_plus = full
    # One more child of an age already present, and a group far above the maximum (31 for
    # 4-7 only, above the 30 of any base group), both of the same row.
    young, old = bool(n_4_7), not n_4_7
    bigger = [(n_4_7 + young, n_7_plus + old), (n_4_7 + 11 * young, n_7_plus + 11 * old)]
    if n_4_7 and n_7_plus:
        bigger.append((n_4_7, n_7_plus + 1))
    for counts in bigger:
        with translation.override("en"):
            result = required_staff_after_school(*counts, on=ON)
        assert (result.allowed, result.staff) == (False, None), counts
        assert result.reason == f"group too large: at most {maximum} children for this age range"


def test_table_2_group_too_large_reason_is_translated():
    assert "te groot" in required_staff_after_school(21, 0, on=ON).reason


# Tabel 2 (2019), per base group: (n_4_7, n_7_plus, staff or None when not allowed).
TABLE_2_CASES = [
    (0, 0, 0),
    (10, 0, 1),
    (11, 0, 2),
    (20, 0, 2),
    (21, 0, None),  # 4-7 only: at most 20
    (30, 0, None),
    (0, 12, 1),
    (0, 13, 2),
    (0, 24, 2),
    (0, 25, 3),
    (0, 30, 3),
    (0, 31, None),  # 7+ only: at most 30
    (9, 2, 1),  # mixed: 11 per PM, of whom at most 9 aged 4-7
    (10, 1, 2),  # 10 aged 4-7 > 9 per PM
    (9, 3, 2),  # 12 > 11
    (18, 4, 2),
    (19, 3, None),  # 19 aged 4-7 > 18
    (1, 22, None),  # mixed: 23 > 22
    (15, 15, None),
]


@pytest.mark.parametrize(("young", "old", "staff"), TABLE_2_CASES)
def test_table_2_2019(young, old, staff):
    result = required_staff_after_school(young, old, on=ON)
    assert result.staff == staff
    assert result.allowed is (staff is not None)
    assert result.scope == "group"


def test_group_size_problem():
    assert AFTER_SCHOOL_GROUP_MAXIMUM == 30
    assert after_school_group_size_problem(0) is None
    assert after_school_group_size_problem(30) is None
    with translation.override("en"):
        assert "at most 30 children" in after_school_group_size_problem(31)
    with pytest.raises(ValueError):
        after_school_group_size_problem(-1)


# After-school care from 1 July 2024: per location (our reading of Stb. 2024, 64).

LOCATION_CASES = [
    (0, 0, 0),
    (10, 0, 1),  # 10/10 = 1 exactly
    (11, 0, 2),
    (0, 12, 1),  # 12/12 = 1 exactly
    (0, 13, 2),
    (5, 6, 1),  # 1/2 + 1/2 = 1 exactly
    (5, 7, 2),  # 1/2 + 7/12 > 1
    (4, 7, 1),  # 2/5 + 7/12 = 59/60
    (15, 6, 2),  # 3/2 + 1/2 = 2 exactly
    (5, 18, 2),  # 1/2 + 3/2 = 2 exactly
    (20, 12, 3),  # 2 + 1 = 3 exactly
    (20, 13, 4),
    (40, 0, 4),  # no group maximum in the count per location
    (100, 120, 20),
]


@pytest.mark.parametrize(("young", "old", "staff"), LOCATION_CASES)
def test_per_location_from_july_2024(young, old, staff):
    result = required_staff_after_school(young, old, on=ON_2024_FROM)
    assert result == ratio.Result(staff, True, scope="location")
    assert type(result.staff) is int
    assert staff == math.ceil(Fraction(young, 10) + Fraction(old, 12))


@pytest.mark.parametrize(
    ("young", "old", "before", "after"),
    [
        (8, 3, "1", "2"),  # group: 11 of whom 8 aged 4-7 -> 1; location: 4/5 + 1/4 -> 2
        (1, 21, "2", "2"),  # group: 22 -> 2; location: 1/10 + 7/4 -> 2
        (1, 22, None, "2"),  # group: 23 > 22 not allowed; location: 1/10 + 11/6 -> 2
        (21, 0, None, "3"),  # group: 4-7 only at most 20; location: 21/10 -> 3
        (31, 0, None, "4"),  # group: more than 30 not allowed; location: 31/10 -> 4
        (10, 0, "1", "1"),
    ],
)
def test_rule_set_by_date(young, old, before, after):
    for on in (ON, ON_2024_BEFORE):
        result = required_staff_after_school(young, old, on=on)
        assert result.scope == "group"
        assert result.allowed is (before is not None)
        assert result.staff == (None if before is None else int(before))
    for on in (ON_2024_FROM, date(2026, 1, 5)):
        result = required_staff_after_school(young, old, on=on)
        assert (result.staff, result.scope) == (int(after), "location")


def test_after_school_no_rules_before_2019_and_negative_counts():
    assert not required_staff_after_school(1, 0, on=date(2018, 12, 31)).allowed
    with pytest.raises(ValueError):
        required_staff_after_school(-1, 0, on=ON)


# The three-hour rule.


def slot(starts, ends, counts, staff):
    return StaffingSlot(time.fromisoformat(starts), time.fromisoformat(ends), counts, staff)


THREE_3 = (0, 0, 0, 16)  # 16 children aged 3-4: 2 staff required, half is 1
BABIES = (12, 0, 0, 0)  # 12 under 1: 4 staff required, half is 2
BSO_20 = (20, 0)  # 2 staff required (per group and per location), half is 1

# (id, kind, school day, date, slots, expected statuses, deviation minutes, exceeds)
DAY_CASES = [
    (
        "day care 10 h, 2 h at half staff",
        "day_care",
        True,
        ON,
        [
            slot("07:00", "08:00", THREE_3, 1),
            slot("08:00", "16:00", THREE_3, 2),
            slot("16:00", "17:00", THREE_3, 1),
        ],
        ["three_hour_rule", "ok", "three_hour_rule"],
        120,
        False,
    ),
    (
        "day care 10 h, 3 h at half staff",
        "day_care",
        True,
        ON,
        [
            slot("07:00", "08:30", THREE_3, 1),
            slot("08:30", "15:30", THREE_3, 2),
            slot("15:30", "17:00", THREE_3, 1),
        ],
        ["three_hour_rule", "ok", "three_hour_rule"],
        180,
        False,
    ),
    (
        "day care 10 h, 3.5 h at half staff",
        "day_care",
        True,
        ON,
        [
            slot("07:00", "08:30", THREE_3, 1),
            slot("08:30", "12:00", THREE_3, 2),
            slot("12:00", "12:30", THREE_3, 1),
            slot("12:30", "15:30", THREE_3, 2),
            slot("15:30", "17:00", THREE_3, 1),
        ],
        ["three_hour_rule", "ok", "three_hour_rule", "ok", "understaffed"],
        120,
        True,
    ),
    (
        "day care 9.5 h: no deviation at all",
        "day_care",
        True,
        ON,
        [slot("07:30", "08:00", THREE_3, 1), slot("08:00", "17:00", THREE_3, 2)],
        ["understaffed", "ok"],
        0,
        True,
    ),
    (
        "day care 10 h, below half within 3 h",
        "day_care",
        True,
        ON,
        [slot("07:00", "08:00", BABIES, 1), slot("08:00", "17:00", BABIES, 4)],
        ["understaffed", "ok"],
        0,
        False,
    ),
    (
        "day care 10 h, exactly half of 4 within 3 h",
        "day_care",
        True,
        ON,
        [slot("07:00", "08:00", BABIES, 2), slot("08:00", "17:00", BABIES, 4)],
        ["three_hour_rule", "ok"],
        60,
        False,
    ),
    (
        "after-school school day, 30 min",
        "after_school",
        True,
        ON,
        [slot("14:00", "14:30", BSO_20, 1), slot("14:30", "18:30", BSO_20, 2)],
        ["three_hour_rule", "ok"],
        30,
        False,
    ),
    (
        "after-school school day, 45 min",
        "after_school",
        True,
        ON,
        [slot("14:00", "14:45", BSO_20, 1), slot("14:45", "18:30", BSO_20, 2)],
        ["understaffed", "ok"],
        0,
        True,
    ),
    (
        "after-school holiday 10 h, 2 h",
        "after_school",
        False,
        ON,
        [
            slot("08:00", "09:00", BSO_20, 1),
            slot("09:00", "17:00", BSO_20, 2),
            slot("17:00", "18:00", BSO_20, 1),
        ],
        ["three_hour_rule", "ok", "three_hour_rule"],
        120,
        False,
    ),
    (
        "after-school holiday 9 h, 30 min",
        "after_school",
        False,
        ON,
        [slot("08:00", "08:30", BSO_20, 1), slot("08:30", "17:00", BSO_20, 2)],
        ["understaffed", "ok"],
        0,
        True,
    ),
    (
        "after-school per location, school day 30 min",
        "after_school",
        True,
        ON_2024_FROM,
        [slot("14:00", "14:30", BSO_20, 1), slot("14:30", "18:30", BSO_20, 2)],
        ["three_hour_rule", "ok"],
        30,
        False,
    ),
]


@pytest.mark.parametrize(
    ("kind", "school_day", "on", "slots", "statuses", "deviation", "exceeds"),
    [case[1:] for case in DAY_CASES],
    ids=[case[0] for case in DAY_CASES],
)
def test_three_hour_rule(kind, school_day, on, slots, statuses, deviation, exceeds):
    check = check_staffing_day(kind, slots, on=on, school_day=school_day)
    assert [result.status for result in check.slots] == statuses
    assert check.deviation_minutes == deviation
    assert check.exceeds is exceeds
    assert check.ok is all(status != "understaffed" for status in statuses)
    assert bool(check.warnings) is (exceeds or "understaffed" in statuses)
    for result in check.slots:
        assert bool(result.reason) is (result.status != "ok")


def test_day_check_minutes_and_allowance():
    check = check_staffing_day("day_care", DAY_CASES[2][4], on=ON)
    assert (check.open_minutes, check.allowance_minutes) == (600, 180)
    assert [result.required for result in check.slots] == [2] * 5
    assert [result.slot for result in check.slots] == DAY_CASES[2][4]
    school = check_staffing_day("after_school", [slot("14:00", "18:30", BSO_20, 2)], on=ON)
    assert (school.open_minutes, school.allowance_minutes) == (270, 30)
    holiday = check_staffing_day(
        "after_school", [slot("08:00", "18:00", BSO_20, 2)], on=ON, school_day=False
    )
    assert holiday.allowance_minutes == 180
    # The opening time runs from the earliest start to the latest end, gaps included.
    gap = check_staffing_day(
        "day_care", [slot("12:00", "17:00", THREE_3, 2), slot("07:00", "08:00", THREE_3, 2)], on=ON
    )
    assert (gap.open_minutes, gap.allowance_minutes) == (600, 180)
    empty = check_staffing_day("day_care", [], on=ON)
    assert (empty.open_minutes, empty.allowance_minutes, empty.exceeds) == (0, 0, False)


def test_day_check_scope_per_location():
    before = check_staffing_day("after_school", [slot("14:00", "18:00", (8, 3), 1)], on=ON)
    after = check_staffing_day("after_school", [slot("14:00", "18:00", (8, 3), 1)], on=ON_2024_FROM)
    assert (before.slots[0].scope, before.slots[0].status) == ("group", "ok")
    assert (after.slots[0].scope, after.slots[0].status) == ("location", "understaffed")


def test_day_check_not_allowed_composition():
    with translation.override("en"):
        check = check_staffing_day(
            "day_care",
            [slot("07:00", "12:00", (13, 0, 0, 0), 5), slot("12:00", "17:00", THREE_3, 2)],
            on=ON,
        )
    first = check.slots[0]
    assert (first.status, first.required) == ("not_allowed", None)
    assert "group too large" in first.reason
    assert check.warnings == (f"07:00–12:00: {first.reason}",)
    assert not check.ok


def test_day_check_after_school_group_too_large_before_july_2024():
    # 30 children aged 4-7 with 3 staff: a base group of 4-7 year olds holds at most 20;
    # counted per location from July 2024, 30/10 = 3 staff is enough.
    slots = [slot("14:00", "18:00", (30, 0), 3), slot("18:00", "18:30", BSO_20, 1)]
    with translation.override("en"):
        before = check_staffing_day("after_school", slots, on=ON)
    assert [(s.status, s.required) for s in before.slots] == [
        ("not_allowed", None),
        ("three_hour_rule", 2),
    ]
    reason = "group too large: at most 20 children for this age range"
    assert before.warnings == (f"14:00–18:00: {reason}",)
    after = check_staffing_day("after_school", slots, on=ON_2024_FROM)
    assert [(s.status, s.required, s.scope) for s in after.slots] == [
        ("ok", 3, "location"),
        ("three_hour_rule", 2, "location"),
    ]


def test_day_check_warnings_are_readable():
    with translation.override("en"):
        check = check_staffing_day("day_care", DAY_CASES[2][4], on=ON)
    assert check.warnings == (
        "15:30–17:00: 1 staff planned, 2 required: the 180 minutes a day below the ratio "
        "are used up",
        "210 minutes below the staff-child ratio on this day; 180 allowed",
    )


@pytest.mark.parametrize(
    ("kind", "slots"),
    [
        ("day_care", [slot("09:00", "09:00", THREE_3, 2)]),
        ("day_care", [slot("10:00", "09:00", THREE_3, 2)]),
        ("day_care", [slot("09:00", "10:00", (1, 2), 2)]),
        ("after_school", [slot("09:00", "10:00", THREE_3, 2)]),
        ("day_care", [slot("09:00", "10:00", THREE_3, -1)]),
        ("day_care", [slot("09:00", "10:00", (0, 0, -1, 3), 1)]),
        ("boarding_school", [slot("09:00", "10:00", THREE_3, 2)]),
    ],
)
def test_day_check_bad_input(kind, slots):
    with pytest.raises(ValueError):
        check_staffing_day(kind, slots, on=ON)


# The bkr command.


def bkr(*args):
    out = StringIO()
    call_command("bkr", *args, stdout=out)
    return out.getvalue().strip()


def test_command_day_care():
    assert bkr("0", "6", "0", "1", "--date", "2023-03-01") == "2"


def test_command_not_allowed():
    assert bkr("13", "0", "0", "0", "--date", "2023-03-01").startswith(
        "not allowed: groep te groot"
    )


@pytest.mark.parametrize(
    ("counts", "on", "expected"),
    [
        (("9", "3"), "2023-03-01", "2"),
        (("8", "3"), "2024-06-30", "1"),
        (("8", "3"), "2024-07-01", "2 (per location)"),
        (("5", "6"), "2024-07-01", "1 (per location)"),
        (("40", "0"), "2024-07-01", "4 (per location)"),
    ],
)
def test_command_bso(counts, on, expected):
    assert bkr("--bso", *counts, "--date", on) == expected


def test_command_bso_not_allowed_before_july_2024():
    assert bkr("--bso", "31", "0", "--date", "2024-06-30").startswith("not allowed: ")


def test_command_default_date_is_today():
    result = required_staff_after_school(8, 3, on=timezone.localdate())
    suffix = " (per location)" if result.scope == "location" else ""
    assert bkr("--bso", "8", "3") == f"{result.staff}{suffix}"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("1", "2", "3"), "day care needs 4 counts"),
        (("1", "2", "3", "4", "5"), "day care needs 4 counts"),
        (("--bso", "1", "2", "3"), "--bso needs 2 counts"),
        (("--bso", "1"), "--bso needs 2 counts"),
        (("1", "-2", "3", "4"), "non-negative"),
        (("--bso", "-1", "2"), "non-negative"),
        (("1", "2", "3", "4", "--date", "2024-13-01"), "invalid --date"),
        (("1", "2", "3", "4", "--date", "tomorrow"), "invalid --date"),
        (("1", "two", "3", "4"), "invalid int value"),
    ],
)
def test_command_bad_input(args, message):
    with pytest.raises(CommandError, match=message):
        bkr(*args)
