"""Reads about visits, starting from what the user may see.

Items and requests about one child carry `child_visible`: whether this user may
see the child's case. Who may not sees "a child in the group" and never the
child's name, a link to the case or what was written about the child."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from alert4you import sql as sql_parts
from casework.models import PlanStatus
from casework.selectors import cases_for_user
from pilots.models import Group, Location, Membership, PilotPartner, Role

from .models import (
    AgendaItem,
    CalendarFeed,
    CoachAssignment,
    CoachingRequest,
    Intervision,
    Visit,
    VisitStatus,
)

#: Agenda items whose question is copied from the child's case (a plan action's
#: text): who may not see the case sees a neutral sentence instead.
CASE_TEXT_SOURCES = {AgendaItem.Source.PLAN_ACTION}
#: How far back the calendar feed reaches.
FEED_PAST_DAYS = 90


# --- who works where ----------------------------------------------------------------------

#: A current membership `m` of the user (the rule of `Membership.objects.current()`).
_CURRENT_MEMBERSHIP = (
    'm."user_id" = %s AND m."start_date" <= %s AND (m."end_date" IS NULL OR m."end_date" >= %s)'
)


def staff_groups(user) -> QuerySet[Group]:
    return Group.objects.filter(
        membershipgroup__membership__in=Membership.objects.current().filter(
            user=user, role=Role.PEDAGOGICAL_STAFF
        )
    )


#: Who may open a group's coaching page: its staff, and the managers and care
#: coordinators of its location (`staff_groups`, `managed_locations`).
GROUP_PAGE_ROLES = frozenset({Role.PEDAGOGICAL_STAFF, Role.LOCATION_MANAGER, Role.CARE_COORDINATOR})


def managed_locations(user) -> QuerySet[Location]:
    """Locations the user manages or coordinates care for (they see its visits)."""
    return Location.objects.filter(
        membershiplocation__membership__in=Membership.objects.current().filter(
            user=user, role__in=[Role.LOCATION_MANAGER, Role.CARE_COORDINATOR]
        )
    )


def locations_managed_by(user) -> QuerySet[Location]:
    """Locations whose coaching (assignments, closing days) the user manages."""
    return Location.objects.filter(
        membershiplocation__membership__in=Membership.objects.current().filter(
            user=user, role=Role.LOCATION_MANAGER
        )
    )


def is_coach(user) -> bool:
    return Membership.objects.current().filter(user=user, role=Role.COACH).exists()


def current_assignments(on: datetime.date | None = None) -> QuerySet[CoachAssignment]:
    """Assignments running on `on` (the same rule the access policy applies)."""
    on = on or timezone.localdate()
    return CoachAssignment.objects.filter(starts_on__lte=on).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=on)
    )


#: The ids of the groups a coach coaches on a day: the groups of their running
#: assignments, and every group of the location of an assignment without groups
#: (the rule of `current_assignments`). Hand-written: the ORM took longer to build
#: and compile this than the database took to answer it.
_COACHED_GROUP_IDS = """
  SELECT ag."group_id" FROM "coaching_coachassignment" a
    JOIN "coaching_coachassignment_groups" ag ON ag."coachassignment_id" = a."id"
   WHERE a."coach_id" = %s AND a."starts_on" <= %s AND (a."ends_on" IS NULL OR a."ends_on" >= %s)
  UNION
  SELECT g."id" FROM "coaching_coachassignment" a
    JOIN "pilots_group" g ON g."location_id" = a."location_id"
   WHERE a."coach_id" = %s AND a."starts_on" <= %s AND (a."ends_on" IS NULL OR a."ends_on" >= %s)
     AND NOT EXISTS (SELECT 1 FROM "coaching_coachassignment_groups" x
                      WHERE x."coachassignment_id" = a."id")
