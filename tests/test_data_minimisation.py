"""Child data stays where it belongs: never in URLs, e-mail subjects, logs, error
reports or error pages.

The world holds a child with a name nobody else has ("Zyxwbert Qpvlander") and a
distinctive date of birth, so any leak is found by a plain substring search.
"""

import datetime
import logging
import re
import sys
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import Client, override_settings
from django.urls import include, path, reverse
from django.utils import timezone
from django.views.debug import ExceptionReporter

from alert4you import reminders
from alert4you.models import Reminder, ReminderKind
from casework.models import Child
from tests.conftest import PASSWORD
from tests.rich_world import rich_world  # noqa: F401 (fixture)
from tests.test_fuzz_forms import post_forms, valid_value
from tests.url_walk import url_for, url_patterns

FIRST, LAST = "Zyxwbert", "Qpvlander"
BORN = datetime.date(2021, 7, 19)
CONCERN = "Krijtvlekjes-onrust bij het Zyxwbert-spel"
#: The date of birth however a page or a log might write it.
BIRTH_TEXTS = ("2021-07-19", "19-07-2021", "19072021", "20210719", "19 juli 2021", "July 19")


def leaks(text: str, *, concern=False) -> list[str]:
    needles = [FIRST, LAST, *BIRTH_TEXTS] + ([CONCERN] if concern else [])
    return [n for n in needles if n.lower() in text.lower()]


@pytest.fixture
def named_world(rich_world):  # noqa: F811
    """The rich world with its child A renamed to the distinctive child."""
    w = rich_world
    Child.objects.filter(pk=w.child_a.pk).update(
        first_name=FIRST, last_name=LAST, date_of_birth=BORN
    )
    w.child_a.refresh_from_db()
    return w


# --- URLs ---------------------------------------------------------------------------------------

#: Path parameters that are neither an id nor a UUID: tokens with no child data.
TOKENS = {"token", "uidb64", "format", "export_format", "url", "app_label"}


def test_url_parameters_are_ids_and_tokens_never_names():
    for name, parameters, pattern, route in url_patterns():
        if route.startswith("admin/"):
            continue
        for parameter in parameters:
            assert parameter.endswith(("_uuid", "_id")) or parameter in TOKENS, (
                f"{name}: <{parameter}> in {route}"
            )
            converter = pattern.pattern.converters.get(parameter)
            if parameter.endswith("_uuid"):
                assert type(converter).__name__ == "UUIDConverter", name
            if parameter.endswith("_id"):
                assert type(converter).__name__ == "IntConverter", name


class LinkFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "action", "src", "hx-get", "hx-post", "formaction") and value:
                self.links.append(value)


def links_of(body: str) -> list[str]:
    finder = LinkFinder()
    finder.feed(body)
    return finder.links


def walk_links(client, start_urls, limit=400):
    """GET every page reachable from `start_urls` by links in this site; yield
    (page, link or Location) for each link seen."""
    queue, seen = list(start_urls), set(start_urls)
    while queue and len(seen) <= limit:
        url = queue.pop(0)
        response = client.get(url)
        if "Location" in response:
            yield url, response["Location"]
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        for link in links_of(response.content.decode(errors="replace")):
            yield url, link
            parts = urlsplit(link)
            internal = not parts.netloc and parts.path.startswith("/")
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            skip = parts.path.startswith(("/static/", "/admin/", "/logout", "/i18n/"))
            if internal and not skip and target not in seen:
                seen.add(target)
                queue.append(target)


def test_no_child_name_or_birth_date_in_any_link_or_redirect(client, named_world):
    w = named_world
    start = [
        url
        for name, parameters, pattern, route in url_patterns()
        if name and not route.startswith("admin/")
        if (url := url_for(name, parameters, pattern, w))
    ]
    problems, pages = [], 0
    for user in (w.pm_a, w.manager):
        client.force_login(user)
        for page, link in walk_links(client, start):
            pages += 1
            problems += [f"{user} on {page}: {link}" for _ in leaks(link)]
    assert pages > 200  # the walk saw the site
    assert problems == [], "\n".join(problems)
    # The child is on the pages the walk saw (so the check could fail).
    client.force_login(w.pm_a)
    detail = client.get(reverse("casework:case-detail", kwargs={"case_uuid": w.case_a.uuid}))
    assert FIRST in detail.content.decode()


