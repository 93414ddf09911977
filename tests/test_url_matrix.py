"""Every URL of the project, checked anonymous, as the wrong organisation and as the right role.

MATRIX has one row per URL pattern name. The coverage test fails when a pattern
has no row (or a row has no pattern any more), so a new page cannot ship
without saying who may open it. Each row is checked three ways, each its own
test id:

* anonymous — sent to the login page (with `next`), unless the row is public;
* wrong organisation — a user with the *same role* in another organisation (the
  persona's twin, see tests/rich_world.py): 404 for a page about an object, 200
  for a list or form that is not about one object; in both cases nothing of the
  world's organisation (names, UUIDs) is in the answer;
* right role — the persona of the row gets the page (200, or the redirect the row
  says). POST-only endpoints are asked with GET by the right role (405) and with
  POST by the anonymous and the wrong-organisation user.

Every object a URL addresses belongs to the world's organisation (Speelwerk, its
location KDV De Kikker, group Dolfijnen, child Mieke Testkind; the coach works
for Yorneo).
"""

import dataclasses
import datetime
import functools
from collections.abc import Callable
from urllib.parse import quote

import pytest
from django.urls import reverse

from tests import rich_world as worlds
from tests.url_walk import UNNAMED_ADMIN_PATTERNS, path_values, url_for, url_patterns

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("url_matrix")]
shared_rich_world = worlds.shared_rich_world  # a fixture: one world for the module
TWINS = worlds.TWINS

LOGIN = "login"  # anonymous → the login page, with `next`


@dataclasses.dataclass(frozen=True)
class Row:
    right: str | None  # the persona who gets the page; None: public
    expect: int = 200  # what the right persona gets (GET)
    wrong: int | None = 404  # the twin's status; None: no twin (see `why`)
    anon: int | str = LOGIN  # LOGIN, or the status a public page answers
    method: str = "GET"  # "POST": a POST-only endpoint
    shows: bool = False  # the right persona's page names objects of the world
    query: str = ""  # appended to the URL (e.g. a required ?scope=)
    probe: str = ""  # the twin's query string, naming our objects: "?group={group_uuid}"
    kwargs: Callable | None = None  # w → path parameters, instead of tests.url_walk.fill
    why: str = ""  # why a row is public, has no twin or expects a redirect


def page(right, **options) -> Row:
    """A page about one object of the world's organisation: the twin gets 404."""
    return Row(right, **options)


def listing(right, *, shows=True, **options) -> Row:
    """A list, overview or form about no single object: the twin gets it, without our data."""
    return Row(right, **{"wrong": 200, "shows": shows, **options})


def own(right="pm_a", **options) -> Row:
    """A page about the signed-in user only (profile, password, sessions)."""
    return Row(right, **{"wrong": 200, **options})


def post(right, **options) -> Row:
    """A POST-only endpoint: GET answers 405; the twin's POST 404; anonymous → login."""
    return Row(right, expect=405, method="POST", **options)


def public(status=200, *, why, method="GET") -> Row:
    """Reachable without signing in; `why` says why that is safe."""
    assert why
    return Row(None, wrong=None, anon=status, method=method, why=why)


SCOPE = "?scope=observation_by_coach"
VERIFIED = "force_login gives a verified session: nothing to set up or verify, back to start"

