"""What must never happen is refused by the database itself."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from pilots.models import Group, Location, Membership, Pilot, Role
from tests.conftest import make_user


def _refused(action):
    with pytest.raises(IntegrityError), transaction.atomic():
        action()


def test_membership_cannot_cover_a_location_of_another_organisation(world):
    membership = Membership.objects.get(user=world.manager)
    _refused(lambda: membership.locations.add(world.other_location))
    assert list(membership.locations.all()) == [world.location]


def test_membership_cannot_cover_a_group_of_another_organisation(world):
    foreign_group = Group.objects.create(
        location=world.other_location, name="Elders", age_band="0-4", capacity=10
    )
    membership = Membership.objects.get(user=world.pm_a)
    _refused(lambda: membership.groups.add(foreign_group))


def test_moving_a_covered_location_to_another_organisation_is_refused(world):
    def move():
        Location.objects.filter(pk=world.location.pk).update(organisation=world.elsewhere)

    _refused(move)


def test_moving_a_membership_with_coverage_to_another_organisation_is_refused(world):
    membership = Membership.objects.get(user=world.manager)
    membership.organisation = world.elsewhere
    _refused(membership.save)


def test_moving_a_covered_group_to_a_location_of_another_organisation_is_refused(world):
    world.group_a.location = world.other_location
    _refused(world.group_a.save)


def test_moving_an_uncovered_location_between_organisations_is_allowed(world):
    Location.objects.filter(pk=world.other_location.pk).update(organisation=world.childcare)


def test_membership_needs_a_role(world):
    user = make_user("no_role")
    _refused(lambda: Membership.objects.create(user=user, organisation=world.childcare, role=""))
    _refused(
        lambda: Membership.objects.create(user=user, organisation=world.childcare, role="boss")
    )


def test_membership_cannot_end_before_it_starts(world):
    user = make_user("short_lived")
    _refused(
        lambda: Membership.objects.create(
            user=user,
            organisation=world.childcare,
            role=Role.COACH,
            start_date=datetime.date(2025, 5, 1),
            end_date=datetime.date(2025, 4, 30),
        )
    )


def test_pilot_cannot_end_before_it_starts(world):
    _refused(
        lambda: Pilot.objects.create(
            name="Backwards",
            track=Pilot.Track.AFTER_SCHOOL,
            municipality=world.municipality,
            start_date=datetime.date(2012, 3, 6),
            end_date=datetime.date(2012, 3, 5),
        )
    )


def test_group_capacity_must_be_positive(world):
    _refused(
        lambda: Group.objects.create(
            location=world.location, name="Leeg", age_band="0-4", capacity=0
        )
    )


def test_group_names_are_unique_per_location(world):
    _refused(
        lambda: Group.objects.create(
            location=world.location, name="Dolfijnen", age_band="0-4", capacity=8
        )
    )


def test_ended_memberships_no_longer_count(world):
    membership = Membership.objects.get(user=world.pm_a)
    membership.start_date = datetime.date(2020, 1, 1)
    membership.end_date = datetime.date(2021, 1, 1)
    membership.save()
    assert not Membership.objects.current().filter(user=world.pm_a).exists()


def test_membership_changes_are_kept_in_history(world):
    membership = Membership.objects.get(user=world.pm_a)
    membership.role = Role.LOCATION_MANAGER
    membership.save()
    assert [h.role for h in membership.history.all()] == [
        Role.LOCATION_MANAGER,
        Role.PEDAGOGICAL_STAFF,
    ]
