import datetime
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from pilots import dashboard_selectors, monitoring, selectors
from pilots.dashboard_forms import DashboardFilterForm
from pilots.demo import (
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    PROGRAMME_OFFICE,
    RESEARCH_ANGLES,
    load_demo_data,
)
from pilots.models import (
    CompetenceRating,
    EvaluationKind,
    EvaluationMoment,
    Group,
    Location,
    Membership,
    MembershipGroup,
    MembershipLocation,
    Municipality,
    Organisation,
    Pilot,
    PilotPartner,
    Role,
)

User = get_user_model()

# The programme's documents, independently of pilots/demo.py: pilot → partners.
DOCUMENTED_PARTNERS = {
    "Alert4you Assen 0-4": {"Speelwerk", "Yorneo"},
    "Alert4you Amsterdam 0-4": {"Partou", "MOC 't Kabouterhuis"},
    "Alert4you Leiden 0-4": {"B4Kids", "Cardea"},
    "Alert4you Amersfoort 0-4": {"SKA", "Trajectum"},
    "Alert4you Den Helder 0-4": {"Kinderopvang Den Helder Texel", "Parlan"},
    "Alert4you Amersfoort BSO": {"SKA", "SKON", "Trajectum", "Zandbergen"},
    "Alert4you Arnhem BSO": {"SKAR", "Lindenhout"},
    "Alert4you Assen BSO": {"Speelwerk", "ASKA", "Pinokkio", "Yorneo"},
    "Alert4you Groningen BSO": {"SKSG", "Elker"},
    "Alert4you Hellendoorn BSO": {"SKWT", "Trias"},
    "Alert4you Hilversum BSO": {"BINK", "Zandbergen", "Trompendaal"},
    "Alert4you Hoorn BSO": {"SKH", "Parlan"},
    "Alert4you Rotterdam BSO": {"KindeRdam", "TriviumLindenhof"},
    "Alert4you Lent": {"Basisschool Talent", "Kinderopvang KION", "JGZ Nijmegen", "Entrea"},
}

LOCATION_TYPES_PER_TRACK = {
    Pilot.Track.DAY_CARE: {Location.Type.KDV, Location.Type.PLAYGROUP},
    Pilot.Track.AFTER_SCHOOL: {Location.Type.BSO, Location.Type.BSO_PLUS},
    Pilot.Track.SCHOOL: {Location.Type.SCHOOL, Location.Type.BSO},
}

DEMO_USERNAMES = [
    "demo-pm",
    "demo-coach",
    "demo-manager",
    "demo-coordinator",
    "demo-projectleader",
    "demo-orgadmin",
    "demo-programme",
    "demo-platform",
]


