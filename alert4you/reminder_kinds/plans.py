"""Reminders about plans: the child's plan and the group plan are evaluated."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Exists, Max, OuterRef

from alert4you.models import ReminderKind as Kind
from casework.models import (
    CaseStatus,
    Plan,
    PlanStatus,
)
from coaching.models import GroupPlan

from .common import (
    EVALUATION_DAYS_BEFORE,
    Due,
    _latest_plans,
    _plan_recipients,
    _today,
    child_label,
    day_text,
    managers_of_locations,
    site_url,
    staff_of_groups,
    uuid_reverse,
    visible_case_pairs,
)

# --- the child's plan ---------------------------------------------------------------------------


def plan_evaluation_due(on: datetime.date) -> list[Due]:
    days = {on + datetime.timedelta(days=d): d for d in EVALUATION_DAYS_BEFORE}
    plans = list(
        _latest_plans()
        .filter(next_evaluation_date__in=days)
        .values_list("pk", "case_id", "case__child_id", "next_evaluation_date")
    )
    people = _plan_recipients(case_id for _, case_id, _, _ in plans)
    return [
        Due(Kind.PLAN_EVALUATION, Plan, pk, p, on, evaluation_on, case_id=case_id, child_id=child)
        for pk, case_id, child, evaluation_on in plans
        for p in people.get(case_id, ())
    ]


@dataclass(frozen=True)
class PlanFacts:
    #: Per case id, its newest plan version.
    newest: dict[int, int]
    #: Per case id, its team and the child's mentor.
    recipients: dict[int, set[int]]
    seen_cases: set[tuple[int, int]]


def prepare_plan_evaluation(reminders, plans: dict) -> PlanFacts:
    case_ids = {p.case_id for p in plans.values()}
    newest = dict(
        Plan.objects.filter(case_id__in=case_ids)
        .values("case_id")
        .annotate(newest=Max("version"))
        .values_list("case_id", "newest")
    )
    seen = visible_case_pairs(
        (r.recipient_id, plans[r.object_id].case_id) for r in reminders if r.object_id in plans
    )
    return PlanFacts(newest, _plan_recipients(case_ids), seen)


def check_plan_evaluation(reminder, plan, facts) -> str | None:
    if plan.case.status == CaseStatus.CLOSED or plan.next_evaluation_date != reminder.event_on:
        return "The evaluation date changed or the case was closed."
    if facts.newest.get(plan.case_id, plan.version) > plan.version:
        return "A newer version of the plan exists."
    if reminder.recipient_id not in facts.recipients.get(plan.case_id, ()):
        return "The recipient is no longer on the case team."
    if (reminder.recipient_id, plan.case_id) not in facts.seen_cases:
        return "The recipient may no longer see this child's case."
    return None


def context_plan_evaluation(reminder, plan, facts) -> dict:
    return {
        "child": child_label(plan.case.child),
        "day": day_text(plan.next_evaluation_date),
        "today": reminder.for_date == plan.next_evaluation_date,
        "url": site_url(uuid_reverse("casework:plan-detail", case_uuid=plan.case.uuid)),
    }


# --- the group plan -----------------------------------------------------------------------------


def _current_group_plans():
    """Approved group plans that are their group's newest approved version."""
    newer = GroupPlan.objects.filter(
        group=OuterRef("group"), status=PlanStatus.APPROVED, version__gt=OuterRef("version")
    )
    return GroupPlan.objects.filter(status=PlanStatus.APPROVED).exclude(Exists(newer))


def _group_plan_recipients(groups: dict[int, int], on: datetime.date) -> dict[int, set[int]]:
    """Per group id (`groups` maps group id → location id): the managers of its
    location and its pedagogical staff."""
    staff = staff_of_groups(groups, on)
    managers = managers_of_locations(set(groups.values()), on)
    return {
        group_id: staff.get(group_id, set()) | managers.get(location_id, set())
        for group_id, location_id in groups.items()
    }


def group_plan_evaluation_due(on: datetime.date) -> list[Due]:
    days = {on + datetime.timedelta(days=d) for d in EVALUATION_DAYS_BEFORE}
    plans = list(
        _current_group_plans()
        .filter(evaluation_date__in=days, evaluated_on__isnull=True)
        .values_list("pk", "group_id", "group__location_id", "evaluation_date")
    )
    people = _group_plan_recipients({group: location for _, group, location, _ in plans}, on)
    return [
        Due(Kind.GROUP_PLAN_EVALUATION, GroupPlan, pk, p, on, evaluation_on)
        for pk, group, _, evaluation_on in plans
        for p in people.get(group, ())
    ]


@dataclass(frozen=True)
class GroupPlanFacts:
    #: Ids of the plans that are their group's current approved version.
    current: set[int]
    #: Per group id, its location's managers and its pedagogical staff.
    recipients: dict[int, set[int]]


def prepare_group_plan_evaluation(reminders, plans: dict) -> GroupPlanFacts:
    current = set(_current_group_plans().filter(pk__in=set(plans)).values_list("pk", flat=True))
    groups = {p.group_id: p.group.location_id for p in plans.values()}
    return GroupPlanFacts(current, _group_plan_recipients(groups, _today()) if groups else {})


def check_group_plan_evaluation(reminder, plan, facts) -> str | None:
    if plan.evaluated_on is not None or plan.evaluation_date != reminder.event_on:
        return "The group plan was evaluated or its evaluation date changed."
    if plan.pk not in facts.current:
        return "The group plan is no longer the group's current approved version."
    if reminder.recipient_id not in facts.recipients.get(plan.group_id, ()):
        return "The recipient no longer works in the group or manages its location."
    return None


def context_group_plan_evaluation(reminder, plan, facts) -> dict:
    # The group and its location only: a group plan's children are never named in a mail.
    return {
        "group_name": plan.group.name,
        "location_name": plan.group.location.name,
        "version": plan.version,
        "day": day_text(plan.evaluation_date),
        "today": reminder.for_date == plan.evaluation_date,
        "url": site_url(plan.get_absolute_url()),
    }
