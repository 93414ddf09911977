"""Beroepskracht-kindratio (BKR): staff required for a group, in exact arithmetic.

Source of the data: Besluit kwaliteit kinderopvang, Bijlage 1 (BWBR0039936),
Tabel 1 as published on wetten.overheid.nl (version 2020-10-01), cross-checked
against werkenbijksh.nl ("Beroepskracht-kindratio kinderdagverblijf", Dagopvang
2019) and help.bitcare.com ("Kind-leidster ratio (BKR) 2019").

Only ``fractions.Fraction`` and integers are used; there is no float anywhere.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from django.utils.translation import gettext

# Age bands of day care: 0 = 0-1, 1 = 1-2, 2 = 2-3, 3 = 3-4 years.
BANDS = (0, 1, 2, 3)


@dataclass(frozen=True)
class Result:
    staff: int | None
    allowed: bool
    reason: str = ""


@dataclass(frozen=True)
class Capacity:
    """One cell of Tabel 1: with ``staff`` PM at most ``children``, of whom
    at most ``max_babies`` under 1 (None: no separate cap in the table)."""

    staff: int
    children: int
    max_babies: int | None = None


@dataclass(frozen=True)
class DayCareRuleSet:
    effective_from: date
    # (youngest band, oldest band) -> capacities, in increasing staff order.
    table: dict[tuple[int, int], tuple[Capacity, ...]]
    # Rekenregel 1 divisors per band and the overall divisor.
    z_divisors: tuple[int, int, int, int]
    z_factor: Fraction


@dataclass(frozen=True)
class AfterSchoolRuleSet:
    effective_from: date
    per_location: bool
    per_pm_young: int | None = None  # 4-7 only
    per_pm_old: int | None = None  # 7+ only
    per_pm_mixed: int | None = None  # mixed
    mixed_young_per_pm: int | None = None  # max 4-7 per PM in a mixed group


C = Capacity

# Tabel 1 (in force since 1 January 2019).
TABLE_1_2019: dict[tuple[int, int], tuple[Capacity, ...]] = {
    (0, 0): (C(1, 3), C(2, 6), C(3, 9), C(4, 12)),
    (1, 1): (C(1, 5), C(2, 10), C(3, 15), C(4, 16)),
    (2, 2): (C(1, 8), C(2, 16)),
    (3, 3): (C(1, 8), C(2, 16)),
    (0, 1): (C(1, 4), C(2, 8), C(3, 14, 8), C(4, 16, 8)),
    (0, 2): (C(1, 5), C(2, 10), C(3, 13, 8), C(3, 14, 4), C(3, 15, 3), C(4, 16, 8)),
    (0, 3): (C(1, 5), C(2, 12), C(3, 14, 8), C(3, 15, 5), C(3, 16, 3), C(4, 16, 8)),
    (1, 2): (C(1, 6), C(2, 11), C(3, 16)),
    (1, 3): (C(1, 7), C(2, 13), C(3, 16)),
    (2, 3): (C(1, 8), C(2, 16)),
}

DAY_CARE_RULESETS: tuple[DayCareRuleSet, ...] = (
    DayCareRuleSet(
        effective_from=date(2019, 1, 1),
        table=TABLE_1_2019,
        z_divisors=(3, 5, 6, 8),
        z_factor=Fraction(6, 5),
    ),
)

AFTER_SCHOOL_RULESETS: tuple[AfterSchoolRuleSet, ...] = (
    AfterSchoolRuleSet(
        effective_from=date(2019, 1, 1),
        per_location=False,
        per_pm_young=10,
        per_pm_old=12,
        per_pm_mixed=11,
        mixed_young_per_pm=9,
    ),
    # From 1 July 2024 the ratio is counted per location (kindercentrum). The
    # exact legal formula was not found in a reliable source; see below.
    AfterSchoolRuleSet(effective_from=date(2024, 7, 1), per_location=True),
)


def _in_force(rulesets, on: date):
    current = None
    for ruleset in rulesets:
        if ruleset.effective_from <= on:
            current = ruleset
    return current


def table_1_staff(counts: tuple[int, ...], ruleset: DayCareRuleSet) -> Result:
    present = [band for band in BANDS if counts[band] > 0]
    total = sum(counts)
    row = ruleset.table[(present[0], present[-1])]
    for cap in row:
        if total <= cap.children and (cap.max_babies is None or counts[0] <= cap.max_babies):
            return Result(cap.staff, True)
    if total > max(cap.children for cap in row):
        limit = max(cap.children for cap in row)
        return Result(
            None,
            False,
            gettext("group too large: at most %(limit)d children for this age range")
            % {"limit": limit},
        )
    return Result(None, False, gettext("too many babies (children under 1) for this group"))


def rekenregel_1(counts: tuple[int, ...], ruleset: DayCareRuleSet) -> Fraction:
    """Z = n0/3 + (n1/5 + n2/6 + n3/8) / 1.2, exact."""
    d0, d1, d2, d3 = ruleset.z_divisors
    older = Fraction(counts[1], d1) + Fraction(counts[2], d2) + Fraction(counts[3], d3)
    return Fraction(counts[0], d0) + older / ruleset.z_factor


def _staff_table_and_rule_1(counts: tuple[int, ...], ruleset: DayCareRuleSet) -> Result:
    if sum(counts) == 0:
        return Result(0, True)
    result = table_1_staff(counts, ruleset)
    if not result.allowed:
        return result
    staff = result.staff
    if counts[0] > 0:
        staff = max(staff, math.ceil(rekenregel_1(counts, ruleset)))
    return Result(staff, True)


def required_staff_day_care(n0: int, n1: int, n2: int, n3: int, *, on: date) -> Result:
    counts = (n0, n1, n2, n3)
    if any(n < 0 for n in counts):
        raise ValueError("counts must be non-negative")
    ruleset = _in_force(DAY_CARE_RULESETS, on)
    if ruleset is None:
        return Result(None, False, gettext("no rules known for this date"))
    result = _staff_table_and_rule_1(counts, ruleset)
    if not result.allowed or result.staff == 0:
        return result
    # Rekenregel 2: if the group with one child fewer needs more staff, that applies.
    staff = result.staff
    for band in BANDS:
        if counts[band]:
            smaller = tuple(n - 1 if i == band else n for i, n in enumerate(counts))
            other = _staff_table_and_rule_1(smaller, ruleset)
            if other.allowed and other.staff > staff:
                staff = other.staff
    return Result(staff, True)


def required_staff_after_school(n_4_7: int, n_7_plus: int, *, on: date) -> Result:
    if n_4_7 < 0 or n_7_plus < 0:
        raise ValueError("counts must be non-negative")
    ruleset = _in_force(AFTER_SCHOOL_RULESETS, on)
    if ruleset is None:
        return Result(None, False, gettext("no rules known for this date"))
    if ruleset.per_location:
        return Result(
            None,
            False,
            gettext("the per-location rules in force from 1 July 2024 are not implemented"),
        )
    total = n_4_7 + n_7_plus
    if total == 0:
        return Result(0, True)
    if n_7_plus == 0:
        return Result(math.ceil(Fraction(total, ruleset.per_pm_young)), True)
    if n_4_7 == 0:
        return Result(math.ceil(Fraction(total, ruleset.per_pm_old)), True)
    staff = max(
        math.ceil(Fraction(total, ruleset.per_pm_mixed)),
        math.ceil(Fraction(n_4_7, ruleset.mixed_young_per_pm)),
    )
    return Result(staff, True)
