"""The national data generator: the right amounts, consistent, and the grants the
access policy would give (a PM sees the cases of their own groups and no more)."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from alert4you.national_data import NationalData, Scale
from casework.models import Case, Child, Concern
from casework.selectors import cases_for_user
from coaching.models import AgendaItem, CoachAssignment, CoachingRequest, Visit
from coaching.selectors import requests_to_decide
from parents.models import Consent
from pilots.models import Membership, Role

User = get_user_model()
SMALL = Scale().times(0.004)


@pytest.fixture
def generated(db):
    return NationalData(SMALL, seed=7).run()


def test_writes_the_requested_amounts(generated):
    assert Child.objects.count() == SMALL.children
    assert Case.objects.count() == SMALL.cases
    assert Concern.objects.count() == SMALL.concerns
    assert Consent.objects.count() == SMALL.consents
    assert Visit.objects.count() >= SMALL.visits * 0.9
    assert Case.history.count() == SMALL.cases  # history rows for the case pages
    assert CoachingRequest.objects.count() == SMALL.coaching_requests
    assert generated["case grants"] > 0


def test_coaching_requests_go_from_a_pm_of_the_group_to_the_location_coach(generated):
    requests = list(CoachingRequest.objects.select_related("group", "case__child", "visit"))
    assert len(requests) == SMALL.coaching_requests
    by_status = {s: sum(r.status == s for r in requests) for s in CoachingRequest.Status.values}
    assert by_status["open"] >= 1 and by_status["accepted"] >= 1
    assert by_status["scheduled"] + by_status["declined"] > 0.8 * len(requests)
    assert 0.25 < sum(r.case_id is not None for r in requests) / len(requests) < 0.4
    coach_of_location = dict(CoachAssignment.objects.values_list("location", "coach"))
    staff_of_group = set(
        Membership.objects.filter(role=Role.PEDAGOGICAL_STAFF).values_list("user", "groups")
    )
    for r in requests:
        location = r.group.location_id
        assert (r.requested_by_id, r.group_id) in staff_of_group
        assert r.case is None or r.case.child.group_id == r.group_id
        assert r.coach_id == (None if r.status == "open" else coach_of_location[location])
        assert (r.visit is not None) == (r.status == "scheduled")
        if r.visit is not None:
            assert r.visit.location_id == location and r.visit.starts_at > r.created_at
        assert (r.status == "declined") == bool(r.decline_reason)
    assert AgendaItem.objects.filter(source="request").count() == by_status["scheduled"]
    # The coach calendar's "open requests" panel has something to show.
    waiting = next(r for r in requests if r.status == "open")
    coach = User.objects.get(pk=coach_of_location[waiting.group.location_id])
    assert waiting in requests_to_decide(coach)


def test_a_pm_sees_exactly_the_cases_of_their_own_groups(generated):
    # By pk: the organisation name and role (the default order) leave many PMs tied.
    pm = Membership.objects.filter(role=Role.PEDAGOGICAL_STAFF).order_by("pk").first().user
    own_groups = set(Membership.objects.filter(user=pm).values_list("groups__id", flat=True))
    expected = set(Case.objects.filter(child__group__in=own_groups).values_list("id", flat=True))
    assert expected, "the sample PM should have cases"
    assert set(cases_for_user(pm).values_list("id", flat=True)) == expected


def test_the_command_refuses_a_database_with_children(generated):
    with pytest.raises(CommandError):
        call_command("generate_national_data", "--scale", "0.001")
