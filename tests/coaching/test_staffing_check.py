"""The staffing plan of a group plan checked against the staff-child ratio (BKR),
on real staffing rows: the three-hour rule on long days, the half hour on
after-school school days, the per-location count from July 2024 and the maximum
size of an after-school base group."""

import datetime

import pytest

from coaching import services
from coaching.staffing import check_plan_staffing
from pilots.models import Group

pytestmark = pytest.mark.django_db


def row(starts_at, ends_at, staff, *, weekday=0, day_kind="school", **counts):
    return {
        "weekday": weekday,
        "day_kind": day_kind,
        "starts_at": datetime.time.fromisoformat(starts_at),
        "ends_at": datetime.time.fromisoformat(ends_at),
        "staff_planned": staff,
        **counts,
    }


def plan_with(w, group, rows, *, period_start=datetime.date(2024, 1, 8)):
    """A draft of `group`'s plan for a period from `period_start` with these day parts."""
    plan = services.group_plan_start(actor=w.manager, group=group)
    services.group_plan_update(
        actor=w.manager,
        plan=plan,
        period_start=period_start,
        period_end=period_start + datetime.timedelta(weeks=20),
        evaluation_date=period_start + datetime.timedelta(weeks=18),
        approach="",
        room_arrangements="",
        goals=[],
    )
    services.group_plan_set_staffing(actor=w.manager, plan=plan, rows=rows)
    return plan


@pytest.fixture
def after_school(world):
    return Group.objects.create(
        location=world.location, name="Bso Uilen", age_band=Group.AgeBand.SCHOOL_AGE, capacity=30
    )


# Twelve children aged 2 to 3 need two staff; one is half of that.
TWELVE = {"children_2_3": 12}


def statuses(report):
    return [slot.status for day in report.days for slot in day.slots]


def test_two_hours_at_half_staff_on_a_long_day_rely_on_the_three_hour_rule(world):
    rows = [
        row("07:30", "08:30", 1, **TWELVE),
        row("08:30", "17:00", 2, **TWELVE),
        row("17:00", "18:00", 1, **TWELVE),
    ]
    report = check_plan_staffing(plan_with(world, world.group_a, rows))
    assert report.kind == "day_care"
    [day] = report.days
    assert [s.status for s in day.slots] == ["three_hour_rule", "ok", "three_hour_rule"]
    assert [s.required for s in day.slots] == [2, 2, 2]
    assert (day.open_minutes, day.allowance_minutes, day.deviation_minutes) == (630, 180, 120)
    assert report.warnings == [] and not day.has_problem
    assert report.relies_on_three_hour_rule


def test_four_hours_at_half_staff_are_more_than_the_three_hour_rule_allows(world):
    rows = [
        row("07:30", "09:30", 1, **TWELVE),
        row("09:30", "16:00", 2, **TWELVE),
        row("16:00", "18:00", 1, **TWELVE),
    ]
    report = check_plan_staffing(plan_with(world, world.group_a, rows))
    assert statuses(report) == ["three_hour_rule", "ok", "understaffed"]
    assert report.warnings and report.days[0].has_problem


def test_a_day_shorter_than_ten_hours_has_no_allowance(world):
    rows = [row("08:00", "09:00", 1, **TWELVE), row("09:00", "17:00", 2, **TWELVE)]
    report = check_plan_staffing(plan_with(world, world.group_a, rows))
    assert statuses(report) == ["understaffed", "ok"]
    assert report.days[0].allowance_minutes == 0
    assert report.warnings


def test_below_half_the_required_staff_is_never_allowed(world):
    rows = [
        row("07:30", "08:00", 0, **TWELVE),
        row("08:00", "18:00", 2, **TWELVE),
    ]
    report = check_plan_staffing(plan_with(world, world.group_a, rows))
    assert statuses(report) == ["understaffed", "ok"]
    assert report.warnings


def test_each_day_is_checked_on_its_own(world):
    short_monday = [row("07:30", "09:30", 1, weekday=0, **TWELVE)]
    long_tuesday = [
        row("07:30", "09:30", 1, weekday=1, **TWELVE),
        row("09:30", "18:00", 2, weekday=1, **TWELVE),
    ]
    # Given out of order: the check sorts them by kind of day, day and time.
    report = check_plan_staffing(plan_with(world, world.group_a, long_tuesday + short_monday))
    assert [len(day.slots) for day in report.days] == [1, 2]
    assert [day.has_problem for day in report.days] == [True, False]
    assert len(report.warnings) == len(report.days[0].warnings)


