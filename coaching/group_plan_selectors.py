"""Reads about group plans, starting from what the user may see.

Who reads a group's plans: its PMs, the managers and care coordinators of its
location, and the coaches who coach it now. The children needing extra attention
are filtered by the case grants, so each reader sees only the children whose
case they may see."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from casework.models import PlanStatus
from casework.selectors import cases_for_user
from pilots.models import AgeBand, Group

from .models import GroupPlan, GroupPlanChild, GroupPlanReview
from .selectors import coached_groups, locations_managed_by, managed_locations, staff_groups

DAY_CARE_BANDS = {AgeBand.BABIES, AgeBand.TODDLERS, AgeBand.PRESCHOOL, AgeBand.DAY_CARE}


def group_kind(group: Group) -> str:
    """ "day_care" (0–4) or "after_school" (4–12): which ratio rules apply."""
    return "day_care" if group.age_band in DAY_CARE_BANDS else "after_school"


def groups_with_plans_for_user(user) -> QuerySet[Group]:
    """Groups whose plans the user may read."""
    if not user.is_authenticated or not user.is_active:
        return Group.objects.none()
    return Group.objects.filter(
        Q(pk__in=staff_groups(user).values("pk"))
        | Q(location__in=managed_locations(user).values("pk"))
        | Q(pk__in=coached_groups(user).values("pk"))
    )


def groups_editable_by(user) -> QuerySet[Group]:
    """Groups whose plan the user may draft: its PMs, its location's managers and
    care coordinators."""
    if not user.is_authenticated or not user.is_active:
        return Group.objects.none()
    return Group.objects.filter(
        Q(pk__in=staff_groups(user).values("pk"))
        | Q(location__in=managed_locations(user).values("pk"))
    )


def group_plans_for_user(user) -> QuerySet[GroupPlan]:
    return GroupPlan.objects.filter(group__in=groups_with_plans_for_user(user).values("pk"))


def group_plan_review_queue(user) -> QuerySet[GroupPlan]:
    """Group plans waiting for this manager's decision, longest waiting first;
    each carries its `submissions`."""
    submitted = GroupPlanReview.objects.filter(action=GroupPlanReview.Action.SUBMITTED)
    # A returned plan waits again from its latest submission, not from when it was started.
    last_submitted = submitted.filter(plan=OuterRef("pk")).order_by("-at", "-id").values("at")[:1]
    return (
        GroupPlan.objects.filter(
            status=PlanStatus.SUBMITTED, group__location__in=locations_managed_by(user)
        )
        .annotate(submitted_at=Subquery(last_submitted))
        .select_related("group__location", "created_by")
        .prefetch_related(
            Prefetch(
                "reviews",
                queryset=submitted.select_related("by").order_by("at"),
                to_attr="submissions",
            )
        )
        .order_by("submitted_at", "pk")
    )


def current_group_plans(groups) -> QuerySet[GroupPlan]:
    """The latest approved version of each of `groups`."""
    newer = GroupPlan.objects.filter(
        group=OuterRef("group"), status=PlanStatus.APPROVED, version__gt=OuterRef("version")
    )
    return GroupPlan.objects.filter(group__in=groups, status=PlanStatus.APPROVED).exclude(
        Exists(newer)
    )


def overdue_group_plan_evaluations(user, *, today=None) -> list[GroupPlan]:
    """Current approved group plans at the locations the user manages whose
    evaluation date has passed without an evaluation, oldest first."""
    today = today or timezone.localdate()
    groups = Group.objects.filter(location__in=locations_managed_by(user).values("pk"))
    return list(
        current_group_plans(groups.values("pk"))
        .filter(evaluated_on__isnull=True, evaluation_date__lt=today)
        .select_related("group__location")
        .order_by("evaluation_date", "pk")
    )


def visible_children(plan: GroupPlan, user) -> list[GroupPlanChild]:
    """The children needing extra attention whose case `user` may see (one query)."""
    return list(
        plan.children.filter(case__in=cases_for_user(user))
        .select_related("case__child")
        .order_by("case__child__first_name", "case__child__last_name")
    )


def plan_versions(group: Group) -> QuerySet[GroupPlan]:
    return group.plans.select_related("created_by").order_by("-version")
