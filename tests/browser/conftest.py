"""Real-browser tests: Debian's headless Chromium, driven by Playwright, against
pytest-django's live server.

Playwright never downloads a browser here: `browser_type_launch_args` points it
at /usr/bin/chromium (`bin/system-deps --browser` installs it). The sync
Playwright API keeps an event loop running in the test thread, so Django's
async-safety check must be switched off for the database calls the tests make.

Every browser test carries `pytestmark = [pytest.mark.browser,
pytest.mark.xdist_group("browser")]`: under `-n 2 --dist loadgroup` they share one
worker and one browser.
"""

import datetime
import os
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils import timezone, translation

from coaching import services
from coaching.models import Visit
from pilots.models import PilotPartner

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
#: WCAG 2.1 level A and AA: the level the project promises.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
#: Staff use tablets in the group.
TABLET = {"width": 768, "height": 1024}


def pytest_configure(config):
    # pytest-xdist registers this marker; `-p no:xdist` runs must know it too.
    config.addinivalue_line("markers", "xdist_group(name): run in one pytest-xdist worker")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: install it with `bin/system-deps --browser`.")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A Dutch member of staff's browser; Django's LocaleMiddleware follows it.
    return {
        **browser_context_args,
        "locale": "nl-NL",
        "timezone_id": "Europe/Amsterdam",
        "viewport": {"width": 1280, "height": 900},
        # Bootstrap then skips its transitions, so axe never measures a colour halfway
        # through a hover fade.
        "reduced_motion": "reduce",
    }


@pytest.fixture(scope="session")
def base_url(live_server):
    """Lets tests write `page.goto("/cases/")`."""
    return live_server.url


@pytest.fixture(scope="session")
def axe():
    return Axe()


@pytest.fixture
def assert_accessible(axe):
    """Run axe-core on the page as it is now; fail with a readable report."""

    def check(page):
        # After a wait for one element of an answer, the rest may still be arriving.
        page.wait_for_load_state()
        results = axe.run(page, options=AXE_OPTIONS)
        assert results.violations_count == 0, (
            f"axe-core found WCAG 2.1 A/AA violations on {page.url}:\n" + results.generate_report()
        )

    return check


def dutch(text: str) -> str:
    """The Dutch translation of a source string; fails when it has none, so
    a page that falls back to English does not pass for Dutch."""
    with translation.override("nl"):
        translated = translation.gettext(text)
    assert translated != text, (
        f"{text!r} has no Dutch translation: translate it in locale/nl and run "
        "`make compilemessages`."
    )
    return translated


def log_in(page, username: str, password: str) -> None:
    """Log in through the real login form, enter the current code of the user's
    authenticator (made in the test database if missing: the live server
    shares it) and wait for the home page."""
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from alert4you import two_factor
    from tests.conftest import verified_device

    device = verified_device(get_user_model()._default_manager.get(username=username))
    page.goto(reverse("login"))
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("form[action$='/login/'] [type=submit]").click()
    page.wait_for_url(lambda url: urlsplit(url).path == reverse("two-factor:verify"))
    # A code is accepted once: a second login within 30 seconds needs a fresh one.
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    device.refresh_from_db()
    page.locator("#id_code").fill(two_factor.current_code(device))
    page.locator("main form:not([action$='/logout/']) [type=submit]").click()
    page.wait_for_url(lambda url: urlsplit(url).path == reverse("home"))


def submit(page, control) -> None:
    """Click a control that sends a form and wait until the answer has loaded.

    A click does not wait for the navigation it starts, and `wait_for_url` returns
    at once when the answer comes back at the address the form was on: a check
    made right after either would read the old page."""
    with page.expect_navigation():
        control.click()


def log_out(page) -> None:
    submit(page, page.locator("form[action$='/logout/'] [type=submit]"))


def assert_no_horizontal_scroll(page) -> None:
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    assert widths["scroll"] <= widths["inner"], (
        f"{page.url} scrolls sideways at {page.viewport_size}: {widths}"
    )


def start_coach_visit(world):
    """Assign the coach to group A and start a visit there ten minutes ago (but
    not before midnight: the coach finds it in this week on her home page), so
    it is both the group's next visit and ready for its report."""
    PilotPartner.objects.create(pilot=world.pilot, organisation=world.youth_care, role="coaching")
    services.assignment_save(
        actor=world.manager,
        coach=world.coach,
        location=world.location,
        kind="on_request",
        starts_on=timezone.localdate() - datetime.timedelta(days=7),
        groups=[world.group_a],
    )
    now = timezone.now().replace(second=0, microsecond=0)
    midnight = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time()))
    starts_at = max(now - datetime.timedelta(minutes=10), midnight)
    visit = Visit.objects.create(
        coach=world.coach,
        location=world.location,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=2),
    )
    visit.groups.set([world.group_a])
    return visit