MATRIX: dict[str, Row] = {
    # --- public ------------------------------------------------------------------------------
    "healthz": public(why="the load balancer's health check; answers 'ok', no data"),
    "login": public(why="signing in"),
    "logout": public(405, why="POST only; ends one's own session"),
    "password_reset": public(why="asks for a reset e-mail; same answer for any address"),
    "password_reset_done": public(why="static text"),
    "password_reset_confirm": public(why="the e-mailed one-time token is the credential"),
    "password_reset_complete": public(why="static text"),
    "set_language": public(302, why="sets the language cookie, redirects to a local page"),
    "coaching:feed": public(why="calendar apps fetch it without a session: the token is the key"),
    # --- the signed-in user's own pages ---------------------------------------------------------
    "home": listing("manager"),
    "password_change": own(),
    "password_change_done": own(),
    "sessions:session-list": own(),
    "sessions:session-end": post("manager", why="the world's session belongs to the manager"),
    "reminders:profile": own(),
    "reminders:reminder-list": listing("manager"),
    "reminders:reminder-read-all": post("manager", wrong=None, why="marks one's own reminders"),
    "reminders:reminder-open": page("manager", expect=302, why="goes to what it is about"),
    "reminders:reminder-read": post("manager"),
    "reminders:reminder-admin": listing("org_admin"),
    "two-factor:enrol": own(expect=302, wrong=302, why=VERIFIED),
    "two-factor:verify": own(expect=302, wrong=302, why=VERIFIED),
    "people:people-list": listing("org_admin"),
    "people:two-factor-reset": post("org_admin"),
    "audit:audit-log": listing("org_admin"),
    "reminders:reminder-resend": post("org_admin"),
    # --- pilots and dashboards ------------------------------------------------------------------
    "pilots:import": listing("org_admin", shows=False),
    "pilots:questionnaire": listing("pm_a", shows=False, probe="?pilot={pilot_uuid}"),
    "pilots:evaluation-list": page("project_leader"),
    "pilots:evaluation-create": page("project_leader"),
    "pilots:evaluation-edit": page("project_leader"),
    "pilots:evaluation-delete": post("project_leader"),
    "dashboards:index": listing("project_leader"),
    "dashboards:pilot": page("project_leader"),
    "dashboards:pilot-export": page("project_leader"),
    "dashboards:location": page("manager"),
    "dashboards:location-export": page("manager"),
    "dashboards:national": listing(
        "programme_staff", wrong=None, why="all pilots by design, aggregates only"
    ),
    "dashboards:national-export": listing(
        "programme_staff", wrong=None, why="all pilots by design, aggregates only"
    ),
    # --- cases ----------------------------------------------------------------------------------
    "casework:case-list": listing("pm_a", probe="?group={group_uuid}&q=Mieke"),
    "casework:review-queue": listing("manager", shows=False),
    "casework:open-cases-per-group": listing("manager"),
    "casework:concern-create": page("pm_a"),
    "casework:case-detail": page("pm_a"),
    "casework:case-history": page("pm_a"),
    "casework:case-print": page("pm_a"),
    "casework:case-export": page("pm_a"),
    "casework:case-access-log": page("manager"),
    "casework:case-subject-access": page("manager"),
    "casework:case-subject-access-json": page("manager"),
    "casework:case-status": post("pm_a"),
    "casework:observation-create": page("pm_a"),
    "casework:placement-create": page("pm_a"),
    "casework:referral-create": page("pm_a"),
    "casework:case-team": page("pm_a"),
    "casework:team-remove": post("pm_a"),
    "casework:plan-detail": page("pm_a"),
    "casework:plan-start": post("pm_a"),
    "casework:plan-compare": page("pm_a"),
    "casework:plan-version": page("pm_a"),
    "casework:plan-edit": page("pm_a"),
    "casework:plan-submit": page("pm_a"),
    "casework:plan-approve": page("manager"),
    "casework:plan-return": page("manager"),
    "casework:plan-parents": page("pm_a"),
    # --- parents --------------------------------------------------------------------------------
    "parents:child-consents": page("pm_a"),
    "parents:consent-record": page("pm_a"),
    "parents:consent-legal-ground": page("pm_a"),
    "parents:consent-paper-form": page("pm_a", query=SCOPE),
    "parents:guardian-create": page("pm_a"),
    "parents:guardian-edit": page("pm_a"),
    "parents:consent-withdraw": page("pm_a"),
    "parents:consents-expiring": listing("manager", shows=False),
    "parents:conversation-create": page("pm_a"),
    "parents:conversation-detail": page("pm_a"),
    "parents:conversation-edit": page("pm_a"),
    "parents:conversation-prepare": page("pm_a"),
    "parents:conversation-outcome": page("pm_a"),
    "parents:conversation-feedback": page(
        "coach", expect=302, why="feedback follows a held conversation; this one is planned"
    ),
    "parents:conversation-cancel": page("pm_a"),
    # --- coaching -------------------------------------------------------------------------------
    "coaching:calendar": listing("coach"),
    "coaching:feed-manage": listing("coach", shows=False),
    "coaching:visit-list": listing("coach", probe="?past=1"),
    "coaching:visit-detail": page("coach"),
    "coaching:visit-move": page("manager"),
    "coaching:visit-cancel": page("manager"),
    "coaching:agenda-prefill": post("coach"),
    "coaching:agenda-question": page("pm_a"),
    "coaching:agenda-item-move": post("pm_a"),
    "coaching:visit-report": page("coach", kwargs=lambda w: {"visit_uuid": w.past_visit.uuid}),
    "coaching:group-detail": page("pm_a"),
    "coaching:group-plans": page("pm_a"),
    "coaching:group-plan-start": post("pm_a"),
    "coaching:group-plan-detail": page("pm_a"),
    "coaching:group-plan-edit": page("pm_a"),
    "coaching:group-plan-children": page("pm_a"),
    "coaching:group-plan-tips": page("pm_a"),
    "coaching:group-plan-pull-tips": post("pm_a"),
    "coaching:group-plan-tip-check": page("pm_a"),
    "coaching:group-plan-staffing": page("pm_a"),
    "coaching:group-plan-submit": page("pm_a"),
    "coaching:group-plan-approve": page("manager"),
    "coaching:group-plan-return": page("manager"),
    "coaching:group-plan-evaluate": page("pm_a"),
    "coaching:assignment-list": listing("manager"),
    "coaching:assignment-create": page("manager"),
    "coaching:assignment-edit": page("manager"),
    "coaching:visits-generate": post("manager"),
    "coaching:closed-periods": page("manager"),
    "coaching:closed-period-delete": post("manager"),
    "coaching:request-list": listing("pm_a"),
    "coaching:request-create": listing("pm_a"),
    "coaching:request-detail": page("pm_a"),
    "coaching:intervision-list": listing("coach", shows=False),
    "coaching:intervision-create": listing("coach", shows=False),
}

