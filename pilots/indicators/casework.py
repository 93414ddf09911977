"""Indicators about children with a case: open cases, concerns, the time to
the first coach contact, placements, plan evaluations and well-being."""

from __future__ import annotations

import datetime

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from alert4you import sql as sql_parts
from casework.models import (
    Concern,
    Domain,
    Observation,
    Placement,
    PlacementSetting,
    Plan,
    PlanReview,
    PlanStatus,
)
from coaching.models import AgendaItem, VisitStatus
from pilots.dashboard_types import Indicator, Table
from pilots.suppression import MIN_MEAN_BASE, count_figure, mean_figure, median_figure, share_figure

from ._common import (
    MonthOf,
    cases_in,
    children_in,
    hidden,
    in_period,
    month_label,
    months,
    open_during,
    open_on,
)


def open_cases(scope, filters, locations) -> Indicator:
    n = cases_in(locations).filter(open_on(filters.period_end)).count()
    return Indicator(
        key="open_cases",
        title=_("Children with an open case"),
        explanation=_("Children whose case was open (or being monitored) on the last day."),
        chart="number",
        table=Table([_("Scope"), _("Children")], [(scope.label, [count_figure(n)])]),
    )


def concerns_by_domain(scope, filters, locations) -> Indicator:
    """Per month and domain, the children about whom a concern was logged (a
    child with two concerns in one domain and month counts once)."""
    counts = {
        (month_label(month), domain): children
        for month, domain, children in _children_with_concerns(scope, filters, locations)
    }
    table = Table([_("Month"), *(str(label) for label in Domain.labels)])
    for month in months(filters):
        label = month_label(month)
        table.rows.append((label, [count_figure(counts.get((label, d), 0)) for d in Domain.values]))
    return Indicator(
        key="concerns_by_domain",
        title=_("Concerns per developmental domain"),
        explanation=_("Per month, the children about whom a concern in each domain was logged."),
        chart="line",
        table=table,
    )


