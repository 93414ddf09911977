"""A group plan in a real browser: the coach's tip for the whole group flows
into the PMs' draft; the PM completes the plan with an understaffed day part;
the manager sees the staffing warning and returns the plan; the PM fixes the
staffing; the manager approves.

The journey finds its way by element ids, data attributes and URLs; the
pages are Dutch."""

import re

import pytest
from django.urls import reverse

from coaching.models import GroupPlan, GroupPlanReview
from tests.conftest import PASSWORD

from .conftest import (
    TABLET,
    assert_no_horizontal_scroll,
    log_in,
    log_out,
    start_coach_visit,
    submit,
)

DESKTOP = {"width": 1280, "height": 900}

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

TIP = "Start the morning with a calm circle: every child says one word about home."


@pytest.fixture
def visit(world, live_server):
    """A coach visit to group A that started a few minutes ago, ready for its report."""
    return start_coach_visit(world)


def fill_staffing(page, *, staff: int) -> None:
    """Monday 07:30–18:00 with eight children aged 1–2 (two staff needed)."""
    page.locator("#id_staffing-0-weekday").select_option("0")
    page.locator("#id_staffing-0-day_kind").select_option("school")
    page.locator("#id_staffing-0-starts_at").fill("07:30")
    page.locator("#id_staffing-0-ends_at").fill("18:00")
    page.locator("#id_staffing-0-children_1_2").fill("8")
    page.locator("#id_staffing-0-staff_planned").fill(str(staff))
    page.locator("main form [type=submit]").first.click()


def test_tip_flows_into_group_plan_and_manager_returns_then_approves(
    page, world, visit, assert_accessible
):
    plans_url = reverse("coaching:group-plans", kwargs={"group_uuid": world.group_a.uuid})
    review_url = reverse("casework:review-queue")

    # The coach writes the visit report with a tip for the whole group.
    log_in(page, world.coach.username, PASSWORD)
    page.goto(visit.get_absolute_url())
    page.locator("#write-report").click()
    page.wait_for_url(re.compile(r"/report/$"))
    page.locator("#id_tips-0-text").fill(TIP)
    page.locator("#save-report").click()
    page.wait_for_url(f"**{visit.get_absolute_url()}")
    log_out(page)

    # The PM starts the group plan from her group's page: the tip is already in the draft.
    log_in(page, world.pm_a.username, PASSWORD)
    page.set_viewport_size(TABLET)
    page.goto(reverse("coaching:group-detail", kwargs={"group_uuid": world.group_a.uuid}))
    page.locator(f"[data-group-plan] a[href='{plans_url}']").click()
    page.wait_for_url(f"**{plans_url}")
    assert_accessible(page)
    page.locator("[data-start-version] [type=submit]").click()
    page.wait_for_url(re.compile(r"/coaching/group-plans/[0-9a-f-]+/$"))
    plan = GroupPlan.objects.get(group=world.group_a)
    detail_url = plan.get_absolute_url()
    page.locator("#group-plan-tips").get_by_text(TIP).wait_for()
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    page.set_viewport_size(DESKTOP)

    # She completes the approach and a goal, and plans Monday with one PM too few.
    page.goto(reverse("coaching:group-plan-edit", kwargs={"plan_uuid": plan.uuid}))
    assert_accessible(page)
    page.locator("#id_approach").fill("Small groups at the table; a fixed rhythm with pictures.")
    page.locator("#id_goals-0-description").fill("Every child joins the morning circle.")
    page.locator("main form [type=submit]").first.click()
    page.wait_for_url(f"**{detail_url}")
    page.goto(reverse("coaching:group-plan-staffing", kwargs={"plan_uuid": plan.uuid}))
    assert_accessible(page)
    fill_staffing(page, staff=1)
    page.wait_for_url(f"**{detail_url}")
    page.locator("[data-staffing-warning]").wait_for()
    page.locator("#id_submit_comment").fill("Monday is tight; can we find a second PM?")
    submit(page, page.locator("[data-plan-actions] form[action$='/submit/'] [type=submit]"))
    plan.refresh_from_db()
    assert plan.status == "submitted"
    log_out(page)

    # The manager finds it in her review queue, sees the warning and returns it.
    log_in(page, world.manager.username, PASSWORD)
    page.goto(review_url)
    assert_accessible(page)
    page.locator(f"main a[href='{detail_url}']").first.click()
    page.wait_for_url(f"**{detail_url}")
    warning = page.locator("[data-staffing-warning]")
    warning.wait_for()
    assert warning.get_attribute("role") == "alert"
    assert_accessible(page)
    page.locator("#id_decision_comment").fill("Plan two PMs on Monday from 07:30.")
    submit(page, page.locator("[data-decision] button[formaction$='/return/']"))
    plan.refresh_from_db()
    assert plan.status == "returned"
    log_out(page)

    # The PM fixes the staffing and submits again: the warning is gone.
    log_in(page, world.pm_a.username, PASSWORD)
    page.goto(reverse("coaching:group-plan-staffing", kwargs={"plan_uuid": plan.uuid}))
    page.locator("#id_staffing-0-staff_planned").fill("2")
    page.locator("main form [type=submit]").first.click()
    page.wait_for_url(f"**{detail_url}")
    assert page.locator("[data-staffing-warning]").count() == 0
    submit(page, page.locator("[data-plan-actions] form[action$='/submit/'] [type=submit]"))
    log_out(page)

    # The manager approves.
    log_in(page, world.manager.username, PASSWORD)
    page.goto(detail_url)
    submit(page, page.locator("[data-decision] button:not([formaction])"))
    plan.refresh_from_db()
    assert plan.status == "approved"
    assert list(plan.reviews.values_list("action", flat=True)) == [
        GroupPlanReview.Action.SUBMITTED,
        GroupPlanReview.Action.RETURNED,
        GroupPlanReview.Action.SUBMITTED,
        GroupPlanReview.Action.APPROVED,
    ]
    assert plan.tips.get().source == "visit"
