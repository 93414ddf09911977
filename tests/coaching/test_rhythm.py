"""Planning visits from a coach's rhythm."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from coaching import services
from coaching.models import ClosedPeriod, Visit

MONDAY = datetime.date(2026, 11, 23)


@pytest.fixture
def assignment(world):
    return services.assignment_save(
        actor=world.manager,
        coach=world.coach,
        location=world.location,
        kind="structural",
        starts_on=datetime.date(2026, 11, 3),  # a Tuesday
        weekday=1,
        every_weeks=2,
        start_time=datetime.time(9, 30),
        end_time=datetime.time(11, 30),
    )


def test_every_second_tuesday_from_the_first_day(assignment):
    dates = services.rhythm_dates(assignment, MONDAY, MONDAY + datetime.timedelta(weeks=6))
    assert dates == [
        datetime.date(2026, 12, 1),
        datetime.date(2026, 12, 15),
        datetime.date(2026, 12, 29),
    ]


def test_generating_twice_gives_no_duplicate_visits(assignment, world):
    first = services.visits_generate(actor=world.manager, assignment=assignment, today=MONDAY)
    again = services.visits_generate(actor=world.manager, assignment=assignment, today=MONDAY)
    assert len(first) == 4 and again == []
    assert Visit.objects.count() == 4
    visit = first[0]
    assert visit.starts_at.hour == 9 and visit.starts_at.minute == 30
    assert set(visit.groups.all()) == {world.group_a, world.group_b}


def test_holidays_and_cancelled_visits_are_respected(assignment, world):
    ClosedPeriod.objects.create(
        name="Kerstvakantie",
        starts_on=datetime.date(2026, 12, 19),
        ends_on=datetime.date(2027, 1, 3),
    )
    visits = services.visits_generate(actor=world.manager, assignment=assignment, today=MONDAY)
    assert datetime.date(2026, 12, 29) not in {v.rhythm_date for v in visits}
    services.visit_cancel(actor=world.coach, visit=visits[0], reason="Coach ill")
    assert services.visits_generate(actor=world.manager, assignment=assignment, today=MONDAY) == []
    assert Visit.objects.filter(status="cancelled").count() == 1


def test_a_moved_visit_keeps_its_slot(assignment, world):
    visit = services.visits_generate(actor=world.manager, assignment=assignment, today=MONDAY)[0]
    services.visit_move(
        actor=world.coach,
        visit=visit,
        starts_at=visit.starts_at + datetime.timedelta(days=1),
        ends_at=visit.ends_at + datetime.timedelta(days=1),
        reason="Study day at the location",
    )
    assert services.visits_generate(actor=world.manager, assignment=assignment, today=MONDAY) == []


def test_moving_or_cancelling_needs_a_reason(assignment, world):
    visit = services.visits_generate(actor=world.manager, assignment=assignment, today=MONDAY)[0]
    with pytest.raises(ValidationError):
        services.visit_cancel(actor=world.coach, visit=visit, reason=" ")
    with pytest.raises(ValidationError):
        services.visit_move(
            actor=world.coach,
            visit=visit,
            starts_at=visit.starts_at,
            ends_at=visit.ends_at,
            reason="",
        )


def test_only_coaches_can_be_assigned(world):
    with pytest.raises(ValidationError):
        services.assignment_save(
            actor=world.manager,
            coach=world.pm_a,
            location=world.location,
            kind="on_request",
            starts_on=MONDAY,
        )
