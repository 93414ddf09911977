"""Every form takes random and hostile input without a server error or stored script.

For each page of the project (admin excluded: Django's own forms, superusers only)
the test signs in as a persona who may use the page, parses its POST forms and
lets hypothesis post hostile values into their fields: very long text, control
characters, right-to-left overrides, script tags, SQL fragments, impossible dates,
huge and negative numbers, choices that are not offered, repeated and missing
keys. Every answer must be below 500. Afterwards the pages that show what was
stored must not contain the script unescaped, and no row holds a NUL character.
"""

import string
import uuid
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.db import models
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.rich_world import shared_rich_world  # noqa: F401 (fixture)
from tests.url_walk import url_for, url_patterns

SCRIPT = "<script>alert(1)</script>"
IMAGE = '"><img src=x onerror=alert(1)>'
#: What must never appear unescaped in a page after the fuzz.
RAW_MARKERS = (SCRIPT, "onerror=alert(1)>")
HOSTILE = [
    SCRIPT,
    IMAGE,
    "' OR 1=1 --",
    "'; DROP TABLE casework_case; --",
    "2023-02-30",
    "0000-00-00",
    "99999-01-01",
    "2023-13-01",
    "2023-02-30T25:61",
    "9999-12-31",  # real dates at the ends of the calendar: date arithmetic overflows
    "0001-01-01",
    "9999-12-31T23:59",
    "0001-01-01T00:00",
    "24:61",
    "-1",
    "0",
    "99999999999999999999999999",
    "-99999999999999999999",
    "1e309",
    "NaN",
    "inf",
    "\x00",
    "a\x00b",
    "\x1b[31mred\x1b[0m",
    "\u202egnp.exe\u202c",
    "\U0001f600" * 20,
    "",
    "   ",
    str(uuid.UUID(int=7)),
    "../../etc/passwd",
    "{{ 7|add:7 }}",
    "%s%s%n",
]
#: Pages whose forms are for signed-out people.
ANONYMOUS = {"login", "password_reset", "password_reset_confirm"}
#: Forms on every page (navigation): fuzzed once, on the home page.
EVERYWHERE = {"logout", "set_language"}
#: Pages that show what forms store (plus the pages successful posts lead to).
SHOWCASES = (
    "home",
    "casework:case-list",
    "casework:case-detail",
    "casework:case-print",
    "casework:plan-detail",
    "coaching:visit-detail",
    "coaching:visit-list",
    "coaching:group-plan-detail",
    "coaching:request-list",
    "coaching:intervision-list",
    "parents:child-consents",
    "parents:conversation-detail",
    "pilots:evaluation-list",
    "reminders:reminder-list",
)
MISSING = object()