def _children_with_concerns(scope, filters, locations) -> list[tuple]:
    """(month, domain, children) for every month and domain with a concern.

    Written as SQL because the ORM cannot join a subquery. Over every pilot,
    the period's concerns (100,000 in a national year, read from the covering
    index on observed_on, domain, case) are joined once to the cases in scope
    with their child: OFFSET 0 keeps PostgreSQL from merging the subquery into
    a chain of joins to case, child and group, each made for every concern.
    For a pilot or a location that chain is the better plan (it starts from
    the few cases in scope and looks up their concerns), so the subquery is
    left open to merging there. (When every location lies in a pilot the
    cases in scope are every case: no child or group is joined at all.)"""
    every_pilot = (
        scope.kind == "national" and not filters.location_type and not filters.municipality_id
    )
    cases = cases_in(locations).order_by().values("id", "child_id")
    cases_sql, cases_params = cases.query.sql_with_params()
    sql = f"""
        SELECT {sql_parts.month_start("concern.observed_on")},  -- as MonthOf
               concern.domain, COUNT(DISTINCT in_scope.child_id)
        FROM {Concern._meta.db_table} concern
        JOIN ({cases_sql} {"OFFSET 0" if every_pilot and sql_parts.postgresql() else ""}) in_scope
            ON in_scope.id = concern.case_id
        WHERE concern.observed_on BETWEEN %s AND %s
        GROUP BY 1, 2
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*cases_params, filters.period_start, filters.period_end])
        rows = cursor.fetchall()
    # SQLite (`make run`) answers the month as text.
    return [
        (datetime.date.fromisoformat(month) if isinstance(month, str) else month, domain, n)
        for month, domain, n in rows
    ]


def lead_time(scope, filters, locations) -> Indicator:
    """Median days from a case's first concern (in the period) to the first
    held visit whose agenda had an item about that case, on or after it."""
    # A case's first concern lies in the period when it has a concern in the
    # period and none before it: a semi- and an anti-join, so the first concern
    # is looked up only for those cases, not for every case in scope.
    concerns = Concern.objects.filter(case=OuterRef("pk"))
    first_concern = concerns.order_by("observed_on")
    first_contact = (
        AgendaItem.objects.filter(
            case=OuterRef("pk"),
            visit__status=VisitStatus.HELD,
            visit__starts_at__date__gte=OuterRef("first_concern"),
        )
        .annotate(day=TruncDate("visit__starts_at"))
        .order_by("visit__starts_at")
    )
    pairs = list(
        cases_in(locations)
        .filter(
            Exists(concerns.filter(in_period(filters, "observed_on"))),
            ~Exists(concerns.filter(observed_on__lt=filters.period_start)),
        )
        .annotate(first_concern=Subquery(first_concern.values("observed_on")[:1]))
        .annotate(first_contact=Subquery(first_contact.values("day")[:1]))
        .order_by()
        .values_list("first_concern", "first_contact")
    )
    days = [(contact - concern).days for concern, contact in pairs if contact is not None]
    table = Table(
        [_("Figure"), _("Value")],
        [
            (_("Median days to the first coach contact"), [median_figure(days)]),
            (_("Children with a coach contact"), [count_figure(len(days))]),
            (_("Children still waiting for one"), [count_figure(len(pairs) - len(days))]),
        ],
    )
    return Indicator(
        key="lead_time",
        title=_("Days from the first concern to the first coach contact"),
        explanation=_(
            "For cases whose first concern fell in the period: the median days until the "
            "first held visit that discussed the child."
        ),
        chart="number",
        table=table,
        note=_("The median is shown from 10 children on."),
    )


MOVES = (
    ("plus", PlacementSetting.PLUS_GROUP),
    ("day_treatment", PlacementSetting.DAY_TREATMENT),
    ("special_education", PlacementSetting.SPECIAL_EDUCATION),
)


def placements(scope, filters, locations) -> Indicator:
    """Children with a case open during the period: who stayed in regular care
    (no placement outside it overlapping the period), who moved to a plus
    group, day treatment or special education (a placement starting in the
    period), and who returned to regular care (a regular placement starting in
    the period after an earlier placement elsewhere)."""
    children = children_in(locations).filter(open_during(filters, "cases__"))
    # One query: the children joined to their placements (a child without any
    # still counts in the base); every count is of distinct children.
    started = in_period(filters, "placements__start_date")
    regular = Q(placements__setting=PlacementSetting.REGULAR_GROUP)
    earlier_elsewhere = Placement.objects.filter(
        child=OuterRef("pk"), start_date__lt=OuterRef("placements__start_date")
    ).exclude(setting=PlacementSetting.REGULAR_GROUP)
    counts = children.aggregate(
        base=Count("id", distinct=True),
        **{
            key: Count(
                "placements__child",
                distinct=True,
                filter=started & Q(placements__setting=setting),
            )
            for key, setting in MOVES
        },
        returned=Count(
            "placements__child",
            distinct=True,
            filter=started & regular & Q(Exists(earlier_elsewhere)),
        ),
        away=Count(
            "placements__child",
            distinct=True,
            filter=~regular
            & Q(placements__start_date__lte=filters.period_end)
            & (
                Q(placements__end_date__isnull=True)
                | Q(placements__end_date__gte=filters.period_start)
            ),
        ),
    )
    base = counts["base"]
    rows = [
        (_("Stayed in regular care"), base - counts["away"]),
        (_("Moved to a plus group"), counts["plus"]),
        (_("Moved to day treatment"), counts["day_treatment"]),
        (_("Moved to special education"), counts["special_education"]),
        (_("Returned to regular care"), counts["returned"]),
    ]
    table = Table([_("Placement"), _("Children"), _("Share")])
    for label, n in rows:
        table.rows.append((label, [count_figure(n), share_figure(n, base)]))
    table.rows.append((_("Children with a case"), [count_figure(base), hidden()]))
    return Indicator(
        key="placements",
        title=_("Placements of children with a case"),
        explanation=_(
            "Of the children with a case in the period: who stayed in regular care, "
            "who moved, and who came back."
        ),
        chart="bar",
        table=table,
        note=_("A share is shown only when the part and the rest are 0 or at least 5."),
    )


def plans_on_time(scope, filters, locations) -> Indicator:
    """Approved plan versions whose next evaluation date fell in the period (up
    to today), and how many were followed by a newer approved version on or
    before that date."""
    due_until = min(filters.period_end, timezone.localdate())
    next_approval = (
        PlanReview.objects.filter(
            plan__case=OuterRef("case"),
            plan__version__gt=OuterRef("version"),
            action=PlanReview.Action.APPROVED,
        )
        .annotate(day=TruncDate("at"))
        .order_by("at")
        .values("day")[:1]
    )
    counts = (
        Plan.objects.filter(
            case__in=cases_in(locations),
            status=PlanStatus.APPROVED,
            next_evaluation_date__range=(filters.period_start, due_until),
        )
        .annotate(evaluated_on=Subquery(next_approval))
        .aggregate(
            due=Count("id"),
            on_time=Count("id", filter=Q(evaluated_on__lte=F("next_evaluation_date"))),
        )
    )
    table = Table(
        [_("Figure"), _("Value")],
        [
            (_("Evaluations due"), [count_figure(counts["due"])]),
            (_("Evaluated on time"), [count_figure(counts["on_time"])]),
            (_("Share on time"), [share_figure(counts["on_time"], counts["due"])]),
        ],
    )
    return Indicator(
        key="plans_on_time",
        title=_("Plans evaluated on time"),
        explanation=_(
            "Plan evaluations due in the period, and how many led to a newly approved "
            "version by the due date."
        ),
        chart="number",
        table=table,
    )


SCALES = ("wellbeing_self", "wellbeing_with_staff", "wellbeing_with_children")


def wellbeing_trend(scope, filters, locations) -> Indicator:
    """Per month, the mean of each well-being scale over the observations of
    children with a case; shown from 5 children on."""
    aggregates = {}
    for scale in SCALES:
        aggregates[f"{scale}_sum"] = Sum(scale)
        aggregates[f"{scale}_n"] = Count(scale)
        aggregates[f"{scale}_children"] = Count(
            "case__child", distinct=True, filter=Q(**{f"{scale}__isnull": False})
        )
    rows = (
        Observation.objects.filter(case__in=cases_in(locations))
        .filter(in_period(filters, "observed_on"))
        .annotate(month=MonthOf("observed_on"))
        .values("month")
        .annotate(**aggregates)
        .order_by()
    )
    by_month = {month_label(r["month"]): r for r in rows}
    table = Table([_("Month"), *(str(Observation._meta.get_field(s).verbose_name) for s in SCALES)])
    for month in months(filters):
        label = month_label(month)
        row = by_month.get(label, {})
        figures = []
        for scale in SCALES:
            if row.get(f"{scale}_children", 0) < MIN_MEAN_BASE:
                figures.append(hidden())
            else:
                figures.append(mean_figure(row[f"{scale}_sum"], row[f"{scale}_n"]))
        table.rows.append((label, figures))
    return Indicator(
        key="wellbeing_trend",
        title=_("Well-being of children with a case"),
        explanation=_("Per month, the mean score (1–5) of the structured well-being observations."),
        chart="line",
        table=table,
        note=_("A mean is shown from 5 children on."),
    )