@pytest.fixture(scope="class")
def loaded_once(django_db_setup, django_db_blocker):
    """The demo data, loaded once for a class of tests that only read it and
    rolled back after the class; each test still runs in its own transaction."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield load_demo_data()
        transaction.set_rollback(True)


@pytest.fixture
def demo(loaded_once, db):
    return loaded_once


@pytest.fixture
def fresh_demo(db):
    """The demo data loaded for this test alone, for tests that change it."""
    return load_demo_data()


def partners_of(pilot_name):
    return {
        p.organisation.name: p.role
        for p in PilotPartner.objects.filter(pilot__name=pilot_name).select_related("organisation")
    }


def membership_of(username):
    (membership,) = Membership.objects.filter(user__username=username)
    return membership


class TestLoadedDemo:
    """What one load of the demo data holds."""

    # --- The programme structure --------------------------------------------------

    def test_every_documented_pilot_is_there_with_its_partners(self, demo):
        assert set(Pilot.objects.values_list("name", flat=True)) == set(DOCUMENTED_PARTNERS)
        for pilot, partners in DOCUMENTED_PARTNERS.items():
            assert set(partners_of(pilot)) == partners, pilot

    def test_five_day_care_pilots_started_with_three_in_2009(self, demo):
        day_care = Pilot.objects.filter(track=Pilot.Track.DAY_CARE)
        assert day_care.count() == 5
        first_three = {p.municipality.name for p in day_care if p.start_date.year == 2009}
        assert first_three == {"Assen", "Amsterdam", "Leiden"}
        assert all(p.start_date < p.end_date <= datetime.date(2012, 3, 6) for p in day_care)

    def test_assen_day_care_pairs_speelwerk_with_yorneo_as_coach(self, demo):
        assert partners_of("Alert4you Assen 0-4") == {
            "Speelwerk": PilotPartner.Role.LEAD,
            "Yorneo": PilotPartner.Role.COACHING,
        }
        assert Organisation.objects.get(name="Speelwerk").kind == Organisation.Kind.CHILDCARE
        assert Organisation.objects.get(name="Yorneo").kind == Organisation.Kind.YOUTH_CARE

    def test_eight_bso_pilots_were_admitted_in_march_2012_over_three_angles(self, demo):
        bso = Pilot.objects.filter(track=Pilot.Track.AFTER_SCHOOL)
        assert bso.count() == 8
        assert {p.start_date for p in bso} == {datetime.date(2012, 3, 6)}
        assert {p.research_angle for p in bso} == set(RESEARCH_ANGLES)
        for pilot in bso:
            roles = set(partners_of(pilot.name).values())
            assert {PilotPartner.Role.LEAD, PilotPartner.Role.COACHING} <= roles, pilot

    def test_lent_brings_school_childcare_jgz_and_youth_care_together_in_2013(self, demo):
        lent = Pilot.objects.get(name="Alert4you Lent")
        assert lent.track == Pilot.Track.SCHOOL
        assert lent.start_date.year == 2013
        assert lent.municipality.name == "Nijmegen"
        kinds = {p.organisation.kind for p in lent.partnerships.select_related("organisation")}
        assert kinds == {
            Organisation.Kind.SCHOOL,
            Organisation.Kind.CHILDCARE,
            Organisation.Kind.YOUTH_HEALTH,
            Organisation.Kind.YOUTH_CARE,
        }
        assert partners_of("Alert4you Lent")["JGZ Nijmegen"] == PilotPartner.Role.HEALTH

    def test_frontrunner_municipalities_are_flagged_with_real_cbs_codes(self, demo):
        frontrunners = Municipality.objects.filter(is_frontrunner=True)
        assert set(frontrunners.values_list("name", flat=True)) == {
            "Almere",
            "Amsterdam",
            "Diemen",
            "Den Helder",
            "Enschede",
        }
        codes = dict(Municipality.objects.values_list("name", "cbs_code"))
        assert codes["Assen"] == "GM0106"
        assert codes["Nijmegen"] == "GM0268"
        assert codes["Almere"] == "GM0034"

    def test_every_pilot_has_locations_and_groups_that_fit_its_track(self, demo):
        for pilot in Pilot.objects.prefetch_related("locations__groups", "partners"):
            locations = list(pilot.locations.all())
            assert 1 <= len(locations) <= 2, pilot
            for location in locations:
                assert location.location_type in LOCATION_TYPES_PER_TRACK[pilot.track], location
                assert location.organisation in pilot.partners.all(), location
                assert location.municipality == pilot.municipality
                groups = list(location.groups.all())
                assert 2 <= len(groups) <= 3, location
                assert all(1 <= g.capacity <= 40 for g in groups)
                if location.location_type == Location.Type.BSO_PLUS:
                    assert {g.kind for g in groups} == {Group.Kind.PLUS}, location
        assert Location.objects.filter(location_type=Location.Type.BSO_PLUS).exists()
        day_care_groups = Group.objects.filter(location__location_type=Location.Type.KDV)
        assert all(g.capacity <= 16 for g in day_care_groups)

    def test_invented_staff_work_at_every_location_and_cannot_log_in(self, demo):
        for location in Location.objects.all():
            staff = Membership.objects.filter(
                role__in=[Role.PEDAGOGICAL_STAFF, Role.SCHOOL_STAFF], groups__location=location
            )
            assert staff.exists(), location
        invented = User.objects.exclude(username__in=DEMO_USERNAMES)
        assert invented.count() > 50
        assert not any(user.has_usable_password() for user in invented)
        assert all(user.email.endswith("@demo.alert4you.invalid") for user in User.objects.all())

    # --- The demo logins ------------------------------------------------------------

    def test_demo_accounts_list_one_login_per_role(self, demo):
        assert [account.username for account in DEMO_ACCOUNTS] == DEMO_USERNAMES
        assert len({str(account.role) for account in DEMO_ACCOUNTS}) == len(DEMO_ACCOUNTS)
        assert all(str(account.description) for account in DEMO_ACCOUNTS)

    @pytest.mark.parametrize("username", DEMO_USERNAMES)
    def test_demo_login_works_with_the_shared_password(self, demo, client, username):
        response = client.post(reverse("login"), {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(User.objects.get(username=username).pk)

    def test_demo_pm_works_in_one_group_of_speelwerk(self, demo):
        membership = membership_of("demo-pm")
        assert (membership.organisation.name, membership.role) == (
            "Speelwerk",
            Role.PEDAGOGICAL_STAFF,
        )
        assert [str(g) for g in membership.groups.all()] == ["KDV De Kikker – Dolfijnen"]
        assert not membership.locations.exists()
        user = User.objects.get(username="demo-pm")
        assert [g.name for g in selectors.groups_for_staff(user)] == ["Dolfijnen"]

    def test_demo_coach_belongs_to_yorneo_and_covers_nothing_yet(self, demo):
        membership = membership_of("demo-coach")
        assert (membership.organisation.name, membership.role) == ("Yorneo", Role.COACH)
        assert not membership.locations.exists()
        assert not membership.groups.exists()

    def test_demo_manager_and_coordinator_cover_speelwerk_locations(self, demo):
        manager = membership_of("demo-manager")
        assert (manager.organisation.name, manager.role) == ("Speelwerk", Role.LOCATION_MANAGER)
        assert [loc.name for loc in manager.locations.all()] == ["KDV De Kikker"]
        coordinator = membership_of("demo-coordinator")
        assert coordinator.role == Role.CARE_COORDINATOR
        assert {loc.name for loc in coordinator.locations.all()} == {
            "KDV De Kikker",
            "BSO De Speelberg",
        }
        assert {loc.organisation.name for loc in coordinator.locations.all()} == {"Speelwerk"}

    def test_demo_project_leader_leads_both_assen_pilots(self, demo):
        user = User.objects.get(username="demo-projectleader")
        assert membership_of("demo-projectleader").role == Role.PROJECT_LEADER
        assert set(selectors.pilots_led_by(user).values_list("name", flat=True)) == {
            "Alert4you Assen 0-4",
            "Alert4you Assen BSO",
        }

    def test_demo_org_admin_administers_speelwerk(self, demo):
        user = User.objects.get(username="demo-orgadmin")
        assert [o.name for o in selectors.organisations_administered_by(user)] == ["Speelwerk"]

    def test_demo_platform_admin_is_a_superuser_without_memberships(self, demo):
        user = User.objects.get(username="demo-platform")
        assert user.is_superuser and user.is_staff
        assert not user.memberships.exists()
        others = User.objects.filter(username__in=DEMO_USERNAMES).exclude(pk=user.pk)
        assert not others.filter(is_staff=True).exists()

    def test_demo_programme_staff_opens_the_national_overview(self, demo, client):
        membership = membership_of("demo-programme")
        assert (membership.organisation.name, membership.role) == (
            PROGRAMME_OFFICE,
            Role.PROGRAMME_STAFF,
        )
        assert membership.organisation.kind == Organisation.Kind.OTHER
        user = User.objects.get(username="demo-programme")
        assert dashboard_selectors.can_see_national(user)
        client.force_login(user)

        response = client.get(reverse("dashboards:national"))

        assert response.status_code == 200
        assert len(response.context["moments"]) == 3 * len(DOCUMENTED_PARTNERS)

    def test_demo_memberships_are_current(self, demo):
        for username in DEMO_USERNAMES[:-1]:
            user = User.objects.get(username=username)
            assert selectors.roles_for_user(user) == {membership_of(username).role}


class TestDemoMonitoring:
    """The evaluation moments and questionnaire answers behind the dashboards."""

    def test_every_pilot_had_a_kickoff_and_an_interim_and_plans_the_next(self, demo):
        today = timezone.localdate()
        for pilot in Pilot.objects.all():
            kickoff, held, planned = pilot.evaluation_moments.order_by("date")
            assert (kickoff.kind, kickoff.date) == (
                EvaluationKind.KICKOFF,
                pilot.kickoff_date or pilot.start_date,
            )
            assert kickoff.with_steering_group and kickoff.with_partner_organisations
            assert held.kind == EvaluationKind.INTERIM
            assert today - datetime.timedelta(weeks=16) < held.date < today
            assert held.success_factors and held.bottlenecks and held.agreed_actions
            assert held.with_partner_organisations
            assert planned.kind == EvaluationKind.INTERIM
            assert today < planned.date < today + datetime.timedelta(weeks=26)
            assert not (planned.success_factors or planned.bottlenecks or planned.agreed_actions)

    def test_assen_moments_are_recorded_by_the_demo_project_leader(self, demo):
        leader = User.objects.get(username="demo-projectleader")
        programme = User.objects.get(username="demo-programme")
        assen = EvaluationMoment.objects.filter(pilot__project_leaders=leader)
        assert assen.count() == 6
        assert set(assen.values_list("created_by", flat=True)) == {leader.pk}
        others = EvaluationMoment.objects.exclude(pilot__project_leaders=leader)
        assert set(others.values_list("created_by", flat=True)) == {programme.pk}
        assert {m.history.get().history_user for m in assen} == {leader}

    def test_pms_answered_the_last_four_quarters_with_rising_confidence(self, demo):
        quarter = monitoring.quarter_start(timezone.localdate())
        quarters = [quarter]
        for _ in range(3):
            quarters.insert(0, monitoring.quarter_start(quarters[0] - datetime.timedelta(days=1)))
        assen = Pilot.objects.get(name="Alert4you Assen 0-4")
        raters = CompetenceRating.objects.filter(pilot=assen).values_list(
            "user__username", flat=True
        )
        assert set(raters) == {"kees.kinderopvang", "saar.schommel", "demo-pm"}
        assert set(CompetenceRating.objects.values_list("quarter", flat=True)) == set(quarters)
        assert not User.objects.filter(
            competence_ratings__isnull=False, memberships__role=Role.LOCATION_MANAGER
        ).exists()
        means = [
            sum(r.asking_for_help for r in CompetenceRating.objects.filter(quarter=q))
            / CompetenceRating.objects.filter(quarter=q).count()
            for q in quarters
        ]
        assert means == sorted(means) and means[-1] - means[0] <= 2
        for rating in CompetenceRating.objects.all():
            assert monitoring.quarter_start(rating.answered_at.date()) == rating.quarter
        # The service would have let each of them answer for that pilot.
        for rating in CompetenceRating.objects.filter(quarter=quarters[0]).select_related("user"):
            assert rating.pilot in monitoring.questionnaire_pilots_for(rating.user)

    def test_demo_pm_leaves_this_quarter_open_to_answer_herself(self, demo):
        pm = User.objects.get(username="demo-pm")
        assen = Pilot.objects.get(name="Alert4you Assen 0-4")
        assert monitoring.competence_rating_for(pm, assen) is None
        assert CompetenceRating.objects.filter(user=pm, pilot=assen).count() == 3

    def test_national_overview_shows_means_and_a_pilot_hides_them(self, demo):
        national = dashboard_selectors.national_scope()
        filters = DashboardFilterForm({}, scope=national).filters()
        national_rows = monitoring.competence_indicator(national, filters).table.rows
        # The current quarter and the three before it; the default period may
        # start in the quarter before those.
        shown = [row for _label, row in national_rows if row[0].value is not None]
        assert len(shown) == 4
        assen = dashboard_selectors.scope_for_pilot(Pilot.objects.get(name="Alert4you Assen BSO"))
        pilot_rows = monitoring.competence_indicator(assen, filters).table.rows
        assert all(figure.value is None for _label, row in pilot_rows for figure in row)

    def test_demo_project_leader_opens_the_assen_dashboards(self, demo, client):
        client.force_login(User.objects.get(username="demo-projectleader"))
        for pilot in Pilot.objects.filter(name__startswith="Alert4you Assen"):
            response = client.get(reverse("dashboards:pilot", kwargs={"pilot_uuid": pilot.uuid}))

            assert response.status_code == 200
            assert len(response.context["moments"]) == 3


# --- Running it again -------------------------------------------------------------

SNAPSHOT_MODELS = [
    Municipality,
    Organisation,
    Pilot,
    PilotPartner,
    Location,
    Group,
    Membership,
    MembershipLocation,
    MembershipGroup,
    Pilot.project_leaders.through,
    User,
    EvaluationMoment,
    CompetenceRating,
]
HISTORY_MODELS = [Organisation, Pilot, Location, Group, Membership, EvaluationMoment]


def snapshot():
    rows = {
        model.__name__: list(model.objects.order_by("pk").values()) for model in SNAPSHOT_MODELS
    }
    history = {model.__name__: model.history.count() for model in HISTORY_MODELS}
    return rows, history


def test_loading_twice_changes_nothing(fresh_demo):
    rows_before, history_before = snapshot()

    second = load_demo_data()

    rows_after, history_after = snapshot()
    assert (second["created"], second["updated"]) == (0, 0)
    assert {name: len(r) for name, r in rows_after.items()} == {
        name: len(r) for name, r in rows_before.items()
    }
    assert rows_after == rows_before
    assert history_after == history_before
    assert fresh_demo["created"] > 0
    assert rows_after["EvaluationMoment"] and rows_after["CompetenceRating"]


def test_loading_again_keeps_moments_and_answers_given_in_the_demo(fresh_demo):
    pm = User.objects.get(username="demo-pm")
    assen = Pilot.objects.get(name="Alert4you Assen 0-4")
    scores = dict.fromkeys(monitoring.SCORE_FIELDS, 5)
    own = monitoring.competence_rating_save(actor=pm, pilot=assen, scores=scores)
    lent = Pilot.objects.get(name="Alert4you Lent")
    lent.evaluation_moments.exclude(kind=EvaluationKind.KICKOFF).delete()

    result = load_demo_data()

    assert result["created"] == 0
    assert CompetenceRating.objects.get(pk=own.pk).asking_for_help == 5
    assert list(lent.evaluation_moments.values_list("kind", flat=True)) == [EvaluationKind.KICKOFF]


def test_loading_again_restores_demo_values_and_records_it(fresh_demo):
    group = Group.objects.get(location__name="KDV De Kikker", name="Dolfijnen")
    group.capacity = 3
    group.save()
    pm = User.objects.get(username="demo-pm")
    pm.set_password("something-else-entirely")
    pm.save()
    history_before = Group.history.filter(id=group.pk).count()

    result = load_demo_data()

    group.refresh_from_db()
    pm.refresh_from_db()
    assert group.capacity == 12
    assert pm.check_password(DEMO_PASSWORD)
    assert result["updated"] == 2
    latest = Group.history.filter(id=group.pk).latest()
    assert Group.history.filter(id=group.pk).count() == history_before + 1
    assert latest.history_change_reason == "Demo data"


def test_demo_loads_next_to_existing_rows(world):
    load_demo_data()

    assert Organisation.objects.filter(name="Speelwerk").count() == 1
    assert Location.objects.filter(name="KDV De Kikker").count() == 1
    assert world.pm_a.memberships.get().groups.get() == world.group_a
    assert Organisation.objects.filter(name="Elders BV").exists()


# --- The command ------------------------------------------------------------------


def test_command_prints_every_demo_login(db, settings):
    settings.DEMO_MODE = True
    out = StringIO()

    call_command("load_demo", stdout=out)

    lines = out.getvalue().splitlines()
    for account in DEMO_ACCOUNTS:
        (line,) = [line for line in lines if line.startswith(account.username + " ")]
        assert str(account.role) in line
        assert DEMO_PASSWORD in line
    assert Pilot.objects.count() == len(DOCUMENTED_PARTNERS)


def test_command_run_twice_creates_nothing_the_second_time(db, settings):
    settings.DEMO_MODE = True
    call_command("load_demo", stdout=StringIO())
    counts = (EvaluationMoment.objects.count(), CompetenceRating.objects.count())
    out = StringIO()

    call_command("load_demo", stdout=out)

    assert (EvaluationMoment.objects.count(), CompetenceRating.objects.count()) == counts
    assert User.objects.filter(username="demo-programme").count() == 1
    assert "(0 " in out.getvalue()


def test_command_loads_nothing_outside_demo_mode(db, settings):
    settings.DEMO_MODE = False
    out = StringIO()

    call_command("load_demo", stdout=out)

    assert not Pilot.objects.exists()
    assert not User.objects.exists()
    assert "ALERT4YOU_DEMO" in out.getvalue()
