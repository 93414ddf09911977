"""Who may do what with visits, groups' coaching and requests. Missing and
forbidden objects both answer 404, and each refusal is written to the audit
trail as the object's kind and UUID (never a name)."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from alert4you import audit
from pilots.models import Group, Location, Role

from . import group_plan_selectors, selectors
from .models import CoachAssignment, CoachingRequest, GroupPlan, Visit, VisitStatus


def get_visit_for_user(user, visit_uuid, *, roles=None) -> Visit:
    """The visit, if the user takes part in it. `roles`: the user's current roles, if
    the caller has them (fewer ways in to plan and look at)."""
    visit = (
        selectors.visits_for_user(user, roles=roles, uuid=visit_uuid)
        .select_related("location", "coach")
        .first()
    )
    if visit is None:
        audit.access_denied(user, "visit", visit_uuid)
        raise Http404
    return visit


def get_group_for_user(user, group_uuid) -> Group:
    """A group's coaching page: for its staff and its location's managers."""
    group = (
        Group.objects.filter(uuid=group_uuid)
        .filter(
            Q(pk__in=selectors.staff_groups(user).values("pk"))
            | Q(location__in=selectors.managed_locations(user))
        )
        .select_related("location")
        .first()
    )
    if group is None or not user.is_active:
        audit.access_denied(user, "group", group_uuid)
        raise Http404
    return group


def get_location_for_manager(user, location_uuid) -> Location:
    location = (
        selectors.locations_managed_by(user)
        .select_related("pilot")
        .filter(uuid=location_uuid)
        .first()
    )
    if location is None:
        audit.access_denied(user, "location", location_uuid)
        raise Http404
    return location


def get_assignment_for_manager(user, assignment_uuid) -> CoachAssignment:
    assignment = (
        CoachAssignment.objects.filter(
            uuid=assignment_uuid, location__in=selectors.locations_managed_by(user)
        )
        .select_related("location__pilot", "coach")
        .first()
    )
    if assignment is None:
        audit.access_denied(user, "coach assignment", assignment_uuid)
        raise Http404
    return assignment


def get_request_for_user(user, request_uuid) -> CoachingRequest:
    found = selectors.requests_for_user(user).filter(uuid=request_uuid)
    request = selectors.request_rows(found, user)
    if not request:
        audit.access_denied(user, "coaching request", request_uuid)
        raise Http404
    return request[0]


def can_manage_location(user, location) -> bool:
    return selectors.locations_managed_by(user).filter(pk=location.pk).exists()


def can_plan_assignment(user, assignment: CoachAssignment) -> bool:
    """The coach and the location's managers plan the visits of an assignment."""
    return assignment.coach_id == user.pk or can_manage_location(user, assignment.location)


def can_plan_visit(user, visit: Visit, *, roles=None) -> bool:
    """Move, cancel and pre-fill the agenda: the visit's coach or the location's manager.
    `roles`: the user's current roles, if known (no query for who manages nothing)."""
    if visit.coach_id == user.pk:
        return True
    if roles is not None and Role.LOCATION_MANAGER not in roles:
        return False
    return can_manage_location(user, visit.location)


def can_ask(user, visit: Visit, *, roles=None) -> bool:
    """Staff of the visit's groups and its location's managers add questions.
    `roles`: the user's current roles, if known (no query for a way in that needs a
    role the user lacks)."""
    if visit.status != VisitStatus.PLANNED:
        return False
    if roles is None or Role.PEDAGOGICAL_STAFF in roles:
        groups = visit.groups.filter(pk__in=selectors.staff_groups(user).values("pk"))
        if groups.exists():
            return True
    if roles is None or set(roles) & set(selectors.VISIT_MANAGER_ROLES):
        return selectors.managed_locations(user).filter(pk=visit.location_id).exists()
    return False


def can_report(user, visit: Visit) -> bool:
    """Only the visit's coach writes the report, once the visit has started."""
    return (
        visit.coach_id == user.pk
        and visit.status == VisitStatus.PLANNED
        and visit.starts_at <= timezone.now()
    )


def can_decide_request(user, request: CoachingRequest) -> bool:
    """The coaches who coach the request's group now accept, schedule or decline it."""
    return selectors.coached_groups(user).filter(pk=request.group_id).exists()


def get_group_plan_for_user(user, plan_uuid) -> GroupPlan:
    """A group plan: for whoever may read its group's plans (404 otherwise)."""
    plan = (
        group_plan_selectors.group_plans_for_user(user)
        .select_related("group__location", "created_by")
        .filter(uuid=plan_uuid)
        .first()
    )
    if plan is None:
        audit.access_denied(user, "group plan", plan_uuid)
        raise Http404
    return plan


def get_group_for_plans(user, group_uuid) -> Group:
    """A group whose plans the user may read (404 otherwise)."""
    group = (
        group_plan_selectors.groups_with_plans_for_user(user)
        .select_related("location")
        .filter(uuid=group_uuid)
        .first()
    )
    if group is None:
        audit.access_denied(user, "group", group_uuid)
        raise Http404
    return group


def can_edit_group_plans(user, group) -> bool:
    """Draft a group's plan: its PMs and its location's managers and care coordinators."""
    return group_plan_selectors.groups_editable_by(user).filter(pk=group.pk).exists()


def can_decide_group_plans(user, group) -> bool:
    """Approve or return a group's plan: the managers of its location."""
    return selectors.locations_managed_by(user).filter(pk=group.location_id).exists()
