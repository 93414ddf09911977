"""The access policy: the only code that grants or revokes object permissions.

This module is the security boundary around children's care files. It turns
the rules of DESIGN.md ("who sees what") into django-guardian object
permissions on `casework.Case`, stored in the direct-foreign-key tables
`CaseGroupObjectPermission` and `CaseUserObjectPermission`.

How grants are shaped, to keep the tables small and the lists fast:

* Rules about a *group* or *location* grant to auth groups that mirror that
  group's or location's staff (``a4y:staff:<group uuid>``,
  ``a4y:managers:<location uuid>``, ``a4y:care:<location uuid>``). A staff
  member joining or leaving a group only changes their auth-group
  membership; no case row is touched.
* Rules about a *person* (the child's mentor, the case team) grant to that
  user.

The state is always a function of the data: `desired_case_grants` says what a
case's grants should be, and every event handler below re-derives and applies
that state for the cases it affects (`sync_case`). `rebuild_all` derives
everything from scratch; a test proves both paths give identical grants.

Call the `on_*` functions from services, inside the service's transaction,
after the data change. Nothing else may write the permission tables or call
guardian's assign/remove functions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group as AuthGroup
from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from casework.models import (
    Case,
    CaseGroupObjectPermission,
    CaseTeamMember,
    CaseUserObjectPermission,
    TeamRole,
)
from pilots.models import Membership, Role

PREFIX = "a4y:"

#: What each kind of principal may do with a case it sees.
STAFF_PERMS = frozenset({"view_case", "change_case"})
MANAGER_PERMS = frozenset({"view_case", "change_case", "approve_plan", "view_access_log"})
READ_PERMS = frozenset({"view_case"})

#: Consent scopes (filled in by the parents app) that open a case to a team member.
SCOPE_COACH_OBSERVATION = "observation_by_coach"
SCOPE_EXPERT_OBSERVATION = "observation_by_external_expert"
SCOPE_SHARE_WITH_ORGANISATION = "share_with_organisation"


# --- names of the auth groups that mirror staff -------------------------------------------


def staff_group_name(group) -> str:
    return f"{PREFIX}staff:{group.uuid}"


def managers_group_name(location) -> str:
    return f"{PREFIX}managers:{location.uuid}"


def care_group_name(location) -> str:
    return f"{PREFIX}care:{location.uuid}"


# --- who is in which mirrored auth group ------------------------------------------------------


def desired_staff_group_names(user) -> set[str]:
    """The mirrored auth groups a user belongs in, from their current memberships."""
    names: set[str] = set()
    memberships = (
        Membership.objects.current().filter(user=user).prefetch_related("groups", "locations")
    )
    for membership in memberships:
        if membership.role == Role.PEDAGOGICAL_STAFF:
            names.update(staff_group_name(g) for g in membership.groups.all())
        elif membership.role == Role.LOCATION_MANAGER:
            names.update(managers_group_name(loc) for loc in membership.locations.all())
        elif membership.role == Role.CARE_COORDINATOR:
            names.update(care_group_name(loc) for loc in membership.locations.all())
    return names


def _auth_groups(names: Iterable[str]) -> dict[str, AuthGroup]:
    names = set(names)
    existing = {g.name: g for g in AuthGroup.objects.filter(name__in=names)}
    missing = [AuthGroup(name=n) for n in names - existing.keys()]
    if missing:
        AuthGroup.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {g.name: g for g in AuthGroup.objects.filter(name__in=names)}
    return existing


def sync_staff_groups(user) -> None:
    """Put the user in exactly the mirrored auth groups their memberships call for."""
    desired = _auth_groups(desired_staff_group_names(user))
    current = {g.name: g for g in user.groups.filter(name__startswith=PREFIX)}
    to_remove = [g for name, g in current.items() if name not in desired]
    to_add = [g for name, g in desired.items() if name not in current]
    if to_remove:
        user.groups.remove(*to_remove)
    if to_add:
        user.groups.add(*to_add)


# --- consent hook -------------------------------------------------------------------------


def valid_consent_scopes(children) -> dict[int, set[tuple[str, int | None]]]:
    """The consents valid today per child id, as ``(scope, organisation id)`` pairs.

    The organisation id is set for consents to share with a named organisation
    and ``None`` for the other scopes. The parents' consent register decides
    what counts (`parents.consent_rules`).
    """
    from parents.selectors import valid_consent_scopes_for

    return valid_consent_scopes_for(children)


def consent_needed_for_team_role(role: str, user_org_ids: set[int]) -> list[tuple[str, int | None]]:
    """The consents of which one must be valid before someone in `role` joins a
    case team from outside the child's own organisation (empty: none needed)."""
    if role == TeamRole.COACH:
        return [(SCOPE_COACH_OBSERVATION, None)]
    if role == TeamRole.EXTERNAL_EXPERT:
        return [(SCOPE_EXPERT_OBSERVATION, None)]
    if role == TeamRole.SCHOOL:
        return [(SCOPE_SHARE_WITH_ORGANISATION, org) for org in sorted(user_org_ids)]
    return []


