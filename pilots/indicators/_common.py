"""What every indicator shares: the rows in scope, the months of the period,
and cases open on a day."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet

from casework.models import Case, CaseStatus, Child
from pilots.dashboard_types import DashboardFilters, Figure
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


def children_in(locations: QuerySet) -> QuerySet[Child]:
    """Children whose current group lies at one of the locations (a child who
    moved counts where they are now)."""
    return Child.objects.filter(group__location__in=locations)


def cases_in(locations: QuerySet) -> QuerySet[Case]:
    return Case.objects.filter(child__group__location__in=locations)


def open_on(day: datetime.date, prefix: str = "") -> Q:
    """Cases open at the end of `day`: opened on or before it and not closed
    by then. A closed case without a close date counts as closed."""
    return Q(**{f"{prefix}opened_at__date__lte": day}) & (
        ~Q(**{f"{prefix}status": CaseStatus.CLOSED}) | Q(**{f"{prefix}closed_at__date__gt": day})
    )


def open_during(filters: DashboardFilters) -> Q:
    """Cases open on at least one day of the period."""
    return Q(opened_at__date__lte=filters.period_end) & (
        ~Q(status=CaseStatus.CLOSED) | Q(closed_at__date__gte=filters.period_start)
    )


def in_period(filters: DashboardFilters, field: str) -> Q:
    return Q(**{f"{field}__range": (filters.period_start, filters.period_end)})


def hidden() -> Figure:
    return Figure(HIDDEN, None)
