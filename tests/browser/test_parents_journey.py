"""The parents' journey in a real browser: a PM prepares a parent conversation
with the coach and records the outcome, which the case timeline then shows; a
school user loses the case the moment the consent to share with the school is
withdrawn."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from casework import services
from parents.models import ParentConversation
from tests.conftest import PASSWORD, add_parents, grant_consent

from .conftest import dutch, log_in, log_out, submit

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

MESSAGE = "Mieke plays alone most mornings; we want to help her join in, together with you."
OUTCOME = "The parents recognise it from home and want to try the buddy task."
AGREEMENT = "Mentor starts a daily buddy task; parents invite a friend at home."


@pytest.fixture
def family(cases, live_server):
    w = cases
    add_parents(w.child_a, actor=w.pm_a)
    grant_consent(w.child_a, actor=w.pm_a, scope="observation_by_coach")
    services.case_team_add(actor=w.pm_a, case=w.case_a, user=w.coach, role="coach")
    grant_consent(w.child_a, actor=w.pm_a, scope="share_with_organisation", organisation=w.school)
    services.case_team_add(actor=w.pm_a, case=w.case_a, user=w.school_user, role="school")
    return w


def test_pm_and_coach_prepare_a_conversation_and_the_timeline_shows_it(
    page, family, assert_accessible
):
    w = family
    today = timezone.localdate()

    # The PM plans the conversation from the case page and chooses its form.
    log_in(page, w.pm_a.username, PASSWORD)
    page.goto(w.case_a.get_absolute_url())
    create_url = reverse("parents:conversation-create", kwargs={"case_uuid": w.case_a.uuid})
    page.locator(f"a[href='{create_url}']").click()
    page.wait_for_url(f"**{create_url}")
    assert_accessible(page)
    page.get_by_label(dutch("Date of the conversation")).fill(today.isoformat())
    form = page.get_by_role("group", name=dutch("Form of the conversation"))
    form.get_by_role("radio").nth(1).check()  # coach and PM together
    page.get_by_label(dutch("May be difficult")).check()
    page.get_by_label("Carla").check()  # the coach takes part
    page.get_by_label("Moeder Testkind").check()
    # Wait for the answer before reading the database: a click does not promise to.
    submit(page, page.get_by_role("button", name=dutch("Plan the conversation")))
    conversation = ParentConversation.objects.get(case=w.case_a)
    assert page.url.endswith(f"/conversations/{conversation.uuid}/")
    assert_accessible(page)

    # The PM writes the message; the coach adds the wording.
    page.get_by_role("link", name=dutch("Write the preparation")).click()
    page.get_by_label(dutch("The message")).fill(MESSAGE)
    page.get_by_role("button", name=dutch("Save the preparation")).click()
    page.wait_for_url(f"**/conversations/{conversation.uuid}/")
    log_out(page)

    log_in(page, w.coach.username, PASSWORD)
    page.goto(
        reverse("parents:conversation-detail", kwargs={"conversation_uuid": conversation.uuid})
    )
    page.get_by_role("link", name=dutch("Change the preparation")).click()
    page.get_by_label(dutch("The wording")).fill("We zien dat Mieke het fijn vindt om …")
    page.get_by_role("button", name=dutch("Save the preparation")).click()
    page.wait_for_url(f"**/conversations/{conversation.uuid}/")
    log_out(page)

    # After the conversation the PM records the outcome and the next step.
    log_in(page, w.pm_a.username, PASSWORD)
    page.goto(
        reverse("parents:conversation-outcome", kwargs={"conversation_uuid": conversation.uuid})
    )
    assert_accessible(page)
    page.get_by_label(dutch("Outcome")).fill(OUTCOME)
    page.get_by_label(dutch("Agreements")).fill(AGREEMENT)
    page.get_by_label(dutch("Next step"), exact=True).fill("Evaluate with the parents")
    page.get_by_label(dutch("Next step on")).fill((today + datetime.timedelta(weeks=3)).isoformat())
    page.get_by_role("button", name=dutch("Save the outcome")).click()
    page.wait_for_url(f"**/conversations/{conversation.uuid}/")

    page.goto(w.case_a.get_absolute_url())
    timeline = page.locator("ol.timeline")
    assert OUTCOME in timeline.inner_text()
    assert "Evaluate with the parents" in timeline.inner_text()
    assert_accessible(page)
    conversation.refresh_from_db()
    assert conversation.status == "held" and "Mieke het fijn" in conversation.wording


def test_a_school_user_loses_the_case_the_moment_the_consent_is_withdrawn(
    browser, page, family, live_server, assert_accessible
):
    w = family
    case_url = live_server.url + w.case_a.get_absolute_url()

    school = browser.new_context(locale="nl-NL", base_url=live_server.url)
    school_page = school.new_page()
    log_in(school_page, w.school_user.username, PASSWORD)
    assert school_page.goto(case_url).status == 200

    # The PM withdraws the consent to share with the school.
    log_in(page, w.pm_a.username, PASSWORD)
    page.goto(reverse("parents:child-consents", kwargs={"child_uuid": w.child_a.uuid}))
    assert_accessible(page)
    page.locator("a[href*='/withdraw/']").filter(has_text=w.school.name).click()
    page.get_by_role("button", name=dutch("Withdraw the consent")).click()
    page.wait_for_url("**/consents/")

    # The school's very next request no longer finds the case, nor lists it.
    assert school_page.goto(case_url).status == 404
    school_page.goto(live_server.url + reverse("casework:case-list"))
    assert w.case_a.get_absolute_url() not in school_page.content()
    # The PM keeps working with the child and sees that nothing goes to the school.
    page.goto(w.case_a.get_absolute_url())
    assert w.school.name in page.locator("main").inner_text()
    school.close()
