"""Beroepskracht-kindratio (BKR): staff required for a group, in exact arithmetic.

Sources: Besluit kwaliteit kinderopvang (BWBR0039936), Bijlage 1, Tabel 1 (day care) and
Tabel 2 (after-school care) as published on wetten.overheid.nl (version 2020-10-01),
cross-checked against werkenbijksh.nl ("Beroepskracht-kindratio kinderdagverblijf" and
"... buitenschoolse opvang", 2019) and help.bitcare.com ("Kind-leidster ratio (BKR) 2019");
the per-location count for after-school care from the Besluit van 15 maart 2024, Stb. 2024,
64 (see AFTER_SCHOOL_RULESETS); the deviation allowance (three-hour rule) from artikel 7.

Only ``fractions.Fraction`` and integers are used; there is no float anywhere.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time
from fractions import Fraction

from django.utils.translation import gettext

# Age bands of day care: 0 = 0-1, 1 = 1-2, 2 = 2-3, 3 = 3-4 years.
BANDS = (0, 1, 2, 3)

DAY_CARE = "day_care"
AFTER_SCHOOL = "after_school"

# Result.scope: the ratio is counted per group (stamgroep / basisgroep) or per location.
GROUP = "group"
LOCATION = "location"

# Slot statuses of check_staffing_day.
OK = "ok"
THREE_HOUR_RULE = "three_hour_rule"
UNDERSTAFFED = "understaffed"
NOT_ALLOWED = "not_allowed"

# An after-school base group holds at most 30 children (Tabel 2's largest row; kept in 2024).
AFTER_SCHOOL_GROUP_MAXIMUM = 30

# Deviation from the ratio (artikel 7): day care, and after-school care on days without
# school, at most 3 hours a day and only when open 10 hours or more; after-school care on
# school days at most half an hour a day.
DEVIATION_MINUTES = 180
DEVIATION_MIN_OPEN_MINUTES = 600
SCHOOL_DAY_DEVIATION_MINUTES = 30


@dataclass(frozen=True)
class Result:
    staff: int | None
    allowed: bool
    reason: str = ""
    scope: str = GROUP  # GROUP or LOCATION: what the count of children refers to


@dataclass(frozen=True)
class Capacity:
    """One cell of a table: with ``staff`` staff at most ``children`` children, of whom at
    most ``max_young`` in the youngest band (under 1 in Tabel 1, aged 4-7 in Tabel 2;
    None: no separate cap in the table)."""

    staff: int
    children: int
    max_young: int | None = None


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
    scope: str  # GROUP: Tabel 2 per base group; LOCATION: children at the location
    # GROUP: "young" (4-7 only), "old" (7+ only), "mixed" -> capacities, increasing staff.
    table: dict[str, tuple[Capacity, ...]] | None = None
    # LOCATION: children per staff member, (aged 4-7, aged 7+).
    per_staff: tuple[int, int] | None = None


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

# Tabel 2 (in force since 1 January 2019), per base group; a row's last cell is its group
# maximum. Mixed: 4 to the end of primary school, with 1 staff at most 9 and with 2 staff at
# most 18 of them aged 4-7. Only the 7+ row has a 3-staff cell: werkenbijksh.nl's copy of the
# 2019 table shows "—" there for the 4-7 and mixed rows, and a provider's page gives 4-7 at
# most 20 with 2 staff, 4-13 at most 22 with 2 staff, 7-13 at most 24 with 2 / 30 with 3.
TABLE_2_2019: dict[str, tuple[Capacity, ...]] = {
    "young": (C(1, 10), C(2, 20)),  # base group at most 20
    "old": (C(1, 12), C(2, 24), C(3, 30)),  # at most 30
    "mixed": (C(1, 11, 9), C(2, 22, 18)),  # at most 22
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
    AfterSchoolRuleSet(effective_from=date(2019, 1, 1), scope=GROUP, table=TABLE_2_2019),
    # Besluit van 15 maart 2024 (Stb. 2024, 64), in force for this rule from 1 July 2024:
    # the ratio of after-school care is counted per location (kindercentrum) instead of per
    # base group. OUR READING of that per-location rule: for all children present at the
    # location, staff = ceil(n_4_7 / 10 + n_7_plus / 12), with no group maximum in this
    # count; each base group still holds at most AFTER_SCHOOL_GROUP_MAXIMUM children, see
    # after_school_group_size_problem().
    AfterSchoolRuleSet(effective_from=date(2024, 7, 1), scope=LOCATION, per_staff=(10, 12)),
)


def _in_force(rulesets, on: date):
    current = None
    for ruleset in rulesets:
        if ruleset.effective_from <= on:
            current = ruleset
    return current


def _too_large(limit: int) -> str:
    return gettext("group too large: at most %(limit)d children for this age range") % {
        "limit": limit
    }


def table_1_staff(counts: tuple[int, ...], ruleset: DayCareRuleSet) -> Result:
    present = [band for band in BANDS if counts[band] > 0]
    total = sum(counts)
    row = ruleset.table[(present[0], present[-1])]
    for cap in row:
        if total <= cap.children and (cap.max_young is None or counts[0] <= cap.max_young):
            return Result(cap.staff, True)
    if total > max(cap.children for cap in row):
        return Result(None, False, _too_large(max(cap.children for cap in row)))
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


@functools.cache
def _rekenregel_2(index: int, counts: tuple[int, ...]) -> int | None:
    """Staff under Tabel 1 and rekenregels 1 and 2 of DAY_CARE_RULESETS[index]; None when
    the group is not allowed. Rekenregel 2: if the same group with one child fewer (from
    any age band present) needs more staff, that higher number applies. What the smaller
    group "needs" includes rekenregel 2 itself, so the rule applies recursively: adding a
    child never lowers the staff required. Cached: at most every allowed group once."""
    result = _staff_table_and_rule_1(counts, DAY_CARE_RULESETS[index])
    if not result.allowed or result.staff == 0:
        return result.staff
    staff = result.staff
    for band in BANDS:
        if counts[band]:
            smaller = tuple(n - 1 if i == band else n for i, n in enumerate(counts))
            other = _rekenregel_2(index, smaller)
            if other is not None and other > staff:
                staff = other
    return staff


def required_staff_day_care(n0: int, n1: int, n2: int, n3: int, *, on: date) -> Result:
    """Tabel 1, then rekenregel 1 (when a child under 1 is present), then rekenregel 2."""
    counts = (n0, n1, n2, n3)
    if any(n < 0 for n in counts):
        raise ValueError("counts must be non-negative")
    ruleset = _in_force(DAY_CARE_RULESETS, on)
    if ruleset is None:
        return Result(None, False, gettext("no rules known for this date"))
    result = _staff_table_and_rule_1(counts, ruleset)
    if not result.allowed:
        return result
    return Result(_rekenregel_2(DAY_CARE_RULESETS.index(ruleset), counts), True)


def after_school_group_size_problem(total: int) -> str | None:
    """The reason a single after-school base group of ``total`` children is not allowed,
    or None when its size is allowed (at most AFTER_SCHOOL_GROUP_MAXIMUM)."""
    if total < 0:
        raise ValueError("counts must be non-negative")
    if total > AFTER_SCHOOL_GROUP_MAXIMUM:
        return gettext("group too large: at most %(limit)d children in a base group") % {
            "limit": AFTER_SCHOOL_GROUP_MAXIMUM
        }
    return None


def table_2_staff(n_4_7: int, n_7_plus: int, ruleset: AfterSchoolRuleSet) -> Result:
    """Tabel 2, per base group: the row's maximum (20, 30 or 22 in 2019, never above
    AFTER_SCHOOL_GROUP_MAXIMUM), then the first cell whose maximum and 4-7 cap both fit."""
    total = n_4_7 + n_7_plus
    if total == 0:
        return Result(0, True)
    key = "mixed" if n_4_7 and n_7_plus else ("young" if n_4_7 else "old")
    row = ruleset.table[key]
    limit = max(cap.children for cap in row)
    if total > limit:
        return Result(None, False, _too_large(limit))
    for cap in row:
        if total <= cap.children and (cap.max_young is None or n_4_7 <= cap.max_young):
            return Result(cap.staff, True)
    return Result(None, False, gettext("too many children aged 4 to 7 for this group"))


def location_staff(n_4_7: int, n_7_plus: int, ruleset: AfterSchoolRuleSet) -> Result:
    """Our reading of the per-location rule: ceil(n_4_7 / 10 + n_7_plus / 12), exact."""
    young, old = ruleset.per_staff
    staff = math.ceil(Fraction(n_4_7, young) + Fraction(n_7_plus, old))
    return Result(staff, True, scope=LOCATION)


def required_staff_after_school(n_4_7: int, n_7_plus: int, *, on: date) -> Result:
    """Per base group (Tabel 2) before 1 July 2024; from then for the children present at
    the location (``Result.scope == "location"``)."""
    if n_4_7 < 0 or n_7_plus < 0:
        raise ValueError("counts must be non-negative")
    ruleset = _in_force(AFTER_SCHOOL_RULESETS, on)
    if ruleset is None:
        return Result(None, False, gettext("no rules known for this date"))
    if ruleset.scope == LOCATION:
        return location_staff(n_4_7, n_7_plus, ruleset)
    return table_2_staff(n_4_7, n_7_plus, ruleset)


@dataclass(frozen=True)
class StaffingSlot:
    """One period of a day for one group (the three-hour rule, see check_staffing_day)."""

    starts_at: time
    ends_at: time
    counts: tuple[int, ...]  # 4 for day care (0-1, 1-2, 2-3, 3-4), 2 for after-school (4-7, 7+)
    staff: int  # planned pedagogical staff

    @property
    def minutes(self) -> int:
        return _minutes(self.ends_at) - _minutes(self.starts_at)

    @property
    def label(self) -> str:
        return f"{self.starts_at:%H:%M}–{self.ends_at:%H:%M}"


@dataclass(frozen=True)
class SlotResult:
    slot: StaffingSlot
    required: int | None  # None when the composition is not allowed
    status: str  # OK, THREE_HOUR_RULE, UNDERSTAFFED or NOT_ALLOWED
    reason: str = ""
    scope: str = GROUP


@dataclass(frozen=True)
class DayCheck:
    slots: tuple[SlotResult, ...]  # in the order of the slots given
    open_minutes: int  # earliest start to latest end
    allowance_minutes: int  # minutes below the ratio the rule permits on this day
    deviation_minutes: int  # minutes below the ratio that rely on the rule
    exceeds: bool  # minutes below the ratio exceed the allowance (or the rule does not apply)
    warnings: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return all(s.status in (OK, THREE_HOUR_RULE) for s in self.slots)


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def deviation_allowance(kind: str, open_minutes: int, *, school_day: bool = True) -> int:
    """Minutes a day the staff may be below the ratio: after-school care on school days 30;
    otherwise (day care, after-school care on days without school) 180 when the day's
    opening time is 10 hours or more, else 0."""
    if kind == AFTER_SCHOOL and school_day:
        return SCHOOL_DAY_DEVIATION_MINUTES
    return DEVIATION_MINUTES if open_minutes >= DEVIATION_MIN_OPEN_MINUTES else 0


def _required(kind: str, counts: tuple[int, ...], on: date) -> Result:
    if kind == DAY_CARE and len(counts) == 4:
        return required_staff_day_care(*counts, on=on)
    if kind == AFTER_SCHOOL and len(counts) == 2:
        return required_staff_after_school(*counts, on=on)
    raise ValueError(f"{kind}: wrong number of counts ({len(counts)})")


def check_staffing_day(
    kind: str, slots: Sequence[StaffingSlot], *, on: date, school_day: bool = True
) -> DayCheck:
    """Check one day's planned staff of one group against the ratio in force on ``on``.

    Each slot is "ok" (staff >= required), "three_hour_rule" (below the ratio but with at
    least half the required staff, rounded up, within the day's allowance),
    "understaffed" (below the ratio and not covered: below half, the rule does not apply
    that day, or the allowance is used up) or "not_allowed" (the composition itself is not
    allowed). The day's opening time runs from the earliest start to the latest end.

    Deviation minutes are counted in the order the slots are given (callers pass them by
    start time; slots should not overlap). A slot that would push the day's total past the
    allowance is understaffed as a whole: its minutes are not split, which keeps the
    outcome simple to explain."""
    if kind not in (DAY_CARE, AFTER_SCHOOL):
        raise ValueError(f"unknown kind: {kind}")
    for slot in slots:
        if slot.ends_at <= slot.starts_at:
            raise ValueError(f"slot {slot.label} must end after it starts")
        if slot.staff < 0:
            raise ValueError("staff must be non-negative")
    starts, ends = [_minutes(s.starts_at) for s in slots], [_minutes(s.ends_at) for s in slots]
    open_minutes = max(ends) - min(starts) if slots else 0
    allowance = deviation_allowance(kind, open_minutes, school_day=school_day)
    results, warnings = [], []
    deviation = below = 0
    for slot in slots:
        result = _required(kind, tuple(slot.counts), on)
        if not result.allowed:
            status, reason = NOT_ALLOWED, result.reason
        elif slot.staff >= result.staff:
            status, reason = OK, ""
        else:
            below += slot.minutes
            status, reason = _below_ratio(slot, result.staff, allowance, deviation)
            if status == THREE_HOUR_RULE:
                deviation += slot.minutes
        results.append(SlotResult(slot, result.staff, status, reason, result.scope))
        if status in (UNDERSTAFFED, NOT_ALLOWED):
            warnings.append(
                gettext("%(time)s: %(reason)s") % {"time": slot.label, "reason": reason}
            )
    exceeds = below > allowance
    if exceeds:
        message = gettext(
            "%(below)d minutes below the staff-child ratio on this day; %(max)d allowed"
        )
        warnings.append(message % {"below": below, "max": allowance})
    return DayCheck(tuple(results), open_minutes, allowance, deviation, exceeds, tuple(warnings))


def _below_ratio(slot: StaffingSlot, required: int, allowance: int, used: int):
    half = math.ceil(Fraction(required, 2))
    numbers = {"staff": slot.staff, "required": required, "allowance": allowance, "half": half}
    status = UNDERSTAFFED
    if slot.staff < half:
        message = gettext(
            "%(staff)d staff planned, %(required)d required: below the ratio, at least "
            "%(half)d needed even when deviating"
        )
    elif allowance == 0:
        message = gettext(
            "%(staff)d staff planned, %(required)d required: deviating from the ratio is "
            "allowed only on days open 10 hours or more"
        )
    elif used + slot.minutes > allowance:
        message = gettext(
            "%(staff)d staff planned, %(required)d required: the %(allowance)d minutes a "
            "day below the ratio are used up"
        )
    else:
        status = THREE_HOUR_RULE
        message = gettext(
            "%(staff)d staff planned, %(required)d required: below the ratio, allowed for at "
            "most %(allowance)d minutes a day"
        )
    return status, message % numbers
