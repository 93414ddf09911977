"""Reminders about a pilot's evaluation moments."""

from __future__ import annotations

import datetime
from collections import defaultdict

from alert4you.models import ReminderKind as Kind
from pilots.models import (
    EvaluationMoment,
    Pilot,
)

from .common import Due, day_text, site_url

# --- pilot evaluation moments -------------------------------------------------------------------


#: A pilot's kick-off or evaluation: two weeks before and the day before.
PILOT_EVALUATION_DAYS_BEFORE = (14, 1)


def _pilot_leaders(pilot_ids) -> dict[int, set[int]]:
    """Per pilot id, its active project leaders."""
    result: dict[int, set[int]] = defaultdict(set)
    rows = Pilot.project_leaders.through.objects.filter(
        pilot_id__in=set(pilot_ids), user__is_active=True
    ).values_list("pilot_id", "user_id")
    for pilot_id, user_id in rows:
        result[pilot_id].add(user_id)
    return result


def pilot_evaluation_due(on: datetime.date) -> list[Due]:
    days = {on + datetime.timedelta(days=d) for d in PILOT_EVALUATION_DAYS_BEFORE}
    moments = list(
        EvaluationMoment.objects.filter(date__in=days).values_list("pk", "pilot_id", "date")
    )
    leaders = _pilot_leaders(pilot for _, pilot, _ in moments)
    return [
        Due(Kind.PILOT_EVALUATION, EvaluationMoment, pk, p, on, moment_on)
        for pk, pilot, moment_on in moments
        for p in leaders.get(pilot, ())
    ]


def prepare_pilot_evaluation(reminders, moments: dict) -> dict[int, set[int]]:
    """Per pilot id, its active project leaders."""
    return _pilot_leaders({m.pilot_id for m in moments.values()})


def check_pilot_evaluation(reminder, moment, leaders) -> str | None:
    if moment.date != reminder.event_on:
        return "The evaluation moment was moved."
    if reminder.recipient_id not in leaders.get(moment.pilot_id, ()):
        return "The recipient no longer leads the pilot."
    return None


def context_pilot_evaluation(reminder, moment, leaders) -> dict:
    # The pilot, the kind of moment and its day: nothing about a child, ever.
    return {
        "pilot_name": moment.pilot.name,
        "moment_kind": moment.get_kind_display(),
        "day": day_text(moment.date),
        "tomorrow": moment.date - reminder.for_date == datetime.timedelta(days=1),
        "url": site_url(moment.get_absolute_url()),
    }
