"""The key pages, each as a user of the right role, with the hand-written SQL
query that returns the same rows (the floor) and the admin changelist over the
same rows (what an organisation would build instead)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from casework.models import Case
from coaching.models import Visit
from pilots.models import Membership, Pilot, Role

VISIBLE = """
  SELECT up.content_object_id AS id FROM casework_caseuserobjectpermission up
    JOIN auth_permission p ON p.id = up.permission_id
   WHERE up.user_id = %(user)s AND p.codename = %(codename)s
  UNION
  SELECT gp.content_object_id FROM casework_casegroupobjectpermission gp
    JOIN auth_permission p ON p.id = gp.permission_id
    JOIN auth_user_groups ug ON ug.group_id = gp.group_id
   WHERE ug.user_id = %(user)s AND p.codename = %(codename)s
"""

CASE_LIST = f"""
WITH visible AS ({VISIBLE})
SELECT c.id, c.uuid, c.status, c.opened_at, ch.first_name, ch.last_name, ch.date_of_birth,
       g.name, l.name, agg.last_concern_on, agg.top_worry
  FROM casework_case c
  JOIN visible v ON v.id = c.id
  JOIN casework_child ch ON ch.id = c.child_id
  JOIN pilots_group g ON g.id = ch.group_id
  JOIN pilots_location l ON l.id = g.location_id
  LEFT JOIN LATERAL (SELECT max(observed_on) AS last_concern_on, max(worry_level) AS top_worry
                       FROM casework_concern WHERE case_id = c.id) agg ON true
 WHERE (%(status)s::text IS NULL OR c.status = %(status)s)
   AND (%(worry)s::int IS NULL
        OR EXISTS (SELECT 1 FROM casework_concern k WHERE k.case_id = c.id
                    AND k.worry_level = %(worry)s))
 ORDER BY agg.last_concern_on DESC NULLS LAST, c.opened_at DESC, c.id
 LIMIT 25
"""

REVIEW_QUEUE = f"""
WITH approvable AS ({VISIBLE})
SELECT pl.id, pl.uuid, pl.version, ch.first_name, ch.last_name,
       (SELECT max(r.at) FROM casework_planreview r
         WHERE r.plan_id = pl.id AND r.action = 'submitted') AS submitted_at
  FROM casework_plan pl
  JOIN approvable a ON a.id = pl.case_id
  JOIN casework_case c ON c.id = pl.case_id
  JOIN casework_child ch ON ch.id = c.child_id
 WHERE pl.status = 'submitted'
 ORDER BY submitted_at NULLS FIRST, pl.id
 LIMIT 50
"""

# The queue lists the group plans of the manager's locations as well.
GROUP_PLAN_QUEUE = """
SELECT gp.id, gp.uuid, gp.version, g.name, l.name,
       (SELECT max(r.at) FROM coaching_groupplanreview r
         WHERE r.plan_id = gp.id AND r.action = 'submitted') AS submitted_at
  FROM coaching_groupplan gp
  JOIN pilots_group g ON g.id = gp.group_id
  JOIN pilots_location l ON l.id = g.location_id
 WHERE gp.status = 'submitted'
   AND g.location_id IN (SELECT ml.location_id FROM pilots_membershiplocation ml
                           JOIN pilots_membership m ON m.id = ml.membership_id
                          WHERE m.user_id = %(user)s AND m.role = 'location_manager'
                            AND m.start_date <= %(today)s
                            AND (m.end_date IS NULL OR m.end_date >= %(today)s))
 ORDER BY submitted_at NULLS FIRST, gp.id
 LIMIT 50
"""

CONSENTS_EXPIRING = """
SELECT co.id, co.uuid, co.scope, co.valid_until, ch.first_name, ch.last_name, g.name
  FROM parents_consent co
  JOIN casework_child ch ON ch.id = co.child_id
  JOIN pilots_group g ON g.id = ch.group_id
 WHERE co.decision = 'granted'
   AND co.valid_until BETWEEN %(today)s AND %(today)s::date + 31
   AND ch.group_id IN (SELECT mg.group_id FROM pilots_membershipgroup mg
                         JOIN pilots_membership m ON m.id = mg.membership_id
                        WHERE m.user_id = %(user)s AND m.role = 'pedagogical_staff')
   AND NOT EXISTS (SELECT 1 FROM parents_consent later
                    WHERE later.child_id = co.child_id AND later.scope = co.scope
                      AND later.organisation_id IS NOT DISTINCT FROM co.organisation_id
                      AND later.decided_on > co.decided_on)
 ORDER BY co.valid_until, ch.first_name
 LIMIT 50
