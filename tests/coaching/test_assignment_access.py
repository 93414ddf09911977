"""A coach sees the cases of the groups they coach, and only with the parents' consent."""

import datetime

import pytest
from django.utils import timezone

from alert4you import access_policy
from casework import selectors
from coaching.models import CoachAssignment
from tests.conftest import add_parents, grant_consent

TODAY = timezone.localdate  # called each time: a run may pass midnight


def visible(user):
    return set(selectors.cases_for_user(user).values_list("child__first_name", flat=True))


@pytest.fixture
def assigned(cases):
    w = cases
    w.assignment = CoachAssignment.objects.create(
        coach=w.coach,
        location=w.location,
        kind="structural",
        weekday=1,
        every_weeks=2,
        start_time=datetime.time(9, 30),
        end_time=datetime.time(11, 30),
        starts_on=TODAY() - datetime.timedelta(days=7),
    )
    access_policy.on_assignment_changed(w.location)
    for child in (w.child_a, w.child_b):
        add_parents(child, actor=w.manager)
    return w


def test_a_coach_of_the_location_sees_no_case_without_consent(assigned):
    assert visible(assigned.coach) == set()


def test_a_coach_of_the_location_sees_a_case_with_the_coach_consent(assigned):
    w = assigned
    grant_consent(w.child_a, actor=w.pm_a, scope="observation_by_coach")
    assert visible(w.coach) == {"Mieke"}


def test_sharing_with_another_organisation_does_not_open_the_case_to_the_coach(assigned):
    w = assigned
    grant_consent(
        w.child_a, actor=w.pm_a, scope="share_with_organisation", organisation=w.youth_care
    )
    assert visible(w.coach) == set()


def test_an_assignment_to_some_groups_covers_only_those(assigned):
    w = assigned
    w.assignment.groups.set([w.group_b])
    access_policy.on_assignment_changed(w.location)
    grant_consent(w.child_a, actor=w.pm_a, scope="observation_by_coach")
    grant_consent(w.child_b, actor=w.pm_b, scope="observation_by_coach")
    assert visible(w.coach) == {"Ayoub"}


def test_an_ended_assignment_closes_access_on_the_nightly_sweep(assigned):
    w = assigned
    grant_consent(w.child_a, actor=w.pm_a, scope="observation_by_coach")
    CoachAssignment.objects.filter(pk=w.assignment.pk).update(
        ends_on=TODAY() - datetime.timedelta(days=1)
    )
    assert access_policy.on_assignment_dates(on=TODAY()) == 1
    assert visible(w.coach) == set()


def test_a_withdrawn_coach_consent_closes_the_case_at_once(assigned):
    from parents import services

    w = assigned
    consent = grant_consent(w.child_a, actor=w.pm_a, scope="observation_by_coach")
    services.consent_withdraw(actor=w.pm_a, consent=consent)
    assert visible(w.coach) == set()


def test_incremental_and_rebuilt_grants_agree_with_coaches_and_consents(assigned):
    w = assigned
    grant_consent(w.child_a, actor=w.pm_a, scope="observation_by_coach")
    before = access_policy.snapshot()
    access_policy.rebuild_all()
    assert access_policy.snapshot() == before
