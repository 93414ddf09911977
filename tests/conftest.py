"""Standing personas and small builders that every test can use.

The personas live in one childcare organisation with two groups at one
location, plus a youth-care organisation (the coach), a school and an
outsider who belongs to an unrelated organisation.
"""

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from pilots.models import Group, Location, Municipality, Organisation, Pilot, Role

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def _default_language(settings):
    """Every test starts in the default language (Dutch), whatever an earlier
    test in the same process activated."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache. It is in-memory per process, so an
    xdist worker would otherwise hand one test what an earlier test cached
    under the same key (the national dashboard's figures, for one) for the
    rest of its lifetime: a result that depends on which tests ran before."""
    from django.core.cache import cache

    cache.clear()
    yield


def verified_device(user):
    """The user's confirmed authenticator (TOTP) device; one is made if missing."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    return device


def enter_code(client, user, **extra):
    """The second step of a login through the real pages: post the current code
    of the user's authenticator (made if missing) to the verification page."""
    from django.urls import reverse
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from alert4you.two_factor import current_code

    device = verified_device(user)
    # A code is accepted once: a second login within 30 seconds needs a fresh one.
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    device.refresh_from_db()
    return client.post(reverse("two-factor:verify"), {"code": current_code(device)}, **extra)


@pytest.fixture(autouse=True)
def _force_login_passes_two_step_login(monkeypatch):
    """`client.force_login(user)` signs in with both steps done, as if the user
    had entered their code; `client.force_login(user, verified=False)` stops
    after the password, for the tests of the second step."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    password_only = Client.force_login

    def force_login(self, user, backend=None, verified=True):
        password_only(self, user, backend)
        if verified:
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = verified_device(user).persistent_id
            session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


def make_user(username: str, **extra):
    User = get_user_model()
    user = User.objects.create_user(
        username=username, password=PASSWORD, email=f"{username}@example.org", **extra
    )
    return user


def add_membership(user, organisation, role, *, locations=(), groups=()):
    from pilots import services

    return services.membership_save(
        actor=None,
        user=user,
        organisation=organisation,
        role=role,
        locations=list(locations),
        groups=list(groups),
    )


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


def log_concern(actor, child, **overrides):
    """Log a concern through the real service (opens the case if needed)."""
    import datetime

    from casework import services

    fields = {
        "observed_on": timezone.localdate() - datetime.timedelta(days=1),
        "domain": "social_emotional",
        "description": "Plays alone and withdraws when others come near.",
        "worry_level": 2,
        "where_seen": "group",
    }
    fields.update(overrides)
    return services.concern_log(actor=actor, child=child, **fields)


@pytest.fixture
def cases(world):
    """A child with a case in each group (logged by each group's PM)."""
    import datetime

    from casework import services

    admin = world.manager
    world.child_a = services.child_register(
        actor=admin,
        first_name="Mieke",
        last_name="Testkind",
        date_of_birth=datetime.date(2022, 3, 1),
        group=world.group_a,
        mentor=world.pm_a,
    )
    world.child_b = services.child_register(
        actor=admin,
        first_name="Ayoub",
        last_name="Proefkind",
        date_of_birth=datetime.date(2021, 6, 15),
        group=world.group_b,
        mentor=world.pm_b,
    )
    world.case_a = log_concern(world.pm_a, world.child_a).case
    world.case_b = log_concern(world.pm_b, world.child_b).case
    return world


def add_parents(child, *, actor, authority_checked_how="register"):
    """Two parents who share parental authority, checked in the custody register."""

    from parents import services as parent_services

    return [
        parent_services.guardian_save(
            actor=actor,
            child=child,
            first_name=first_name,
            last_name=child.last_name,
            relation="parent",
            has_authority=True,
            authority_checked_how=authority_checked_how,
            authority_checked_on=timezone.localdate(),
        )
        for first_name in ("Moeder", "Vader")
    ]


def grant_consent(child, *, actor, scope, organisation=None, **overrides):

    from parents import services as parent_services

    fields = {
        "decision": "granted",
        "given_by": list(child.guardians.filter(has_authority=True)),
        "decided_on": timezone.localdate(),
        "method": "paper",
    }
    fields.update(overrides)
    return parent_services.consent_record(
        actor=actor, child=child, scope=scope, organisation=organisation, **fields
    )