"""

CALENDAR = """
SELECT v.id, v.uuid, v.starts_at, v.ends_at, v.status, l.name
  FROM coaching_visit v JOIN pilots_location l ON l.id = v.location_id
 WHERE v.coach_id = %(user)s AND v.starts_at >= %(first)s AND v.starts_at < %(last)s
 ORDER BY v.starts_at
"""

# The calendar also lists a coach's open requests: the groups they coach today
# (an assignment without groups covers its whole location).
OPEN_REQUESTS = """
WITH coached AS (
  SELECT ag.group_id FROM coaching_coachassignment a
    JOIN coaching_coachassignment_groups ag ON ag.coachassignment_id = a.id
   WHERE a.coach_id = %(user)s AND a.starts_on <= %(today)s
     AND (a.ends_on IS NULL OR a.ends_on >= %(today)s)
  UNION
  SELECT g.id FROM coaching_coachassignment a JOIN pilots_group g ON g.location_id = a.location_id
   WHERE a.coach_id = %(user)s AND a.starts_on <= %(today)s
     AND (a.ends_on IS NULL OR a.ends_on >= %(today)s)
     AND NOT EXISTS (SELECT 1 FROM coaching_coachassignment_groups x
                      WHERE x.coachassignment_id = a.id))
SELECT r.id, r.uuid, r.status, r.created_at, g.name, l.name, ch.first_name, ch.last_name
  FROM coaching_coachingrequest r
  JOIN coached ON coached.group_id = r.group_id
  JOIN pilots_group g ON g.id = r.group_id
  JOIN pilots_location l ON l.id = g.location_id
  LEFT JOIN casework_case c ON c.id = r.case_id
  LEFT JOIN casework_child ch ON ch.id = c.child_id
 WHERE r.status IN ('open', 'accepted')
 ORDER BY r.created_at
