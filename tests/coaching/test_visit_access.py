"""Who sees which visit, read in hand-written SQL: the same ways in as ever (the
coach, the staff of a group, the managers and care coordinators of the location),
current memberships only, and the calendar's rows as the calendar shows them."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from coaching import selectors
from coaching.models import AgendaItem
from pilots import services as pilot_services
from pilots.models import Membership, Role

from .conftest import make_visit


def visit_url(visit):
    return reverse("coaching:visit-detail", kwargs={"visit_uuid": visit.uuid})


def _end_memberships(user):
    today = timezone.localdate()
    for membership in Membership.objects.filter(user=user):
        pilot_services.membership_save(
            actor=None,
            user=user,
            organisation=membership.organisation,
            role=membership.role,
            start_date=today - datetime.timedelta(days=10),
            end_date=today - datetime.timedelta(days=1),
        )


@pytest.mark.parametrize("persona", ["pm_a", "manager", "coordinator"])
def test_an_ended_membership_no_longer_opens_the_visit(client, coached, persona):
    visit = make_visit(coached, groups=[coached.group_a])
    user = getattr(coached, persona)
    _end_memberships(user)
    client.force_login(user)
    assert client.get(visit_url(visit)).status_code == 404
    assert not selectors.visits_for_user(user).filter(pk=visit.pk).exists()


def test_an_inactive_coach_sees_no_visits(coached):
    visit = make_visit(coached)
    coached.coach.is_active = False
    coached.coach.save()
    assert not selectors.visits_for_user(coached.coach).filter(pk=visit.pk).exists()
    today = timezone.localdate()
    assert selectors.visits_between(coached.coach, today, today + datetime.timedelta(7)) == []


@pytest.mark.parametrize(
    "persona, sees", [("coach", True), ("pm_a", True), ("pm_b", False), ("coordinator", True)]
)
def test_each_way_in_is_narrowed_to_the_visit_asked_for(coached, persona, sees):
    visit = make_visit(coached, groups=[coached.group_a])
    other = make_visit(coached, groups=[coached.group_a])
    found = selectors.visits_for_user(getattr(coached, persona), uuid=visit.uuid)
    assert list(found) == ([visit] if sees else [])
    assert other not in found


@pytest.mark.parametrize("roles", [None, {Role.COACH}])
def test_visits_cannot_be_narrowed_by_an_unknown_lookup(coached, roles):
    with pytest.raises(TypeError):
        selectors.visits_for_user(coached.coach, roles=roles, status="planned")


@pytest.mark.parametrize("roles", [None, {Role.COACH}])
def test_the_calendar_rows_carry_what_the_calendar_shows(coached, roles):
    w = coached
    starts = timezone.localtime(timezone.now()).replace(hour=9, minute=30, second=0, microsecond=0)
    visit = make_visit(w, starts_at=starts, groups=[w.group_b, w.group_a])
    AgendaItem.objects.create(visit=visit, topic="group_climate", question="Noise?")
    AgendaItem.objects.create(visit=visit, topic="parents", question="Pick-up?")
    today = starts.date()
    (row,) = selectors.visits_between(w.coach, today, today, roles=roles)
    assert (row.pk, row.location_name, row.agenda_count) == (visit.pk, "KDV De Kikker", 2)
    assert row.group_names == ["Dolfijnen", "Zeepaardjes"]  # by name
    assert row.get_absolute_url() == visit.get_absolute_url()


def test_a_pm_gets_links_to_their_groups_page_and_the_coach_none(client, coached):
    w = coached
    visit = make_visit(w, groups=[w.group_a, w.group_b])
    group_page = reverse("coaching:group-detail", kwargs={"group_uuid": w.group_a.uuid})
    other_page = reverse("coaching:group-detail", kwargs={"group_uuid": w.group_b.uuid})
    client.force_login(w.pm_a)
    page = client.get(visit_url(visit)).content.decode()
    assert group_page in page and other_page not in page
    client.force_login(w.coach)
    page = client.get(visit_url(visit)).content.decode()
    assert group_page not in page and other_page not in page


@pytest.mark.parametrize(
    "persona, asks",
    [("coach", False), ("pm_a", True), ("manager", True), ("coordinator", True)],
)
def test_the_question_button_shows_for_the_groups_staff_and_the_managers(
    client, coached, persona, asks
):
    w = coached
    visit = make_visit(w, groups=[w.group_a])
    client.force_login(getattr(w, persona))
    assert ('id="add-question"' in client.get(visit_url(visit)).content.decode()) is asks


@pytest.mark.parametrize("persona, plans", [("coach", True), ("manager", True), ("pm_a", False)])
def test_the_planning_buttons_show_for_the_coach_and_the_manager(client, coached, persona, plans):
    w = coached
    visit = make_visit(w, groups=[w.group_a])
    client.force_login(getattr(w, persona))
    assert ('id="prefill-agenda"' in client.get(visit_url(visit)).content.decode()) is plans