# --- e-mail subjects ----------------------------------------------------------------------------


def reminder_targets(w):
    """(kind, target, recipient) for every kind, each about the distinctive child
    where the kind is about a child at all."""
    from casework.models import Plan
    from coaching.models import AgendaItem, GroupPlan
    from parents.models import Consent, ParentConversation

    today = timezone.localdate()
    AgendaItem.objects.create(
        visit=w.visit, topic="one_child", case=w.case_a, question="How to calm the child?"
    )
    Plan.objects.filter(pk=w.plan.pk).update(next_evaluation_date=today)
    ParentConversation.objects.filter(pk=w.conversation.pk).update(
        next_step_on=today, next_step="Call the parents"
    )
    Consent.objects.filter(pk=w.consent.pk).update(valid_until=today + datetime.timedelta(days=7))
    GroupPlan.objects.filter(pk=w.group_plan.pk).update(evaluation_date=today)
    for obj in (w.plan, w.conversation, w.consent, w.group_plan):
        obj.refresh_from_db()
    return {
        ReminderKind.VISIT_TOMORROW: (w.visit, w.pm_a),
        ReminderKind.SUBMIT_QUESTIONS: (w.visit, w.pm_a),
        ReminderKind.REPORT_OVERDUE: (w.visit, w.coach),
        ReminderKind.PLAN_EVALUATION: (w.plan, w.pm_a),
        ReminderKind.CONVERSATION_NEXT_STEP: (w.conversation, w.pm_a),
        ReminderKind.CONSENT_EXPIRING: (w.consent, w.pm_a),
        ReminderKind.WEEKLY_DIGEST: (w.location, w.manager),
        ReminderKind.GROUP_PLAN_EVALUATION: (w.group_plan, w.manager),
        ReminderKind.PILOT_EVALUATION: (w.moment, w.project_leader),
    }


def test_reminder_subjects_never_name_a_child_and_bodies_only_by_first_name(named_world):
    w = named_world
    targets = reminder_targets(w)
    assert set(targets) == set(ReminderKind)  # every kind is checked
    named_in_body = set()
    for kind, (target, recipient) in targets.items():
        reminder = Reminder(
            kind=kind,
            content_type=ContentType.objects.get_for_model(target),
            object_id=target.pk,
            recipient=recipient,
            for_date=timezone.localdate(),
            event_on=timezone.localdate(),
            due_at=timezone.now(),
        )
        message = reminders.render_mail(reminder, target)
        assert leaks(message.subject) == [], (kind, message.subject)
        html = message.alternatives[0][0]
        for body in (message.body, html):
            # The design allows the first name and the initial, nothing more.
            assert leaks(body.replace(FIRST, "")) == [], (kind, body)
        if FIRST in message.body:
            named_in_body.add(kind)
    # The kinds about one child do name it (by first name) in the body.
    assert {ReminderKind.PLAN_EVALUATION, ReminderKind.CONSENT_EXPIRING} <= named_in_body


# --- logs ---------------------------------------------------------------------------------------


