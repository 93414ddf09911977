"""The staffing plan of a group plan checked against the staff-child ratio.

Each day (a weekday on school days, or on holidays) is checked as a whole,
because the three-hour rule is a daily allowance. The rules are those in force
on the first day of the plan's period, so a plan for a past period is judged by
the rules of that period."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby

from django.utils.translation import gettext as _

from pilots.ratio import AFTER_SCHOOL_GROUP_MAXIMUM, StaffingSlot, check_staffing_day

from .group_plan_selectors import group_kind
from .models import GroupPlan, GroupPlanStaffing


@dataclass
class SlotCheck:
    row: GroupPlanStaffing
    required: int | None
    status: str  # ok, three_hour_rule, understaffed, not_allowed
    reason: str = ""

    @property
    def children(self) -> int:
        return sum(self.row.day_care_counts) + sum(self.row.after_school_counts)


@dataclass
class DayReport:
    weekday_label: str
    day_kind_label: str
    slots: list[SlotCheck]
    open_minutes: int
    allowance_minutes: int
    deviation_minutes: int
    warnings: list[str] = field(default_factory=list)

    @property
    def has_problem(self) -> bool:
        return bool(self.warnings)


@dataclass
class StaffingReport:
    kind: str
    days: list[DayReport]
    per_location: bool = False

    @property
    def warnings(self) -> list[str]:
        return [f"{day.weekday_label}: {warning}" for day in self.days for warning in day.warnings]

    @property
    def relies_on_three_hour_rule(self) -> bool:
        return any(slot.status == "three_hour_rule" for day in self.days for slot in day.slots)


def _slot(row: GroupPlanStaffing, kind: str) -> StaffingSlot:
    counts = row.day_care_counts if kind == "day_care" else row.after_school_counts
    return StaffingSlot(
        starts_at=row.starts_at, ends_at=row.ends_at, counts=counts, staff=row.staff_planned
    )


def check_plan_staffing(plan: GroupPlan, rows=None) -> StaffingReport:
    """Check every day of the plan's staffing. `rows` defaults to the plan's own
    (pass prefetched rows to save a query)."""
    kind = group_kind(plan.group)
    rows = list(plan.staffing.all() if rows is None else rows)
    rows.sort(key=lambda row: (row.day_kind, row.weekday, row.starts_at))
    days = []
    per_location = False
    for (day_kind, _weekday), day_rows in groupby(rows, key=lambda r: (r.day_kind, r.weekday)):
        day_rows = list(day_rows)
        check = check_staffing_day(
            kind,
            [_slot(row, kind) for row in day_rows],
            on=plan.period_start,
            school_day=day_kind == GroupPlanStaffing.DayKind.SCHOOL_DAY,
        )
        slots = []
        warnings = list(check.warnings)
        for row, result in zip(day_rows, check.slots, strict=True):
            slot = SlotCheck(row, result.required, result.status, result.reason)
            if kind == "after_school":
                per_location = per_location or result.scope == "location"
                total = sum(row.after_school_counts)
                # Per group (before July 2024) the ratio table already refuses it.
                if total > AFTER_SCHOOL_GROUP_MAXIMUM and slot.status != "not_allowed":
                    slot.status = "not_allowed"
                    slot.reason = _("a base group holds at most %(limit)d children") % {
                        "limit": AFTER_SCHOOL_GROUP_MAXIMUM
                    }
                    warnings.append(
                        _("%(time)s: %(reason)s") % {"time": _time(row), "reason": slot.reason}
                    )
            slots.append(slot)
        days.append(
            DayReport(
                weekday_label=str(day_rows[0].get_weekday_display()),
                day_kind_label=str(day_rows[0].get_day_kind_display()),
                slots=slots,
                open_minutes=check.open_minutes,
                allowance_minutes=check.allowance_minutes,
                deviation_minutes=check.deviation_minutes,
                warnings=warnings,
            )
        )
    return StaffingReport(kind=kind, days=days, per_location=per_location)


def _time(row: GroupPlanStaffing) -> str:
    return f"{row.starts_at:%H:%M}–{row.ends_at:%H:%M}"
