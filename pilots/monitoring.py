"""Monitoring a pilot: its evaluation moments (kick-off, interim and final
evaluation with the partners) and the short quarterly questionnaire in which
pedagogical staff rate their own confidence on four competences.

Who may do what:
- evaluation moments are managed by the pilot's project leaders and by
  programme staff (anyone else gets 404);
- a PM answers the questionnaire for a pilot one of their locations belongs
  to; their answers are shown to nobody else — dashboards only show means
  over at least five respondents (`competence_indicator`).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from alert4you.history import save_with_history

from .dashboard_types import DashboardFilters, Indicator, Scope, Table
from .models import (
    COMPETENCES,
    SCORE_MAX,
    SCORE_MIN,
    CompetenceRating,
    EvaluationKind,
    EvaluationMoment,
    Location,
    Membership,
    Pilot,
    Role,
)
from .suppression import mean_figure

#: What a user may write on an evaluation moment (besides pilot and author).
MOMENT_FIELDS = (
    "kind",
    "date",
    "with_steering_group",
    "with_partner_organisations",
    "with_parents_committee",
    "other_participants",
    "success_factors",
    "bottlenecks",
    "agreed_actions",
)
SCORE_FIELDS = tuple(field for field, _label in COMPETENCES)


# --- quarters -----------------------------------------------------------------------------------


def quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def next_quarter(quarter: datetime.date) -> datetime.date:
    month = quarter.month + 3
    return datetime.date(quarter.year + (month > 12), (month - 1) % 12 + 1, 1)


def quarters_between(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """The first days of every quarter from the one holding `start` to the one holding `end`."""
    quarters, quarter = [], quarter_start(start)
    while quarter <= end:
        quarters.append(quarter)
        quarter = next_quarter(quarter)
    return quarters


def quarter_label(quarter: datetime.date) -> str:
    return _("Q%(number)s %(year)s") % {
        "number": (quarter.month - 1) // 3 + 1,
        "year": quarter.year,
    }


# --- who may --------------------------------------------------------------------------------------


def is_programme_staff(user) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and Membership.objects.current().filter(user=user, role=Role.PROGRAMME_STAFF).exists()
    )


def pilots_for_evaluations(user) -> QuerySet[Pilot]:
    """The pilots whose evaluation moments `user` manages."""
    if not (user.is_authenticated and user.is_active):
        return Pilot.objects.none()
    if is_programme_staff(user):
        return Pilot.objects.all()
    return Pilot.objects.filter(project_leaders=user)


def can_manage_evaluations(user, pilot: Pilot) -> bool:
    return pilots_for_evaluations(user).filter(pk=pilot.pk).exists()


def get_pilot_for_evaluations(user, pilot_uuid) -> Pilot:
    """The pilot, when `user` manages its evaluations; 404 when missing or not allowed."""
    pilot = pilots_for_evaluations(user).select_related("municipality").filter(uuid=pilot_uuid)
    pilot = pilot.first()
    if pilot is None:
        raise Http404
    return pilot


def get_evaluation_moment_for_user(user, pilot: Pilot, moment_uuid) -> EvaluationMoment:
    moment = EvaluationMoment.objects.filter(pilot=pilot, uuid=moment_uuid).first()
    if moment is None or not can_manage_evaluations(user, pilot):
        raise Http404
    return moment


def _pm_memberships(user, on: datetime.date | None = None) -> QuerySet[Membership]:
    return Membership.objects.current(on).filter(user=user, role=Role.PEDAGOGICAL_STAFF)


def questionnaire_pilots_for(user, on: datetime.date | None = None) -> QuerySet[Pilot]:
    """The pilots a PM answers the questionnaire for: those of the locations
    their current pedagogical-staff membership covers (directly or by a group)."""
    if not (user.is_authenticated and user.is_active):
        return Pilot.objects.none()
    memberships = _pm_memberships(user, on)
    return (
        Pilot.objects.filter(
            Q(locations__membershiplocation__membership__in=memberships)
            | Q(locations__groups__membershipgroup__membership__in=memberships)
        )
        .distinct()
        .order_by("name")
    )


# --- selectors ----------------------------------------------------------------------------------


def evaluation_moments_for_pilot(pilot: Pilot) -> QuerySet[EvaluationMoment]:
    return pilot.evaluation_moments.select_related("pilot", "created_by").order_by("date", "pk")


def upcoming_evaluation_moments(pilot: Pilot, today: datetime.date | None = None):
    today = today or timezone.localdate()
    return evaluation_moments_for_pilot(pilot).filter(date__gte=today)


def evaluation_moments_for_scope(scope: Scope) -> QuerySet[EvaluationMoment]:
    """The evaluation moments behind a dashboard: the scope's pilot (for a
    location, the location's pilot), or every pilot's for the national view.
    Date, kind and the findings are about the pilot, not about children; the
    caller shows the findings to project leaders and programme staff."""
    moments = EvaluationMoment.objects.select_related("pilot").order_by("date", "pilot__name")
    if scope.kind == "pilot":
        return moments.filter(pilot_id=scope.pilot_id)
    if scope.kind == "location":
        return moments.filter(
            pilot__in=Location.objects.filter(pk=scope.location_id).values("pilot")
        )
    return moments


def competence_rating_for(user, pilot: Pilot, on: datetime.date | None = None):
    """The user's own answer for the quarter holding `on`, or None."""
    quarter = quarter_start(on or timezone.localdate())
    return CompetenceRating.objects.filter(user=user, pilot=pilot, quarter=quarter).first()


