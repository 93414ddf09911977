"""A child's plan action can be "for the whole group": the flag is set on the edit
page, kept in history, copied to the next version, shown on the plan and pulled
into the group plan once the child's plan is approved."""

import pytest
from django.urls import reverse

from casework import services
from casework.models import PlanAction
from coaching import services as coaching_services
from coaching.models import GroupPlanTip, TipSource
from tests.casework.test_plans import ACTION, GOAL, draft, edit_data

pytestmark = pytest.mark.django_db

WHOLE_GROUP = dict(
    ACTION,
    description="Start every morning with a short pairing game for all children.",
    for_whole_group=True,
)


def url(name, **kwargs):
    return reverse(f"casework:{name}", kwargs=kwargs)


def test_the_pm_marks_an_action_for_the_whole_group_on_the_edit_page(client, cases):
    w = cases
    plan = services.plan_start_version(actor=w.pm_a, case=w.case_a)
    client.force_login(w.pm_a)
    page = client.get(url("plan-edit", plan_uuid=plan.uuid)).content.decode()
    assert 'name="actions-0-for_whole_group"' in page

    data = edit_data(goals=[GOAL], actions=[ACTION, WHOLE_GROUP])
    response = client.post(url("plan-edit", plan_uuid=plan.uuid), data)
    assert response.status_code == 302
    actions = list(plan.actions.order_by("position").values_list("for_whole_group", flat=True))
    assert actions == [False, True]
    marked = plan.actions.get(for_whole_group=True)
    assert marked.history.get().for_whole_group is True
    assert marked.history.get().history_user == w.pm_a


def test_the_edit_page_shows_the_flag_and_unticking_it_clears_it(client, cases):
    w = cases
    plan = draft(w.pm_a, w.case_a, actions=[WHOLE_GROUP])
    client.force_login(w.pm_a)
    page = client.get(url("plan-edit", plan_uuid=plan.uuid)).content.decode()
    assert 'name="actions-0-for_whole_group" id="id_actions-0-for_whole_group"' in page
    assert 'id="id_actions-0-for_whole_group" aria-describedby' in page
    tick = page.split('name="actions-0-for_whole_group"')[1].split(">")[0]
    assert "checked" in tick

    unticked = dict(WHOLE_GROUP, for_whole_group=False)
    data = edit_data(goals=[GOAL], actions=[unticked], initial=(1, 1))
    data.pop("actions-0-for_whole_group")  # an unticked box is not posted at all
    client.post(url("plan-edit", plan_uuid=plan.uuid), data)
    assert not plan.actions.get().for_whole_group


def test_the_plan_page_marks_actions_for_the_whole_group(client, cases):
    w = cases
    draft(w.pm_a, w.case_a, actions=[ACTION, WHOLE_GROUP])
    client.force_login(w.pm_a)
    page = client.get(url("plan-detail", case_uuid=w.case_a.uuid)).content.decode()
    assert page.count("data-for-whole-group") == 1
    badge_row = page.split("data-for-whole-group")[0].rsplit("<tr>", 1)[1]
    assert "pairing game" in badge_row


def test_a_new_version_keeps_the_flag_of_each_action(cases):
    w = cases
    plan = draft(w.pm_a, w.case_a, actions=[ACTION, WHOLE_GROUP])
    services.plan_submit(actor=w.pm_a, plan=plan)
    services.plan_approve(actor=w.manager, plan=plan)
    new = services.plan_start_version(actor=w.pm_a, case=w.case_a)
    copied = dict(new.actions.values_list("description", "for_whole_group"))
    assert copied == {ACTION["description"]: False, WHOLE_GROUP["description"]: True}


def test_comparing_versions_shows_a_changed_flag(client, cases):
    w = cases
    plan = draft(w.pm_a, w.case_a, actions=[ACTION])
    services.plan_submit(actor=w.pm_a, plan=plan)
    services.plan_approve(actor=w.manager, plan=plan)
    new = services.plan_start_version(actor=w.pm_a, case=w.case_a)
    services.plan_update(
        actor=w.pm_a,
        plan=new,
        whole_group_learning=plan.whole_group_learning,
        next_evaluation_date=plan.next_evaluation_date,
        goals=[GOAL],
        actions=[dict(ACTION, for_whole_group=True)],
    )
    client.force_login(w.pm_a)
    response = client.get(url("plan-compare", case_uuid=w.case_a.uuid))
    changes = [d.change for d in response.context["differences"]]
    assert changes.count("removed") == 1 and changes.count("added") == 1


def test_an_approved_action_for_the_whole_group_flows_into_the_group_plan(cases):
    w = cases
    plan = draft(w.pm_a, w.case_a, actions=[ACTION, WHOLE_GROUP])
    group_plan = coaching_services.group_plan_start(actor=w.pm_a, group=w.group_a)
    # Not agreed yet: a submitted plan's actions stay out.
    services.plan_submit(actor=w.pm_a, plan=plan)
    assert coaching_services.group_plan_pull_tips(actor=w.pm_a, plan=group_plan) == 0
    services.plan_approve(actor=w.manager, plan=plan)
    assert coaching_services.group_plan_pull_tips(actor=w.pm_a, plan=group_plan) == 1
    tip = GroupPlanTip.objects.get(plan=group_plan)
    marked = PlanAction.objects.get(plan=plan, for_whole_group=True)
    assert (tip.source, tip.plan_action, tip.text) == (
        TipSource.CHILD_PLAN,
        marked,
        WHOLE_GROUP["description"],
    )
    # Pulling again adds nothing twice.
    assert coaching_services.group_plan_pull_tips(actor=w.pm_a, plan=group_plan) == 0


def test_an_action_of_a_child_in_another_group_stays_out(cases):
    w = cases
    plan = draft(w.pm_b, w.case_b, actions=[WHOLE_GROUP])
    services.plan_submit(actor=w.pm_b, plan=plan)
    services.plan_approve(actor=w.manager, plan=plan)
    group_plan = coaching_services.group_plan_start(actor=w.pm_a, group=w.group_a)
    assert not group_plan.tips.exists()


def test_the_service_treats_a_missing_flag_as_not_for_the_whole_group(cases):
    w = cases
    plan = draft(w.pm_a, w.case_a, actions=[ACTION])
    assert "for_whole_group" not in ACTION
    assert plan.actions.get().for_whole_group is False
