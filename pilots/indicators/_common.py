"""What every indicator shares: the rows in scope, the months of the period,
and cases open on a day."""

from __future__ import annotations

import datetime

from django.db.models import DateField, Func, Q, QuerySet
from django.utils import timezone

from casework.models import Case, CaseStatus, Child
from pilots.dashboard_types import DashboardFilters, Figure
from pilots.models import Group
from pilots.suppression import HIDDEN


def months(filters: DashboardFilters) -> list[datetime.date]:
    """The first day of every month the period touches."""
    month = filters.period_start.replace(day=1)
    result = []
    while month <= filters.period_end:
        result.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return result


def month_label(month: datetime.date) -> str:
    # ISO months read the same in every language and sort as text.
    return f"{month:%Y-%m}"


class MonthOf(Func):
    """The first day of a date column's month. TruncMonth would first turn every
    date into a timestamp with time zone (a conversion per row that the month
    does not depend on); truncating a plain timestamp gives the same months for
    less work. The concerns query (written as SQL) uses the same expression."""

    template = "DATE_TRUNC('month', %(expressions)s::timestamp)::date"
    output_field = DateField()

    def as_sqlite(self, compiler, connection, **extra_context):
        # `make run`'s embedded database: the same months.
        return self.as_sql(compiler, connection, template="date(%(expressions)s, 'start of month')")


def every_location(locations: QuerySet) -> bool:
    """Whether `locations` is every location (an unfiltered queryset, as
    `compute_uncached` passes when a national overview covers them all): then
    every child is in scope, and rows about children need no filter at all."""
    return not locations.query.has_filters()


def groups_in(locations: QuerySet) -> QuerySet[Group]:
    """The groups at the locations. Rows about children are filtered on their
    child's group being one of these (a small set PostgreSQL hashes once)
    rather than on the group's location, which would join every child's group
    and then its location."""
    return Group.objects.filter(location__in=locations)


def child_in(locations: QuerySet, child: str = "") -> Q:
    """Rows whose child (`child` is the lookup path to it, "" for children
    themselves) is in scope: its current group lies at one of the locations (a
    child who moved counts where they are now). Nothing to test when every
    location is in scope (every child has a group, every group a location):
    the rows are then counted without joining a child at all."""
    if every_location(locations):
        return Q()
    return Q(**{f"{child}{'__' if child else ''}group__in": groups_in(locations)})


def children_in(locations: QuerySet) -> QuerySet[Child]:
    """Children whose current group lies at one of the locations."""
    return Child.objects.filter(child_in(locations))


def cases_in(locations: QuerySet) -> QuerySet[Case]:
    return Case.objects.filter(child_in(locations, "child"))


def start_of(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of `day` in the current time zone, so that a
    timestamp's local date lies on or after `day` exactly when the timestamp
    lies on or after it. Comparing timestamps with it (instead of truncating
    every row's timestamp to a date) lets an index on the column serve."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def end_of(day: datetime.date) -> datetime.datetime:
    """The first moment after `day` (the next day's midnight), as an exclusive bound."""
    return start_of(day + datetime.timedelta(days=1))


#: Every status but closed, named positively: a negated condition across a
#: relation (`~Q(cases__status=...)`) would become a subquery per row.
NOT_CLOSED = [status for status in CaseStatus.values if status != CaseStatus.CLOSED]


def open_on(day: datetime.date, prefix: str = "") -> Q:
    """Cases open at the end of `day`: opened on or before it and not closed
    by then. A closed case without a close date counts as closed."""
    return Q(**{f"{prefix}opened_at__lt": end_of(day)}) & (
        Q(**{f"{prefix}status__in": NOT_CLOSED}) | Q(**{f"{prefix}closed_at__gte": end_of(day)})
    )


def open_during(filters: DashboardFilters, prefix: str = "") -> Q:
    """Cases open on at least one day of the period."""
    return Q(**{f"{prefix}opened_at__lt": end_of(filters.period_end)}) & (
        Q(**{f"{prefix}status__in": NOT_CLOSED})
        | Q(**{f"{prefix}closed_at__gte": start_of(filters.period_start)})
    )


def in_period(filters: DashboardFilters, field: str) -> Q:
    return Q(**{f"{field}__range": (filters.period_start, filters.period_end)})


def moment_in_period(filters: DashboardFilters, field: str) -> Q:
    """A timestamp whose local date lies in the period (as `field__date__range`
    would, but comparable with an index on `field`)."""
    return Q(
        **{
            f"{field}__gte": start_of(filters.period_start),
            f"{field}__lt": end_of(filters.period_end),
        }
    )


def hidden() -> Figure:
    return Figure(HIDDEN, None)