# --- what a case's grants should be -----------------------------------------------------------


def _current_org_ids(user_ids: Iterable[int]) -> dict[int, set[int]]:
    orgs: dict[int, set[int]] = defaultdict(set)
    for user_id, org_id in (
        Membership.objects.current()
        .filter(user_id__in=set(user_ids))
        .values_list("user_id", "organisation_id")
    ):
        orgs[user_id].add(org_id)
    return orgs


def _team_member_perms(member_role, user_orgs, child_org_id, consents) -> frozenset[str]:
    """What a case-team member may do, given their role and the child's consents."""
    if member_role in (
        TeamRole.PEDAGOGICAL_STAFF,
        TeamRole.CARE_COORDINATOR,
        TeamRole.LOCATION_MANAGER,
    ):
        # Colleagues of the child's own organisation; leaving it ends access.
        return STAFF_PERMS if child_org_id in user_orgs else frozenset()
    if member_role == TeamRole.COACH:
        return STAFF_PERMS if (SCOPE_COACH_OBSERVATION, None) in consents else frozenset()
    if member_role == TeamRole.EXTERNAL_EXPERT:
        return STAFF_PERMS if (SCOPE_EXPERT_OBSERVATION, None) in consents else frozenset()
    if member_role == TeamRole.SCHOOL:
        shared = {org for scope, org in consents if scope == SCOPE_SHARE_WITH_ORGANISATION}
        return READ_PERMS if user_orgs & shared else frozenset()
    return frozenset()


def desired_case_grants(cases: Iterable[Case]):
    """Map each case id to ``(group grants, user grants)``.

    Group grants are ``{(auth group name, codename)}``, user grants
    ``{(user id, codename)}``. `cases` must come with child, group and
    location loaded (`_cases_with_context`).
    """
    cases = list(cases)
    team = defaultdict(list)
    for member in CaseTeamMember.objects.filter(case__in=cases).only("case_id", "user_id", "role"):
        team[member.case_id].append(member)
    people = {m.user_id for members in team.values() for m in members}
    people.update(c.child.mentor_id for c in cases if c.child.mentor_id)
    orgs_of = _current_org_ids(people)
    coaches_of = _coaches_by_group({c.child.group for c in cases})
    consents_of = valid_consent_scopes(
        [c.child for c in cases if team[c.id] or coaches_of.get(c.child.group_id)]
    )

    result = {}
    for case in cases:
        if case.erased_at is not None:
            # An erased case is an anonymous stub kept for the access log: no one
            # works in it any more, so no one is granted anything on it.
            result[case.id] = (set(), set())
            continue
        child = case.child
        group = child.group
        location = group.location
        groups: set[tuple[str, str]] = set()
        groups.update((staff_group_name(group), p) for p in STAFF_PERMS)
        groups.update((managers_group_name(location), p) for p in MANAGER_PERMS)
        groups.update((care_group_name(location), p) for p in STAFF_PERMS)

        users: set[tuple[int, str]] = set()
        if child.mentor_id and location.organisation_id in orgs_of.get(child.mentor_id, ()):
            users.update((child.mentor_id, p) for p in STAFF_PERMS)
        if team[case.id]:
            for member in team[case.id]:
                perms = _team_member_perms(
                    member.role,
                    orgs_of.get(member.user_id, set()),
                    location.organisation_id,
                    consents_of.get(child.id, set()),
                )
                users.update((member.user_id, p) for p in perms)
        if (SCOPE_COACH_OBSERVATION, None) in consents_of.get(child.id, set()):
            for coach_id in coaches_of.get(group.id, ()):
                users.update((coach_id, p) for p in STAFF_PERMS)
        result[case.id] = (groups, users)
    return result


