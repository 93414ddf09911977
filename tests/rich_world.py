"""A world with an object of every kind a URL addresses, built with the real services.

It extends the `cases` world of tests/conftest.py (and the `coached` world of
tests/coaching/conftest.py): every object a page is about belongs to the
childcare organisation (renamed, see RENAMED), its location and group A, and
the coach's youth-care organisation Yorneo. Each persona there has a *twin*
(TWINS): a user with the same role in another organisation (the other childcare
organisation "Elders BV", another youth-care organisation, another school,
another pilot), who must never see those objects.

Use the fixtures explicitly in a test module:
`rich_world = tests.rich_world.rich_world` (one world per test), or
`shared_rich_world = tests.rich_world.shared_rich_world` (one world per module,
rolled back at the end; the tests must use the database — `db` or
`pytest.mark.django_db` — so each runs in a savepoint of it; mark the module
`pytest.mark.xdist_group(...)` so one xdist worker builds it once).
"""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.db import transaction
from django.utils import timezone

from tests.coaching.conftest import coached, make_visit
from tests.conftest import PASSWORD, add_membership, cases, grant_consent, make_user, world

#: The persona of the world → their twin in another organisation.
TWINS = {
    "pm_a": "twin_pm",
    "pm_b": "twin_pm",
    "manager": "twin_manager",
    "coordinator": "twin_coordinator",
    "coach": "twin_coach",
    "project_leader": "twin_project_leader",
    "org_admin": "twin_org_admin",
    "school_user": "twin_school_user",
    "superuser": "twin_staff",
}


def _twins(w):
    from pilots.models import Group, Location, Municipality, Organisation, Pilot, PilotPartner, Role

    w.other_youth_care = Organisation.objects.create(
        name="Jeugdformaat", kind=Organisation.Kind.YOUTH_CARE
    )
    w.other_school = Organisation.objects.create(name="CBS De Regenboog", kind="school")
    w.other_municipality = Municipality.objects.create(
        name="Emmen", cbs_code="GM0114", province="DR"
    )
    w.other_pilot = Pilot.objects.create(
        name="Alert4you Emmen 0-4",
        track=Pilot.Track.DAY_CARE,
        municipality=w.other_municipality,
        start_date="2010-01-01",
    )
    w.other_location.pilot = w.other_pilot
    w.other_location.save()
    PilotPartner.objects.create(
        pilot=w.other_pilot, organisation=w.other_youth_care, role="coaching"
    )
    w.group_x = Group.objects.create(
        location=w.other_location, name="Egeltjes", age_band=Group.AgeBand.DAY_CARE, capacity=12
    )
    roles = {
        "twin_pm": (w.elsewhere, Role.PEDAGOGICAL_STAFF, {"groups": [w.group_x]}),
        "twin_manager": (w.elsewhere, Role.LOCATION_MANAGER, {"locations": [w.other_location]}),
        "twin_coordinator": (
            w.elsewhere,
            Role.CARE_COORDINATOR,
            {"locations": [w.other_location]},
        ),
        "twin_coach": (w.other_youth_care, Role.COACH, {}),
        "twin_project_leader": (w.elsewhere, Role.PROJECT_LEADER, {}),
        "twin_org_admin": (w.elsewhere, Role.ORGANISATION_ADMIN, {}),
        "twin_school_user": (w.other_school, Role.SCHOOL_STAFF, {}),
    }
    for name, (organisation, role, scope) in roles.items():
        user = make_user(name)
        add_membership(user, organisation, role, **scope)
        setattr(w, name, user)
    w.other_pilot.project_leaders.add(w.twin_project_leader)
    w.twin_staff = make_user("twin_staff", is_staff=True)  # staff, not a superuser
    # The national overview spans every pilot by design: programme staff have no twin.
    programme = Organisation.objects.create(name="NJi", kind=Organisation.Kind.OTHER)
    w.programme_staff = make_user("programme_staff")
    add_membership(w.programme_staff, programme, Role.PROGRAMME_STAFF)
    assert Location.objects.filter(organisation=w.elsewhere).exists()


