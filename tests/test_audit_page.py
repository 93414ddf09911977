"""The audit page: an organisation admin follows who looked at what in their own
organisation — never another organisation's log, never a child's name."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alert4you import audit
from alert4you.models import AuditEntry
from casework.models import AccessLogEntry, Case, Child
from pilots.models import Group, Role

from .conftest import add_membership, make_user

pytestmark = pytest.mark.django_db

URL = reverse("audit:audit-log")


@pytest.fixture
def logs(cases):
    """Entries of Speelwerk (the world's childcare) and of Elders BV, another one."""
    w = cases
    group = Group.objects.create(
        location=w.other_location, name="Elders-groep", age_band=Group.AgeBand.DAY_CARE, capacity=10
    )
    child = Child.objects.create(
        first_name="Vreemd", last_name="Anderkind", date_of_birth="2022-02-02", group=group
    )
    w.other_case = Case.objects.create(child=child, opened_by=w.outsider)
    w.other_admin = make_user("other_admin")
    add_membership(w.other_admin, w.elsewhere, Role.ORGANISATION_ADMIN)

    w.own_view = audit.case_access_record(user=w.pm_a, case=w.case_a, action="view")
    w.own_denied = audit.case_access_record(
        user=w.pm_b, case=w.case_a, action="view", outcome="denied"
    )
    w.own_audit = audit.access_denied(w.pm_a, "visit", "0000")
    w.other_view = audit.case_access_record(user=w.outsider, case=w.other_case, action="view")
    w.other_audit = audit.audit_record(
        user=w.other_admin, action=AuditEntry.Action.DASHBOARD_EXPORT, subject="Elders"
    )
    return w


def _entries(response) -> set[str]:
    return set(re.findall(r'data-entry="([0-9]+-[0-9]+)"', response.content.decode()))


def _key(entry) -> str:
    return f"{1 if isinstance(entry, AccessLogEntry) else 0}-{entry.pk}"


def test_an_admin_sees_the_log_of_their_own_organisation_only(client, logs):
    w = logs
    client.force_login(w.org_admin)
    response = client.get(URL)
    assert response.status_code == 200
    assert _entries(response) == {_key(w.own_view), _key(w.own_denied), _key(w.own_audit)}

    client.force_login(w.other_admin)
    assert _entries(client.get(URL)) >= {_key(w.other_view), _key(w.other_audit)}
    assert not _entries(client.get(URL)) & {_key(w.own_view), _key(w.own_audit)}


def test_the_page_names_no_child_but_a_case_reference_and_its_group(client, logs):
    w = logs
    client.force_login(w.org_admin)
    body = client.get(URL).content.decode()
    for name in ("Mieke", "Testkind", "Ayoub", "Proefkind", "Vreemd", "Anderkind"):
        assert name not in body
    assert str(w.case_a.uuid)[:8] in body and str(w.case_a.uuid) not in body
    assert w.group_a.name in body and w.location.name in body


def test_viewing_the_page_is_itself_audited(client, logs):
    w = logs
    client.force_login(w.org_admin)
    client.get(URL, {"outcome": "denied"}, REMOTE_ADDR="192.0.2.8")
    entry = AuditEntry.objects.get(action=AuditEntry.Action.AUDIT_LOG_VIEW)
    assert (entry.user, entry.organisation, entry.ip_address, entry.path) == (
        w.org_admin,
        w.childcare,
        "192.0.2.8",
        URL,
    )
    assert entry.detail == "outcome=denied"
    assert "Speelwerk" in entry.acting_as


@pytest.mark.parametrize(
    "persona", ["pm_a", "manager", "coordinator", "coach", "project_leader", "outsider"]
)
def test_other_roles_find_no_audit_page(client, logs, persona):
    client.force_login(getattr(logs, persona))
    assert client.get(URL).status_code == 404
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.AUDIT_LOG_VIEW).exists()


def test_anonymous_visitors_are_sent_to_log_in(client, logs):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_admins_find_the_page_in_the_navigation_and_others_do_not(client, logs):
    client.force_login(logs.org_admin)
    assert URL in client.get(reverse("home")).content.decode()
    client.force_login(logs.manager)
    assert URL not in client.get(reverse("home")).content.decode()


def test_filters_by_person_outcome_and_action(client, logs):
    w = logs
    client.force_login(w.org_admin)
    assert _entries(client.get(URL, {"person": "PM_A"})) == {_key(w.own_view), _key(w.own_audit)}
    assert _entries(client.get(URL, {"outcome": "denied"})) == {
        _key(w.own_denied),
        _key(w.own_audit),
    }
    assert _entries(client.get(URL, {"action": "access_denied"})) == {_key(w.own_audit)}
    assert _entries(client.get(URL, {"action": "view", "outcome": "allowed"})) == {_key(w.own_view)}


def test_filters_by_local_dates(client, logs):
    w = logs
    today = timezone.localdate()
    client.force_login(w.org_admin)
    assert len(_entries(client.get(URL, {"date_from": today, "date_to": today}))) == 3
    yesterday = today - datetime.timedelta(days=1)
    assert _entries(client.get(URL, {"date_to": yesterday})) == set()


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "2025-05-02", "date_to": "2025-05-01"},
        {"date_from": "morgen"},
        {"date_to": "2999-01-01"},
        {"outcome": "maybe"},
    ],
)
def test_invalid_filters_show_an_error_and_no_entries(client, logs, params):
    client.force_login(logs.org_admin)
    response = client.get(URL, params)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "invalid-feedback" in response.content.decode()
    assert _entries(response) == set()


def test_older_entries_are_reached_page_by_page_without_gaps(client, logs):
    w = logs
    for _ in range(60):
        audit.case_access_record(user=w.pm_a, case=w.case_a, action="listed")
    expected = set(
        f"1-{pk}"
        for pk in AccessLogEntry.objects.filter(case__in=[w.case_a, w.case_b]).values_list(
            "pk", flat=True
        )
    ) | {_key(w.own_audit)}
    client.force_login(w.org_admin)
    first = client.get(URL)
    assert len(_entries(first)) == 50
    cursor = first.context["next_cursor"]
    assert cursor
    second = client.get(URL, {"before": cursor})
    seen = _entries(first) | _entries(second)
    assert len(_entries(second)) == len(expected) - 50
    assert not _entries(first) & _entries(second)
    # The first page's own audit-view entry is newer than the cursor: not repeated.
    assert seen == expected
    assert not second.context["next_cursor"]


def test_a_broken_cursor_shows_the_newest_entries(client, logs):
    client.force_login(logs.org_admin)
    assert len(_entries(client.get(URL, {"before": "x.y.z"}))) == 3


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_page_costs_the_same_queries_with_1_or_30_entries(client, logs):
    w = logs
    client.force_login(w.org_admin)
    client.get(URL)  # warm the session
    few = _queries(client, URL)
    for n in range(30):
        audit.case_access_record(user=w.pm_a if n % 2 else w.pm_b, case=w.case_a, action="view")
        audit.access_denied(w.pm_b if n % 2 else w.manager, "visit", n)
    assert _queries(client, URL) == few