"""


def coached_group_ids(user, on: datetime.date | None = None) -> RawSQL:
    """The ids of the groups the user coaches on `on` (default today), as a subquery
    for `__in`; an assignment without groups covers every group of its location."""
    on = on or timezone.localdate()
    return RawSQL(_COACHED_GROUP_IDS, [user.pk, on, on, user.pk, on, on])


def coached_groups(user, on: datetime.date | None = None) -> QuerySet[Group]:
    """The groups the user coaches now; an assignment without groups covers every
    group of its location."""
    return Group.objects.filter(pk__in=coached_group_ids(user, on))


def coach_candidates(location: Location):
    """Who can be assigned to coach `location`: users with a current coach role in an
    organisation that is a partner of the location's pilot (any coach when the
    location is not part of a pilot)."""
    coaches = Membership.objects.current().filter(role=Role.COACH)
    if location.pilot_id:
        coaches = coaches.filter(
            organisation__in=PilotPartner.objects.filter(pilot_id=location.pilot_id).values(
                "organisation"
            )
        )
    return (
        get_user_model()
        .objects.filter(is_active=True, pk__in=coaches.values("user"))
        .order_by("first_name", "last_name", "username")
    )


#: Which of some groups (ids) the user works in as staff (`staff_groups`) or whose
#: location they manage or coordinate care for (`managed_locations`).
_GROUPS_WITH_PAGE = f"""
  SELECT mg."group_id" FROM "pilots_membershipgroup" mg
    JOIN "pilots_membership" m ON m."id" = mg."membership_id"
   WHERE {_CURRENT_MEMBERSHIP} AND m."role" = %s AND mg."group_id" IN ({{ids}})
  UNION
  SELECT g."id" FROM "pilots_group" g
    JOIN "pilots_membershiplocation" ml ON ml."location_id" = g."location_id"
    JOIN "pilots_membership" m ON m."id" = ml."membership_id"
   WHERE {_CURRENT_MEMBERSHIP} AND m."role" IN (%s, %s) AND g."id" IN ({{ids}})
