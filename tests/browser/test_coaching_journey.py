"""A coach visit in a real browser: a PM adds a question to the next visit; the
coach opens the visit and writes the report with a tip for the group; the PM
reads it on the group's page and the notes on the child's timeline.

The coaching pages' texts are not translated yet (locale/ is kept elsewhere),
so this test finds its way by element ids, links and roles, not by Dutch text."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from casework import services as case_services
from coaching.models import AgendaItem
from tests.conftest import PASSWORD, log_concern

from .conftest import TABLET, assert_no_horizontal_scroll, log_in, log_out, start_coach_visit

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

QUESTION = "She keeps her coat on all morning. How do we help her settle in?"
NOTES = "Give her a fixed hook and a photo of her father at the coat rack."
TIP = "Greet every child by name at the door and show the day's picture card."


@pytest.fixture
def visit(world, live_server):
    """A child with a case in group A, and a coach visit to the group that started
    a few minutes ago (so it is both the next visit and ready for its report)."""
    child = case_services.child_register(
        actor=world.manager,
        first_name="Lotte",
        last_name="Proefkind",
        date_of_birth=datetime.date(2022, 5, 9),
        group=world.group_a,
        mentor=world.pm_a,
    )
    world.case = log_concern(world.pm_a, child).case
    return start_coach_visit(world)


def test_pm_asks_coach_reports_pm_reads_the_tip(page, world, visit, assert_accessible):
    visit_url = visit.get_absolute_url()
    question_url = reverse("coaching:agenda-question", kwargs={"visit_uuid": visit.uuid})
    group_url = reverse("coaching:group-detail", kwargs={"group_uuid": world.group_a.uuid})

    # The PM finds the next visit on her home page and adds a question about Lotte.
    log_in(page, world.pm_a.username, PASSWORD)
    assert_accessible(page)
    page.locator(f"a[href='{question_url}']").click()
    page.wait_for_url(f"**{question_url}")
    assert_accessible(page)
    page.locator("#id_topic").select_option("one_child")
    page.locator("#id_case").select_option(str(world.case.uuid))
    page.locator("#id_question").fill(QUESTION)
    page.locator("main form [type=submit]").click()
    page.wait_for_url(f"**{visit_url}")
    page.locator("#agenda").get_by_text(QUESTION).wait_for()
    page.get_by_role("status").first.wait_for()
    assert_accessible(page)
    item = AgendaItem.objects.get(visit=visit)
    assert item.submitted_by == world.pm_a
    log_out(page)

    # The coach opens the visit from the week on her home page. Without the parents'
    # consent she reads "a child in the group", never Lotte's name.
    log_in(page, world.coach.username, PASSWORD)
    page.locator(f"main a[href='{visit_url}']").first.click()
    page.wait_for_url(f"**{visit_url}")
    agenda = page.locator("#agenda")
    agenda.get_by_text(QUESTION).wait_for()
    assert "Lotte" not in agenda.inner_text()
    assert agenda.locator(f"a[href='{world.case.get_absolute_url()}']").count() == 0
    assert_accessible(page)

    page.locator("#write-report").click()
    page.wait_for_url(re.compile(r"/report/$"))
    assert_accessible(page)
    page.locator(f"#id_notes_{item.uuid}").fill(NOTES)
    page.locator("#id_tips-0-text").fill(TIP)
    page.locator("#id_follow_ups-0-description").fill("Try the fixed hook for two weeks")
    page.locator("#id_follow_ups-0-owner_name").fill("Anna")
    due = timezone.localdate() + datetime.timedelta(weeks=2)
    page.locator("#id_follow_ups-0-due_on").fill(due.isoformat())
    page.locator("#save-report").click()
    page.wait_for_url(f"**{visit_url}")
    page.locator("#report").get_by_text(TIP).wait_for()
    assert_accessible(page)
    visit.refresh_from_db()
    assert visit.status == "held"
    log_out(page)

    # The PM reads the tip on her group's page (linked from her home page), and the
    # coach's notes on Lotte's timeline.
    log_in(page, world.pm_a.username, PASSWORD)
    page.set_viewport_size(TABLET)
    page.locator(f"a[href='{group_url}']").click()
    page.wait_for_url(f"**{group_url}")
    held = page.locator(".held-visit").first
    held.get_by_text(TIP).wait_for()
    held.get_by_text(NOTES).wait_for()
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    page.goto(world.case.get_absolute_url())
    page.locator(".timeline").get_by_text(NOTES).wait_for()
