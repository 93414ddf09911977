"""The Content Security Policy is enforced on every page, and no page needs it relaxed.

The walk requests every URL pattern the project has (admin included) as the
people who use it, fills each path parameter with an object of the fixture
world, and checks every response: the policy is there and strict, and an HTML
body holds no inline script without the nonce, no event handler attribute, no
inline style and no javascript: URL — all of which the policy would block.
"""

import datetime
import re
import uuid
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from coaching.models import AgendaItem, CalendarFeed, Visit
from pilots.models import PilotPartner
from tests.conftest import add_parents, grant_consent

HEADER = "Content-Security-Policy"
STRICT = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "font-src": {"'self'"},
    "connect-src": {"'self'"},
    "object-src": {"'none'"},
    "base-uri": {"'none'"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
}
#: Path parameters the walk world has no object for: those pages are still
#: requested (with an unknown id: their 404 page is checked), but not rendered.
WITHOUT_OBJECT = {
    "assignment_uuid",
    "conversation_uuid",
    "moment_uuid",
    "plan_uuid",
    "reminder_uuid",
    "request_uuid",
    "session_uuid",
}


def parse_policy(header: str) -> dict[str, set[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = set(values)
    return directives


def assert_strict_policy(response, where: str) -> str | None:
    """Assert the enforced policy is exactly STRICT (plus a nonce); return the nonce."""
    assert HEADER in response, f"{where}: no {HEADER} header"
    assert "Content-Security-Policy-Report-Only" not in response, where
    policy = parse_policy(response[HEADER])
    nonces = {v for v in policy.get("script-src", ()) if v.startswith("'nonce-")}
    policy["script-src"] = policy.get("script-src", set()) - nonces
    assert policy == STRICT, f"{where}: {response[HEADER]}"
    assert len(nonces) <= 1, where
    return nonces.pop()[len("'nonce-") : -1] if nonces else None


class InlineCodeFinder(HTMLParser):
    """Collects what a strict policy would block in a page."""

    def __init__(self, nonce):
        super().__init__(convert_charrefs=True)
        self.nonce = nonce
        self.problems = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…> event handler")
            if name == "style":
                self.problems.append(f"<{tag} style=…> inline style")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"<{tag} {name}=javascript:…>")
        has_nonce = self.nonce is not None and attributes.get("nonce") == self.nonce
        if tag == "script" and not attributes.get("src") and not has_nonce:
            self.problems.append("<script> without src or the nonce")
        if tag == "style" and not has_nonce:
            self.problems.append("<style> without the nonce")


def inline_code(body: str, nonce: str | None) -> list[str]:
    finder = InlineCodeFinder(nonce)
    finder.feed(body)
    return finder.problems


def url_patterns(patterns=None, namespace="", parameters=()):
    """(namespaced name, parameter names, pattern) for every pattern, recursively."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        inner_parameters = (*parameters, *entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from url_patterns(entry.url_patterns, inner, inner_parameters)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else None
            yield name, inner_parameters, entry


def admin_model(pattern):
    """The model of a ModelAdmin view (wrapped by AdminSite.admin_view)."""
    view = getattr(pattern.callback, "__wrapped__", None)
    model_admin = getattr(view, "__self__", None)
    return getattr(model_admin, "model", None)


@pytest.fixture
def walk_world(cases):
    """The `cases` world plus consents, a visit with an agenda item and a feed."""
    w = cases
    add_parents(w.child_a, actor=w.manager)
    w.consent = grant_consent(w.child_a, actor=w.manager, scope="observation_by_coach")
    w.guardian = w.child_a.guardians.first()
    PilotPartner.objects.create(pilot=w.pilot, organisation=w.youth_care, role="coaching")
    starts_at = datetime.datetime(2030, 1, 7, 9, tzinfo=datetime.UTC)
    w.visit = Visit.objects.create(
        coach=w.coach,
        location=w.location,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=2),
    )
    w.visit.groups.set([w.group_a])
    w.agenda_item = AgendaItem.objects.create(
        visit=w.visit, topic="group_climate", group=w.group_a, question="How is the group?"
    )
    w.feed = CalendarFeed.objects.create(coach=w.coach)
    w.superuser = get_user_model().objects.create_superuser(
        "superuser", "superuser@example.org", "correct-horse-battery-staple"
    )
    return w


def fill(name, parameter, pattern, w):
    """A value for one path parameter, or None when the walk cannot fill it."""
    objects = {
        "case_uuid": w.case_a.uuid,
        "child_uuid": w.child_a.uuid,
        "group_uuid": w.group_a.uuid,
        "location_uuid": w.location.uuid,
        "pilot_uuid": w.pilot.uuid,
        "guardian_uuid": w.guardian.uuid,
        "consent_uuid": w.consent.uuid,
        "visit_uuid": w.visit.uuid,
        "item_uuid": w.agenda_item.uuid,
        "user_id": w.pm_a.pk,
        "tip_id": 1,
        "period_id": 1,
        "uidb64": "MQ",
        "url": "",
        "format": "csv",
        "export_format": "csv",
    }
    if parameter == "token":
        return w.feed.token if name == "coaching:feed" else "set-password"
    if parameter in WITHOUT_OBJECT:
        return uuid.uuid4()
    if parameter == "app_label":
        return "pilots"
    if parameter in ("object_id", "id"):
        model = admin_model(pattern)
        instance = model._default_manager.first() if model else None
        return instance.pk if instance else 1
    if parameter == "content_type_id":
        return 1
    return objects.get(parameter)


def walk_urls(w):
    """(name, url) for every pattern; and the names that could not be filled."""
    urls, unfilled = [], []
    for name, parameters, pattern in url_patterns():
        if name is None:
            unfilled.append(str(pattern.pattern))
            continue
        if name.endswith("_simple_history"):  # django-simple-history's positional groups
            instance = admin_model(pattern)._default_manager.first()
            args = (instance.pk, instance.history.first().history_id)
            urls.append((name, reverse(name, args=args)))
            continue
        kwargs = {p: fill(name, p, pattern, w) for p in parameters}
        if None in kwargs.values():
            unfilled.append(name)
            continue
        try:
            urls.append((name, reverse(name, kwargs=kwargs)))
        except NoReverseMatch:
            unfilled.append(name)
    return urls, unfilled


def personas(w, url):
    if url.startswith("/admin/"):
        return [w.superuser]
    if url.startswith("/coaching/"):
        return [w.manager, w.coach]
    if url.startswith(("/dashboards/", "/pilots/")):
        return [w.project_leader, w.org_admin]
    if url.startswith("/reminders/admin/"):
        return [w.org_admin]
    return [w.manager]


def test_every_page_has_a_strict_policy_and_no_inline_code(client, walk_world):
    urls, unfilled = walk_urls(walk_world)
    # Only the admin's unnamed patterns: its old-style redirect to an object's
    # change page and its catch-all (which answers a redirect or 404).
    assert set(unfilled) == {"<path:object_id>/", "(?P<url>.*)$"}, unfilled
    assert len(urls) > 100  # the walk found the project's pages, admin included
    problems, statuses = [], set()
    for name, url in urls:
        for user in personas(walk_world, url):
            client.force_login(user)
            response = client.get(url)
            where = f"{user} GET {url} ({name}) → {response.status_code}"
            statuses.add(response.status_code)
            nonce = assert_strict_policy(response, where)
            if response.get("Content-Type", "").startswith("text/html"):
                body = response.content.decode()
                problems += [f"{where}: {p}" for p in inline_code(body, nonce)]
    assert problems == [], "\n".join(problems)
    # The walk saw real pages, redirects, refusals and unknown objects.
    assert {200, 302, 404} <= statuses


def test_anonymous_pages_have_the_policy_too(client):
    for url in (reverse("login"), reverse("password_reset"), reverse("casework:case-list")):
        response = client.get(url)
        nonce = assert_strict_policy(response, url)
        assert inline_code(response.content.decode(), nonce) == []


def test_each_response_gets_its_own_nonce(rf):
    from csp.middleware import CSPMiddleware
    from django.http import HttpResponse

    def view(request):
        return HttpResponse(f'<script nonce="{request.csp_nonce}">1</script>')

    nonces = set()
    for _ in range(2):
        request = rf.get("/")
        middleware = CSPMiddleware(view)
        response = middleware(request)
        nonce = assert_strict_policy(response, "/")
        assert nonce and f'nonce="{nonce}"' in response.content.decode()
        nonces.add(nonce)
    assert len(nonces) == 2


def test_the_finder_catches_what_the_policy_blocks():
    body = (
        '<script>alert(1)</script><script nonce="abc">ok()</script>'
        '<button onclick="x()">x</button><p style="color:red">x</p><style>p{}</style>'
        '<a href="javascript:x()">x</a><script src="/static/a.js"></script>'
    )
    assert len(inline_code(body, "abc")) == 5
    assert re.search("without src", inline_code(body, None)[1])


def test_htmx_does_not_inject_its_indicator_style(client, world):
    client.force_login(world.manager)
    body = client.get(reverse("home")).content.decode()
    assert '"includeIndicatorStyles": false' in body
