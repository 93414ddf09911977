"""Indicators about coaching on the job: visit coverage and agenda topics."""

from __future__ import annotations

from django.db.models import Count, FilteredRelation, Q, Subquery
from django.utils.translation import gettext as _

from coaching.models import AgendaItem, AssignmentKind, CoachAssignment, Topic, VisitStatus
from pilots.dashboard_types import Indicator, Table
from pilots.suppression import count_figure, share_figure

from ._common import moment_in_period


def visit_coverage(scope, filters, locations) -> Indicator:
    """Per location, the structural visits in the period (whatever became of
    them) and how many were held; coverage is held of planned."""
    # Only the period's structural visits are joined (not every visit, filtered
    # afterwards); the date bounds can use the index on (location, starts_at),
    # and the kind is tested against the structural assignments (a semi-join)
    # rather than by joining every visit's assignment.
    structural = CoachAssignment.objects.filter(kind=AssignmentKind.STRUCTURAL).order_by()
    period_visits = FilteredRelation(
        "visits",
        condition=moment_in_period(filters, "visits__starts_at")
        & Q(visits__assignment__in=Subquery(structural.values("pk"))),
    )
    rows = (
        locations.annotate(period_visits=period_visits)
        .annotate(
            planned=Count("period_visits"),
            held=Count("period_visits", filter=Q(period_visits__status=VisitStatus.HELD)),
        )
        .order_by("name", "pk")
        .values_list("name", "planned", "held")
    )
    table = Table([_("Location"), _("Planned"), _("Held"), _("Coverage")])
    for name, planned, held in rows:
        table.rows.append(
            (name, [count_figure(planned), count_figure(held), share_figure(held, planned)])
        )
    return Indicator(
        key="visit_coverage",
        title=_("Structural visits planned and held"),
        explanation=_("Per location, the structural coach visits in the period and how many held."),
        chart="bar",
        table=table,
    )


def agenda_topics(scope, filters, locations) -> Indicator:
    counts = dict(
        AgendaItem.objects.filter(visit__location__in=locations, visit__status=VisitStatus.HELD)
        .filter(moment_in_period(filters, "visit__starts_at"))
        .values("topic")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("topic", "n")
    )
    table = Table([_("Topic"), _("Questions")])
    for value, label in Topic.choices:
        table.rows.append((str(label), [count_figure(counts.get(value, 0))]))
    return Indicator(
        key="agenda_topics",
        title=_("Agenda questions by topic"),
        explanation=_("The questions on the agenda of the visits held in the period, by topic."),
        chart="bar",
        table=table,
    )
