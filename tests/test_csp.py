"""The Content Security Policy is enforced on every page, and no page needs it relaxed.

The walk requests every URL pattern the project has (admin included) as the
people who use it (the right role of its row in tests/test_url_matrix.py, and
the wrong organisation's twin for pages about one object), fills each path
parameter with an object of the rich world (tests/rich_world.py), and checks
every response: the policy is there and strict, and an HTML body holds no
inline script without the nonce, no event handler attribute, no inline style
and no javascript: URL — all of which the policy would block.
"""

import re
from html.parser import HTMLParser

from django.urls import reverse

from tests import rich_world as worlds
from tests.test_url_matrix import MATRIX, PREFIXES, url_of
from tests.url_walk import UNNAMED_ADMIN_PATTERNS, url_for, url_patterns

rich_world = worlds.rich_world  # a fixture: an object of every kind, for one test
TWINS = worlds.TWINS

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


def walk_urls(w):
    """(name, url) for every pattern; and the patterns that could not be filled."""
    urls, unfilled = [], []
    for name, parameters, pattern, _ in url_patterns():
        if name is None:
            unfilled.append(str(pattern.pattern))
            continue
        url = url_for(name, parameters, pattern, w)
        if url is None:
            unfilled.append(name)
            continue
        urls.append((name, url))
    return urls, unfilled


def personas(w, name, url):
    """Who opens the page: the right role of its row in the URL matrix (so it renders),
    anonymous for public pages, the wrong organisation's twin (whose 404 page is
    checked too), and the other roles that use that part of the site."""
    row = matrix_row(name)
    if row is None or row.right is None:
        return [None]
    users = [getattr(w, row.right)]
    if row.wrong == 404:
        users.append(getattr(w, TWINS[row.right]))
    if url.startswith("/coaching/"):
        users += [w.manager, w.coach]
    elif url.startswith(("/dashboards/", "/pilots/")):
        users += [w.project_leader, w.org_admin]
    elif not url.startswith("/admin/"):
        users.append(w.manager)
    return list(dict.fromkeys(users))


def matrix_row(name):
    if name in MATRIX:
        return MATRIX[name]
    for prefix, (row, _) in PREFIXES.items():
        if name.startswith(prefix):
            return row
    return None


def test_every_page_has_a_strict_policy_and_no_inline_code(client, rich_world):
    urls, unfilled = walk_urls(rich_world)
    assert set(unfilled) == UNNAMED_ADMIN_PATTERNS, unfilled
    assert len(urls) > 100  # the walk found the project's pages, admin included
    parameters_of = {name: parameters for name, parameters, _, _ in url_patterns() if name}
    problems, statuses, rendered = [], set(), set()
    for name, url in urls:
        if name in MATRIX:  # the row's own URL: its query string, its objects
            url = url_of(rich_world, name, MATRIX[name])
        for user in personas(rich_world, name, url):
            if user is None:
                client.logout()
            else:
                client.force_login(user)
            response = client.get(url)
            where = f"{user} GET {url} ({name}) → {response.status_code}"
            statuses.add(response.status_code)
            if response.status_code == 200:
                rendered |= set(parameters_of[name])
            nonce = assert_strict_policy(response, where)
            if response.get("Content-Type", "").startswith("text/html"):
                body = response.content.decode()
                problems += [f"{where}: {p}" for p in inline_code(body, nonce)]
    assert problems == [], "\n".join(problems)
    # The walk saw real pages, redirects, refusals and unknown objects.
    assert {200, 302, 404, 405} <= statuses
    # A real page was rendered for every kind of object that has a page (the
    # sessions and reminders have only POST endpoints and a redirect).
    with_a_page = {
        parameter
        for name, row in MATRIX.items()
        if row.right and row.expect == 200
        for parameter in parameters_of[name]
    }
    assert {"assignment_uuid", "conversation_uuid", "moment_uuid", "plan_uuid", "request_uuid"} <= (
        with_a_page
    )
    assert with_a_page - rendered == set()


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
