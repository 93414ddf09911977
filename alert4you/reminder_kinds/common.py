"""What every kind of reminder shares: the `Due` value, who works where, who
may see which case or child, and how a mail names days and people."""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from alert4you.links import uuid_reverse
from casework.models import (
    Case,
    CaseGroupObjectPermission,
    CaseStatus,
    CaseTeamMember,
    CaseUserObjectPermission,
    Child,
    Plan,
)
from coaching.models import Visit, VisitStatus
from pilots.models import (
    Membership,
    MembershipGroup,
    MembershipLocation,
    Role,
)

#: Reminders go out from this hour (local time) of their day.
SEND_HOUR = 7
#: "Submit your questions" this many days before a visit.
QUESTIONS_DAYS_BEFORE = 3
#: "Report overdue" this many days after a visit without a report.
REPORT_DAYS_AFTER = 2
#: Plan evaluations: a week before and on the day.
EVALUATION_DAYS_BEFORE = (7, 0)
#: A consent "expires soon" within this many days (a month).
CONSENT_NOTICE_DAYS = 31


@dataclass(frozen=True)
class Due:
    """A reminder that should exist. `case_id`/`child_id` name the child it is
    about, so only recipients who may see that child get a row."""

    kind: str
    model: type
    object_id: int
    recipient_id: int
    for_date: datetime.date
    event_on: datetime.date | None = None
    case_id: int | None = None
    child_id: int | None = None

    @property
    def due_at(self) -> datetime.datetime:
        return start_of(self.for_date) + datetime.timedelta(hours=SEND_HOUR)


# --- small helpers ------------------------------------------------------------------------------


def start_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=timezone.get_default_timezone())


def _visits_on(day: datetime.date):
    return Visit.objects.filter(
        status=VisitStatus.PLANNED,
        starts_at__gte=start_of(day),
        starts_at__lt=start_of(day + datetime.timedelta(days=1)),
    )


def staff_of_groups(group_ids: Iterable[int], on: datetime.date) -> dict[int, set[int]]:
    """Per group id, the active users whose current pedagogical-staff membership covers it."""
    result: dict[int, set[int]] = defaultdict(set)
    rows = MembershipGroup.objects.filter(
        group_id__in=set(group_ids),
        membership__in=Membership.objects.current(on).filter(role=Role.PEDAGOGICAL_STAFF),
        membership__user__is_active=True,
    ).values_list("group_id", "membership__user_id")
    for group_id, user_id in rows:
        result[group_id].add(user_id)
    return result


def managers_of_locations(location_ids, on: datetime.date) -> dict[int, set[int]]:
    result: dict[int, set[int]] = defaultdict(set)
    rows = MembershipLocation.objects.filter(
        membership__in=Membership.objects.current(on).filter(role=Role.LOCATION_MANAGER),
        membership__user__is_active=True,
    )
    if location_ids is not None:
        rows = rows.filter(location_id__in=set(location_ids))
    for location_id, user_id in rows.values_list("location_id", "membership__user_id"):
        result[location_id].add(user_id)
    return result


def _latest_plans():
    """Plan versions that are their case's newest, of cases not closed."""
    newer = Plan.objects.filter(case=OuterRef("case"), version__gt=OuterRef("version"))
    return Plan.objects.exclude(case__status=CaseStatus.CLOSED).exclude(Exists(newer))


def _plan_recipients(case_ids) -> dict[int, set[int]]:
    """The case team of each case, and the child's mentor, who leads it."""
    case_ids = set(case_ids)
    result: dict[int, set[int]] = defaultdict(set)
    for case_id, user_id in CaseTeamMember.objects.filter(
        case_id__in=case_ids, user__is_active=True
    ).values_list("case_id", "user_id"):
        result[case_id].add(user_id)
    for case_id, mentor_id in Case.objects.filter(
        pk__in=case_ids, child__mentor__is_active=True
    ).values_list("pk", "child__mentor_id"):
        result[case_id].add(mentor_id)
    return result


def _conversation_recipients(conversation) -> set[int]:
    people = {u.pk for u in conversation.staff_participants.all() if u.is_active}
    if conversation.planned_by.is_active:
        people.add(conversation.planned_by_id)
    return people


