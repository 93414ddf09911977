"""The coach's week and month, the visit lists, and the private calendar feed."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from coaching import services
from coaching.models import AgendaItem, CalendarFeed, VisitTip

from .conftest import at, bulk_visits, make_visit

TZ = timezone.get_current_timezone()


def local(day, hour=9, minute=30):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=TZ)


def calendar_url(view="week", date=None):
    url = f"{reverse('coaching:calendar')}?view={view}"
    return f"{url}&date={date.isoformat()}" if date else url


def test_the_week_shows_the_coachs_visits_of_that_week(client, coached):
    w = coached
    monday = datetime.date(2026, 11, 23)
    inside = make_visit(w, starts_at=local(monday + datetime.timedelta(days=1)))
    AgendaItem.objects.create(visit=inside, topic="group_climate", question="Noise?")
    outside = make_visit(w, starts_at=local(monday + datetime.timedelta(days=7)))
    client.force_login(w.coach)
    page = client.get(calendar_url(date=monday + datetime.timedelta(days=3))).content.decode()
    assert inside.get_absolute_url() in page
    assert outside.get_absolute_url() not in page
    assert "09:30–11:30 · KDV De Kikker" in page
    assert "Dolfijnen" in page and "1 agenda item" in page
    assert "date=2026-11-16" in page and "date=2026-11-30" in page  # previous and next week


def test_the_month_shows_every_visit_of_the_month(client, coached):
    w = coached
    first = make_visit(w, starts_at=local(datetime.date(2026, 12, 1)))
    last = make_visit(w, starts_at=local(datetime.date(2026, 12, 31), 14))
    january = make_visit(w, starts_at=local(datetime.date(2027, 1, 3)))
    client.force_login(w.coach)
    page = client.get(calendar_url("month", datetime.date(2026, 12, 17))).content.decode()
    assert first.get_absolute_url() in page and last.get_absolute_url() in page
    # The grid's last row runs into January; that day's visit shows too.
    assert january.get_absolute_url() in page
    assert "date=2026-11-01" in page and "date=2027-01-01" in page


def test_a_bad_date_shows_this_week(client, coached):
    client.force_login(coached.coach)
    assert client.get(calendar_url(date=None) + "&date=2026-13-45").status_code == 200


def test_the_calendar_shows_only_visits_the_user_takes_part_in(client, coached):
    w = coached
    today = timezone.localdate()
    visit_a = make_visit(w, starts_at=local(today, 10), groups=[w.group_a])
    visit_b = make_visit(w, starts_at=local(today, 12), groups=[w.group_b])
    client.force_login(w.pm_a)
    page = client.get(calendar_url(date=timezone.localdate())).content.decode()
    assert visit_a.get_absolute_url() in page and visit_b.get_absolute_url() not in page
    client.force_login(w.project_leader)
    page = client.get(calendar_url(date=timezone.localdate())).content.decode()
    assert visit_a.get_absolute_url() not in page


def test_the_visit_list_shows_coming_and_past_visits(client, coached):
    w = coached
    coming = make_visit(w, starts_at=at(days=5))
    past = make_visit(w, starts_at=at(days=-5), status="held")
    client.force_login(w.manager)
    page = client.get(reverse("coaching:visit-list")).content.decode()
    assert coming.get_absolute_url() in page and past.get_absolute_url() not in page
    page = client.get(reverse("coaching:visit-list") + "?past=1").content.decode()
    assert past.get_absolute_url() in page


@pytest.mark.parametrize("persona", ["pm_a", "manager", "coach"])
def test_the_visit_list_pages_through_every_visit_without_counting(client, coached, persona):
    w = coached
    visits = bulk_visits(w, 30)
    client.force_login(getattr(w, persona))
    url = reverse("coaching:visit-list")
    with CaptureQueriesContext(connection) as queries:
        first = client.get(url).context["page"]
    assert not any("COUNT(*)" in q["sql"] for q in queries.captured_queries)
    second = client.get(url, {"page": 2}).context["page"]
    assert (len(first), first.has_next, len(second), second.has_next) == (25, True, 5, False)
    assert [v.pk for v in first] + [v.pk for v in second] == [v.pk for v in visits]
    assert 'href="?page=2"' in client.get(url).content.decode()


# --- query counts -----------------------------------------------------------------------------


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(queries)


@pytest.mark.parametrize(
    "persona, view", [("coach", "week"), ("coach", "month"), ("pm_a", "week"), ("manager", "month")]
)
def test_the_calendar_uses_the_same_queries_with_5_and_500_visits(client, coached, persona, view):
    w = coached
    monday = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday())
    # 500 visits all inside the week shown, every 20 minutes.
    first = local(monday, 0, 0)
    bulk_visits(w, 5, first=first)
    client.force_login(getattr(w, persona))
    url = calendar_url(view, monday)
    small = _count(client, url)
    bulk_visits(w, 495, first=first + datetime.timedelta(minutes=100))
    assert _count(client, url) == small


@pytest.mark.parametrize("persona", ["pm_a", "manager", "coach"])
def test_the_visit_list_uses_the_same_queries_with_5_and_500_visits(client, coached, persona):
    w = coached
    bulk_visits(w, 5)
    client.force_login(getattr(w, persona))
    small = _count(client, reverse("coaching:visit-list"))
    bulk_visits(w, 495)
    assert _count(client, reverse("coaching:visit-list")) == small


@pytest.mark.parametrize("persona", ["pm_a", "manager"])
def test_the_group_page_uses_the_same_queries_with_5_and_500_visits(client, coached, persona):
    w = coached
    url = reverse("coaching:group-detail", kwargs={"group_uuid": w.group_a.uuid})

    def add(count, first):
        held = bulk_visits(w, count, first=first, status="held")
        VisitTip.objects.bulk_create(
            VisitTip(visit=visit, text="Tip", created_by=w.coach) for visit in held
        )
        AgendaItem.objects.bulk_create(
            AgendaItem(visit=v, topic="one_child", case=w.case_a, group=w.group_a, question="Q")
            for v in held
        )
        bulk_visits(w, count, first=at(days=1))

    add(5, at(days=-30))
    client.force_login(getattr(w, persona))
    small = _count(client, url)
    add(495, at(days=-200))
    assert _count(client, url) == small


@pytest.mark.parametrize("persona", ["coach", "pm_a"])
def test_home_uses_the_same_queries_with_5_and_500_visits(client, coached, persona):
    w = coached
    bulk_visits(w, 5, first=at(hours=1))
    services.coaching_request_create(
        actor=w.pm_a, group=w.group_a, topic="group_climate", question="Help with lunch"
    )
    client.force_login(getattr(w, persona))
    small = _count(client, "/")
    bulk_visits(w, 495, first=at(hours=3))
    for n in range(20):
        services.coaching_request_create(
            actor=w.pm_a, group=w.group_a, topic="group_climate", question=f"Help {n}"
        )
    assert _count(client, "/") == small


# --- the calendar feed ------------------------------------------------------------------------


def _feed_url(feed):
    return reverse("coaching:feed", kwargs={"token": feed.token})


def test_the_coach_makes_a_calendar_link(client, coached):
    client.force_login(coached.coach)
    response = client.post(reverse("coaching:feed-manage"), {"action": "create"})
    assert response.status_code == 302
    feed = CalendarFeed.objects.get(coach=coached.coach)
    page = client.get(reverse("coaching:feed-manage")).content.decode()
    assert f"http://testserver{_feed_url(feed)}" in page


@pytest.mark.parametrize("persona", ["pm_a", "manager", "outsider"])
def test_only_coaches_have_a_calendar_link(client, coached, persona):
    client.force_login(getattr(coached, persona))
    assert client.get(reverse("coaching:feed-manage")).status_code == 404
    assert client.post(reverse("coaching:feed-manage"), {"action": "create"}).status_code == 404
    assert not CalendarFeed.objects.exists()


def test_the_feed_is_valid_icalendar_without_any_child_data(client, coached):
    w = coached
    planned = make_visit(w, starts_at=local(timezone.localdate() + datetime.timedelta(days=2)))
    cancelled = make_visit(w, starts_at=at(days=3), status="cancelled")
    held = make_visit(w, starts_at=at(days=-3), status="held", groups=[w.group_a, w.group_b])
    services.agenda_item_add(
        actor=w.pm_a, visit=planned, topic="one_child", case=w.case_a, question="Secret question"
    )
    held.agenda_items.create(
        topic="one_child", case=w.case_b, group=w.group_b, question="Q", report_notes="Notes"
    )
    feed = services.calendar_feed_create(actor=w.coach)

    response = client.get(_feed_url(feed))  # no login
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    for secret in ("Mieke", "Testkind", "Ayoub", "Secret question", "Notes"):
        assert secret not in body
    calendar = Calendar.from_ical(response.content)
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {f"visit-{v.uuid}@alert4you" for v in (planned, cancelled, held)}
    event = events[f"visit-{planned.uuid}@alert4you"]
    assert event.decoded("DTSTART") == planned.starts_at
    assert event.decoded("DTSTART").utcoffset() == datetime.timedelta(0)
    assert event.decoded("DTEND") == planned.ends_at
    assert "KDV De Kikker" in str(event["SUMMARY"]) and "Dolfijnen" in str(event["SUMMARY"])
    assert "KDV De Kikker" in str(event["LOCATION"])
    assert str(events[f"visit-{cancelled.uuid}@alert4you"]["STATUS"]) == "CANCELLED"
    assert str(event["STATUS"]) == "CONFIRMED"

    # The UID stays when the visit moves, so calendars update instead of duplicating.
    later = planned.starts_at + datetime.timedelta(hours=3)
    services.visit_move(
        actor=w.coach,
        visit=planned,
        starts_at=planned.starts_at + datetime.timedelta(hours=3),
        ends_at=planned.ends_at + datetime.timedelta(hours=3),
        reason="Later",
    )
    moved = Calendar.from_ical(client.get(_feed_url(feed)).content)
    moved_event = next(
        e for e in moved.walk("VEVENT") if str(e["UID"]) == f"visit-{planned.uuid}@alert4you"
    )
    assert moved_event.decoded("DTSTART") == later


def test_a_revoked_or_unknown_token_answers_404(client, coached):
    w = coached
    feed = services.calendar_feed_create(actor=w.coach)
    assert client.get(_feed_url(feed)).status_code == 200
    client.force_login(w.coach)
    client.post(reverse("coaching:feed-manage"), {"action": "revoke"})
    client.logout()
    assert client.get(_feed_url(feed)).status_code == 404
    assert client.get("/coaching/calendar/feed/not-a-token.ics").status_code == 404


def test_a_new_link_replaces_the_old_one(client, coached):
    old = services.calendar_feed_create(actor=coached.coach)
    new = services.calendar_feed_create(actor=coached.coach)
    assert client.get(_feed_url(old)).status_code == 404
    assert client.get(_feed_url(new)).status_code == 200


def test_the_feed_of_a_deactivated_coach_stops(client, coached):
    feed = services.calendar_feed_create(actor=coached.coach)
    coached.coach.is_active = False
    coached.coach.save()
    assert client.get(_feed_url(feed)).status_code == 404
