"""Visit pages, assignments and the group page: who gets in, and what they can do."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from coaching.models import AgendaItem, ClosedPeriod, CoachAssignment, Visit, VisitTip
from pilots.models import Role
from tests.conftest import add_membership, make_user

from .conftest import at, make_visit


def visit_url(visit, name="visit-detail"):
    return reverse(f"coaching:{name}", kwargs={"visit_uuid": visit.uuid})


def group_url(group):
    return reverse("coaching:group-detail", kwargs={"group_uuid": group.uuid})


@pytest.mark.parametrize(
    "name", ["visit-detail", "agenda-question", "visit-report", "visit-move", "visit-cancel"]
)
def test_anonymous_visitors_are_sent_to_the_login(client, coached, name):
    visit = make_visit(coached)
    response = client.get(visit_url(visit, name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "url", ["/coaching/calendar/", "/coaching/visits/", "/coaching/assignments/"]
)
def test_lists_need_a_login(client, coached, url):
    assert client.get(url).status_code == 302


@pytest.mark.parametrize("persona", ["outsider", "pm_b", "project_leader", "org_admin"])
def test_a_visit_is_hidden_from_those_who_do_not_take_part(client, coached, persona):
    visit = make_visit(coached, groups=[coached.group_a])
    client.force_login(getattr(coached, persona))
    for name in ("visit-detail", "agenda-question", "visit-report", "visit-move"):
        assert client.get(visit_url(visit, name)).status_code == 404


@pytest.mark.parametrize("persona", ["coach", "pm_a", "manager", "coordinator"])
def test_the_coach_the_groups_staff_and_the_managers_open_the_visit(client, coached, persona):
    visit = make_visit(coached, groups=[coached.group_a])
    client.force_login(getattr(coached, persona))
    response = client.get(visit_url(visit))
    assert response.status_code == 200
    assert "KDV De Kikker" in response.content.decode()


def test_another_coach_does_not_see_the_visit(client, coached):
    other = make_user("other_coach")
    add_membership(other, coached.youth_care, Role.COACH)
    client.force_login(other)
    assert client.get(visit_url(make_visit(coached))).status_code == 404


def test_a_pm_adds_a_question_to_a_visit_of_their_group(client, coached):
    w = coached
    visit = make_visit(w)
    client.force_login(w.pm_a)
    response = client.post(
        visit_url(visit, "agenda-question"),
        {"topic": "one_child", "case": str(w.case_a.uuid), "question": "How do we help her?"},
    )
    assert response.status_code == 302
    item = AgendaItem.objects.get(visit=visit)
    assert (item.case, item.group, item.submitted_by) == (w.case_a, w.group_a, w.pm_a)
    assert item.history.get().history_user == w.pm_a


def test_a_pm_of_another_group_of_the_visit_cannot_ask_about_a_child_they_do_not_see(
    client, coached
):
    w = coached
    visit = make_visit(w, groups=[w.group_a, w.group_b])
    client.force_login(w.pm_b)
    page = client.get(visit_url(visit, "agenda-question")).content.decode()
    assert "Mieke" not in page and "Ayoub" in page
    response = client.post(
        visit_url(visit, "agenda-question"),
        {"topic": "one_child", "case": str(w.case_a.uuid), "question": "?"},
    )
    assert response.status_code == 200
    assert not AgendaItem.objects.exists()


def test_the_coach_cannot_add_questions(client, coached):
    visit = make_visit(coached)
    client.force_login(coached.coach)
    assert client.get(visit_url(visit, "agenda-question")).status_code == 403


def test_questions_go_only_on_planned_visits(client, coached):
    visit = make_visit(coached, status="cancelled")
    client.force_login(coached.pm_a)
    response = client.post(
        visit_url(visit, "agenda-question"), {"topic": "group_climate", "question": "Noise?"}
    )
    assert response.status_code == 302
    assert not AgendaItem.objects.exists()


@pytest.mark.parametrize("persona", ["pm_a", "manager"])
def test_only_the_coach_writes_the_report(client, coached, persona):
    visit = make_visit(coached, starts_at=at(hours=-1))
    client.force_login(getattr(coached, persona))
    assert client.get(visit_url(visit, "visit-report")).status_code == 403
    assert client.post(visit_url(visit, "visit-report"), {}).status_code == 403
    visit.refresh_from_db()
    assert visit.status == "planned"


def _report_data(items=(), *, tips=("",), follow_up=None, general=""):
    data = {
        "general_notes": general,
        "tips-TOTAL_FORMS": str(len(tips)),
        "tips-INITIAL_FORMS": "0",
        "follow_ups-TOTAL_FORMS": "1",
        "follow_ups-INITIAL_FORMS": "0",
    }
    for n, tip in enumerate(tips):
        data[f"tips-{n}-text"] = tip
    for field, value in (follow_up or {}).items():
        data[f"follow_ups-0-{field}"] = value
    for item, notes in items:
        data[f"notes_{item.uuid}"] = notes
    return data


def test_the_coach_writes_the_report_and_the_visit_is_held(client, coached):
    w = coached
    visit = make_visit(w, starts_at=at(hours=-1))
    item = AgendaItem.objects.create(
        visit=visit, topic="group_climate", group=w.group_a, question="Noise at lunch?"
    )
    client.force_login(w.coach)
    assert client.get(visit_url(visit, "visit-report")).status_code == 200
    due = (timezone.localdate() + datetime.timedelta(days=14)).isoformat()
    response = client.post(
        visit_url(visit, "visit-report"),
        _report_data(
            [(item, "Eat in two smaller groups.")],
            tips=["Announce transitions with a song.", "Name what goes well.", ""],
            follow_up={"description": "Try the song", "owner_name": "Anna", "due_on": due},
            general="A calm morning.",
        ),
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    item.refresh_from_db()
    assert visit.status == "held" and visit.report_notes == "A calm morning."
    assert item.report_notes == "Eat in two smaller groups."
    assert [t.text for t in VisitTip.objects.filter(visit=visit)] == [
        "Announce transitions with a song.",
        "Name what goes well.",
    ]
    assert visit.follow_ups.get().owner_name == "Anna"
    # Written once: the report form is closed now, so nothing is added twice.
    client.post(visit_url(visit, "visit-report"), _report_data(tips=["Again"]))
    assert VisitTip.objects.filter(visit=visit).count() == 2


def test_a_follow_up_without_an_owner_is_refused(client, coached):
    visit = make_visit(coached, starts_at=at(hours=-1))
    client.force_login(coached.coach)
    due = timezone.localdate().isoformat()
    response = client.post(
        visit_url(visit, "visit-report"),
        _report_data(follow_up={"description": "Call the parents", "due_on": due}),
    )
    assert response.status_code == 200
    visit.refresh_from_db()
    assert visit.status == "planned"


def test_the_report_waits_until_the_visit_has_started(client, coached):
    visit = make_visit(coached, starts_at=at(days=1))
    client.force_login(coached.coach)
    assert client.get(visit_url(visit, "visit-report")).status_code == 302
    visit.refresh_from_db()
    assert visit.status == "planned"


def test_the_coach_cancels_a_visit_with_a_reason(client, coached):
    visit = make_visit(coached)
    client.force_login(coached.coach)
    response = client.post(visit_url(visit, "visit-cancel"), {"reason": ""})
    assert response.status_code == 200
    response = client.post(visit_url(visit, "visit-cancel"), {"reason": "Coach is ill"})
    assert response.status_code == 302
    visit.refresh_from_db()
    assert (visit.status, visit.change_reason) == ("cancelled", "Coach is ill")


def test_the_manager_moves_a_visit_with_a_reason(client, coached):
    visit = make_visit(coached, starts_at=at(days=3))
    client.force_login(coached.manager)
    day = (timezone.localdate() + datetime.timedelta(days=4)).isoformat()
    response = client.post(
        visit_url(visit, "visit-move"),
        {"day": day, "start_time": "13:00", "end_time": "14:30", "reason": "Study day"},
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    local = timezone.localtime(visit.starts_at)
    assert (local.date().isoformat(), local.hour, visit.change_reason) == (day, 13, "Study day")


@pytest.mark.parametrize("persona", ["pm_a", "coordinator"])
def test_staff_cannot_move_or_cancel_a_visit(client, coached, persona):
    visit = make_visit(coached)
    client.force_login(getattr(coached, persona))
    assert client.post(visit_url(visit, "visit-cancel"), {"reason": "x"}).status_code == 403
    visit.refresh_from_db()
    assert visit.status == "planned"


# --- assignments and planning -----------------------------------------------------------------


def test_the_manager_assigns_a_coach_of_a_pilot_partner(client, coached):
    w = coached
    outsider_coach = make_user("outsider_coach")
    add_membership(outsider_coach, w.elsewhere, Role.COACH)
    client.force_login(w.manager)
    url = reverse("coaching:assignment-create", kwargs={"location_uuid": w.location.uuid})
    page = client.get(url).content.decode()
    assert "Carla" in page and "outsider_coach" not in page
    data = {
        "coach": w.coach.pk,
        "kind": "structural",
        "weekday": "3",
        "every_weeks": "2",
        "start_time": "13:00",
        "end_time": "15:00",
        "starts_on": timezone.localdate().isoformat(),
        "groups": [w.group_b.pk],
    }
    assert client.post(url, {**data, "coach": outsider_coach.pk}).status_code == 200
    assert client.post(url, data).status_code == 302
    assignment = CoachAssignment.objects.exclude(pk=w.assignment.pk).get()
    assert (assignment.weekday, assignment.every_weeks) == (3, 2)
    assert list(assignment.groups.all()) == [w.group_b]
    assert assignment.history.first().history_user == w.manager


def test_a_structural_assignment_needs_its_rhythm(client, coached):
    client.force_login(coached.manager)
    url = reverse("coaching:assignment-create", kwargs={"location_uuid": coached.location.uuid})
    response = client.post(
        url,
        {
            "coach": coached.coach.pk,
            "kind": "structural",
            "starts_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 200
    assert CoachAssignment.objects.count() == 1


@pytest.mark.parametrize("persona", ["pm_a", "coach", "coordinator", "outsider"])
def test_only_location_managers_manage_assignments(client, coached, persona):
    client.force_login(getattr(coached, persona))
    assert client.get(reverse("coaching:assignment-list")).status_code == 404
    url = reverse("coaching:assignment-edit", kwargs={"assignment_uuid": coached.assignment.uuid})
    assert client.get(url).status_code == 404


def test_planning_twice_through_the_page_gives_no_duplicates(client, coached):
    client.force_login(coached.manager)
    url = reverse("coaching:visits-generate", kwargs={"assignment_uuid": coached.assignment.uuid})
    client.post(url)
    planned = Visit.objects.count()
    assert planned in (8, 9)  # every Tuesday of the coming 8 weeks
    client.post(url)
    assert Visit.objects.count() == planned


def test_planning_skips_the_locations_closing_days(client, coached):
    w = coached
    client.force_login(w.manager)
    today = timezone.localdate()
    periods = reverse("coaching:closed-periods", kwargs={"location_uuid": w.location.uuid})
    response = client.post(
        periods,
        {
            "name": "Study weeks",
            "starts_on": today.isoformat(),
            "ends_on": (today + datetime.timedelta(weeks=3)).isoformat(),
        },
    )
    assert response.status_code == 302
    assert ClosedPeriod.objects.get().location == w.location
    client.post(reverse("coaching:visits-generate", kwargs={"assignment_uuid": w.assignment.uuid}))
    first_day = min(timezone.localtime(v.starts_at).date() for v in Visit.objects.all())
    assert first_day > today + datetime.timedelta(weeks=3)


def test_staff_cannot_plan_visits(client, coached):
    client.force_login(coached.pm_a)
    url = reverse("coaching:visits-generate", kwargs={"assignment_uuid": coached.assignment.uuid})
    assert client.post(url).status_code == 404
    assert not Visit.objects.exists()


# --- the group page and home ------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona, status", [("pm_a", 200), ("manager", 200), ("pm_b", 404), ("outsider", 404)]
)
def test_the_group_page_is_for_the_groups_staff_and_managers(client, coached, persona, status):
    client.force_login(getattr(coached, persona))
    assert client.get(group_url(coached.group_a)).status_code == status


def test_a_held_visit_shows_its_tips_on_the_group_page(client, coached):
    w = coached
    visit = make_visit(w, starts_at=at(days=-2), status="held")
    VisitTip.objects.create(visit=visit, text="Sing at tidy-up time.", created_by=w.coach)
    client.force_login(w.pm_a)
    assert "Sing at tidy-up time." in client.get(group_url(w.group_a)).content.decode()


def test_home_shows_the_pm_the_next_visit_with_a_link_to_ask(client, coached):
    visit = make_visit(coached, starts_at=at(days=3))
    client.force_login(coached.pm_a)
    page = client.get("/").content.decode()
    assert visit_url(visit, "agenda-question") in page
    assert group_url(coached.group_a) in page


def test_home_shows_the_coach_the_locations_and_visits_of_this_week(client, coached):
    today = timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    tz = timezone.get_current_timezone()
    visit = make_visit(
        coached, starts_at=datetime.datetime.combine(monday, datetime.time(0, 1), tzinfo=tz)
    )
    client.force_login(coached.coach)
    page = client.get("/").content.decode()
    assert "KDV De Kikker" in page
    assert visit.get_absolute_url() in page


def test_every_coaching_page_renders_for_its_users(client, coached):
    w = coached
    planned = make_visit(w, starts_at=at(hours=-1))
    held = make_visit(w, starts_at=at(days=-7), status="held")
    AgendaItem.objects.create(
        visit=held,
        topic="one_child",
        case=w.case_a,
        group=w.group_a,
        question="Q",
        report_notes="N",
    )
    ClosedPeriod.objects.create(
        name="Kerst",
        location=w.location,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
    )
    location = {"location_uuid": w.location.uuid}
    pages = {
        "manager": [
            reverse("coaching:assignment-list"),
            reverse("coaching:assignment-create", kwargs=location),
            reverse("coaching:assignment-edit", kwargs={"assignment_uuid": w.assignment.uuid}),
            reverse("coaching:closed-periods", kwargs=location),
            visit_url(planned, "visit-move"),
            visit_url(planned, "visit-cancel"),
            reverse("coaching:request-list"),
        ],
        "coach": [
            reverse("coaching:calendar"),
            reverse("coaching:calendar") + "?view=month",
            reverse("coaching:feed-manage"),
            reverse("coaching:intervision-list"),
            reverse("coaching:intervision-create"),
            visit_url(planned),
            visit_url(planned, "visit-report"),
            visit_url(held),
            "/",
        ],
        "pm_a": [
            reverse("coaching:visit-list"),
            reverse("coaching:request-create"),
            visit_url(planned, "agenda-question"),
            group_url(w.group_a),
            w.case_a.get_absolute_url(),
            reverse("casework:case-print", kwargs={"case_uuid": w.case_a.uuid}),
            "/",
        ],
    }
    for persona, urls in pages.items():
        client.force_login(getattr(w, persona))
        for url in urls:
            assert client.get(url).status_code == 200, (persona, url)


def test_the_coach_plans_their_own_rhythm_from_the_home_page(client, coached):
    w = coached
    client.force_login(w.coach)
    url = reverse("coaching:visits-generate", kwargs={"assignment_uuid": w.assignment.uuid})
    assert url in client.get("/").content.decode()
    response = client.post(url)
    assert response["Location"] == reverse("coaching:calendar")
    assert Visit.objects.filter(coach=w.coach).count() in (8, 9)