def child_label(child: Child) -> str:
    """The most a reminder says about who a child is: first name and initial."""
    initial = child.last_name[:1]
    return f"{child.first_name} {initial}." if initial else child.first_name


def person(user) -> str:
    return user.get_full_name() or user.get_username()


def day_text(day: datetime.date) -> str:
    """A day in the active language, e.g. "dinsdag 1 december 2026"."""
    return _day_text(day, translation.get_language())


@functools.lru_cache(maxsize=4096)
def _day_text(day: datetime.date, language: str) -> str:
    return date_format(day, "l j F Y")  # in `language`, the active one


def local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def safe_reverse(name: str, **kwargs) -> str:
    """The page of the object, or the reminders list while that page does not exist yet."""
    try:
        return uuid_reverse(name, **kwargs)
    except NoReverseMatch:
        return reverse("reminders:reminder-list")


def visible_case_pairs(pairs: Iterable[tuple[int, int]]) -> set[tuple[int, int]]:
    """Of the (user id, case id) pairs, those where the user may see the case.

    The set-based form of `casework.selectors.cases_for_user`: the same grant
    tables (the user's own grants and their groups'), active users only, in one
    query for any number of pairs.
    """
    pairs = set(pairs)
    if not pairs:
        return set()
    users, cases = {u for u, _ in pairs}, {c for _, c in pairs}
    own = CaseUserObjectPermission.objects.filter(
        user_id__in=users,
        user__is_active=True,
        content_object_id__in=cases,
        permission__codename="view_case",
    ).values_list("user_id", "content_object_id")
    via_groups = CaseGroupObjectPermission.objects.filter(
        group__user__in=users,
        group__user__is_active=True,
        content_object_id__in=cases,
        permission__codename="view_case",
    ).values_list("group__user", "content_object_id")
    return pairs & set(own.union(via_groups))


def visible_child_pairs(
    pairs: Iterable[tuple[int, int]], on: datetime.date | None = None
) -> set[tuple[int, int]]:
    """Of the (user id, child id) pairs, those where the user cares for the child.

    The set-based form of `casework.selectors.children_for_concerns` for active
    users: the children of their groups, of the locations they manage or
    coordinate, and their mentees within their organisations. Four queries for
    any number of pairs.
    """
    pairs = set(pairs)
    if not pairs:
        return set()
    users, child_ids = {u for u, _ in pairs}, {c for _, c in pairs}
    memberships = Membership.objects.current(on).filter(user_id__in=users, user__is_active=True)
    staff_groups = set(
        MembershipGroup.objects.filter(
            membership__in=memberships.filter(role=Role.PEDAGOGICAL_STAFF)
        ).values_list("membership__user_id", "group_id")
    )
    care_locations = set(
        MembershipLocation.objects.filter(
            membership__in=memberships.filter(
                role__in=[Role.LOCATION_MANAGER, Role.CARE_COORDINATOR]
            )
        ).values_list("membership__user_id", "location_id")
    )
    organisations = set(memberships.values_list("user_id", "organisation_id"))
    children = {
        pk: rest
        for pk, *rest in Child.objects.filter(pk__in=child_ids).values_list(
            "pk", "group_id", "group__location_id", "group__location__organisation_id", "mentor_id"
        )
    }
    visible = set()
    for user_id, child_id in pairs:
        if child_id not in children:
            continue
        group_id, location_id, organisation_id, mentor_id = children[child_id]
        if (
            (user_id, group_id) in staff_groups
            or (user_id, location_id) in care_locations
            or (mentor_id == user_id and (user_id, organisation_id) in organisations)
        ):
            visible.add((user_id, child_id))
    return visible


def may_see_case(user, case_id: int) -> bool:
    return (user.pk, case_id) in visible_case_pairs([(user.pk, case_id)])


def may_see_child(user, child_id: int) -> bool:
    """Consents are kept by the staff who care for the child (as the register asks)."""
    return (user.pk, child_id) in visible_child_pairs([(user.pk, child_id)])


def _today() -> datetime.date:
    return timezone.localdate()