class FormFinder(HTMLParser):
    """The POST forms of a page: action and fields (name, kind, valid value, options)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self.form, self.select, self.textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "get").lower() == "post":
            self.form = {"action": a.get("action", ""), "fields": []}
            self.forms.append(self.form)
        if self.form is None or not a.get("name"):
            if tag == "option" and self.select is not None:
                self.select["options"].append(a.get("value", ""))
            return
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "reset", "image", "file"):
                return
            if kind in ("checkbox", "radio") and not a.get("value"):
                a["value"] = "on"
            self.form["fields"].append(
                {"name": a["name"], "kind": kind, "value": a.get("value", ""), "options": []}
            )
        elif tag == "select":
            self.select = {"name": a["name"], "kind": "select", "value": None, "options": []}
            self.form["fields"].append(self.select)
        elif tag == "textarea":
            self.textarea = {"name": a["name"], "kind": "textarea", "value": "", "options": []}
            self.form["fields"].append(self.textarea)

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea["value"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def post_forms(body: str) -> list[dict]:
    finder = FormFinder()
    finder.feed(body)
    return finder.forms


def valid_value(field):
    """A value the form would likely accept, so hostile text in one field gets stored."""
    today = timezone.localdate()
    kind, value = field["kind"], field["value"]
    if kind == "select":
        options = [o for o in field["options"] if o]
        return options[0] if options else ""
    if value:
        return value
    return {
        "date": today.isoformat(),
        "datetime-local": f"{today.isoformat()}T10:00",
        "time": "10:00",
        "number": "1",
        "email": "fuzz@example.org",
        "url": "https://example.org/",
        "password": "correct-horse-battery-staple",
    }.get(kind, "Plain words from the fuzz")


def long_text(piece: str, length: int) -> str:
    return (piece * (length // max(len(piece), 1) + 1))[:length]


hostile = st.one_of(
    st.sampled_from(HOSTILE),
    st.builds(
        long_text,
        st.sampled_from(["a", SCRIPT, "\u202e\U0001f600", string.printable]),
        st.integers(10_000, 100_000),
    ),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=40),
    st.integers(-(2**70), 2**70).map(str),
)


def field_values(field):
    """Mostly valid, else hostile, missing or repeated."""
    valid = st.just(valid_value(field))
    return st.one_of(
        valid,
        valid,
        hostile,
        st.just(MISSING),
        st.lists(hostile, min_size=2, max_size=3),
    )


def own_name(url: str) -> str | None:
    try:
        return resolve(url.split("?")[0]).view_name
    except Resolver404:
        return None


def personas(w, name, url):
    if name in ANONYMOUS:
        return [None]
    if url.startswith("/coaching/"):
        return [w.manager, w.coach, w.pm_a]
    if url.startswith(("/dashboards/", "/pilots/")):
        return [w.project_leader, w.org_admin]
    if url.startswith("/reminders/admin/"):
        return [w.org_admin]
    return [w.manager, w.pm_a, w.coach]


def sign_in(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)


def forms_to_fuzz(client, w, name, url):
    """(persona, forms) for the first persona who gets the page with POST forms."""
    for user in personas(w, name, url):
        sign_in(client, user)
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        forms = []
        for form in post_forms(response.content.decode()):
            target = form["action"] or url
            target_name = own_name(target)
            if target_name in EVERYWHERE and name != "home":
                continue
            forms.append({**form, "action": target, "target": target_name})
        if forms:
            return user, forms
    return None, []


def assert_no_raw_script(client, urls):
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, url
        body = response.content.decode(errors="replace")
        for marker in RAW_MARKERS:
            assert marker not in body, f"{url} shows {marker!r} unescaped"


def text_columns():
    for model in apps.get_models():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField)
        ]
        if fields:
            yield model, fields


def assert_no_nul_stored():
    for model, fields in text_columns():
        for row in model._default_manager.values_list(*fields):
            assert not any("\x00" in (value or "") for value in row), model


TEXT_KINDS = ("text", "textarea", "search", "email", "url", "tel")
#: Per kind of field, values tried one field at a time with valid values elsewhere:
#: script (accepted text is stored and must come back escaped), dates at the ends
#: of the calendar (date arithmetic overflows) and numbers beyond any column.
ONE_FIELD_VALUES = {
    **dict.fromkeys(TEXT_KINDS, [SCRIPT + IMAGE]),
    "date": ["9999-12-31", "0001-01-01", "2023-02-30"],
    "datetime-local": ["9999-12-31T23:59", "0001-01-01T00:00"],
    "number": ["99999999999999999999", "-1", "1e309"],
    "select": ["99999999999999999999", "-1", str(uuid.UUID(int=7))],
}


def post_into_each_field(client, user, form, landed):
    """Valid values everywhere but a hostile one in one field."""
    valid = {f["name"]: valid_value(f) for f in form["fields"]}
    for field in form["fields"]:
        for value in ONE_FIELD_VALUES.get(field["kind"], ()):
            sign_in(client, user)
            response = client.post(form["action"], {**valid, field["name"]: value})
            assert response.status_code < 500, (form["action"], field["name"], value)
            if response.status_code == 302 and response["Location"].startswith("/"):
                landed.add(response["Location"])


def fuzz_form(client, user, form, landed):
    """Post hostile values into one form; note where successful posts lead."""
    post_into_each_field(client, user, form, landed)

    @settings(
        # Forms with many rows (the staffing table) get fewer, larger examples.
        max_examples=12 if len(form["fields"]) <= 20 else 5,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.fixed_dictionaries({f["name"]: field_values(f) for f in form["fields"]}))
    def post_hostile(data):
        sign_in(client, user)
        payload = {k: v for k, v in data.items() if v is not MISSING}
        response = client.post(form["action"], payload)
        assert response.status_code < 500, (form["action"], payload)
        location = response.get("Location", "")
        if response.status_code == 302 and location.startswith("/"):
            landed.add(location)

    post_hostile()


PAGES = sorted(
    {
        name
        for name, _parameters, _pattern, route in url_patterns()
        if name and not route.startswith("admin/") and name not in EVERYWHERE
    }
)


@pytest.mark.parametrize("name", PAGES)
def test_form_survives_hostile_input(name, client, shared_rich_world, db):  # noqa: F811
    w = shared_rich_world
    pattern = next(p for p in url_patterns() if p[0] == name)
    url = url_for(name, pattern[1], pattern[2], w)
    if url is None:
        pytest.skip("no object in the world for its path")
    user, forms = forms_to_fuzz(client, w, name, url)
    if not forms:
        pytest.skip("no POST form on this page for its personas")
    landed = set()

    for form in forms:
        fuzz_form(client, user, form, landed)

    sign_in(client, user)
    shown = {url, *landed}
    if landed:  # something was accepted: look wherever it may show
        shown |= {url_for(n, p[1], p[2], w) for p in url_patterns() if (n := p[0]) in SHOWCASES}
    assert_no_raw_script(client, shown - {None})
    assert_no_nul_stored()


# --- the server errors the fuzz found, pinned ------------------------------------------------


def test_a_username_longer_than_any_account_is_refused_without_a_server_error(client, db):
    from axes.models import AccessAttempt

    response = client.post(reverse("login"), {"username": "a" * 300, "password": "x"})
    assert response.status_code == 200  # the form again, with its error
    assert not AccessAttempt.objects.exists()  # nothing for django-axes to overflow


def test_a_group_plan_dated_at_the_end_of_the_calendar_is_refused(client, shared_rich_world, db):  # noqa: F811
    w = shared_rich_world
    url = reverse("coaching:group-plan-edit", kwargs={"plan_uuid": w.group_plan.uuid})
    client.force_login(w.manager)
    form = next(f for f in post_forms(client.get(url).content.decode()) if not f["action"])
    data = {f["name"]: valid_value(f) for f in form["fields"]}
    for day in ("9999-12-31", "0001-01-01"):
        response = client.post(url, {**data, "period_end": day, "evaluation_date": day})
        assert response.status_code == 200  # the form again, with its error
        w.group_plan.refresh_from_db()
        assert str(w.group_plan.evaluation_date) != day