# --- services -----------------------------------------------------------------------------------


def _clean_moment_fields(fields: dict) -> dict:
    unknown = set(fields) - set(MOMENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown evaluation moment fields: {sorted(unknown)}")
    if fields.get("kind") not in EvaluationKind.values:
        raise ValidationError({"kind": _("Choose the kind of moment.")})
    if not isinstance(fields.get("date"), datetime.date):
        raise ValidationError({"date": _("Give the date of the moment.")})
    for name in ("other_participants", "success_factors", "bottlenecks", "agreed_actions"):
        fields[name] = (fields.get(name) or "").strip()
    return fields


@transaction.atomic
def evaluation_moment_create(*, actor, pilot: Pilot, **fields) -> EvaluationMoment:
    if not can_manage_evaluations(actor, pilot):
        raise PermissionDenied
    moment = EvaluationMoment(pilot=pilot, created_by=actor, **_clean_moment_fields(fields))
    return save_with_history(moment, actor=actor, reason="evaluation moment planned")


@transaction.atomic
def evaluation_moment_update(*, actor, moment: EvaluationMoment, **fields) -> EvaluationMoment:
    if not can_manage_evaluations(actor, moment.pilot):
        raise PermissionDenied
    for name, value in _clean_moment_fields(fields).items():
        setattr(moment, name, value)
    return save_with_history(moment, actor=actor, reason="evaluation moment changed")


@transaction.atomic
def evaluation_moment_delete(*, actor, moment: EvaluationMoment) -> None:
    """Remove a moment; its reminders not yet sent are skipped at send time."""
    if not can_manage_evaluations(actor, moment.pilot):
        raise PermissionDenied
    moment._history_user = actor
    moment._change_reason = "evaluation moment removed"
    moment.delete()


@transaction.atomic
def competence_rating_save(
    *, actor, pilot: Pilot, scores: dict, on: datetime.date | None = None
) -> CompetenceRating:
    """Record (or, within the same quarter, replace) the PM's own answer.

    Every competence needs a whole score from 1 to 5; otherwise nothing is saved.
    """
    on = on or timezone.localdate()
    if not questionnaire_pilots_for(actor, on).filter(pk=pilot.pk).exists():
        raise PermissionDenied
    errors = {}
    for field in SCORE_FIELDS:
        value = scores.get(field)
        if isinstance(value, bool) or not isinstance(value, int):
            errors[field] = _("Choose a score from 1 to 5.")
        elif not SCORE_MIN <= value <= SCORE_MAX:
            errors[field] = _("Choose a score from 1 to 5.")
    if errors:
        raise ValidationError(errors)
    quarter = quarter_start(on)
    rating = (
        CompetenceRating.objects.select_for_update()
        .filter(user=actor, pilot=pilot, quarter=quarter)
        .first()
    ) or CompetenceRating(user=actor, pilot=pilot, quarter=quarter)
    for field in SCORE_FIELDS:
        setattr(rating, field, scores[field])
    rating.answered_at = timezone.now()
    rating.full_clean(validate_unique=False)
    rating.save()
    return rating


# --- the indicator ------------------------------------------------------------------------------


def _rated_where(filters: DashboardFilters, location_id: int | None):
    """Ratings whose PM worked, on the day they answered, at a location of the
    rated pilot that matches the scope's location and the filters."""
    where = {"pilot": OuterRef("pilot")}
    if location_id is not None:
        where["pk"] = location_id
    if filters.location_type:
        where["location_type"] = filters.location_type
    if filters.municipality_id is not None:
        where["municipality_id"] = filters.municipality_id
    at_location = Q(**{f"locations__{k}": v for k, v in where.items()})
    in_group = Q(**{f"groups__location__{k}": v for k, v in where.items()})
    memberships = Membership.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=OuterRef("answered_on")),
        user=OuterRef("user"),
        role=Role.PEDAGOGICAL_STAFF,
        start_date__lte=OuterRef("answered_on"),
    ).filter(at_location | in_group)
    return Exists(memberships)