def test_45_minutes_under_the_ratio_on_an_after_school_school_day_is_too_long(world, after_school):
    # Twelve children aged 4 to 7 need two staff.
    rows = [
        row("14:00", "14:45", 1, children_4_7=12),
        row("14:45", "18:30", 2, children_4_7=12),
    ]
    report = check_plan_staffing(plan_with(world, after_school, rows))
    assert report.kind == "after_school"
    assert statuses(report) == ["understaffed", "ok"]
    assert report.days[0].allowance_minutes == 30
    assert report.warnings


def test_half_an_hour_under_the_ratio_on_an_after_school_school_day_is_allowed(world, after_school):
    rows = [
        row("14:00", "14:30", 1, children_4_7=12),
        row("14:30", "18:30", 2, children_4_7=12),
    ]
    report = check_plan_staffing(plan_with(world, after_school, rows))
    assert statuses(report) == ["three_hour_rule", "ok"]
    assert report.warnings == []


def test_an_after_school_holiday_uses_the_three_hour_rule(world, after_school):
    rows = [
        row("07:30", "09:30", 1, day_kind="holiday", children_4_7=12),
        row("09:30", "18:30", 2, day_kind="holiday", children_4_7=12),
    ]
    report = check_plan_staffing(plan_with(world, after_school, rows))
    assert statuses(report) == ["three_hour_rule", "ok"]
    assert report.days[0].allowance_minutes == 180
    assert report.warnings == []


@pytest.mark.parametrize(
    "period_start, per_location",
    [
        (datetime.date(2024, 6, 30), False),
        (datetime.date(2024, 7, 1), True),
        (datetime.date(2025, 1, 6), True),
    ],
)
def test_after_school_care_counts_per_location_from_july_2024(
    world, after_school, period_start, per_location
):
    rows = [row("14:00", "18:30", 2, children_4_7=8, children_7_plus=6)]
    report = check_plan_staffing(plan_with(world, after_school, rows, period_start=period_start))
    assert report.per_location is per_location
    assert report.warnings == []


def test_day_care_is_never_counted_per_location(world):
    rows = [row("07:30", "18:00", 2, **TWELVE)]
    plan = plan_with(world, world.group_a, rows, period_start=datetime.date(2025, 1, 6))
    assert check_plan_staffing(plan).per_location is False


@pytest.mark.parametrize(
    "period_start",
    [datetime.date(2024, 1, 8), datetime.date(2024, 9, 2)],
    ids=["group", "location"],
)
def test_an_after_school_group_of_31_children_is_not_allowed(world, after_school, period_start):
    rows = [row("14:00", "18:30", 4, children_4_7=16, children_7_plus=15)]
    report = check_plan_staffing(plan_with(world, after_school, rows, period_start=period_start))
    [day] = report.days
    [slot] = day.slots
    assert slot.status == "not_allowed"
    assert slot.children == 31
    assert len(day.warnings) == 1 and day.has_problem


@pytest.mark.parametrize(
    "period_start",
    [datetime.date(2024, 1, 8), datetime.date(2024, 9, 2)],
    ids=["group", "location"],
)
def test_an_after_school_group_of_30_older_children_is_allowed(world, after_school, period_start):
    rows = [row("14:00", "18:30", 3, children_7_plus=30)]
    report = check_plan_staffing(plan_with(world, after_school, rows, period_start=period_start))
    assert statuses(report) == ["ok"]
    assert report.warnings == []


def test_prefetched_rows_give_the_same_report(world, django_assert_num_queries):
    rows = [row("07:30", "09:30", 1, **TWELVE), row("09:30", "18:00", 2, **TWELVE)]
    plan = plan_with(world, world.group_a, rows)
    saved = list(plan.staffing.all())
    plan.group  # noqa: B018 - loaded before counting
    with django_assert_num_queries(0):
        report = check_plan_staffing(plan, rows=saved)
    assert statuses(report) == statuses(check_plan_staffing(plan))


def test_a_plan_without_staffing_has_nothing_to_report(world):
    plan = services.group_plan_start(actor=world.manager, group=world.group_a)
    report = check_plan_staffing(plan)
    assert (report.days, report.warnings, report.relies_on_three_hour_rule) == ([], [], False)
