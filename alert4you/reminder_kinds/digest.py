"""The weekly digest for location managers."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from alert4you.models import ReminderKind as Kind
from casework.selectors import cases_for_user, children_for_concerns, review_queue_for_user
from coaching.models import Visit, VisitStatus
from parents.selectors import consents_expiring_for_children

from .common import (
    CONSENT_NOTICE_DAYS,
    REPORT_DAYS_AFTER,
    Due,
    _latest_plans,
    _today,
    child_label,
    day_text,
    local_day,
    managers_of_locations,
    person,
    site_url,
    start_of,
)

# --- the weekly digest for location managers ----------------------------------------------------


def weekly_digest_due(on: datetime.date) -> list[Due]:
    from pilots.models import Location

    if on.weekday() != 0:  # Mondays
        return []
    return [
        Due(Kind.WEEKLY_DIGEST, Location, location_id, p, on, on)
        for location_id, people in managers_of_locations(None, on).items()
        for p in people
    ]


def prepare_weekly_digest(reminders, locations: dict) -> dict[int, set[int]]:
    """Per location id, its managers today."""
    return managers_of_locations(set(locations), _today())


def check_weekly_digest(reminder, location, managers) -> str | None:
    if reminder.recipient_id not in managers.get(location.pk, ()):
        return "The recipient no longer manages this location."
    return None


def context_weekly_digest(reminder, location, managers) -> dict:
    # What the week holds, as this manager may see it: a few queries per digest
    # (one a week per location manager).
    manager, monday = reminder.recipient, reminder.for_date
    week_end = monday + datetime.timedelta(days=7)
    visits = (
        Visit.objects.filter(
            location=location,
            status=VisitStatus.PLANNED,
            starts_at__gte=start_of(monday),
            starts_at__lt=start_of(week_end),
        )
        .select_related("coach")
        .prefetch_related("groups")
        .order_by("starts_at")
    )
    overdue = (
        Visit.objects.filter(
            location=location,
            reported_at__isnull=True,
            starts_at__lt=start_of(monday - datetime.timedelta(days=REPORT_DAYS_AFTER - 1)),
            starts_at__gte=start_of(monday - datetime.timedelta(weeks=8)),
        )
        .exclude(status=VisitStatus.CANCELLED)
        .count()
    )
    evaluations = (
        _latest_plans()
        .filter(
            case__in=cases_for_user(manager),
            case__child__group__location=location,
            next_evaluation_date__gte=monday,
            next_evaluation_date__lt=week_end + datetime.timedelta(days=7),
        )
        .select_related("case__child")
        .order_by("next_evaluation_date")
    )
    consents = consents_expiring_for_children(
        children_for_concerns(manager).filter(group__location=location),
        within_days=CONSENT_NOTICE_DAYS,
        on=monday,
    )
    return {
        "location_name": location.name,
        "week_from": day_text(monday),
        "week_until": day_text(week_end - datetime.timedelta(days=1)),
        "visits": [
            {
                "day": day_text(local_day(v.starts_at)),
                "starts": timezone.localtime(v.starts_at).strftime("%H:%M"),
                "coach_name": person(v.coach),
                "group_names": [g.name for g in v.groups.all()],
            }
            for v in visits
        ],
        "reports_overdue": overdue,
        "plans_waiting": review_queue_for_user(manager)
        .filter(case__child__group__location=location)
        .count(),
        "evaluations": [
            {"child": child_label(p.case.child), "day": day_text(p.next_evaluation_date)}
            for p in evaluations
        ],
        "consents": [
            {
                "child": child_label(c.child),
                "scope": c.get_scope_display(),
                "day": day_text(c.valid_until),
            }
            for c in consents
        ],
        "url": site_url(reverse("casework:open-cases-per-group")),
    }
