"""The pedagogical staff member's journey in a real browser: log a concern from
the home page, find the new case's timeline, draft the child's plan and submit
it; the location manager approves it from the review queue."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from casework import services
from casework.models import Case, PlanStatus
from tests.conftest import PASSWORD

from .conftest import dutch, log_in, log_out

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

DESCRIPTION = "Lotte cries at drop-off and keeps her coat on for the first hour."
GOAL = "Lotte says goodbye to her father at the door and joins a game."
ACTION = "The mentor welcomes Lotte at the door with her favourite puzzle."


@pytest.fixture
def child(world, live_server):
    return services.child_register(
        actor=world.manager,
        first_name="Lotte",
        last_name="Proefkind",
        date_of_birth=datetime.date(2022, 5, 9),
        group=world.group_a,
        mentor=world.pm_a,
    )


def test_pm_logs_a_concern_and_manager_approves_the_plan(page, world, child, assert_accessible):
    today = timezone.localdate()

    # The PM logs a concern from her group on the home page.
    log_in(page, world.pm_a.username, PASSWORD)
    concern_url = reverse("casework:concern-create", kwargs={"child_uuid": child.uuid})
    log_concern = page.locator(f"a[href='{concern_url}']")
    assert dutch("Log a concern") in log_concern.inner_text()
    log_concern.click()
    page.wait_for_url(f"**{concern_url}")
    assert_accessible(page)

    # Saving too soon shows what is missing, as accessibly as the empty form.
    page.get_by_label(dutch("what did you see?")).fill(DESCRIPTION)
    page.get_by_role("button", name=dutch("Save the concern")).click()
    worry = page.get_by_role("group", name=dutch("worry level"))
    worry.locator(".invalid-feedback").wait_for()
    expect(worry.get_by_role("radio").first).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)

    page.get_by_label(dutch("date seen")).fill((today - datetime.timedelta(days=1)).isoformat())
    page.get_by_label(dutch("developmental domain")).select_option("social_emotional")
    page.get_by_label(dutch("Real: discuss it with the coach")).check()
    page.get_by_label(dutch("where seen")).select_option("drop_off")
    page.get_by_label(dutch("what did you see?")).fill(DESCRIPTION)
    page.get_by_role("button", name=dutch("Save the concern")).click()

    # The concern opened a case; its page shows the concern on the timeline.
    page.wait_for_url(re.compile(r"/cases/[0-9a-f-]{36}/$"))
    case = Case.objects.get(child=child)
    assert page.url.endswith(case.get_absolute_url())
    page.get_by_role("status").filter(has_text=dutch("The concern is logged.")).wait_for()
    page.locator(".timeline").get_by_text(DESCRIPTION).wait_for()
    assert_accessible(page)

    # She starts the plan, adds a goal and an action with its owner, and submits it.
    plan_url = reverse("casework:plan-detail", kwargs={"case_uuid": case.uuid})
    page.get_by_role("link", name=dutch("Open the plan")).click()
    page.wait_for_url(f"**{plan_url}")
    assert_accessible(page)
    page.get_by_role("button", name=dutch("Start the plan")).click()
    page.wait_for_url(re.compile(r"/plan/[0-9a-f-]{36}/edit/$"))
    plan = case.plans.get()
    assert page.url.endswith(reverse("casework:plan-edit", kwargs={"plan_uuid": plan.uuid}))
    assert_accessible(page)

    goal = page.get_by_role("group", name=dutch("Goal %(number)s") % {"number": 1})
    goal.get_by_role("textbox", name=dutch("Goal")).fill(GOAL)
    goal.get_by_role("combobox", name=dutch("Owned by")).select_option("childcare")
    action = page.get_by_role("group", name=dutch("Action %(number)s") % {"number": 1})
    action.get_by_role("textbox", name=dutch("Action")).fill(ACTION)
    action.get_by_role("combobox", name=dutch("Party")).select_option("childcare")
    action.get_by_role("textbox", name=dutch("Owner")).fill("Anna")
    due = today + datetime.timedelta(weeks=2)
    action.get_by_label(dutch("Due date")).fill(due.isoformat())
    page.get_by_role("button", name=dutch("Save the plan")).click()
    page.wait_for_url(f"**{plan_url}")
    page.get_by_role("status").filter(has_text=dutch("The plan is saved.")).wait_for()
    assert page.locator("main").get_by_text(GOAL).first.is_visible()
    assert page.locator("main").get_by_text(ACTION).first.is_visible()
    assert_accessible(page)

    page.get_by_role("button", name=dutch("Submit for approval")).click()
    page.get_by_role("status").filter(
        has_text=dutch("The plan is submitted to the location manager.")
    ).wait_for()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED
    log_out(page)

    # The location manager finds the plan in the review queue and approves it.
    log_in(page, world.manager.username, PASSWORD)
    page.get_by_role("link", name=dutch("Review"), exact=True).click()
    page.wait_for_url(f"**{reverse('casework:review-queue')}")
    assert_accessible(page)
    page.get_by_role("link", name=child.full_name).click()
    page.wait_for_url(f"**{plan_url}")
    page.get_by_role("button", name=dutch("Approve"), exact=True).click()
    page.get_by_role("status").filter(has_text=dutch("The plan is approved.")).wait_for()

    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED
    approved = page.get_by_role(
        "heading", name=dutch("Approved plan: version %(number)s") % {"number": plan.version}
    )
    # The status is at the top of the answer: the rest may still be loading.
    expect(approved).to_be_visible()
    expect(approved.get_by_text(dutch("Approved"), exact=True)).to_be_visible()
    assert_accessible(page)