"""


#: The layout alone, signed in (bench/urls.py).
BARE_PAGE = "bare page (layout only)"


@dataclass
class Page:
    name: str
    role: str
    user: object
    url: str
    #: The hand-written query (or one per list the page shows) returning its rows.
    floor: tuple[str, dict] | list[tuple[str, dict]] | None = None
    admin_url: str | None = None
    cold_cache: bool = False


def _one(sql: str, params=()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        raise SystemExit("No national data found: run `make bench-data` first.")
    return row[0]


def _busiest_pm() -> tuple[object, int]:
    """The PM at the location with the most cases, and that location."""
    user_id = _one(
        """SELECT m.user_id FROM pilots_membership m
             JOIN pilots_membershiplocation ml ON ml.membership_id = m.id
             JOIN pilots_group g ON g.location_id = ml.location_id
             JOIN casework_child ch ON ch.group_id = g.id
             JOIN casework_case c ON c.child_id = ch.id
            WHERE m.role = 'pedagogical_staff'
            GROUP BY m.user_id ORDER BY count(*) DESC, m.user_id LIMIT 1"""
    )
    location_id = _one(
        """SELECT ml.location_id FROM pilots_membershiplocation ml
             JOIN pilots_membership m ON m.id = ml.membership_id
            WHERE m.user_id = %s LIMIT 1""",
        [user_id],
    )
    return get_user_model().objects.get(pk=user_id), location_id


def _busiest(role: str) -> object:
    user_id = _one(
        """SELECT m.user_id FROM pilots_membership m
             JOIN pilots_membershiplocation ml ON ml.membership_id = m.id
             JOIN pilots_group g ON g.location_id = ml.location_id
             JOIN casework_child ch ON ch.group_id = g.id
             JOIN casework_case c ON c.child_id = ch.id
            WHERE m.role = %s GROUP BY m.user_id ORDER BY count(*) DESC, m.user_id LIMIT 1""",
        [role],
    )
    return get_user_model().objects.get(pk=user_id)


def key_pages(*, bare: bool = True) -> list[Page]:
    """The pages to measure; `bare`: with the bare page first (bench.urls only)."""
    User = get_user_model()
    today = timezone.localdate()
    pm, pm_location = _busiest_pm()
    manager = _busiest(Role.LOCATION_MANAGER)
    manager_locations = ",".join(
        str(i)
        for i in Membership.objects.filter(user=manager).values_list("locations__id", flat=True)
    )
    case = (
        Case.objects.filter(child__group__location_id=pm_location)
        .order_by("-concerns__observed_on")
        .first()
    )
    coach = User.objects.get(
        pk=Visit.objects.filter(starts_at__date__gte=today - datetime.timedelta(days=7))
        .values("coach")
        .order_by("coach")
        .first()["coach"]
    )
    visit = Visit.objects.filter(coach=coach, status="held").order_by("-starts_at").first()
    pilot = Pilot.objects.order_by("-locations__id").first()
    leader = pilot.project_leaders.first()
    programme = Membership.objects.filter(role=Role.PROGRAMME_STAFF).first().user
    monday = today - datetime.timedelta(days=today.weekday())
    week = (
        timezone.make_aware(datetime.datetime.combine(monday, datetime.time())),
        timezone.make_aware(
            datetime.datetime.combine(monday + datetime.timedelta(7), datetime.time())
        ),
    )
    view_case = {"user": pm.pk, "codename": "view_case"}
    # What every page pays before its own work: the yardstick for "own SQL".
    yardstick = [Page(BARE_PAGE, "pedagogical staff", pm, reverse("bench-bare"))] if bare else []
    return yardstick + [
        Page("PM home", "pedagogical staff", pm, reverse("home")),
        Page(
            "case list",
            "pedagogical staff",
            pm,
            reverse("casework:case-list"),
            floor=(CASE_LIST, {**view_case, "status": None, "worry": None}),
            admin_url=f"/bench-admin/casework/case/?child__group__location__id__exact={pm_location}",
        ),
        Page(
            "case list, filtered",
            "pedagogical staff",
            pm,
            reverse("casework:case-list") + "?status=open&worry_level=3",
            floor=(CASE_LIST, {**view_case, "status": "open", "worry": 3}),
            admin_url=(
                "/bench-admin/casework/case/?child__group__location__id__exact="
                f"{pm_location}&status__exact=open&concerns__worry_level=3"
            ),
        ),
        Page(
            "case list",
            "location manager",
            manager,
            reverse("casework:case-list"),
            floor=(
                CASE_LIST,
                {"user": manager.pk, "codename": "view_case", "status": None, "worry": None},
            ),
            admin_url=f"/bench-admin/casework/case/?child__group__location__in={manager_locations}",
        ),
        Page("case page with timeline", "pedagogical staff", pm, case.get_absolute_url()),
        Page(
            "coach calendar",
            "coach",
            coach,
            reverse("coaching:calendar"),
            floor=[
                (CALENDAR, {"user": coach.pk, "first": week[0], "last": week[1]}),
                (OPEN_REQUESTS, {"user": coach.pk, "today": today}),
            ],
            admin_url=(
                f"/bench-admin/coaching/visit/?coach__id__exact={coach.pk}"
                f"&starts_at__gte={week[0].date()}&starts_at__lt={week[1].date()}"
            ),
        ),
        Page("visit page", "coach", coach, reverse("coaching:visit-detail", args=[visit.uuid])),
        Page(
            "plan review queue",
            "location manager",
            manager,
            reverse("casework:review-queue"),
            floor=[
                (REVIEW_QUEUE, {"user": manager.pk, "codename": "approve_plan"}),
                (GROUP_PLAN_QUEUE, {"user": manager.pk, "today": today}),
            ],
            admin_url=(
                "/bench-admin/casework/plan/?status__exact=submitted"
                f"&case__child__group__location__in={manager_locations}"
            ),
        ),
        Page(
            "consent overview (one child)",
            "pedagogical staff",
            pm,
            reverse("parents:child-consents", args=[case.child.uuid]),
        ),
        Page(
            "expiring consents",
            "pedagogical staff",
            pm,
            reverse("parents:consents-expiring"),
            floor=(CONSENTS_EXPIRING, {"user": pm.pk, "today": today}),
            admin_url=(
                f"/bench-admin/parents/consent/?child__group__location__id__exact={pm_location}"
                f"&decision__exact=granted&valid_until__gte={today}"
                f"&valid_until__lte={today + datetime.timedelta(days=31)}"
            ),
        ),
        Page(
            "pilot dashboard (cold cache)",
            "project leader",
            leader,
            reverse("dashboards:pilot", args=[pilot.uuid]),
            cold_cache=True,
        ),
        Page(
            "national overview (cold cache)",
            "programme staff",
            programme,
            reverse("dashboards:national"),
            cold_cache=True,
        ),
    ]