#: The world's organisation, location and groups get names no page text uses (the
#: import page's example CSV uses the standing names), so finding one in a page
#: means the page shows them.
RENAMED = {
    "childcare": "Kinderopvang Hummeltjes-Noord",
    "location": "KDV Het Zwanenkasteel",
    "group_a": "Ijsvogeltjes",
    "group_b": "Kwikstaartjes",
    "pilot": "Alert4you Zwanenburg 0-4",
}


def build_rich_world():
    """Build the world (call inside a transaction that is rolled back)."""
    from alert4you.models import Reminder, ReminderStatus, UserSession
    from casework import services as case_services
    from coaching import services as coaching_services
    from coaching.models import CalendarFeed, GroupPlanTip
    from parents import conversation_services
    from pilots.models import EvaluationMoment, Location, Membership

    # The standing fixtures' own functions (the `db` argument of `world` is unused),
    # so this world stays the one every other test knows, only richer.
    w = coached.__wrapped__(cases.__wrapped__(world.__wrapped__(None)))
    for attribute, name in RENAMED.items():
        getattr(w, attribute).name = name
        getattr(w, attribute).save()
    today = timezone.localdate()
    w.guardian = w.child_a.guardians.order_by("first_name").first()
    w.consent = grant_consent(w.child_a, actor=w.manager, scope="observation_by_coach")
    case_services.case_team_add(actor=w.pm_a, case=w.case_a, user=w.coach, role="coach")
    w.team_member = w.coach
    w.membership = Membership.objects.get(user=w.pm_a)
    w.visit = make_visit(w)
    w.past_visit = make_visit(w, starts_at=timezone.now() - datetime.timedelta(days=1))
    w.agenda_item = coaching_services.agenda_item_add(
        actor=w.pm_a,
        visit=w.visit,
        topic="group_climate",
        group=w.group_a,
        question="How is the group?",
    )
    w.feed = CalendarFeed.objects.create(coach=w.coach)
    w.plan = case_services.plan_start_version(actor=w.pm_a, case=w.case_a)
    w.group_plan = coaching_services.group_plan_start(actor=w.pm_a, group=w.group_a)
    w.group_plan_tip = GroupPlanTip.objects.create(
        plan=w.group_plan, text="Use pictures for the day", source="team", position=9
    )
    w.closed_period = coaching_services.closed_period_save(
        actor=w.manager,
        location=w.location,
        name="Kerstvakantie",
        starts_on=today + datetime.timedelta(days=60),
        ends_on=today + datetime.timedelta(days=70),
    )
    w.coaching_request = coaching_services.coaching_request_create(
        actor=w.pm_a,
        group=w.group_a,
        topic="one_child",
        case=w.case_a,
        question="Mieke bites when the group gets loud.",
    )
    mother, father = w.child_a.guardians.order_by("first_name")
    w.conversation = conversation_services.conversation_plan(
        actor=w.pm_a,
        case=w.case_a,
        planned_on=today,
        form="together",
        expected_difficulty=2,
        staff_participants=[w.pm_a],
        guardians=[mother, father],
    )
    w.moment = EvaluationMoment.objects.create(pilot=w.pilot, kind="kickoff", date=today)
    w.reminder = Reminder.objects.create(
        kind="weekly_digest",
        content_type=ContentType.objects.get_for_model(Location),
        object_id=w.location.pk,
        recipient=w.manager,
        for_date=today,
        event_on=today,
        due_at=timezone.now(),
        status=ReminderStatus.FAILED,
        attempts=3,
        last_error="SMTPServerDisconnected: gone",
    )
    store = SessionStore()
    store.create()
    w.user_session = UserSession.objects.create(user=w.manager, session_key=store.session_key)
    w.superuser = get_user_model().objects.create_superuser(
        "superuser", "superuser@example.org", PASSWORD
    )
    _twins(w)
    return w


@pytest.fixture
def rich_world(db):
    """The rich world, built for one test."""
    return build_rich_world()


@pytest.fixture(scope="module")
def shared_rich_world(django_db_setup, django_db_blocker):
    """The rich world, built once per module inside a transaction rolled back at the
    end; tests that use it also request `db`, so each runs in a savepoint of it and
    whatever a request writes is undone before the next test."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_rich_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
