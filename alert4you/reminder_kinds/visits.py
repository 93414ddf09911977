"""Reminders about coaching visits: tomorrow, submit your questions, report overdue."""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone, translation

from alert4you.models import ReminderKind as Kind
from coaching.models import AgendaItem, Topic, Visit, VisitStatus
from pilots.models import Group

from .common import (
    QUESTIONS_DAYS_BEFORE,
    REPORT_DAYS_AFTER,
    Due,
    _today,
    _visits_on,
    child_label,
    day_text,
    local_day,
    person,
    safe_reverse,
    site_url,
    staff_of_groups,
    start_of,
    visible_case_pairs,
)

# --- visits: tomorrow, submit your questions, report overdue ------------------------------------


def _groups_of_visits(visits) -> dict[int, list[int]]:
    """Per visit id, its group ids (`visits`: a queryset or ids)."""
    result: dict[int, list[int]] = defaultdict(list)
    rows = Visit.groups.through.objects.filter(visit__in=visits).values_list("visit_id", "group_id")
    for visit_id, group_id in rows:
        result[visit_id].append(group_id)
    return result


def _visits_with_staff(visits, on: datetime.date):
    """(visit id, coach id, users working in its groups) for each visit; three
    queries, no model instances (a busy day has thousands of visits)."""
    coaches = dict(visits.values_list("pk", "coach_id"))
    groups = _groups_of_visits(visits)
    staff = staff_of_groups({g for ids in groups.values() for g in ids}, on)
    for visit_id, coach_id in coaches.items():
        people = set().union(*(staff.get(g, set()) for g in groups.get(visit_id, ())))
        yield visit_id, coach_id, people


def visit_tomorrow_due(on: datetime.date) -> list[Due]:
    day = on + datetime.timedelta(days=1)
    visits = _visits_on(day).filter(coach__is_active=True)
    return [
        Due(Kind.VISIT_TOMORROW, Visit, visit_id, p, on, day)
        for visit_id, coach_id, staff in _visits_with_staff(visits, on)
        for p in staff | {coach_id}
    ]


def submit_questions_due(on: datetime.date) -> list[Due]:
    day = on + datetime.timedelta(days=QUESTIONS_DAYS_BEFORE)
    return [
        Due(Kind.SUBMIT_QUESTIONS, Visit, visit_id, p, on, day)
        for visit_id, _coach_id, staff in _visits_with_staff(_visits_on(day), on)
        for p in staff
    ]


def report_overdue_due(on: datetime.date) -> list[Due]:
    day = on - datetime.timedelta(days=REPORT_DAYS_AFTER)
    visits = Visit.objects.filter(
        starts_at__gte=start_of(day),
        starts_at__lt=start_of(day + datetime.timedelta(days=1)),
        reported_at__isnull=True,
        coach__is_active=True,
    ).exclude(status=VisitStatus.CANCELLED)
    return [
        Due(Kind.REPORT_OVERDUE, Visit, pk, coach_id, on, day)
        for pk, coach_id in visits.values_list("pk", "coach_id")
    ]


@dataclass(frozen=True)
class VisitFacts:
    #: Per group id, who works in it today.
    staff: dict[int, set[int]]
    #: Per visit id, its agenda items in agenda order (with case and child).
    agenda: dict[int, list]
    #: (recipient id, case id) pairs the recipient may see.
    seen_cases: set[tuple[int, int]]
    #: Per (visit id, language), what every mail about the visit says.
    contexts: dict = field(default_factory=dict)
    #: Per visit id, its group ids, their names (in the groups' order) and its local day.
    groups_of: dict[int, list[int]] = field(default_factory=dict)
    group_names: dict[int, list[str]] = field(default_factory=dict)
    days: dict[int, datetime.date] = field(default_factory=dict)


def prepare_visits(reminders, visits: dict) -> VisitFacts:
    groups_of = {pk: [] for pk in visits}
    group_names = {pk: [] for pk in visits}
    # The visits' groups as values in one query (no manager and model per
    # group), in the order of `Group.Meta.ordering`, as ``visit.groups.all()``.
    rows = (
        Visit.groups.through.objects.filter(visit_id__in=set(visits))
        .order_by(*(re.sub("^(-?)", r"\1group__", key) for key in Group._meta.ordering))
        .values_list("visit_id", "group_id", "group__name")
    )
    for visit_id, group_id, name in rows:
        groups_of[visit_id].append(group_id)
        group_names[visit_id].append(name)
    days = {pk: local_day(v.starts_at) for pk, v in visits.items()}
    groups = {g for ids in groups_of.values() for g in ids}
    staff = staff_of_groups(groups, _today()) if groups else {}
    return VisitFacts(staff, {}, set(), groups_of=groups_of, group_names=group_names, days=days)


