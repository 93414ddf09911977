import pytest
from django.core.management import call_command

from casework.models import Case, Child, Concern, Plan, PlanAction
from coaching.models import GroupPlan, GroupPlanReview, GroupPlanTip
from coaching.staffing import check_plan_staffing


@pytest.mark.django_db
def test_demo_children_and_cases_load_once(settings):
    settings.DEMO_MODE = True
    call_command("load_demo", stdout=open("/dev/null", "w"))
    counts = [m.objects.count() for m in (Child, Case, Concern, Plan)]
    assert counts[0] > 100 and counts[1] == 3
    assert Plan.objects.filter(status="submitted").exists()
    group_plan_counts = [m.objects.count() for m in (GroupPlan, GroupPlanReview, GroupPlanTip)]
    call_command("load_demo", stdout=open("/dev/null", "w"))
    assert [m.objects.count() for m in (Child, Case, Concern, Plan)] == counts
    assert [
        m.objects.count() for m in (GroupPlan, GroupPlanReview, GroupPlanTip)
    ] == group_plan_counts


@pytest.mark.django_db
def test_the_story_group_has_an_approved_group_plan_and_a_draft_of_the_next(settings):
    settings.DEMO_MODE = True
    call_command("load_demo", stdout=open("/dev/null", "w"))
    plans = list(GroupPlan.objects.filter(group__name="Dolfijnen").order_by("version"))
    assert [p.status for p in plans] == ["approved", "draft"]
    approved = plans[0]
    assert approved.approach and approved.goals.exists()
    assert approved.tips.filter(source="visit", visit_tip__visit__status="held").exists()
    (child,) = approved.children.select_related("case__child")
    assert child.case.child.first_name == "Mieke"
    assert approved.staffing.exists() and not check_plan_staffing(approved).warnings
    assert list(approved.reviews.values_list("action", flat=True)) == ["submitted", "approved"]
    assert PlanAction.objects.filter(
        for_whole_group=True, plan__case__child__group__name="Dolfijnen"
    ).exists()


@pytest.mark.django_db
def test_demo_pm_sees_the_story_case_of_their_group(client, settings):
    from django.contrib.auth import get_user_model

    from casework import selectors

    settings.DEMO_MODE = True
    call_command("load_demo", stdout=open("/dev/null", "w"))
    pm = get_user_model().objects.get(username="demo-pm")
    names = set(selectors.cases_for_user(pm).values_list("child__first_name", flat=True))
    assert names == {"Mieke"}
    manager = get_user_model().objects.get(username="demo-manager")
    assert selectors.review_queue_for_user(manager).count() == 1
