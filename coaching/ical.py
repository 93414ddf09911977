"""A coach's visits as an iCalendar feed (RFC 5545) for Outlook or Google Calendar.

The feed leaves the application through a URL without login, so it carries only
where and when: the location, its address and the groups. Never a child's name,
an agenda item or a report."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from .models import VisitStatus

PRODID = "-//Alert4you//Coach visits//NL"
UID_DOMAIN = "alert4you"


def _utc(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(datetime.UTC)


def _address(location) -> str:
    place = " ".join(part for part in (location.postcode, location.city) if part)
    return ", ".join(part for part in (location.name, location.street_address, place) if part)


def visit_event(visit, stamp: datetime.datetime) -> Event:
    """One visit as a VEVENT; its UID stays the same when the visit moves."""
    groups = ", ".join(group.name for group in visit.groups.all())
    event = Event()
    event.add("uid", f"visit-{visit.uuid}@{UID_DOMAIN}")
    event.add("dtstamp", stamp)
    event.add("dtstart", _utc(visit.starts_at))
    event.add("dtend", _utc(visit.ends_at))
    summary = _("Coach visit: %(location)s") % {"location": visit.location.name}
    event.add("summary", f"{summary} ({groups})" if groups else summary)
    event.add("location", _address(visit.location))
    event.add("status", "CANCELLED" if visit.status == VisitStatus.CANCELLED else "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def visits_calendar(visits, *, name: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-published-ttl", "PT1H")
    stamp = _utc(timezone.now()).replace(microsecond=0)
    for visit in visits:
        calendar.add_component(visit_event(visit, stamp))
    return calendar.to_ical()