def prepare_visit_tomorrow(reminders, visits: dict) -> VisitFacts:
    facts = prepare_visits(reminders, visits)
    items = AgendaItem.objects.filter(visit_id__in=set(visits)).select_related("case__child")
    for item in items.order_by("visit_id", "position", "pk"):
        facts.agenda.setdefault(item.visit_id, []).append(item)
    facts.seen_cases.update(
        visible_case_pairs(
            (r.recipient_id, item.case_id)
            for r in reminders
            for item in facts.agenda.get(r.object_id, ())
            if item.case_id
        )
    )
    return facts


def _visit_recipient_problem(reminder, visit, facts, *, coach_too: bool) -> str | None:
    day = facts.days.get(visit.pk) or local_day(visit.starts_at)
    if visit.status != VisitStatus.PLANNED or day != reminder.event_on:
        return "The visit was moved or cancelled."
    if coach_too and reminder.recipient_id == visit.coach_id:
        return None
    groups = facts.groups_of.get(visit.pk)
    if groups is None:
        groups = [g.pk for g in visit.groups.all()]
    if not any(reminder.recipient_id in facts.staff.get(g, ()) for g in groups):
        return "The recipient no longer works in the visit's groups."
    return None


def check_visit_tomorrow(reminder, visit, facts) -> str | None:
    return _visit_recipient_problem(reminder, visit, facts, coach_too=True)


def check_submit_questions(reminder, visit, facts) -> str | None:
    return _visit_recipient_problem(reminder, visit, facts, coach_too=False)


def check_report_overdue(reminder, visit, facts) -> str | None:
    if visit.status == VisitStatus.CANCELLED or visit.reported_at is not None:
        return "The report was written or the visit cancelled."
    if reminder.recipient_id != visit.coach_id:
        return "The recipient is no longer the visit's coach."
    return None


def _visit_context(reminder, visit, facts) -> dict:
    """What every mail about the visit says (the same for each recipient: made
    once per visit and language in a batch)."""
    key = (visit.pk, translation.get_language())
    if key not in facts.contexts:
        start, end = timezone.localtime(visit.starts_at), timezone.localtime(visit.ends_at)
        facts.contexts[key] = {
            "location_name": visit.location.name,
            "day": day_text(start.date()),
            "starts": start.strftime("%H:%M"),
            "ends": end.strftime("%H:%M"),
            "group_names": list(facts.group_names[visit.pk])
            if visit.pk in facts.group_names
            else [g.name for g in visit.groups.all()],
            "coach_name": person(visit.coach),
            "url": site_url(visit_url(visit)),
        }
    return dict(facts.contexts[key])


def visit_url(visit) -> str:
    return safe_reverse("coaching:visit-detail", visit_uuid=visit.uuid)


def context_visit_tomorrow(reminder, visit, facts) -> dict:
    context = _visit_context(reminder, visit, facts)
    context["for_coach"] = reminder.recipient_id == visit.coach_id
    agenda = []
    for item in facts.agenda.get(visit.pk, ()):
        if item.case_id is None and item.topic != Topic.ONE_CHILD:
            agenda.append({"topic": item.get_topic_display(), "text": item.question})
        elif (reminder.recipient_id, item.case_id) in facts.seen_cases:
            named = item.topic == Topic.ONE_CHILD  # never name a child asked about anonymously
            agenda.append(
                {
                    "topic": item.get_topic_display(),
                    "child": child_label(item.case.child) if named else "",
                    "text": item.question,
                }
            )
        else:
            # Who may not see the child's case learns neither who nor what.
            agenda.append({"topic": Topic.CHILD_IN_GROUP.label, "text": ""})
    context["agenda"] = agenda
    return context


def context_submit_questions(reminder, visit, facts) -> dict:
    context = _visit_context(reminder, visit, facts)
    context["url"] = site_url(safe_reverse("coaching:agenda-question", visit_uuid=visit.uuid))
    return context


def context_report_overdue(reminder, visit, facts) -> dict:
    context = _visit_context(reminder, visit, facts)
    context["url"] = site_url(safe_reverse("coaching:visit-report", visit_uuid=visit.uuid))
    return context