#: Groups of patterns covered by one row each, by name prefix: (row, a URL name to check).
PREFIXES: dict[str, tuple[Row, str]] = {
    # Django's admin: superusers only. Every admin page is walked by tests/test_csp.py;
    # here the changelist of memberships (who works where) stands for all of them.
    "admin:": (
        Row("superuser", wrong=403, anon="admin-login", why="staff without permissions: 403"),
        "admin:pilots_membership_changelist",
    ),
}


def covering_row(name: str) -> str | None:
    """The MATRIX or PREFIXES key that covers a pattern name."""
    if name in MATRIX:
        return name
    return next((prefix for prefix in PREFIXES if name.startswith(prefix)), None)


def suggested_row(name, parameters, route) -> str:
    """The MATRIX entry a new pattern probably needs (the failure message quotes it)."""
    about_object = any(p.endswith(("_uuid", "_id")) for p in parameters)
    entry = 'page("pm_a")' if about_object else 'listing("pm_a")'
    return f'    "{name}": {entry},  # /{route}'


# --- the world's secrets --------------------------------------------------------------------------


def secrets(w) -> set[str]:
    """What must never reach a user of another organisation: names and UUIDs of the world."""
    objects = [
        w.pilot,
        w.case_a,
        w.case_b,
        w.child_a,
        w.child_b,
        w.location,
        w.group_a,
        w.group_b,
        w.visit,
        w.past_visit,
        w.plan,
        w.group_plan,
        w.conversation,
        w.coaching_request,
        w.assignment,
        w.reminder,
        w.consent,
        w.guardian,
        w.user_session,
    ]
    children = {"Testkind", "Proefkind", "Mieke", "Ayoub"}
    staff = {w.pm_a.first_name, w.pm_b.first_name, w.manager.first_name, w.coach.first_name}
    names = children | staff | {w.pilot.name, *worlds.RENAMED.values()}
    return names | {str(o.uuid) for o in objects}


# --- the checks -----------------------------------------------------------------------------------


@functools.cache
def named_patterns() -> dict:
    return {n: (parameters, pattern) for n, parameters, pattern, _ in url_patterns() if n}


def url_of(w, name: str, row: Row) -> str:
    parameters, pattern = named_patterns()[name]
    if row.kwargs:
        url = reverse(name, kwargs=row.kwargs(w))
    else:
        url = url_for(name, parameters, pattern, w)
    return url + row.query


def login_redirect(url: str, login_url: str) -> str:
    return f"{login_url}?next={quote(url, safe='/')}"


def ask(client, url, method):
    return client.post(url) if method == "POST" else client.get(url)