"""


def groups_with_page(user, groups, *, roles=None) -> set[int]:
    """Which of `groups` have a coaching page this user may open: one query, none
    when `roles` (the user's current roles, if known) open no group's page."""
    ids = [group.pk for group in groups]
    if not ids or (roles is not None and not set(roles) & GROUP_PAGE_ROLES):
        return set()
    today = timezone.localdate()
    member = [user.pk, today, today]
    with connection.cursor() as cursor:
        cursor.execute(
            _GROUPS_WITH_PAGE.format(ids=", ".join(["%s"] * len(ids))),
            [*member, Role.PEDAGOGICAL_STAFF.value, *ids, *member]
            + [role.value for role in (Role.LOCATION_MANAGER, Role.CARE_COORDINATOR)]
            + ids,
        )
        return {row[0] for row in cursor.fetchall()}


def assignments_for_manager(user) -> list[Location]:
    """The locations the user manages, each with its `assignments` and `closed`
    periods (three queries)."""
    locations = list(locations_managed_by(user).select_related("pilot").order_by("name"))
    assignments = (
        CoachAssignment.objects.filter(location__in=locations)
        .select_related("coach")
        .prefetch_related(Prefetch("groups", queryset=Group.objects.order_by("name")))
        .order_by("-starts_on")
    )
    by_location: dict[int, list] = {}
    for assignment in assignments:
        by_location.setdefault(assignment.location_id, []).append(assignment)
    for location in locations:
        location.assignments = by_location.get(location.id, [])
    return locations


# --- visits -------------------------------------------------------------------------------


#: Who sees a location's visits (besides its coach and the staff of its groups).
VISIT_MANAGER_ROLES = (Role.LOCATION_MANAGER, Role.CARE_COORDINATOR)


#: What a caller may narrow every way in to the visits by (`_visible_visit_ids`).
_VISIT_NARROWING = {
    "starts_at__gte": 'v."starts_at" >= %s',
    "starts_at__lt": 'v."starts_at" < %s',
    "ends_at__gte": 'v."ends_at" >= %s',
    "ends_at__lt": 'v."ends_at" < %s',
    "uuid": 'v."uuid" = %s',
}


def _check_narrowing(narrowing) -> None:
    unknown = set(narrowing) - set(_VISIT_NARROWING)
    if unknown:
        raise TypeError(f"Visits cannot be narrowed by {', '.join(sorted(unknown))}.")


def _visible_visit_ids(user, roles=None, **narrowing) -> tuple[str, list]:
    """SQL and parameters of the ids of the visits the user takes part in: as their
    coach, as staff of one of their groups, or as manager or care coordinator of
    their location. `narrowing` (lookups of `_VISIT_NARROWING`) narrows each way in,
    so each can use its own index: one query joining them by OR would read every
    visit of the period. `roles`: the user's current roles when known; a way in that
    needs a role the user lacks is left out. Hand-written: the ORM took longer to
    build and compile this union than the database took to answer it."""
    _check_narrowing(narrowing)
    narrowed = "".join(f" AND {_VISIT_NARROWING[lookup]}" for lookup in narrowing)
    # In the database's own form (SQLite, `make run`: UUIDs and times as text).
    values = [
        sql_parts.db_value(Visit, lookup.split("__")[0], value)
        for lookup, value in narrowing.items()
    ]
    today = timezone.localdate()
    ways_in = [
        f'SELECT v."id" FROM "coaching_visit" v WHERE v."coach_id" = %s{narrowed}',
    ]
    params = [user.pk, *values]
    if roles is None or Role.PEDAGOGICAL_STAFF in roles:
        ways_in.append(
            'SELECT v."id" FROM "coaching_visit" v'
            ' JOIN "coaching_visit_groups" vg ON vg."visit_id" = v."id"'
            ' JOIN "pilots_membershipgroup" mg ON mg."group_id" = vg."group_id"'
            ' JOIN "pilots_membership" m ON m."id" = mg."membership_id"'
            f' WHERE {_CURRENT_MEMBERSHIP} AND m."role" = %s{narrowed}'
        )
        params += [user.pk, today, today, Role.PEDAGOGICAL_STAFF.value, *values]
    if roles is None or set(VISIT_MANAGER_ROLES) & set(roles):
        ways_in.append(
            'SELECT v."id" FROM "coaching_visit" v'
            ' JOIN "pilots_membershiplocation" ml ON ml."location_id" = v."location_id"'
            ' JOIN "pilots_membership" m ON m."id" = ml."membership_id"'
            f' WHERE {_CURRENT_MEMBERSHIP} AND m."role" IN (%s, %s){narrowed}'
        )
        params += [user.pk, today, today, *(role.value for role in VISIT_MANAGER_ROLES), *values]
    return " UNION ".join(ways_in), params


def visits_for_user(user, *, roles=None, **narrowing) -> QuerySet[Visit]:
    """Visits the user takes part in: as the coach, as staff of one of its groups,
    or as manager or care coordinator of its location. `narrowing`: field lookups
    every visit must match (a period, or one visit's uuid; see `_VISIT_NARROWING`);
    `roles`: the user's current roles, if the caller has them (fewer ways in to
    look at)."""
    _check_narrowing(narrowing)
    if not user.is_authenticated or not user.is_active:
        return Visit.objects.none()
    if roles is not None and not set(roles) & {Role.PEDAGOGICAL_STAFF, *VISIT_MANAGER_ROLES}:
        return Visit.objects.filter(coach=user, **narrowing)  # the only way in
    return Visit.objects.filter(pk__in=RawSQL(*_visible_visit_ids(user, roles, **narrowing)))


def _day_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def _with_rows(visits: QuerySet[Visit]) -> QuerySet[Visit]:
    """What a list of visits shows: location, coach, groups and the agenda's size."""
    return (
        visits.select_related("location", "coach")
        .prefetch_related(Prefetch("groups", queryset=Group.objects.order_by("name")))
        .annotate(agenda_count=Count("agenda_items"))
        .order_by("starts_at", "pk")
    )


#: A visit of the calendar with what it shows (`visits_between`).
_CALENDAR_VISITS = """
SELECT v."id", v."uuid", v."starts_at", v."ends_at", v."status", l."name" AS "location_name",
       {group_names} AS "group_names",
       (SELECT count(*) FROM "coaching_agendaitem" a WHERE a."visit_id" = v."id") AS "agenda_count"
  FROM "coaching_visit" v JOIN "pilots_location" l ON l."id" = v."location_id"
 WHERE {visible}
 ORDER BY v."starts_at", v."id"
"""


def _visit_arrays() -> dict:
    """The lists the calendar and the home page read per visit (`alert4you.sql.array_of`)."""
    return {
        "group_names": sql_parts.array_of(
            'SELECT g."name" FROM "coaching_visit_groups" vg'
            ' JOIN "pilots_group" g ON g."id" = vg."group_id"'
            ' WHERE vg."visit_id" = v."id" ORDER BY g."name"',
            "name",
        ),
        "group_ids": sql_parts.array_of(
            'SELECT vg."group_id" FROM "coaching_visit_groups" vg WHERE vg."visit_id" = v."id"',
            "group_id",
        ),
    }


def _read_visit_arrays(visits) -> list:
    for visit in visits:
        for name in ("group_names", "group_ids"):
            if hasattr(visit, name):
                setattr(visit, name, sql_parts.as_list(getattr(visit, name)))
    return visits


def visits_between(user, first: datetime.date, last: datetime.date, *, roles=None) -> list[Visit]:
    """The user's visits from the first to the last day (inclusive), in one query.
    Each visit has only what the calendar shows: its uuid, times and status, and
    `location_name`, `group_names` (by name) and `agenda_count`."""
    if not user.is_authenticated or not user.is_active:
        return []
    period = [_day_start(first), _day_start(last + datetime.timedelta(days=1))]
    raw_period = [sql_parts.db_value(Visit, "starts_at", moment) for moment in period]
    if roles is not None and not set(roles) & {Role.PEDAGOGICAL_STAFF, *VISIT_MANAGER_ROLES}:
        # The only way in, as the coach: no subquery to plan.
        visible = 'v."coach_id" = %s AND v."starts_at" >= %s AND v."starts_at" < %s'
        params = [user.pk, *raw_period]
    else:
        ids, params = _visible_visit_ids(
            user, roles, starts_at__gte=period[0], starts_at__lt=period[1]
        )
        visible = f'v."id" IN ({ids})'
    query = _CALENDAR_VISITS.format(visible=visible, **_visit_arrays())
    return _read_visit_arrays(list(Visit.objects.raw(query, params)))


def visit_list(user, *, upcoming: bool, roles=None) -> QuerySet[Visit]:
    now = timezone.now()
    if upcoming:
        return _with_rows(visits_for_user(user, roles=roles, ends_at__gte=now))
    past = visits_for_user(user, roles=roles, ends_at__lt=now)
    return _with_rows(past).order_by("-starts_at", "-pk")


def _mark_child_visibility(objects, user) -> None:
    """Set `child_visible` on each object with a case (one query at most)."""
    case_ids = {obj.case_id for obj in objects if obj.case_id}
    visible = set()
    if case_ids:
        visible = set(cases_for_user(user).filter(pk__in=case_ids).values_list("pk", flat=True))
    for obj in objects:
        obj.child_visible = bool(obj.case_id) and obj.case_id in visible


def _anonymise_items(items, user) -> None:
    """`child_visible`, `shown_question` and `notes_visible` for each agenda item.
    The coach of the visit always reads the notes they wrote themselves."""
    _mark_child_visibility(items, user)
    for item in items:
        anonymous = bool(item.case_id) and not item.child_visible
        item.shown_question = item.question
        if anonymous and item.source in CASE_TEXT_SOURCES:
            item.shown_question = _("A plan action for a child in the group is due.")
        item.notes_visible = not anonymous or item.visit.coach_id == user.pk


def agenda_for_user(visit: Visit, user) -> list[AgendaItem]:
    """The agenda as this user may see it: an item about a child whose case the
    user may not see stays anonymous ("a child in the group")."""
    items = list(visit.agenda_items.select_related("case__child", "group", "submitted_by"))
    for item in items:
        item.visit = visit
    _anonymise_items(items, user)
    return items


def group_visits(user, group: Group, *, page=1, per_page: int = 10):
    """The group's coming visits and a page of its held visits, each held visit with
    its tips, follow-ups and the agenda items about this group (or the whole
    visit), anonymised for `user`. A fixed number of queries."""
    from django.core.paginator import Paginator

    now = timezone.now()
    upcoming = list(
        _with_rows(
            Visit.objects.filter(groups=group, status=VisitStatus.PLANNED, ends_at__gte=now)
        )[:5]
    )
    held = (
        Visit.objects.filter(groups=group, status=VisitStatus.HELD)
        .select_related("location", "coach")
        .prefetch_related(
            Prefetch("groups", queryset=Group.objects.order_by("name")), "tips", "follow_ups"
        )
        .order_by("-starts_at", "-pk")
    )
    held_page = Paginator(held, per_page).get_page(page)
    visits = {visit.pk: visit for visit in held_page.object_list}
    items = list(
        AgendaItem.objects.filter(visit__in=visits.keys())
        .filter(Q(group=group) | Q(group__isnull=True))
        .select_related("case__child", "group", "submitted_by")
    )
    for visit in visits.values():
        visit.shown_items = []
    for item in items:
        item.visit = visits[item.visit_id]
        item.visit.shown_items.append(item)
    _anonymise_items(items, user)
    return upcoming, held_page


#: The coming planned visits of some groups, with what the home page shows of
#: them (`next_visits_for_groups`): as `_CALENDAR_VISITS`, and the ids of each
#: visit's groups.
_NEXT_VISITS = """
SELECT v."id", v."uuid", v."starts_at", v."ends_at", v."status", l."name" AS "location_name",
       {group_names} AS "group_names",
       {group_ids} AS "group_ids",
       (SELECT count(*) FROM "coaching_agendaitem" a WHERE a."visit_id" = v."id") AS "agenda_count"
  FROM "coaching_visit" v JOIN "pilots_location" l ON l."id" = v."location_id"
 WHERE v."status" = %s AND v."ends_at" >= %s
   AND EXISTS (SELECT 1 FROM "coaching_visit_groups" vg
                WHERE vg."visit_id" = v."id" AND vg."group_id" IN ({groups}))
 ORDER BY v."starts_at", v."id"
 LIMIT %s
"""


def next_visits_for_groups(groups, limit: int = 10) -> list[Visit]:
    """The coming planned visits of these groups (a visit under way still counts),
    in one query. Each visit has only what a list of them shows: its uuid, times
    and status, and `location_name`, `group_names` (by name), `group_ids` and
    `agenda_count`."""
    ids = [getattr(group, "pk", group) for group in groups]
    if not ids:
        return []
    # Written out: through the ORM, building the query and the prefetch of the
    # groups (a second query) cost more than reading the rows.
    query = _NEXT_VISITS.format(groups=", ".join(["%s"] * len(ids)), **_visit_arrays())
    now = sql_parts.db_value(Visit, "ends_at", timezone.now())
    params = [VisitStatus.PLANNED.value, now, *ids, limit]
    return _read_visit_arrays(list(Visit.objects.raw(query, params)))


def week_bounds(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    monday = day - datetime.timedelta(days=day.weekday())
    return monday, monday + datetime.timedelta(days=6)


def home_for_user(user, *, roles, staff_groups) -> dict:
    """The coaching parts of the home page, in a fixed number of queries per role.
    `staff_groups`: `staff_groups_for_home(user)` (they come with their plans)."""
    context: dict = {}
    if Role.COACH in roles:
        context["coach_assignments"] = list(
            current_assignments()
            .filter(coach=user)
            .select_related("location__organisation")
            .prefetch_related(Prefetch("groups", queryset=Group.objects.order_by("name")))
        )
        monday, sunday = week_bounds(timezone.localdate())
        context["coach_week"] = list(
            _with_rows(
                Visit.objects.filter(
                    coach=user,
                    starts_at__gte=_day_start(monday),
                    starts_at__lt=_day_start(sunday + datetime.timedelta(days=1)),
                )
            )
        )
        open_requests = requests_to_decide(user)
        context["open_requests"] = list(open_requests[:5])
        context["open_requests_count"] = open_requests.count()
        _mark_child_visibility(context["open_requests"], user)
    if staff_groups:
        next_visits = next_visits_for_groups(staff_groups)
        group_ids = {group.id for group in staff_groups}
        shown, covered = [], set()
        for visit in next_visits:
            mine = set(visit.group_ids) & group_ids
            if mine - covered:
                shown.append(visit)
                covered |= mine
        context["next_visits"] = shown
    if Role.LOCATION_MANAGER in roles:
        from .group_plan_selectors import group_plan_review_queue, overdue_group_plan_evaluations

        context["overdue_group_plans"] = overdue_group_plan_evaluations(user)
        context["group_plans_waiting"] = group_plan_review_queue(user).count()
    return context


#: The groups a staff member works in (as `pilots.selectors.groups_for_staff`), with
#: what the home page shows of them: their location, and each one's current plan
#: (`group_plan_selectors.current_group_plans`: the approved version with no newer
#: approved one) and its plan in progress (at most one of each per group).
_HOME_STAFF_GROUPS = f"""
SELECT g."id", g."uuid", g."location_id", g."name", g."age_band", g."kind",
       l."name" AS "location_name", l."pilot_id" AS "location_pilot_id",
       cur."id" AS "current_plan_id", cur."uuid" AS "current_plan_uuid",
       cur."version" AS "current_plan_version",
       wip."id" AS "wip_plan_id", wip."uuid" AS "wip_plan_uuid",
       wip."version" AS "wip_plan_version", wip."status" AS "wip_plan_status"
  FROM "pilots_group" g
  JOIN "pilots_location" l ON l."id" = g."location_id"
  LEFT JOIN "coaching_groupplan" cur
    ON cur."group_id" = g."id" AND cur."status" = %s
   AND NOT EXISTS (SELECT 1 FROM "coaching_groupplan" newer
                    WHERE newer."group_id" = g."id" AND newer."status" = %s
                      AND newer."version" > cur."version")
  LEFT JOIN "coaching_groupplan" wip
    ON wip."group_id" = g."id" AND wip."status" IN ({{in_progress}})
 WHERE g."id" IN (SELECT mg."group_id" FROM "pilots_membershipgroup" mg
                    JOIN "pilots_membership" m ON m."id" = mg."membership_id"
                   WHERE {_CURRENT_MEMBERSHIP} AND m."role" = %s)
 ORDER BY l."name", g."name", g."id"
"""


def staff_groups_for_home(user) -> list[Group]:
    """The groups a pedagogical staff member works in, by location and name, in one
    query. Each has only what the home page shows: its uuid, name, age band and
    kind, `location_name`, `location_pilot_id`, and `current_group_plan` (latest
    approved version) and `group_plan_in_progress`, both None when missing (each
    plan with its uuid, version and status only)."""
    from .models import GroupPlan
    from .models.group_plans import IN_PROGRESS

    if not user.is_authenticated or not user.is_active:
        return []
    today = timezone.localdate()
    approved = PlanStatus.APPROVED.value
    sql = _HOME_STAFF_GROUPS.format(in_progress=", ".join(["%s"] * len(IN_PROGRESS)))
    params = [approved, approved, *IN_PROGRESS, user.pk, today, today]
    params.append(Role.PEDAGOGICAL_STAFF.value)
    # Written out: built through the ORM, the groups cost more to compile than to
    # read, and their plans took a query of their own.
    groups = list(Group.objects.raw(sql, params))
    fields = ["id", "uuid", "group_id", "version", "status"]
    for group in groups:
        group.current_group_plan = group.group_plan_in_progress = None
        if group.current_plan_id is not None:
            plan_uuid = sql_parts.py_value(GroupPlan, "uuid", group.current_plan_uuid)
            values = [group.current_plan_id, plan_uuid, group.id]
            values += [group.current_plan_version, approved]
            group.current_group_plan = GroupPlan.from_db(None, fields, values)
        if group.wip_plan_id is not None:
            plan_uuid = sql_parts.py_value(GroupPlan, "uuid", group.wip_plan_uuid)
            values = [group.wip_plan_id, plan_uuid, group.id]
            values += [group.wip_plan_version, group.wip_plan_status]
            group.group_plan_in_progress = GroupPlan.from_db(None, fields, values)
    return groups


# --- requests and intervision -----------------------------------------------------------------


def requests_for_user(user) -> QuerySet[CoachingRequest]:
    """Requests the user asked, of the groups they work in or coach, or at the
    locations they manage."""
    if not user.is_authenticated or not user.is_active:
        return CoachingRequest.objects.none()
    # One id query per way in, each on its own index (an OR across them reads
    # every request).
    ways_in = [
        Q(requested_by=user),
        Q(coach=user),
        Q(group__in=staff_groups(user).values("pk")),
        Q(group__location__in=managed_locations(user).values("pk")),
        Q(group__in=coached_groups(user).values("pk")),
    ]
    first, *others = [
        CoachingRequest.objects.filter(way_in).order_by().values("pk") for way_in in ways_in
    ]
    return CoachingRequest.objects.filter(pk__in=first.union(*others))


#: What a row of requests shows (`request_rows`).
REQUEST_ROW_RELATED = ("group__location", "requested_by", "coach", "case__child", "visit")


def request_list_for_user(user) -> QuerySet[CoachingRequest]:
    """The request list, newest first, with what its rows show."""
    return (
        requests_for_user(user).select_related(*REQUEST_ROW_RELATED).order_by("-created_at", "-pk")
    )


def requests_to_decide(user) -> QuerySet[CoachingRequest]:
    """Open and accepted requests of the groups the user coaches now."""
    return (
        CoachingRequest.objects.filter(
            group__in=coached_group_ids(user),
            status__in=[CoachingRequest.Status.OPEN, CoachingRequest.Status.ACCEPTED],
        )
        .select_related("group__location", "case__child")
        .order_by("created_at")
    )


def request_rows(requests, user) -> list[CoachingRequest]:
    """The requests, each with `child_visible`. `requests`: a queryset (read here
    with `REQUEST_ROW_RELATED`), or rows already read with what their rows show
    (a page of `request_list_for_user`, say)."""
    if isinstance(requests, QuerySet):
        requests = requests.select_related(*REQUEST_ROW_RELATED)
    requests = list(requests)
    _mark_child_visibility(requests, user)
    return requests


def planned_visits_for_request(user, request: CoachingRequest) -> QuerySet[Visit]:
    """The coach's coming visits that include the request's group."""
    return (
        Visit.objects.filter(
            coach=user,
            groups=request.group,
            status=VisitStatus.PLANNED,
            ends_at__gte=timezone.now(),
        )
        .select_related("location")
        .order_by("starts_at")
    )


def intervisions_for_user(user) -> QuerySet[Intervision]:
    return (
        Intervision.objects.filter(
            pk__in=Intervision.objects.filter(Q(coaches=user) | Q(organised_by=user)).values("pk")
        )
        .select_related("organised_by")
        .prefetch_related("coaches")
    )


def coaches_for_intervision(user):
    """The coaches `user` may hold an intervision with: those of the user's own
    youth-care organisation(s) and of the organisations partnering in the same
    pilots — never every coach of every organisation in the country."""
    own = Membership.objects.current().filter(user=user, role=Role.COACH).values("organisation")
    pilots = PilotPartner.objects.filter(organisation__in=own).values("pilot")
    peers = PilotPartner.objects.filter(pilot__in=pilots).values("organisation")
    coaches = Membership.objects.current().filter(
        Q(organisation__in=own) | Q(organisation__in=peers), role=Role.COACH
    )
    return (
        get_user_model()
        .objects.filter(is_active=True, pk__in=coaches.values("user"))
        .order_by("first_name", "last_name", "username")
    )


# --- the calendar feed ------------------------------------------------------------------------


def live_feed(user) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(coach=user, revoked_at__isnull=True).first()


def feed_by_token(token: str) -> CalendarFeed | None:
    """The live feed with this token whose coach can still log in (else None)."""
    if not token:
        return None
    return (
        CalendarFeed.objects.filter(token=token, revoked_at__isnull=True, coach__is_active=True)
        .select_related("coach")
        .first()
    )


def feed_visits(coach) -> list[Visit]:
    since = timezone.now() - datetime.timedelta(days=FEED_PAST_DAYS)
    return list(
        Visit.objects.filter(coach=coach, starts_at__gte=since)
        .select_related("location")
        .prefetch_related(Prefetch("groups", queryset=Group.objects.order_by("name")))
        .order_by("starts_at", "pk")
    )
