"""Pilot monitoring: evaluation moments (managed by the pilot's project leaders and
programme staff, reminded of through the outbox) and the quarterly competence
questionnaire (answered by PMs, shown to nobody else, dashboards see means of at
least five)."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from alert4you import reminder_kinds, reminders
from alert4you.models import Reminder, ReminderKind
from pilots import monitoring
from pilots.dashboard_types import DashboardFilters, Scope
from pilots.models import (
    CompetenceRating,
    EvaluationMoment,
    Group,
    Location,
    Organisation,
    Pilot,
    Role,
)
from tests import test_reminders
from tests.conftest import add_membership, make_user
from tests.test_reminders import DAY, html_of, today

# The frozen clock (a Wednesday noon) and the sweep as beat runs it.
clock = test_reminders.clock
sweep = test_reminders.sweep

KIND = ReminderKind.PILOT_EVALUATION
Status = Reminder.Status
SCORES = {
    "children_development": 4,
    "striking_behaviour": 3,
    "asking_for_help": 2,
    "working_with_parents": 5,
}


def moment_fields(**overrides):
    fields = {
        "kind": "interim",
        "date": today() + 14 * DAY,
        "with_steering_group": True,
        "with_partner_organisations": True,
        "with_parents_committee": False,
        "other_participants": "JGZ",
        "success_factors": "Short lines between the coach and the teams.",
        "bottlenecks": "Too few structural visits in the holidays.",
        "agreed_actions": "Plan the holiday visits in May.",
    }
    fields.update(overrides)
    return fields


def post_data(**overrides):
    data = moment_fields(**overrides)
    data["date"] = data["date"].isoformat()
    return {k: ("on" if v is True else v) for k, v in data.items() if v is not False}


@pytest.fixture
def programme_staff(world):
    national = Organisation.objects.create(name="Landelijk programma", kind="other")
    user = make_user("programme", first_name="Pien")
    add_membership(user, national, Role.PROGRAMME_STAFF)
    return user


@pytest.fixture
def other_pilot(world):
    pilot = Pilot.objects.create(
        name="Alert4you Emmen BSO",
        track=Pilot.Track.AFTER_SCHOOL,
        municipality=world.municipality,
        start_date="2010-01-01",
    )
    leader = make_user("other_leader")
    pilot.project_leaders.add(leader)
    pilot.other_leader = leader
    return pilot


@pytest.fixture
def moment(world):
    return monitoring.evaluation_moment_create(
        actor=world.project_leader, pilot=world.pilot, **moment_fields()
    )


def list_url(pilot):
    return reverse("pilots:evaluation-list", kwargs={"pilot_uuid": pilot.uuid})


def create_url(pilot):
    return reverse("pilots:evaluation-create", kwargs={"pilot_uuid": pilot.uuid})


def edit_url(moment, pilot=None):
    pilot = pilot or moment.pilot
    return reverse(
        "pilots:evaluation-edit", kwargs={"pilot_uuid": pilot.uuid, "moment_uuid": moment.uuid}
    )


def delete_url(moment):
    return reverse(
        "pilots:evaluation-delete",
        kwargs={"pilot_uuid": moment.pilot.uuid, "moment_uuid": moment.uuid},
    )


# --- evaluation moments: who may -----------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, world, moment):
    for url in (list_url(world.pilot), create_url(world.pilot), edit_url(moment)):
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response.url


def test_project_leader_plans_a_moment_with_history(client, world):
    client.force_login(world.project_leader)
    response = client.post(create_url(world.pilot), post_data())
    assert response.status_code == 302 and response.url == list_url(world.pilot)
    moment = EvaluationMoment.objects.get()
    assert (moment.pilot, moment.kind, moment.created_by) == (
        world.pilot,
        "interim",
        world.project_leader,
    )
    assert moment.with_steering_group and not moment.with_parents_committee
    assert moment.other_participants == "JGZ"
    assert moment.agreed_actions == "Plan the holiday visits in May."
    (record,) = moment.history.all()
    assert record.history_user == world.project_leader


def test_project_leader_edits_and_removes_a_moment(client, world, moment):
    client.force_login(world.project_leader)
    assert client.get(edit_url(moment)).status_code == 200
    response = client.post(edit_url(moment), post_data(kind="final", date=today() + 30 * DAY))
    assert response.status_code == 302
    moment.refresh_from_db()
    assert (moment.kind, moment.date) == ("final", today() + 30 * DAY)
    assert moment.history.count() == 2
    assert client.post(delete_url(moment)).status_code == 302
    assert not EvaluationMoment.objects.exists()


def test_programme_staff_manage_any_pilots_moments(client, world, programme_staff, moment):
    client.force_login(programme_staff)
    assert client.get(list_url(world.pilot)).status_code == 200
    response = client.post(edit_url(moment), post_data(bottlenecks="Changed nationally."))
    assert response.status_code == 302
    moment.refresh_from_db()
    assert moment.bottlenecks == "Changed nationally."
    assert moment.history.first().history_user == programme_staff


@pytest.mark.parametrize(
    "persona", ["pm_a", "manager", "coordinator", "coach", "org_admin", "school_user", "outsider"]
)
def test_everyone_else_gets_404(client, world, moment, persona):
    client.force_login(getattr(world, persona))
    assert client.get(list_url(world.pilot)).status_code == 404
    assert client.get(create_url(world.pilot)).status_code == 404
    assert client.post(create_url(world.pilot), post_data()).status_code == 404
    assert client.get(edit_url(moment)).status_code == 404
    assert client.post(edit_url(moment), post_data(kind="final")).status_code == 404
    assert client.post(delete_url(moment)).status_code == 404
    moment.refresh_from_db()
    assert moment.kind == "interim" and EvaluationMoment.objects.count() == 1


def test_the_leader_of_another_pilot_gets_404(client, world, moment, other_pilot):
    client.force_login(other_pilot.other_leader)
    assert client.get(list_url(world.pilot)).status_code == 404
    assert client.get(edit_url(moment)).status_code == 404
    # Nor can a moment be reached through a pilot one does lead.
    assert client.get(edit_url(moment, pilot=other_pilot)).status_code == 404
    assert client.get(list_url(other_pilot)).status_code == 200


def test_services_refuse_who_may_not_manage(world, moment):
    with pytest.raises(PermissionDenied):
        monitoring.evaluation_moment_create(actor=world.pm_a, pilot=world.pilot, **moment_fields())
    with pytest.raises(PermissionDenied):
        monitoring.evaluation_moment_update(actor=world.manager, moment=moment, **moment_fields())
    with pytest.raises(PermissionDenied):
        monitoring.evaluation_moment_delete(actor=world.coach, moment=moment)
    assert EvaluationMoment.objects.count() == 1


def test_a_moment_needs_a_kind_and_a_date(client, world):
    client.force_login(world.project_leader)
    response = client.post(create_url(world.pilot), {**post_data(), "kind": "party", "date": ""})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"kind", "date"}
    with pytest.raises(ValidationError) as error:
        monitoring.evaluation_moment_create(
            actor=world.project_leader, pilot=world.pilot, **moment_fields(kind="party")
        )
    assert set(error.value.error_dict) == {"kind"}
    assert not EvaluationMoment.objects.exists()


def test_the_database_refuses_an_unknown_kind(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        EvaluationMoment.objects.create(pilot=world.pilot, kind="party", date=today())


def test_the_list_shows_upcoming_moments_by_date_and_held_ones_apart(client, world):
    def plan(kind, days):
        return monitoring.evaluation_moment_create(
            actor=world.project_leader,
            pilot=world.pilot,
            **moment_fields(kind=kind, date=today() + days * DAY),
        )

    final, kickoff, interim = plan("final", 90), plan("kickoff", -60), plan("interim", 10)
    client.force_login(world.project_leader)
    response = client.get(list_url(world.pilot))
    assert response.context["upcoming"] == [interim, final]
    assert response.context["past"] == [kickoff]
    assert list(monitoring.upcoming_evaluation_moments(world.pilot)) == [interim, final]
    page = response.content.decode()
    assert page.index(f'data-moment="{interim.uuid}"') < page.index(f'data-moment="{final.uuid}"')


def test_moments_for_a_dashboard_scope(world, other_pilot):
    mine = EvaluationMoment.objects.create(pilot=world.pilot, kind="kickoff", date=today())
    theirs = EvaluationMoment.objects.create(pilot=other_pilot, kind="final", date=today())
    pilot = Scope("pilot", "p", pilot_id=world.pilot.pk)
    location = Scope("location", "l", location_id=world.location.pk)
    nowhere = Scope("location", "l", location_id=world.other_location.pk)  # in no pilot
    assert list(monitoring.evaluation_moments_for_scope(pilot)) == [mine]
    assert list(monitoring.evaluation_moments_for_scope(location)) == [mine]
    assert list(monitoring.evaluation_moments_for_scope(nowhere)) == []
    national = set(monitoring.evaluation_moments_for_scope(Scope("national", "n")))
    assert national == {mine, theirs}


# --- evaluation moments: reminders ---------------------------------------------------------------


def pilot_rows():
    return Reminder.objects.filter(kind=KIND)


@pytest.fixture
def second_leader(world):
    leader = make_user("second_leader", first_name="Quinten")
    world.pilot.project_leaders.add(leader)
    return leader


def test_two_weeks_before_each_project_leader_gets_one_reminder(
    world, second_leader, programme_staff, moment, sweep
):
    sweep()
    rows = pilot_rows()
    assert sorted(rows.values_list("recipient__username", flat=True)) == [
        "project_leader",
        "second_leader",
    ]
    assert {(r.object_id, r.for_date, r.event_on) for r in rows} == {
        (moment.pk, today(), moment.date)
    }
    assert set(rows.values_list("status", flat=True)) == {Status.SENT}
    assert sorted(m.to[0] for m in mail.outbox if world.pilot.name in m.subject) == sorted(
        [world.project_leader.email, second_leader.email]
    )


def test_the_day_before_it_reminds_once_more_and_never_in_between(world, moment, sweep, clock):
    sweep()
    for _ in range(14):
        clock.advance(DAY)
        sweep()
    rows = pilot_rows().order_by("for_date")
    assert [r.for_date for r in rows] == [moment.date - 14 * DAY, moment.date - DAY]
    assert [r.status for r in rows] == [Status.SENT, Status.SENT]


def test_sweeping_twice_records_and_sends_nothing_twice(world, second_leader, moment, sweep):
    sweep()
    sent = len(mail.outbox)
    sweep()
    assert reminders.plan_reminders(today()) == 0
    assert pilot_rows().count() == 2
    assert len(mail.outbox) == sent == 2


def test_other_dates_remind_nobody(world):
    for days in (0, 2, 7, 13, 15):
        EvaluationMoment.objects.create(
            pilot=world.pilot, kind="interim", date=today() + days * DAY
        )
    assert reminder_kinds.pilot_evaluation_due(today()) == []


def test_a_moved_moment_is_not_reminded_of(world, moment, sweep):
    reminders.plan_reminders(today())
    assert pilot_rows().count() == 1
    monitoring.evaluation_moment_update(
        actor=world.project_leader, moment=moment, **moment_fields(date=today() + 20 * DAY)
    )
    sweep()
    assert pilot_rows().get().status == Status.SKIPPED
    assert not mail.outbox


def test_a_removed_moment_is_not_reminded_of(world, moment, sweep):
    reminders.plan_reminders(today())
    monitoring.evaluation_moment_delete(actor=world.project_leader, moment=moment)
    sweep()
    assert pilot_rows().get().status == Status.SKIPPED
    assert not mail.outbox


def test_a_leader_who_stepped_down_gets_nothing(world, second_leader, moment, sweep):
    reminders.plan_reminders(today())
    world.pilot.project_leaders.remove(second_leader)
    sweep()
    assert pilot_rows().get(recipient=second_leader).status == Status.SKIPPED
    assert pilot_rows().get(recipient=world.project_leader).status == Status.SENT
    assert [m.to for m in mail.outbox] == [[world.project_leader.email]]


def test_the_mail_names_the_pilot_and_links_the_moment_but_not_its_findings(world, moment, sweep):
    sweep()
    (message,) = mail.outbox
    assert world.pilot.name in message.subject and "\n" not in message.subject
    link = reminder_kinds.site_url(moment.get_absolute_url())
    for content in (message.body, html_of(message)):
        assert world.pilot.name in content and link in content
        assert moment.success_factors not in content and moment.bottlenecks not in content
    assert reminders.link_for(pilot_rows().get()) == moment.get_absolute_url()


# --- the questionnaire ---------------------------------------------------------------------------

QUESTIONNAIRE = "/pilots/questionnaire/"


def test_the_questionnaire_url():
    assert reverse("pilots:questionnaire") == QUESTIONNAIRE


def test_a_pm_answers_for_the_current_quarter(client, world):
    client.force_login(world.pm_a)
    assert client.get(QUESTIONNAIRE).status_code == 200
    response = client.post(QUESTIONNAIRE, SCORES)
    assert response.status_code == 302
    rating = CompetenceRating.objects.get()
    assert (rating.user, rating.pilot) == (world.pm_a, world.pilot)
    assert rating.quarter == monitoring.quarter_start(today())
    assert rating.quarter.day == 1 and rating.quarter.month in (1, 4, 7, 10)
    assert {field: getattr(rating, field) for field in SCORES} == SCORES


def test_a_second_answer_in_the_quarter_updates_the_first(client, world):
    client.force_login(world.pm_a)
    client.post(QUESTIONNAIRE, SCORES)
    response = client.get(QUESTIONNAIRE)
    assert response.context["form"].initial == SCORES
    client.post(QUESTIONNAIRE, {**SCORES, "asking_for_help": 5})
    rating = CompetenceRating.objects.get()
    assert rating.asking_for_help == 5 and rating.children_development == 4


def test_a_new_quarter_gets_a_new_answer(world):
    world.pm_a.memberships.update(start_date=datetime.date(2026, 1, 1))
    first = monitoring.competence_rating_save(
        actor=world.pm_a, pilot=world.pilot, scores=SCORES, on=datetime.date(2026, 3, 31)
    )
    second = monitoring.competence_rating_save(
        actor=world.pm_a, pilot=world.pilot, scores=SCORES, on=datetime.date(2026, 4, 1)
    )
    assert (first.quarter, second.quarter) == (datetime.date(2026, 1, 1), datetime.date(2026, 4, 1))
    assert CompetenceRating.objects.count() == 2


@pytest.mark.parametrize("score", ["0", "6", "", "three"])
def test_a_score_outside_1_to_5_is_refused_and_nothing_saved(client, world, score):
    client.force_login(world.pm_a)
    response = client.post(QUESTIONNAIRE, {**SCORES, "striking_behaviour": score})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"striking_behaviour"}
    assert 'id="id_striking_behaviour_error"' in response.content.decode()
    assert not CompetenceRating.objects.exists()


@pytest.mark.parametrize("score", [0, 6, None, True])
def test_the_service_refuses_a_score_outside_1_to_5(world, score):
    with pytest.raises(ValidationError) as error:
        monitoring.competence_rating_save(
            actor=world.pm_a, pilot=world.pilot, scores={**SCORES, "working_with_parents": score}
        )
    assert set(error.value.error_dict) == {"working_with_parents"}
    assert not CompetenceRating.objects.exists()


def test_the_database_refuses_bad_scores_and_quarters(world):
    fields = {"user": world.pm_a, "pilot": world.pilot, **SCORES}
    with pytest.raises(IntegrityError), transaction.atomic():
        CompetenceRating.objects.create(
            quarter=datetime.date(2026, 1, 1), **{**fields, "asking_for_help": 6}
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        CompetenceRating.objects.create(quarter=datetime.date(2026, 2, 1), **fields)
    CompetenceRating.objects.create(quarter=datetime.date(2026, 1, 1), **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        CompetenceRating.objects.create(quarter=datetime.date(2026, 1, 1), **fields)


@pytest.mark.parametrize(
    "persona", ["project_leader", "manager", "coach", "org_admin", "school_user", "outsider"]
)
def test_only_pms_at_a_pilot_location_answer(client, world, persona):
    # The outsider is a PM, but at a location that belongs to no pilot.
    client.force_login(getattr(world, persona))
    assert client.get(QUESTIONNAIRE).status_code == 404
    assert client.post(QUESTIONNAIRE, SCORES).status_code == 404
    with pytest.raises(PermissionDenied):
        monitoring.competence_rating_save(
            actor=getattr(world, persona), pilot=world.pilot, scores=SCORES
        )
    assert not CompetenceRating.objects.exists()


def test_a_pm_cannot_answer_for_a_pilot_they_do_not_work_in(client, world, other_pilot):
    client.force_login(world.pm_a)
    client.post(QUESTIONNAIRE, {**SCORES, "pilot": str(other_pilot.uuid)})
    assert set(CompetenceRating.objects.values_list("pilot", flat=True)) == {world.pilot.pk}
    with pytest.raises(PermissionDenied):
        monitoring.competence_rating_save(actor=world.pm_a, pilot=other_pilot, scores=SCORES)


def test_a_pm_sees_only_their_own_answer(client, world):
    monitoring.competence_rating_save(actor=world.pm_b, pilot=world.pilot, scores=SCORES)
    client.force_login(world.pm_a)
    response = client.get(QUESTIONNAIRE)
    assert response.context["rating"] is None
    assert not response.context["form"].initial


# --- the indicator -------------------------------------------------------------------------------

Q1, Q2, Q3 = datetime.date(2025, 1, 1), datetime.date(2025, 4, 1), datetime.date(2025, 7, 1)
HALF_YEAR = DashboardFilters(period_start=datetime.date(2025, 2, 10), period_end=Q2 + 80 * DAY)


def staff_at(world, group, count, prefix):
    people = []
    for i in range(count):
        user = make_user(f"{prefix}{i}")
        add_membership(
            user,
            group.location.organisation,
            Role.PEDAGOGICAL_STAFF,
            groups=[group],
        )
        user.memberships.update(start_date=datetime.date(2024, 1, 1))
        people.append(user)
    return people


def rate(user, pilot, quarter, scores):
    keys = ("children_development", "striking_behaviour", "asking_for_help", "working_with_parents")
    return CompetenceRating.objects.create(
        user=user,
        pilot=pilot,
        quarter=quarter,
        answered_at=timezone.make_aware(
            datetime.datetime.combine(quarter + 20 * DAY, datetime.time(12))
        ),
        **dict(zip(keys, scores, strict=True)),
    )


@pytest.fixture
def rated(world):
    """Five PMs of group A answered in Q1 2025, four of them in Q2."""
    pms = staff_at(world, world.group_a, 5, "rater")
    q1 = [(1, 2, 5, 1), (2, 2, 5, 1), (3, 3, 4, 1), (4, 3, 4, 2), (5, 4, 4, 2)]
    for pm, scores in zip(pms, q1, strict=True):
        rate(pm, world.pilot, Q1, scores)
    for pm in pms[:4]:
        rate(pm, world.pilot, Q2, (5, 5, 5, 5))
    world.raters = pms
    return world


def shown(indicator):
    return [(label, [f.value for f in figures]) for label, figures in indicator.table.rows]


def pilot_scope(world):
    return Scope("pilot", world.pilot.name, pilot_id=world.pilot.pk)


def test_the_indicator_shows_means_per_quarter_and_hides_fewer_than_five(rated):
    indicator = monitoring.competence_indicator(pilot_scope(rated), HALF_YEAR)
    assert indicator.chart == "line" and indicator.key == "competence_confidence"
    assert len(indicator.table.columns) == 5
    # Q1: (1+2+3+4+5)/5, (2+2+3+3+4)/5, (5+5+4+4+4)/5, (1+1+1+2+2)/5; Q2 has 4 answers.
    assert shown(indicator) == [
        (monitoring.quarter_label(Q1), [3.0, 2.8, 4.4, 1.4]),
        (monitoring.quarter_label(Q2), [None, None, None, None]),
    ]
    assert all(f.suppressed for f in indicator.table.rows[1][1])


def test_a_fifth_answer_reveals_the_quarter(rated):
    fifth = rated.raters[4]
    rate(fifth, rated.pilot, Q2, (1, 1, 1, 1))
    indicator = monitoring.competence_indicator(pilot_scope(rated), HALF_YEAR)
    # (4 × 5 + 1) / 5 = 4.2 on every competence.
    assert shown(indicator)[1][1] == [4.2, 4.2, 4.2, 4.2]


def test_scopes_and_filters_choose_whose_answers_count(rated, other_pilot):
    w = rated
    # Five PMs at another location of the same pilot, and five in another pilot.
    bso = Location.objects.create(
        organisation=w.childcare, name="BSO De Uil", location_type="bso", pilot=w.pilot
    )
    uilen = Group.objects.create(location=bso, name="Uilen", age_band="4-12", capacity=20)
    for pm in staff_at(w, uilen, 5, "bso"):
        rate(pm, w.pilot, Q1, (1, 1, 1, 1))
    far = Location.objects.create(
        organisation=w.youth_care, name="BSO Ver", location_type="bso", pilot=other_pilot
    )
    verre = Group.objects.create(location=far, name="Verre", age_band="4-12", capacity=20)
    for pm in staff_at(w, verre, 5, "far"):
        rate(pm, other_pilot, Q1, (5, 5, 5, 5))

    def q1(scope, **filters):
        filters = DashboardFilters(HALF_YEAR.period_start, HALF_YEAR.period_end, **filters)
        return shown(monitoring.competence_indicator(scope, filters))[0][1]

    kikker = Scope("location", "KDV De Kikker", location_id=w.location.pk)
    uil = Scope("location", "BSO De Uil", location_id=bso.pk)
    assert q1(kikker) == [3.0, 2.8, 4.4, 1.4]
    assert q1(uil) == [1.0, 1.0, 1.0, 1.0]
    # The pilot: ten answers, (15 + 5) / 10, (14 + 5) / 10, (22 + 5) / 10, (7 + 5) / 10.
    assert q1(pilot_scope(w)) == [2.0, 1.9, 2.7, 1.2]
    assert q1(pilot_scope(w), location_type="bso") == [1.0, 1.0, 1.0, 1.0]
    assert q1(pilot_scope(w), location_type="school") == [None, None, None, None]
    # National: fifteen answers, (15 + 5 + 25) / 15 = 3.0, 44/15, 52/15, 37/15.
    assert q1(Scope("national", "NL")) == [3.0, 2.9, 3.5, 2.5]
    # Only KDV De Kikker lies in the municipality (by the location's own municipality).
    Location.objects.filter(pk=w.location.pk).update(municipality=w.municipality)
    in_assen = q1(Scope("national", "NL"), municipality_id=w.municipality.pk)
    assert in_assen == [3.0, 2.8, 4.4, 1.4]


def test_a_pm_counts_for_a_location_only_while_working_there(rated):
    w = rated
    # One of the raters moved to a location elsewhere before answering.
    moved = w.raters[0]
    moved.memberships.update(end_date=Q1 + 5 * DAY)
    kikker = Scope("location", "KDV De Kikker", location_id=w.location.pk)
    indicator = monitoring.competence_indicator(kikker, HALF_YEAR)
    assert shown(indicator)[0][1] == [None, None, None, None]
    assert shown(monitoring.competence_indicator(pilot_scope(w), HALF_YEAR))[0][1][0] == 3.0


def test_the_period_lists_every_quarter_even_without_answers(rated):
    filters = DashboardFilters(period_start=Q1, period_end=Q3 + 5 * DAY)
    rows = shown(monitoring.competence_indicator(pilot_scope(rated), filters))
    assert [label for label, _ in rows] == [monitoring.quarter_label(q) for q in (Q1, Q2, Q3)]
    assert rows[2][1] == [None, None, None, None]


@pytest.mark.parametrize("scope_kind", ["pilot", "location", "national"])
def test_the_indicator_takes_one_query_whatever_the_data(
    rated, django_assert_num_queries, scope_kind
):
    w = rated
    scope = Scope(scope_kind, "x", pilot_id=w.pilot.pk, location_id=w.location.pk)
    filters = DashboardFilters(Q1, Q3, location_type="kdv")
    with django_assert_num_queries(1):
        monitoring.competence_indicator(scope, filters)
    for pm in staff_at(w, w.group_b, 12, "more"):
        for quarter in (Q1, Q2, Q3):
            rate(pm, w.pilot, quarter, (3, 3, 3, 3))
    with django_assert_num_queries(1):
        monitoring.competence_indicator(scope, filters)


def test_quarters():
    assert monitoring.quarter_start(datetime.date(2026, 12, 31)) == datetime.date(2026, 10, 1)
    assert monitoring.next_quarter(datetime.date(2026, 10, 1)) == datetime.date(2027, 1, 1)
    assert monitoring.quarters_between(datetime.date(2026, 3, 31), datetime.date(2026, 4, 1)) == [
        datetime.date(2026, 1, 1),
        datetime.date(2026, 4, 1),
    ]