def check(client, w, name: str, row: Row, who: str):
    url = url_of(w, name, row)
    where = f"{name} {url} as {who}"
    if who == "anonymous":
        response = ask(client, url, row.method)
        if row.anon == LOGIN:
            assert response.status_code == 302, where
            assert response.url == login_redirect(url, reverse("login")), where
        elif row.anon == "admin-login":
            assert response.status_code == 302, where
            assert response.url == login_redirect(url, reverse("admin:login")), where
        else:
            assert response.status_code == row.anon, where
        return
    if who == "wrong_org":
        twin = getattr(w, TWINS[row.right])
        client.force_login(twin)
        if row.probe:  # a filter naming our objects must not reach them either
            url = url_of(w, name, dataclasses.replace(row, query=""))
            url += row.probe.format(**path_values(w))
            where = f"{name} {url} as {who}"
        response = ask(client, url, row.method)
        assert response.status_code == row.wrong, f"{where} ({twin}): {response.status_code}"
        body = response.content.decode(errors="replace")
        # what the twin typed in the query string may be echoed (in the filter form)
        echoed = {s for s in secrets(w) if s in url.partition("?")[2]}
        leaked = sorted(s for s in secrets(w) - echoed if s in body)
        assert leaked == [], f"{where} ({twin}) shows another organisation's data: {leaked}"
        return
    client.force_login(getattr(w, row.right))
    response = client.get(url)  # POST-only endpoints: GET must be refused with 405
    assert response.status_code == row.expect, f"{where} ({row.right}): {response.status_code}"
    if row.shows:
        body = response.content.decode(errors="replace")
        assert any(s in body for s in secrets(w)), f"{where}: the page shows none of the world"


def cases_to_check():
    for name, row in {**MATRIX, **{key: row for key, (row, _) in PREFIXES.items()}}.items():
        yield pytest.param(name, "anonymous", id=f"{name}-anonymous")
        if row.right is None:
            continue
        if row.wrong is not None:
            yield pytest.param(name, "wrong_org", id=f"{name}-wrong_org")
        yield pytest.param(name, "right_role", id=f"{name}-right_role")


@pytest.mark.parametrize(("name", "who"), cases_to_check())
def test_url_answers_as_the_matrix_says(client, shared_rich_world, name, who):
    if name in PREFIXES:
        row, name = PREFIXES[name]
    else:
        row = MATRIX[name]
    check(client, shared_rich_world, name, row, who)


def test_every_url_pattern_has_a_row_in_the_matrix():
    missing, names = [], set()
    for name, parameters, _, route in url_patterns():
        if name is None:
            assert route.startswith("admin/"), route
            assert route.endswith(tuple(UNNAMED_ADMIN_PATTERNS)), route
            continue
        names.add(name)
        if covering_row(name) is None:
            missing.append(suggested_row(name, parameters, route))
    stale = sorted(set(MATRIX) - names)
    message = ""
    if missing:
        message += (
            "URL patterns without a row: add to MATRIX in tests/test_url_matrix.py (page() for "
            "one object: the twin gets 404; listing() for a list or form: the twin gets it "
            "without our data; own() for the user's own pages; post() for POST-only "
            "endpoints; public(why=...) for pages without login; set the right persona)\n"
            + "\n".join(sorted(set(missing)))
            + "\n"
        )
    if stale:
        message += f"MATRIX rows whose URL pattern no longer exists: {stale}\n"
    assert not message, message


def test_public_rows_say_why():
    for name, row in MATRIX.items():
        if row.right is None or row.wrong is None or row.expect not in (200, 405):
            assert row.why, f"{name}: say why"


def test_an_unknown_feed_token_finds_nothing(client, shared_rich_world):
    url = reverse("coaching:feed", kwargs={"token": "not-the-token"})
    assert client.get(url).status_code == 404


def test_a_coach_holds_intervision_only_with_coaches_of_related_organisations(shared_rich_world):
    """Found by the matrix: the intervision form offered every coach in the country."""
    from django.core.exceptions import ValidationError

    from coaching import selectors, services

    w = shared_rich_world
    assert w.coach in selectors.coaches_for_intervision(w.coach)  # own organisation
    assert w.coach not in selectors.coaches_for_intervision(w.twin_coach)
    with pytest.raises(ValidationError):
        services.intervision_record(
            actor=w.twin_coach, held_on=datetime.date(2020, 1, 6), topic="x", coaches=[w.coach]
        )
