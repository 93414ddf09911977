"""Standing personas and small builders that every test can use.

The personas live in one childcare organisation with two groups at one
location, plus a youth-care organisation (the coach), a school and an
outsider who belongs to an unrelated organisation.
"""

import pytest
from django.contrib.auth import get_user_model

from pilots.models import Group, Location, Membership, Municipality, Organisation, Pilot, Role

PASSWORD = "correct-horse-battery-staple"


def make_user(username: str, **extra):
    User = get_user_model()
    user = User.objects.create_user(
        username=username, password=PASSWORD, email=f"{username}@example.org", **extra
    )
    return user


def add_membership(user, organisation, role, *, locations=(), groups=()):
    membership = Membership.objects.create(user=user, organisation=organisation, role=role)
    membership.locations.set(locations)
    membership.groups.set(groups)
    return membership


@pytest.fixture
def world(db):
    """A small but complete organisation structure with every role."""
    municipality = Municipality.objects.create(name="Assen", cbs_code="GM0106", province="DR")
    childcare = Organisation.objects.create(
        name="Speelwerk", kind=Organisation.Kind.CHILDCARE, municipality=municipality
    )
    youth_care = Organisation.objects.create(
        name="Yorneo", kind=Organisation.Kind.YOUTH_CARE, municipality=municipality
    )
    school = Organisation.objects.create(name="OBS De Vlinder", kind=Organisation.Kind.SCHOOL)
    elsewhere = Organisation.objects.create(name="Elders BV", kind=Organisation.Kind.CHILDCARE)
    pilot = Pilot.objects.create(
        name="Alert4you Assen 0-4",
        track=Pilot.Track.DAY_CARE,
        municipality=municipality,
        start_date="2009-09-01",
    )
    location = Location.objects.create(
        organisation=childcare, name="KDV De Kikker", location_type=Location.Type.KDV, pilot=pilot
    )
    other_location = Location.objects.create(
        organisation=elsewhere, name="KDV Elders", location_type=Location.Type.KDV
    )
    group_a = Group.objects.create(
        location=location, name="Dolfijnen", age_band=Group.AgeBand.DAY_CARE, capacity=12
    )
    group_b = Group.objects.create(
        location=location, name="Zeepaardjes", age_band=Group.AgeBand.DAY_CARE, capacity=16
    )

    class World:
        pass

    w = World()
    w.municipality, w.pilot = municipality, pilot
    w.childcare, w.youth_care, w.school, w.elsewhere = childcare, youth_care, school, elsewhere
    w.location, w.other_location, w.group_a, w.group_b = location, other_location, group_a, group_b

    w.pm_a = make_user("pm_a", first_name="Anna")
    add_membership(w.pm_a, childcare, Role.PEDAGOGICAL_STAFF, groups=[group_a])
    w.pm_b = make_user("pm_b", first_name="Bram")
    add_membership(w.pm_b, childcare, Role.PEDAGOGICAL_STAFF, groups=[group_b])
    w.manager = make_user("manager", first_name="Mirjam")
    add_membership(w.manager, childcare, Role.LOCATION_MANAGER, locations=[location])
    w.coordinator = make_user("coordinator", first_name="Cor")
    add_membership(w.coordinator, childcare, Role.CARE_COORDINATOR, locations=[location])
    w.coach = make_user("coach", first_name="Carla")
    add_membership(w.coach, youth_care, Role.COACH)
    w.project_leader = make_user("project_leader", first_name="Petra")
    add_membership(w.project_leader, childcare, Role.PROJECT_LEADER)
    pilot.project_leaders.add(w.project_leader)
    w.org_admin = make_user("org_admin", first_name="Otto")
    add_membership(w.org_admin, childcare, Role.ORGANISATION_ADMIN)
    w.school_user = make_user("school_user", first_name="Sara")
    add_membership(w.school_user, school, Role.SCHOOL_STAFF)
    w.outsider = make_user("outsider", first_name="Olaf")
    add_membership(w.outsider, elsewhere, Role.PEDAGOGICAL_STAFF)
    return w
