"""Smoke test in a real browser: the login page and every demo role's home are
Dutch, reachable by keyboard, fit a tablet and pass axe-core's WCAG 2.1 A/AA
rules. Later pages follow the same pattern: visit, check, `assert_accessible`."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from alert4you import access_policy
from casework.demo import load_demo_children
from pilots.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_USERS, load_demo_data
from pilots.models import Role

from .conftest import TABLET, assert_no_horizontal_scroll, dutch, log_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

#: The heading of the part of the home page each role works from.
HOME_HEADINGS = {
    Role.PEDAGOGICAL_STAFF: "My groups",
    Role.COACH: "Locations I coach",
    Role.LOCATION_MANAGER: "My locations",
    Role.CARE_COORDINATOR: "Locations I support",
    Role.PROJECT_LEADER: "My pilots",
    Role.ORGANISATION_ADMIN: "Organisations I administer",
    Role.PROGRAMME_STAFF: "National overview",
}


@pytest.fixture
def demo(transactional_db, live_server):
    """The demo data, loaded the way `manage.py load_demo` does."""
    load_demo_data()
    access_policy.sync_all()
    load_demo_children()


def test_login_page_is_dutch_and_accessible(page, live_server, settings, assert_accessible):
    settings.DEMO_MODE = True  # the demo accounts table is part of the page then
    page.goto(reverse("login"))

    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.get_by_role("heading", level=1).inner_text() == dutch("Log in to Alert4you")
    assert page.get_by_role("table").locator("code", has_text="demo-pm").is_visible()
    assert_accessible(page)
    page.set_viewport_size(TABLET)
    assert_no_horizontal_scroll(page)


def test_every_demo_role_sees_its_dutch_home(new_context, demo, assert_accessible, subtests):
    users = {user.username: user for user in DEMO_USERS}
    for username, _role, _description in DEMO_ACCOUNTS:
        with subtests.test(username=username):
            page = new_context().new_page()
            log_in(page, username, DEMO_PASSWORD)

            assert page.locator("html").get_attribute("lang") == "nl"
            first_name = users[username].first_name
            greeting = page.get_by_role("heading", level=1)
            assert greeting.inner_text() == dutch("Good to see you, %(name)s") % {
                "name": first_name
            }
            role = users[username].role
            if role is None:  # the platform administrator works in the Django admin
                link = page.get_by_role("link", name=dutch("Administration"), exact=True)
                assert link.is_visible()
            else:
                heading = page.get_by_role("heading", level=2, name=dutch(HOME_HEADINGS[role]))
                assert heading.is_visible()
            assert_accessible(page)

            # Keyboard users skip the navigation: the first Tab reaches the skip
            # link, Enter moves the focus to the main content.
            page.keyboard.press("Tab")
            skip_link = page.locator(":focus")
            expect(skip_link).to_have_attribute("href", "#main")
            assert skip_link.inner_text() == dutch("Skip to main content")
            assert skip_link.is_visible()
            page.keyboard.press("Enter")
            expect(page.locator("#main")).to_be_focused()
            expect(page).to_have_url(re.compile(r"#main$"))

            page.set_viewport_size(TABLET)
            assert_no_horizontal_scroll(page)
            page.context.close()
