"""The Content Security Policy in a real browser: Bootstrap, htmx and the charts
work under it, and Chromium reports no violation on the pages staff use most."""

import datetime

import pytest
from django.urls import reverse

from casework import services as case_services
from tests.conftest import PASSWORD, log_concern

from .conftest import log_in, start_coach_visit

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

#: Runs before any page script (injected by the browser, so the policy allows it).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


@pytest.fixture
def csp_page(page):
    """A page that records policy violations from events and from the console."""
    console = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.add_init_script(RECORD_VIOLATIONS)
    page.csp_console = console
    return page


def violations(page) -> list[str]:
    return page.evaluate("() => window.__cspViolations") + page.csp_console


def test_pages_work_under_the_policy_without_violations(csp_page, world, live_server):
    page = csp_page
    child = case_services.child_register(
        actor=world.manager,
        first_name="Lotte",
        last_name="Proefkind",
        date_of_birth=datetime.date(2022, 5, 9),
        group=world.group_a,
        mentor=world.pm_a,
    )
    child_case = log_concern(world.pm_a, child).case
    visit = start_coach_visit(world)
    log_in(page, "pm_a", PASSWORD)
    for url in (
        reverse("home"),
        reverse("casework:case-list"),
        child_case.get_absolute_url(),
        reverse("coaching:visit-detail", kwargs={"visit_uuid": visit.uuid}),
        reverse("coaching:calendar"),
    ):
        response = page.goto(url)
        assert response.status == 200, url
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
        # htmx and Bootstrap loaded; htmx added no inline <style> of its own.
        assert page.evaluate("() => typeof window.htmx === 'object'"), url
        assert page.evaluate("() => typeof window.bootstrap === 'object'"), url
        assert page.evaluate("() => document.querySelectorAll('style').length") == 0, url
        assert violations(page) == [], url


def test_the_policy_really_blocks_inline_script(csp_page, world, live_server):
    """The test above could pass with no policy at all: show that one is enforced."""
    page = csp_page
    log_in(page, "pm_a", PASSWORD)
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.__ranInline = true";
          document.body.appendChild(script);
        }"""
    )
    # The violation is reported by an event the browser queues: wait for it, however
    # long a busy machine takes (a fixed pause can be too short).
    page.wait_for_function("() => window.__cspViolations.length > 0")
    assert page.evaluate("() => window.__ranInline === true") is False
    assert any("script-src" in v for v in violations(page))
