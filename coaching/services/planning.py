"""Writes about coaching: assignments, closing days and the visits a rhythm produces."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from alert4you import access_policy
from coaching import permissions, selectors
from coaching.models import AssignmentKind, ClosedPeriod, CoachAssignment, Visit, VisitStatus

from ._base import _require, _save

__all__ = [
    "assignment_save",
    "closed_period_delete",
    "closed_period_save",
    "rhythm_dates",
    "visit_cancel",
    "visit_move",
    "visits_generate",
]

RHYTHM_FIELDS = ("weekday", "every_weeks", "start_time", "end_time")


@transaction.atomic
def assignment_save(
    *, actor, coach, location, kind, starts_on, groups=(), assignment=None, **rhythm
) -> CoachAssignment:
    """Assign a coach to a location (or some of its groups); access follows at once."""
    _require(permissions.can_manage_location(actor, location))
    if not selectors.is_coach(coach):
        raise ValidationError({"coach": _("Only someone with a coach role can be assigned.")})
    foreign = [g for g in groups if g.location_id != location.pk]
    if foreign:
        raise ValidationError({"groups": _("Choose groups of this location only.")})
    assignment = assignment or CoachAssignment()
    previous_location = assignment.location if assignment.pk else None
    if previous_location is not None and previous_location != location:
        _require(permissions.can_manage_location(actor, previous_location))
    assignment.coach, assignment.location, assignment.kind = coach, location, kind
    assignment.starts_on = starts_on
    assignment.ends_on = rhythm.get("ends_on")
    # An assignment on request has no rhythm; keeping one would plan nothing but confuse.
    structural = kind == AssignmentKind.STRUCTURAL
    for field in RHYTHM_FIELDS:
        setattr(assignment, field, rhythm.get(field) if structural else None)
    if structural and None in [getattr(assignment, field) for field in RHYTHM_FIELDS]:
        raise ValidationError(_("A structural assignment needs a weekday, a rhythm and times."))
    _save(assignment, actor=actor, reason="assignment saved")
    assignment.groups.set(groups)
    access_policy.on_assignment_changed(location)
    if previous_location is not None and previous_location != location:
        # The coach's access at the old location ends with the move.
        access_policy.on_assignment_changed(previous_location)
    return assignment


def rhythm_dates(assignment: CoachAssignment, start: datetime.date, end: datetime.date):
    """The dates of the assignment's rhythm between `start` and `end` (inclusive)."""
    if assignment.kind != AssignmentKind.STRUCTURAL:
        return []
    first = assignment.starts_on + datetime.timedelta(
        days=(assignment.weekday - assignment.starts_on.weekday()) % 7
    )
    step = datetime.timedelta(weeks=assignment.every_weeks)
    last = min(end, assignment.ends_on) if assignment.ends_on else end
    if first < start:
        skipped = (start - first).days // step.days
        first += step * skipped
        if first < start:
            first += step
    dates = []
    day = first
    while day <= last:
        dates.append(day)
        day += step
    return dates


def _closed_days(location, start, end) -> list[ClosedPeriod]:
    return list(
        ClosedPeriod.objects.filter(
            Q(location=location) | Q(location__isnull=True), starts_on__lte=end, ends_on__gte=start
        )
    )


@transaction.atomic
def visits_generate(
    *, actor, assignment: CoachAssignment, weeks: int = 8, today=None
) -> list[Visit]:
    """Plan the rhythm's visits for the coming weeks. Holidays and closing days
    are skipped; a slot that already has a visit (planned, moved or cancelled)
    gets no second one, so generating again changes nothing."""
    _require(permissions.can_plan_assignment(actor, assignment))
    if assignment.kind != AssignmentKind.STRUCTURAL:
        raise ValidationError(_("An assignment on request has no rhythm to plan visits from."))
    # Two clicks at once must not both plan the same slots.
    CoachAssignment.objects.select_for_update().filter(pk=assignment.pk).first()
    today = today or timezone.localdate()
    end = today + datetime.timedelta(weeks=weeks)
    dates = rhythm_dates(assignment, today, end)
    closed = _closed_days(assignment.location, today, end)
    taken = set(
        assignment.visits.filter(rhythm_date__in=dates).values_list("rhythm_date", flat=True)
    )
    groups = list(assignment.groups.all()) or list(assignment.location.groups.all())
    tz = timezone.get_current_timezone()
    created = []
    for day in dates:
        if day in taken or any(p.starts_on <= day <= p.ends_on for p in closed):
            continue
        visit = _save(
            Visit(
                assignment=assignment,
                rhythm_date=day,
                coach=assignment.coach,
                location=assignment.location,
                starts_at=datetime.datetime.combine(day, assignment.start_time, tzinfo=tz),
                ends_at=datetime.datetime.combine(day, assignment.end_time, tzinfo=tz),
            ),
            actor=actor,
            reason="planned from the rhythm",
        )
        visit.groups.set(groups)
        created.append(visit)
    return created


@transaction.atomic
def visit_move(*, actor, visit: Visit, starts_at, ends_at, reason: str) -> Visit:
    _require(permissions.can_plan_visit(actor, visit))
    if visit.status != VisitStatus.PLANNED:
        raise ValidationError(_("Only a planned visit can be moved."))
    if not (reason or "").strip():
        raise ValidationError({"change_reason": _("Say why the visit moves.")})
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The visit must end after it starts.")})
    visit.starts_at, visit.ends_at, visit.change_reason = starts_at, ends_at, reason.strip()
    return _save(visit, actor=actor, reason="visit moved")


@transaction.atomic
def visit_cancel(*, actor, visit: Visit, reason: str) -> Visit:
    _require(permissions.can_plan_visit(actor, visit))
    if visit.status != VisitStatus.PLANNED:
        raise ValidationError(_("Only a planned visit can be cancelled."))
    if not (reason or "").strip():
        raise ValidationError({"change_reason": _("Say why the visit is cancelled.")})
    visit.status, visit.change_reason = VisitStatus.CANCELLED, reason.strip()
    return _save(visit, actor=actor, reason="visit cancelled")


@transaction.atomic
def closed_period_save(*, actor, location, name, starts_on, ends_on) -> ClosedPeriod:
    """A holiday or closing day of one location: no rhythm visit is planned in it."""
    _require(permissions.can_manage_location(actor, location))
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": _("The last day lies before the first day.")})
    period = ClosedPeriod(location=location, name=(name or "").strip(), starts_on=starts_on)
    period.ends_on = ends_on
    period.full_clean()
    period.save()
    return period


@transaction.atomic
def closed_period_delete(*, actor, period: ClosedPeriod) -> None:
    """Only a location's own closing days; holidays for everyone are kept in the admin."""
    _require(
        period.location is not None and permissions.can_manage_location(actor, period.location)
    )
    period.delete()
