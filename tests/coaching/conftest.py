"""Coaching builders: the coach's organisation is a partner of the pilot, the
coach is assigned to the location, and visits are made directly (or in bulk)."""

import datetime

import pytest
from django.utils import timezone

from coaching import services
from coaching.models import AgendaItem, Visit
from pilots.models import PilotPartner
from tests.conftest import add_parents


def at(days=0, hours=0, minutes=0) -> datetime.datetime:
    """A moment relative to now, on the minute."""
    now = timezone.now().replace(second=0, microsecond=0)
    return now + datetime.timedelta(days=days, hours=hours, minutes=minutes)


def make_visit(w, *, starts_at=None, groups=None, status="planned", coach=None, length_hours=2):
    starts_at = starts_at or at(days=2)
    visit = Visit.objects.create(
        coach=coach or w.coach,
        location=w.location,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=length_hours),
        status=status,
    )
    visit.groups.set(groups if groups is not None else [w.group_a])
    return visit


def bulk_visits(w, count, *, first=None, step=datetime.timedelta(minutes=20), status="planned"):
    """Many visits of the coach to group A with one agenda item each (bulk_create)."""
    first = first or at(days=1)
    visits = Visit.objects.bulk_create(
        Visit(
            coach=w.coach,
            location=w.location,
            starts_at=first + step * n,
            ends_at=first + step * n + datetime.timedelta(minutes=15),
            status=status,
            report_notes="Bulk notes" if status == "held" else "",
        )
        for n in range(count)
    )
    Visit.groups.through.objects.bulk_create(
        Visit.groups.through(visit_id=visit.pk, group_id=w.group_a.pk) for visit in visits
    )
    AgendaItem.objects.bulk_create(
        AgendaItem(visit=visit, topic="group_climate", group=w.group_a, question="Bulk question")
        for visit in visits
    )
    return visits


@pytest.fixture
def client(client):
    """Pages in English, so tests read the source texts whatever is translated."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def coached(cases):
    """The `cases` world with Yorneo coaching the pilot and the coach assigned to
    the whole location (structural, every Tuesday); both children have parents."""
    w = cases
    PilotPartner.objects.create(pilot=w.pilot, organisation=w.youth_care, role="coaching")
    w.assignment = services.assignment_save(
        actor=w.manager,
        coach=w.coach,
        location=w.location,
        kind="structural",
        starts_on=timezone.localdate() - datetime.timedelta(days=30),
        weekday=1,
        every_weeks=1,
        start_time=datetime.time(9, 30),
        end_time=datetime.time(11, 30),
    )
    for child in (w.child_a, w.child_b):
        add_parents(child, actor=w.manager)
    return w
