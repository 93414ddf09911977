"""Who sees which case, as the access policy decides — tested as ordinary users."""

import datetime

import pytest
from django.contrib.auth.models import Group as AuthGroup
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.utils import timezone

from alert4you import access_policy
from casework import selectors, services
from casework.models import TeamRole
from pilots.models import Membership
from tests.conftest import make_user


def visible(user):
    return set(selectors.cases_for_user(user).values_list("child__first_name", flat=True))


def test_each_role_sees_exactly_the_cases_the_policy_allows(cases):
    w = cases
    assert visible(w.pm_a) == {"Mieke"}
    assert visible(w.pm_b) == {"Ayoub"}
    assert visible(w.manager) == {"Mieke", "Ayoub"}
    assert visible(w.coordinator) == {"Mieke", "Ayoub"}
    for nobody in (w.coach, w.project_leader, w.org_admin, w.school_user, w.outsider):
        assert visible(nobody) == set(), nobody


def test_only_the_location_manager_may_approve_plans(cases):
    w = cases
    approvers = {
        u.username
        for u in (w.pm_a, w.pm_b, w.manager, w.coordinator, w.coach)
        if selectors.cases_for_user(u, "approve_plan").filter(pk=w.case_a.pk).exists()
    }
    assert approvers == {"manager"}


def test_the_mentor_sees_a_child_outside_their_own_group(cases):
    w = cases
    services.child_set_mentor(actor=w.manager, child=w.child_a, mentor=w.pm_b)
    assert visible(w.pm_b) == {"Mieke", "Ayoub"}


def test_a_mentor_who_left_the_organisation_loses_access(cases):
    w = cases
    services.child_set_mentor(actor=w.manager, child=w.child_a, mentor=w.pm_b)
    Membership.objects.filter(user=w.pm_b).update(
        start_date=datetime.date(1999, 1, 1), end_date=datetime.date(2000, 1, 1)
    )
    access_policy.on_membership_changed(w.pm_b)
    assert visible(w.pm_b) == set()


def test_a_child_moving_group_takes_the_access_along(cases):
    w = cases
    services.child_set_mentor(actor=w.manager, child=w.child_a, mentor=None)
    services.child_move(actor=w.manager, child=w.child_a, group=w.group_b)
    assert visible(w.pm_a) == set()
    assert visible(w.pm_b) == {"Mieke", "Ayoub"}


def test_joining_a_group_grants_its_cases_and_leaving_revokes_them(cases):
    w = cases
    membership = Membership.objects.get(user=w.pm_a)
    membership.groups.add(w.group_b)
    access_policy.on_membership_changed(w.pm_a)
    assert visible(w.pm_a) == {"Mieke", "Ayoub"}
    membership.groups.remove(w.group_b)
    access_policy.on_membership_changed(w.pm_a)
    assert visible(w.pm_a) == {"Mieke"}


def test_an_ended_membership_ends_access_on_the_daily_sweep(cases):
    w = cases
    today = timezone.localdate()
    Membership.objects.filter(user=w.pm_a).update(
        start_date=today - datetime.timedelta(days=30), end_date=today - datetime.timedelta(days=1)
    )
    access_policy.on_memberships_expired(on=today)
    assert visible(w.pm_a) == set()


def test_a_colleague_on_the_case_team_sees_the_case(cases):
    w = cases
    services.case_team_add(
        actor=w.pm_a, case=w.case_a, user=w.pm_b, role=TeamRole.PEDAGOGICAL_STAFF
    )
    assert visible(w.pm_b) == {"Mieke", "Ayoub"}
    services.case_team_remove(actor=w.pm_a, case=w.case_a, user=w.pm_b)
    assert visible(w.pm_b) == {"Ayoub"}


@pytest.mark.parametrize("role", [TeamRole.COACH, TeamRole.EXTERNAL_EXPERT, TeamRole.SCHOOL])
def test_team_members_from_outside_cannot_join_without_consent(cases, role):
    from django.core.exceptions import ValidationError

    w = cases
    outsider = {"coach": w.coach, "external_expert": w.outsider, "school": w.school_user}[role]
    with pytest.raises(ValidationError, match="toestemming"):
        services.case_team_add(actor=w.pm_a, case=w.case_a, user=outsider, role=role)
    assert not w.case_a.team_members.filter(user=outsider).exists()
    assert visible(outsider) == set()


def test_a_model_wide_permission_reveals_nothing(cases):
    w = cases
    view_case = Permission.objects.get(codename="view_case", content_type__app_label="casework")
    w.outsider.user_permissions.add(view_case)
    everyone = AuthGroup.objects.create(name="everyone")
    everyone.permissions.add(view_case)
    w.outsider.groups.add(everyone)
    assert visible(w.outsider) == set()


def test_a_superuser_sees_only_what_was_granted(cases):
    root = make_user("root", is_superuser=True, is_staff=True)
    assert visible(root) == set()


def test_an_inactive_user_sees_nothing(cases):
    w = cases
    w.manager.is_active = False
    w.manager.save()
    assert visible(w.manager) == set()


def test_incremental_updates_and_a_full_rebuild_give_identical_grants(cases):
    w = cases
    services.child_set_mentor(actor=w.manager, child=w.child_a, mentor=w.pm_b)
    services.case_team_add(actor=w.pm_b, case=w.case_b, user=w.coordinator, role="care_coordinator")
    services.child_move(actor=w.manager, child=w.child_b, group=w.group_a)
    membership = Membership.objects.get(user=w.pm_b)
    membership.groups.add(w.group_a)
    access_policy.on_membership_changed(w.pm_b)
    services.case_set_status(actor=w.manager, case=w.case_a, status="closed")
    incremental = access_policy.snapshot()
    assert incremental["group_grants"] and incremental["user_grants"]

    call_command("rebuild_grants", stdout=open("/dev/null", "w"))
    assert access_policy.snapshot() == incremental


def test_the_rebuild_repairs_a_tampered_grant_table(cases):
    from casework.models import CaseGroupObjectPermission, CaseUserObjectPermission

    w = cases
    before = access_policy.snapshot()
    CaseGroupObjectPermission.objects.filter(content_object=w.case_a).delete()
    CaseUserObjectPermission.objects.filter(content_object=w.case_a).delete()
    assert visible(w.pm_a) == set()
    access_policy.rebuild_all()
    assert access_policy.snapshot() == before
    assert visible(w.pm_a) == {"Mieke"}