def test_logs_hold_no_child_name_birth_date_or_concern(client, named_world, caplog):
    from casework import services

    w = named_world
    caplog.set_level(logging.DEBUG)
    services.concern_log(
        actor=w.pm_a,
        child=w.child_a,
        observed_on=timezone.localdate(),
        domain="language",
        description=CONCERN,
        worry_level=3,
        where_seen="group",
    )
    client.force_login(w.pm_a)
    concern_url = reverse("casework:concern-create", kwargs={"child_uuid": w.child_a.uuid})
    form = next(f for f in post_forms(client.get(concern_url).content.decode()) if not f["action"])
    data = {f["name"]: valid_value(f) for f in form["fields"]}
    response = client.post(concern_url, {**data, "description": CONCERN + " (via the form)"})
    assert response.status_code == 302, "the concern is logged through the page too"
    case = {"case_uuid": w.case_a.uuid}
    for name in ("casework:case-detail", "casework:case-print", "casework:case-export"):
        assert client.get(reverse(name, kwargs=case)).status_code == 200, name
    anonymous = Client()
    for _attempt in range(7):  # failed logins, then the lockout
        anonymous.post(reverse("login"), {"username": "pm_a", "password": "wrong " + LAST})
    locked = anonymous.post(reverse("login"), {"username": "pm_a", "password": PASSWORD})
    assert locked.status_code in (403, 429)
    records = caplog.records
    assert records, "the flow logs something (failed logins at least)"
    problems = [
        f"{r.name}: {r.getMessage()}"
        for r in records
        if leaks(f"{r.getMessage()} {r.args} {getattr(r, 'request', '')}", concern=True)
    ]
    assert problems == [], "\n".join(problems)


# --- error reports and error pages --------------------------------------------------------------


def boom(request):
    child_name = request.POST.get("first_name", "")  # noqa: F841 (a local the report must hide)
    raise RuntimeError("SELECT secret FROM casework_child")


def forbidden(request):
    raise PermissionDenied("SELECT secret")


def bad(request):
    raise SuspiciousOperation("SELECT secret")


urlpatterns = [
    path("test-only/boom/", boom),
    path("test-only/forbidden/", forbidden),
    path("test-only/bad/", bad),
    path("", include("alert4you.urls")),
]

INTERNALS = ("SELECT", "secret", "Traceback", "RuntimeError", "SECRET_KEY", "DATABASES", "File ")


@override_settings(ROOT_URLCONF=__name__, DEBUG=False, ADMINS=[("Beheer", "beheer@example.org")])
def test_error_report_to_admins_hides_post_data_and_locals(db):
    client = Client(raise_request_exception=False)
    response = client.post(
        "/test-only/boom/",
        {"first_name": FIRST, "last_name": LAST, "date_of_birth": BORN.isoformat()},
    )
    assert response.status_code == 500
    assert len(mail.outbox) == 1
    report = mail.outbox[0]
    assert "SELECT secret" in report.body  # the report still helps find the bug
    assert "first_name" in report.body  # the names of the fields, not their values
    for content in (report.subject, report.body, *(a[0] for a in report.alternatives)):
        assert leaks(content) == [], content


def test_full_error_report_hides_local_variables_too(rf):
    """The HTML report (and the error page under DEBUG) lists every frame's locals."""
    request = rf.post("/", {"first_name": FIRST})
    try:
        child_name = f"{FIRST} {LAST}"  # noqa: F841 (a local the report must hide)
        raise RuntimeError("SELECT secret")
    except RuntimeError:
        reporter = ExceptionReporter(request, *sys.exc_info(), is_email=True)
    html, text = reporter.get_traceback_html(), reporter.get_traceback_text()
    assert "child_name" in html  # its name, for whoever fixes the bug
    assert leaks(html) == [] and leaks(text) == []
    with override_settings(DEBUG=True):  # a developer's machine shows everything
        assert FIRST in ExceptionReporter(request, *reporter_exc(reporter)).get_traceback_html()


def reporter_exc(reporter):
    return reporter.exc_type, reporter.exc_value, reporter.tb


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
@pytest.mark.parametrize(
    "url, status",
    [
        ("/test-only/boom/", 500),
        ("/no-such-page/", 404),
        ("/test-only/forbidden/", 403),
        ("/test-only/bad/", 400),
    ],
)
def test_error_pages_are_the_apps_own_and_show_no_internals(db, url, status):
    client = Client(raise_request_exception=False)
    response = client.get(url)
    assert response.status_code == status
    body = response.content.decode()
    assert 'class="navbar-brand"' in body and "Alert4you" in body  # the app's page
    assert re.search(r"<h1[^>]*>[^<]+</h1>", body)
    assert [i for i in INTERNALS if i in body] == []


def test_500_page_renders_without_any_context():
    from django.template import loader

    body = loader.get_template("500.html").render()
    assert "Alert4you" in body and "<h1" in body