def competence_indicator(scope: Scope, filters: DashboardFilters) -> Indicator:
    """Per quarter of the period, the mean self-rated confidence per competence
    of the scope's PMs; a mean over fewer than five respondents is hidden.
    One query, whatever the number of ratings, pilots or locations."""
    quarters = quarters_between(filters.period_start, filters.period_end)
    ratings = CompetenceRating.objects.filter(
        quarter__gte=quarters[0] if quarters else filters.period_start,
        quarter__lte=filters.period_end,
    )
    location_id = scope.location_id if scope.kind == "location" else None
    if scope.kind == "pilot":
        ratings = ratings.filter(pilot_id=scope.pilot_id)
    elif scope.kind == "location":
        ratings = ratings.filter(
            pilot__in=Location.objects.filter(pk=scope.location_id).values("pilot")
        )
    if location_id is not None or filters.location_type or filters.municipality_id is not None:
        ratings = ratings.annotate(answered_on=TruncDate("answered_at")).filter(
            _rated_where(filters, location_id)
        )
    sums = {f"sum_{field}": Sum(field) for field in SCORE_FIELDS}
    by_quarter = {
        row["quarter"]: row
        for row in ratings.order_by().values("quarter").annotate(n=Count("pk"), **sums)
    }
    rows = []
    for quarter in quarters:
        row = by_quarter.get(quarter, {})
        n = row.get("n", 0)
        rows.append(
            (
                quarter_label(quarter),
                [mean_figure(row.get(f"sum_{field}") or 0, n) for field in SCORE_FIELDS],
            )
        )
    return Indicator(
        key="competence_confidence",
        title=_("Confidence of pedagogical staff"),
        explanation=_(
            "Per quarter, the mean of how confident pedagogical staff rate themselves (1 to 5) "
            "on four competences; hidden when fewer than 5 answered."
        ),
        chart="line",
        table=Table(
            columns=[_("Quarter"), *[str(label) for _field, label in COMPETENCES]],
            rows=rows,
        ),
        note=_("A mean over fewer than 5 respondents is not shown."),
    )
