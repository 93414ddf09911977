"""Tabel 1 / Tabel 2 of the Besluit kwaliteit kinderopvang, Bijlage 1."""

import math
from datetime import date
from fractions import Fraction
from io import StringIO

import pytest
from django.core.management import call_command

from pilots.ratio import (
    DAY_CARE_RULESETS,
    rekenregel_1,
    required_staff_after_school,
    required_staff_day_care,
    table_1_staff,
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
    ],
)
def test_rekenregel_2(counts, table, expected):
    assert table_1_staff(counts, RULES_2019).staff == table
    assert required_staff_day_care(*counts, on=ON).staff == expected


def test_empty_group_needs_no_staff():
    assert required_staff_day_care(0, 0, 0, 0, on=ON).staff == 0


def test_no_rules_before_2019():
    result = required_staff_day_care(1, 0, 0, 0, on=date(2018, 12, 31))
    assert not result.allowed


def test_rules_in_force_from_effective_date():
    assert required_staff_day_care(1, 0, 0, 0, on=date(2019, 1, 1)).staff == 1


# Tabel 2 (2019), per base group: (n_4_7, n_7_plus, staff).
TABLE_2_CASES = [
    (10, 0, 1),
    (11, 0, 2),
    (20, 0, 2),
    (0, 12, 1),
    (0, 13, 2),
    (0, 24, 2),
    (9, 2, 1),  # mixed: 11 per PM, of whom at most 9 aged 4-7
    (10, 1, 2),  # 10 aged 4-7 > 9 per PM
    (9, 3, 2),  # 12 > 11
    (18, 4, 2),
    (19, 3, 3),
]


@pytest.mark.parametrize(("young", "old", "staff"), TABLE_2_CASES)
def test_table_2_2019(young, old, staff):
    assert required_staff_after_school(young, old, on=ON).staff == staff


def test_after_school_per_location_from_july_2024_not_implemented():
    result = required_staff_after_school(10, 0, on=date(2024, 7, 1))
    assert not result.allowed
    assert required_staff_after_school(10, 0, on=date(2024, 6, 30)).staff == 1


def test_command_day_care():
    out = StringIO()
    call_command("bkr", "0", "6", "0", "1", "--date", "2023-03-01", stdout=out)
    assert out.getvalue().strip() == "2"


def test_command_not_allowed():
    out = StringIO()
    call_command("bkr", "13", "0", "0", "0", "--date", "2023-03-01", stdout=out)
    assert out.getvalue().startswith("not allowed: groep te groot")


def test_command_bso():
    out = StringIO()
    call_command("bkr", "--bso", "9", "3", "--date", "2023-03-01", stdout=out)
    assert out.getvalue().strip() == "2"