def _coaches_by_group(groups) -> dict[int, set[int]]:
    """Per group id, the coaches currently assigned to it (an assignment without
    groups covers every group of its location)."""
    from coaching.models import CoachAssignment

    groups = list(groups)
    if not groups:
        return {}
    today = timezone.localdate()
    location_groups = defaultdict(list)
    for group in groups:
        location_groups[group.location_id].append(group.id)
    assignments = (
        CoachAssignment.objects.filter(location_id__in=location_groups.keys(), starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .prefetch_related("groups")
    )
    result: dict[int, set[int]] = defaultdict(set)
    for assignment in assignments:
        covered = {g.id for g in assignment.groups.all()} or set(
            location_groups[assignment.location_id]
        )
        for group_id in covered:
            result[group_id].add(assignment.coach_id)
    return result


def on_assignment_changed(location) -> None:
    """A coach was assigned to (or released from) a location or some of its groups."""
    sync_cases(Case.objects.filter(child__group__location=location))


def on_assignment_dates(on=None) -> int:
    """Re-derive access at locations whose coach assignment started today or ended
    yesterday (daily sweep)."""
    from coaching.models import CoachAssignment
    from pilots.models import Location

    on = on or timezone.localdate()
    yesterday = on - timezone.timedelta(days=1)
    location_ids = set(
        CoachAssignment.objects.filter(Q(starts_on=on) | Q(ends_on=yesterday)).values_list(
            "location_id", flat=True
        )
    )
    for location in Location.objects.filter(id__in=location_ids):
        on_assignment_changed(location)
    return len(location_ids)


def _cases_with_context(queryset):
    return queryset.select_related("child__group__location")


def _case_permissions() -> dict[str, Permission]:
    return {
        p.codename: p
        for p in Permission.objects.filter(
            content_type__app_label="casework", content_type__model="case"
        )
    }


def _apply(case_ids: list[int], desired) -> None:
    """Make the permission rows of these cases exactly `desired`."""
    perms = _case_permissions()
    perm_code = {p.id: code for code, p in perms.items()}
    group_names = {name for groups, _ in desired.values() for name, _ in groups}
    auth_groups = _auth_groups(group_names)

    existing_group = defaultdict(dict)
    for row in CaseGroupObjectPermission.objects.filter(
        content_object_id__in=case_ids
    ).select_related("group"):
        key = (row.group.name, perm_code[row.permission_id])
        existing_group[row.content_object_id][key] = row.id
    existing_user = defaultdict(dict)
    for row in CaseUserObjectPermission.objects.filter(content_object_id__in=case_ids):
        existing_user[row.content_object_id][(row.user_id, perm_code[row.permission_id])] = row.id

    new_group_rows, new_user_rows, stale_group, stale_user = [], [], [], []
    for case_id in case_ids:
        groups, users = desired.get(case_id, (set(), set()))
        have_groups, have_users = existing_group[case_id], existing_user[case_id]
        for name, code in groups - have_groups.keys():
            new_group_rows.append(
                CaseGroupObjectPermission(
                    content_object_id=case_id, group=auth_groups[name], permission=perms[code]
                )
            )
        for user_id, code in users - have_users.keys():
            new_user_rows.append(
                CaseUserObjectPermission(
                    content_object_id=case_id, user_id=user_id, permission=perms[code]
                )
            )
        stale_group += [row_id for key, row_id in have_groups.items() if key not in groups]
        stale_user += [row_id for key, row_id in have_users.items() if key not in users]
    if stale_group:
        CaseGroupObjectPermission.objects.filter(id__in=stale_group).delete()
    if stale_user:
        CaseUserObjectPermission.objects.filter(id__in=stale_user).delete()
    CaseGroupObjectPermission.objects.bulk_create(new_group_rows, batch_size=2000)
    CaseUserObjectPermission.objects.bulk_create(new_user_rows, batch_size=2000)


def sync_cases(cases_queryset) -> None:
    """Re-derive and apply the grants of the given cases."""
    cases = list(_cases_with_context(cases_queryset))
    if cases:
        _apply([c.id for c in cases], desired_case_grants(cases))


# --- events -----------------------------------------------------------------------------------


def on_membership_changed(user) -> None:
    """A membership of `user` was created, changed, ended or its coverage edited."""
    sync_staff_groups(user)
    sync_cases(Case.objects.filter(Q(child__mentor=user) | Q(team_members__user=user)).distinct())


def on_case_opened(case) -> None:
    sync_cases(Case.objects.filter(pk=case.pk))


def on_case_team_changed(case) -> None:
    sync_cases(Case.objects.filter(pk=case.pk))


def on_child_changed(child) -> None:
    """The child moved to another group or location, or got another mentor."""
    sync_cases(Case.objects.filter(child=child))


def on_consent_changed(child) -> None:
    """A consent for the child was given, refused, withdrawn or expired."""
    sync_cases(Case.objects.filter(child=child))


def on_group_moved(group) -> None:
    """A childcare group moved to another location."""
    sync_cases(Case.objects.filter(child__group=group))


def on_memberships_expired(on=None) -> int:
    """Re-sync everyone whose membership started or ended around `on` (daily sweep)."""
    on = on or timezone.localdate()
    yesterday = on - timezone.timedelta(days=1)
    user_ids = set(
        Membership.objects.filter(Q(start_date=on) | Q(end_date=yesterday)).values_list(
            "user_id", flat=True
        )
    )
    for user in get_user_model().objects.filter(id__in=user_ids):
        on_membership_changed(user)
    return len(user_ids)


# --- the full rebuild ---------------------------------------------------------------------


@transaction.atomic
def sync_all(batch_size: int = 2000) -> dict[str, int]:
    """Bring every grant and mirrored group in line with the data, changing only
    what differs (safe to run at any time, e.g. after a bulk load)."""
    User = get_user_model()
    staff_user_ids = set(Membership.objects.values_list("user_id", flat=True))
    staff_user_ids.update(
        User.objects.filter(groups__name__startswith=PREFIX).values_list("id", flat=True)
    )
    for user in User.objects.filter(id__in=staff_user_ids):
        sync_staff_groups(user)
    case_ids = list(Case.objects.order_by("id").values_list("id", flat=True))
    for start in range(0, len(case_ids), batch_size):
        sync_cases(Case.objects.filter(id__in=case_ids[start : start + batch_size]))
    return {
        "users": len(staff_user_ids),
        "cases": len(case_ids),
        "group_grants": CaseGroupObjectPermission.objects.count(),
        "user_grants": CaseUserObjectPermission.objects.count(),
    }


@transaction.atomic
def rebuild_all(batch_size: int = 2000) -> dict[str, int]:
    """Derive every grant from scratch: drop all case grants, then `sync_all`."""
    CaseGroupObjectPermission.objects.all().delete()
    CaseUserObjectPermission.objects.all().delete()
    return sync_all(batch_size)


def snapshot() -> dict[str, set]:
    """Every grant and mirrored group membership, comparable between runs (for tests)."""
    return {
        "group_grants": set(
            CaseGroupObjectPermission.objects.values_list(
                "content_object_id", "group__name", "permission__codename"
            )
        ),
        "user_grants": set(
            CaseUserObjectPermission.objects.values_list(
                "content_object_id", "user_id", "permission__codename"
            )
        ),
        "memberships": set(
            get_user_model()
            .groups.through.objects.filter(group__name__startswith=PREFIX)
            .values_list("user_id", "group__name")
        ),
    }
