"""The review queue lists the child plans and the group plans waiting for the
location manager's decision together, longest waiting first."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casework import plan_views
from casework import services as case_services
from casework.models import PlanReview, PlanStatus
from coaching import services as coaching_services
from coaching.models import GroupPlan, GroupPlanReview
from pilots.models import Group, Location, Role
from tests.casework.test_plans import _bulk_cases, draft
from tests.conftest import add_membership, make_user

pytestmark = pytest.mark.django_db

QUEUE = reverse("casework:review-queue")
TODAY = timezone.localdate  # called each time: a run may pass midnight
DAY_CARE_SLOT = {
    "weekday": 0,
    "day_kind": "school",
    "starts_at": datetime.time(8, 0),
    "ends_at": datetime.time(12, 0),
    "children_2_3": 4,
    "staff_planned": 1,
}


def submitted_group_plan(actor, group, *, slot=DAY_CARE_SLOT):
    """A group plan drafted and submitted through the real services."""
    plan = coaching_services.group_plan_start(actor=actor, group=group)
    coaching_services.group_plan_update(
        actor=actor,
        plan=plan,
        period_start=plan.period_start,
        period_end=plan.period_end,
        evaluation_date=plan.evaluation_date,
        approach="A calm start: every morning begins in the circle.",
        room_arrangements="",
        goals=["Every child has a place at the table."],
    )
    coaching_services.group_plan_set_staffing(actor=actor, plan=plan, rows=[slot])
    return coaching_services.group_plan_submit(actor=actor, plan=plan)


def submitted_long_ago(plan, days, review_model):
    review_model.objects.filter(plan=plan).update(at=timezone.now() - datetime.timedelta(days=days))


def queue_rows(content):
    """(kind, link) of each row, in the order shown."""
    return re.findall(r'<tr data-kind="(\w+)">\s*<th scope="row">\s*<a href="([^"]+)"', content)


@pytest.fixture
def queued(cases):
    """A submitted child plan and a submitted group plan at the location, the
    child plan waiting longest."""
    w = cases
    w.child_plan = draft(w.pm_a, w.case_a)
    case_services.plan_submit(actor=w.pm_a, plan=w.child_plan)
    w.group_plan = submitted_group_plan(w.pm_b, w.group_b)
    submitted_long_ago(w.child_plan, 3, PlanReview)
    submitted_long_ago(w.group_plan, 1, GroupPlanReview)
    return w


@pytest.fixture
def second_location(queued):
    """Another location of the organisation with its own manager and group plan."""
    w = queued
    w.location2 = Location.objects.create(
        organisation=w.childcare, name="BSO De Boomhut", location_type=Location.Type.BSO
    )
    w.group_c = Group.objects.create(
        location=w.location2, name="Eekhoorns", age_band="4-12", capacity=20
    )
    w.manager2 = make_user("manager2", first_name="Marco")
    add_membership(w.manager2, w.childcare, Role.LOCATION_MANAGER, locations=[w.location2])
    after_school = dict(DAY_CARE_SLOT, children_2_3=0, children_4_7=8)
    w.group_plan_c = submitted_group_plan(w.manager2, w.group_c, slot=after_school)
    return w


def test_the_manager_sees_child_and_group_plans_together_longest_waiting_first(client, queued):
    w = queued
    client.force_login(w.manager)
    content = client.get(QUEUE).content.decode()
    assert queue_rows(content) == [
        ("child_plan", reverse("casework:plan-detail", kwargs={"case_uuid": w.case_a.uuid})),
        ("group_plan", w.group_plan.get_absolute_url()),
    ]
    # Who submitted, the group and the location of the group plan.
    assert "Bram" in content and "Zeepaardjes" in content and "KDV De Kikker" in content

    submitted_long_ago(w.group_plan, 5, GroupPlanReview)
    content = client.get(QUEUE).content.decode()
    assert [kind for kind, _ in queue_rows(content)] == ["group_plan", "child_plan"]


def test_a_group_plan_leaves_the_queue_once_decided(client, queued):
    w = queued
    coaching_services.group_plan_approve(actor=w.manager, plan=w.group_plan)
    client.force_login(w.manager)
    content = client.get(QUEUE).content.decode()
    assert [kind for kind, _ in queue_rows(content)] == ["child_plan"]
    assert w.group_plan.get_absolute_url() not in content


def test_a_resubmitted_group_plan_waits_from_its_last_submission(client, queued):
    w = queued
    submitted_long_ago(w.group_plan, 10, GroupPlanReview)
    coaching_services.group_plan_return(actor=w.manager, plan=w.group_plan, comment="Add a goal.")
    plan = GroupPlan.objects.get(pk=w.group_plan.pk)
    coaching_services.group_plan_submit(actor=w.pm_b, plan=plan)
    client.force_login(w.manager)
    content = client.get(QUEUE).content.decode()
    assert [kind for kind, _ in queue_rows(content)] == ["child_plan", "group_plan"]


def test_a_manager_of_another_location_sees_none_of_them(client, second_location):
    w = second_location
    client.force_login(w.manager2)
    content = client.get(QUEUE).content.decode()
    assert queue_rows(content) == [("group_plan", w.group_plan_c.get_absolute_url())]
    assert w.group_plan.get_absolute_url() not in content and "Mieke" not in content

    client.force_login(w.manager)
    content = client.get(QUEUE).content.decode()
    assert w.group_plan_c.get_absolute_url() not in content
    assert len(queue_rows(content)) == 2


@pytest.mark.parametrize("persona", ["pm_a", "pm_b", "coordinator", "coach", "outsider"])
def test_people_who_do_not_decide_see_an_empty_queue(client, second_location, persona):
    client.force_login(getattr(second_location, persona))
    response = client.get(QUEUE)
    assert response.status_code == 200
    assert queue_rows(response.content.decode()) == []
    assert response.context["page"].count == 0


def test_anonymous_visitors_are_sent_to_log_in(client, queued):
    response = client.get(QUEUE)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_pages_run_through_both_kinds_in_waiting_order(client, queued, monkeypatch):
    w = queued
    monkeypatch.setattr(plan_views, "QUEUE_PAGE_SIZE", 1)
    client.force_login(w.manager)
    first = client.get(QUEUE).content.decode()
    second = client.get(QUEUE, {"page": 2}).content.decode()
    assert [kind for kind, _ in queue_rows(first)] == ["child_plan"]
    assert [kind for kind, _ in queue_rows(second)] == ["group_plan"]
    assert 'href="?page=2"' in first


def _bulk_group_plans(world, count):
    """`count` groups at the location, each with a submitted group plan."""
    first = Group.objects.filter(location=world.location).count()
    groups = Group.objects.bulk_create(
        Group(location=world.location, name=f"Groep {first + n}", age_band="0-4", capacity=12)
        for n in range(count)
    )
    plans = GroupPlan.objects.bulk_create(
        GroupPlan(
            group=group,
            version=1,
            status=PlanStatus.SUBMITTED,
            period_start=TODAY(),
            period_end=TODAY() + datetime.timedelta(weeks=26),
            evaluation_date=TODAY() + datetime.timedelta(weeks=24),
            created_by=world.pm_a,
        )
        for group in groups
    )
    GroupPlanReview.objects.bulk_create(
        GroupPlanReview(plan=plan, action=GroupPlanReview.Action.SUBMITTED, by=world.pm_a)
        for plan in plans
    )


def _queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(QUEUE)
    assert response.status_code == 200
    return len(queries), response.context["page"].count


def test_the_queue_uses_the_same_number_of_queries_with_1_and_10_plans_of_each_kind(client, world):
    _bulk_cases(world, 1)
    _bulk_group_plans(world, 1)
    client.force_login(world.manager)
    small, shown = _queries(client)
    assert shown == 2
    _bulk_cases(world, 9)
    _bulk_group_plans(world, 9)
    large, shown = _queries(client)
    assert shown == 20
    assert large == small


# --- the home pages ---------------------------------------------------------------------------


def approved_group_plan(world, group, *, evaluation_date=None):
    plan = submitted_group_plan(world.pm_a if group == world.group_a else world.pm_b, group)
    plan = coaching_services.group_plan_approve(actor=world.manager, plan=plan)
    if evaluation_date is not None:
        GroupPlan.objects.filter(pk=plan.pk).update(
            period_start=evaluation_date - datetime.timedelta(weeks=20),
            evaluation_date=evaluation_date,
        )
        plan.refresh_from_db()
    return plan


def test_the_managers_home_shows_group_plans_waiting_and_overdue_evaluations(client, queued):
    w = queued
    overdue = approved_group_plan(
        w, w.group_a, evaluation_date=TODAY() - datetime.timedelta(days=1)
    )
    client.force_login(w.manager)
    response = client.get("/")
    content = response.content.decode()
    assert 'data-group-plans-waiting="1"' in content
    assert response.context["review_count"] == 2  # Mieke's plan and the group plan
    assert f'data-group-plan="{overdue.uuid}"' in content
    assert overdue.get_absolute_url() in content
    assert reverse("casework:review-queue") in content

    # Once evaluated, it is no longer overdue.
    coaching_services.group_plan_evaluate(
        actor=w.manager, plan=overdue, evaluated_on=TODAY(), evaluation="It went well."
    )
    assert f'data-group-plan="{overdue.uuid}"' not in client.get("/").content.decode()


def test_a_manager_of_another_location_sees_no_group_plans_of_ours_at_home(client, second_location):
    w = second_location
    approved_group_plan(w, w.group_a, evaluation_date=TODAY() - datetime.timedelta(days=1))
    client.force_login(w.manager2)
    content = client.get("/").content.decode()
    assert 'data-group-plans-waiting="1"' in content  # their own group plan only
    assert "data-group-plan=" not in content
    assert w.group_plan.get_absolute_url() not in content


def test_the_pms_home_links_each_group_to_its_plan_and_draft(client, queued):
    w = queued
    current = approved_group_plan(w, w.group_a)
    in_progress = coaching_services.group_plan_start(actor=w.pm_a, group=w.group_a)
    client.force_login(w.pm_a)
    content = client.get("/").content.decode()
    links = content.split(f'data-group-plan-links="{w.group_a.uuid}"')[1].split("</span>\n")[0]
    assert current.get_absolute_url() in links and in_progress.get_absolute_url() in links
    assert w.group_plan.get_absolute_url() not in content  # group B's plan

    client.force_login(w.pm_b)
    content = client.get("/").content.decode()
    assert w.group_plan.get_absolute_url() in content  # the submitted draft of group B
    assert current.get_absolute_url() not in content


def test_a_group_without_a_plan_links_to_its_group_plans_page(client, cases):
    client.force_login(cases.pm_a)
    content = client.get("/").content.decode()
    assert reverse("coaching:group-plans", kwargs={"group_uuid": cases.group_a.uuid}) in content


def _home_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200
    return len(queries)


def _approve_and_make_overdue(plans):
    past = TODAY() - datetime.timedelta(days=30)
    plans.update(status=PlanStatus.APPROVED, period_start=past, evaluation_date=past + DAY)


DAY = datetime.timedelta(days=1)


def test_home_uses_the_same_number_of_queries_with_1_and_10_groups_with_plans(client, world):
    """The PM's links per group and the manager's overdue list and count do not
    add a query per group or per plan."""
    pm = make_user("pm_many", first_name="Mia")
    _bulk_group_plans(world, 2)
    _approve_and_make_overdue(GroupPlan.objects.filter(group__name="Groep 2"))
    add_membership(pm, world.childcare, Role.PEDAGOGICAL_STAFF, groups=Group.objects.all())
    client.force_login(pm)
    small = _home_queries(client)
    client.force_login(world.manager)
    small_manager = _home_queries(client)

    _bulk_group_plans(world, 18)
    _approve_and_make_overdue(
        GroupPlan.objects.filter(pk__in=GroupPlan.objects.order_by("pk")[:10])
    )
    add_membership(pm, world.childcare, Role.PEDAGOGICAL_STAFF, groups=Group.objects.all())
    client.force_login(pm)
    assert _home_queries(client) == small
    client.force_login(world.manager)
    response = client.get("/")
    assert len(response.context["overdue_group_plans"]) == 10
    assert response.context["group_plans_waiting"] == 10
    assert _home_queries(client) == small_manager
