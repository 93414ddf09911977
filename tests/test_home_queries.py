"""The home page reads in a fixed number of queries, however many children,
cases, concerns and expiring consents a staff member has, and only the parts
of the roles the user has."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casework.models import AccessLogEntry, Case, Child
from coaching import selectors as coaching_selectors
from coaching import services as coaching_services
from coaching.models import AgendaItem, GroupPlan, Visit
from parents.models import Consent
from pilots.models import Group, MembershipGroup
from tests.conftest import log_concern

pytestmark = pytest.mark.django_db

#: User, second-step device, roles (the session comes from the cache); groups
#: (with their group plans), children (with their open cases, and the mentees),
#: expiring consents (with their total), concerns, next visits (with their groups);
#: the access-log insert for the cases the page names.
PM_HOME_QUERIES = 9


def home_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    return [query["sql"] for query in queries.captured_queries]


def _visit(w, groups, days: int = 2) -> Visit:
    starts_at = timezone.now() + datetime.timedelta(days=days)
    visit = Visit.objects.create(
        coach=w.coach,
        location=w.location,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=2),
        status="planned",
    )
    visit.groups.set(groups)
    return visit


def _more_children(w, count: int, *, group, mentor=None) -> list[Child]:
    today = timezone.localdate()
    children = Child.objects.bulk_create(
        Child(
            first_name=f"Kind{Child.objects.count() + n}",
            last_name="Bulk",
            date_of_birth=datetime.date(2022, 1, 1),
            group=group,
            mentor=mentor or w.pm_a,
        )
        for n in range(count)
    )
    Consent.objects.bulk_create(
        Consent(
            child=child,
            scope="observation_by_coach",
            decision="granted",
            decided_on=today - datetime.timedelta(days=300),
            valid_until=today + datetime.timedelta(days=n % 30),
            method="paper",
            recorded_by=w.pm_a,
        )
        for n, child in enumerate(children)
    )
    return children


def test_pm_home_queries_do_not_grow_with_children_cases_and_consents(client, cases):
    w = cases
    _visit(w, [w.group_a])
    client.force_login(w.pm_a)
    client.get(reverse("home"))
    assert len(home_queries(client)) == PM_HOME_QUERIES
    # More children (with expiring consents: more than the page lists), cases
    # and concerns, and a second group.
    group_c = Group.objects.create(
        location=w.location, name="Walvissen", age_band=Group.AgeBand.DAY_CARE, capacity=12
    )
    MembershipGroup.objects.create(membership=w.pm_a.memberships.get(), group=group_c)
    for child in _more_children(w, 12, group=w.group_a)[:3]:
        log_concern(w.pm_a, child)
    _more_children(w, 12, group=group_c)
    _visit(w, [group_c], days=3)
    sql = home_queries(client)
    assert len(sql) == PM_HOME_QUERIES
    response = client.get(reverse("home"))
    assert len(response.context["expiring_consents"]) == 5
    assert response.context["expiring_consents_count"] == 24
    body = response.content.decode()
    assert "Walvissen" in body
    assert "Zeepaardjes" not in body


def test_pm_home_reads_nothing_of_the_roles_they_do_not_have(client, cases):
    client.force_login(cases.pm_a)
    sql = "\n".join(home_queries(client))
    for table in ('"pilots_membershiplocation"', '"pilots_pilot"', '"casework_plan"'):
        assert table not in sql, table


def test_pm_home_links_each_child(client, cases):
    w = cases
    client.force_login(w.pm_a)
    body = client.get(reverse("home")).content.decode()
    concern = reverse("casework:concern-create", kwargs={"child_uuid": w.child_a.uuid})
    assert f'href="{concern}"' in body
    assert f'href="{w.case_a.get_absolute_url()}"' in body
    # Not the other group's child.
    other = reverse("casework:concern-create", kwargs={"child_uuid": w.child_b.uuid})
    assert other not in body


def test_pm_home_lists_the_next_visits_with_the_size_of_their_agenda(client, cases):
    w = cases
    busy = _visit(w, [w.group_a], days=2)
    for n in range(2):
        AgendaItem.objects.create(
            visit=busy, topic="group_climate", question=f"Vraag {n}", position=n
        )
    _visit(w, [w.group_a, w.group_b], days=4)
    _visit(w, [w.group_b], days=1)  # not of the PM's groups
    client.force_login(w.pm_a)
    visits = client.get(reverse("home")).context["next_visits"]
    # The second visit covers no group the first one does not: not shown.
    assert [(v.pk, v.agenda_count) for v in visits] == [(busy.pk, 2)]
    all_visits = coaching_selectors.next_visits_for_groups([w.group_a])
    assert [v.agenda_count for v in all_visits] == [2, 0]


def test_pm_home_lists_expiring_consents_of_their_mentees_in_their_organisation(client, cases):
    w = cases
    (mentee,) = _more_children(w, 1, group=w.group_b)
    elsewhere = Group.objects.create(
        location=w.other_location, name="Elders", age_band=Group.AgeBand.DAY_CARE, capacity=8
    )
    (outside,) = _more_children(w, 1, group=elsewhere)
    (not_mine,) = _more_children(w, 1, group=w.group_b, mentor=w.pm_b)
    client.force_login(w.pm_a)
    response = client.get(reverse("home"))
    listed = {consent.child_id for consent in response.context["expiring_consents"]}
    assert listed == {mentee.pk}
    # A mentee outside the PM's groups has no row under "My groups".
    body = response.content.decode()
    assert reverse("casework:concern-create", kwargs={"child_uuid": mentee.uuid}) not in body
    assert outside.pk not in listed and not_mine.pk not in listed


def _child_rows(client) -> dict[str, dict]:
    groups = client.get(reverse("home")).context["staff_groups"]
    return {row["first_name"]: row for group in groups for row in group.home_children}


def test_pm_home_links_only_the_open_cases_they_may_see(client, cases):
    w = cases
    (child,) = _more_children(w, 1, group=w.group_a)
    # A case nobody was granted (not through the access policy): not linked.
    Case.objects.create(child=child, opened_by=w.pm_b)
    client.force_login(w.pm_a)
    rows = _child_rows(client)
    assert rows[w.child_a.first_name]["case_url"] == w.case_a.get_absolute_url()
    assert rows[child.first_name]["case_url"] == ""
    # Nor a closed one.
    Case.objects.filter(pk=w.case_a.pk).update(status="closed")
    assert _child_rows(client)[w.child_a.first_name]["case_url"] == ""


def test_pm_home_shows_each_childs_mentor(client, cases):
    w = cases
    child = Child.objects.create(
        first_name="Noor",
        last_name="Zondermentor",
        date_of_birth=datetime.date(2022, 1, 1),
        group=w.group_a,
    )
    client.force_login(w.pm_a)
    rows = {name: row["mentor_name"] for name, row in _child_rows(client).items()}
    assert rows == {w.child_a.first_name: w.pm_a.get_full_name(), child.first_name: "geen"}


def test_pm_home_links_the_latest_approved_group_plan_and_the_one_in_progress(client, cases):
    from tests.coaching.test_group_plan_services import approved_plan

    w = cases
    approved_plan(w)
    second = approved_plan(w)
    draft = coaching_services.group_plan_start(actor=w.pm_a, group=w.group_a)
    client.force_login(w.pm_a)
    response = client.get(reverse("home"))
    (group,) = response.context["staff_groups"]
    assert (group.current_group_plan.pk, group.current_group_plan.version) == (second.pk, 2)
    assert (group.group_plan_in_progress.pk, group.group_plan_in_progress.status) == (
        draft.pk,
        "draft",
    )
    assert group.location_name == w.group_a.location.name
    links = response.content.decode().split(f'data-group-plan-links="{w.group_a.uuid}"')[1]
    links = links.split("</span>\n")[0]
    assert second.get_absolute_url() in links and draft.get_absolute_url() in links
    assert GroupPlan.objects.get(group=w.group_a, version=1).get_absolute_url() not in links


def test_pm_home_logs_the_cases_it_names_and_only_those_they_may_see(client, cases):
    w = cases
    (child,) = _more_children(w, 1, group=w.group_a)  # an expiring consent, no case
    hidden = Case.objects.create(child=child, opened_by=w.pm_b)  # never granted
    client.force_login(w.pm_a)
    assert client.get(reverse("home")).status_code == 200
    logged = AccessLogEntry.objects.filter(user=w.pm_a)
    assert set(logged.values_list("case_id", "action", "path")) == {
        (w.case_a.pk, AccessLogEntry.Action.LISTED, "/")
    }
    assert not AccessLogEntry.objects.filter(case__in=[hidden, w.case_b]).exists()


def test_a_home_page_that_names_no_case_logs_nothing(client, world):
    client.force_login(world.coach)
    assert client.get(reverse("home")).status_code == 200
    assert not AccessLogEntry.objects.filter(user=world.coach).exists()
