"""Reads for the home page: each role's part, in a fixed number of queries, and
only the parts of the roles the user has (the roles come from the request's
memberships, read once for the navigation too)."""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from casework import selectors as case_selectors
from casework.models import CaseStatus, Concern, Domain
from coaching import selectors as coaching_selectors
from parents import selectors as parent_selectors
from pilots import selectors
from pilots.models import Group, Role

from . import sql as sql_parts
from .links import uuid_reverse

#: How many expiring consents the home page lists.
EXPIRING_SHOWN = 5


def home_context(user, memberships: list[tuple[str, str, int]]) -> dict:
    """The home page's context. `memberships`: `audit.current_memberships`."""
    roles = {role for role, _organisation, _id in memberships}
    role_labels = dict(Role.choices)
    staff_groups = (
        coaching_selectors.staff_groups_for_home(user) if Role.PEDAGOGICAL_STAFF in roles else []
    )
    child_ids: list[int] = []
    roster_cases: list = []
    if staff_groups:
        child_ids, roster_cases = _add_children(user, staff_groups, memberships)
    manager = Role.LOCATION_MANAGER in roles
    managed_locations = (
        list(selectors.locations_for_role(user, Role.LOCATION_MANAGER)) if manager else []
    )
    expiring_consents, expiring_count = [], 0
    if staff_groups or managed_locations:
        if roles & {Role.LOCATION_MANAGER, Role.CARE_COORDINATOR}:
            # Read first: planned along with the consents, its three ways in
            # cost more to plan than both queries take to run.
            child_ids = case_selectors.concern_child_id_list(user)
        expiring_consents, expiring_count = _expiring_consents(child_ids)
    my_concerns = _concerns_logged_by(user) if staff_groups else []
    context = {
        "memberships": [
            {"role": role_labels.get(role, role), "organisation": organisation}
            for role, organisation, _id in memberships
        ],
        "staff_groups": staff_groups,
        "my_concerns": my_concerns,
        # Shown in the location manager's part only.
        "review_count": case_selectors.review_queue_for_user(user).count() if manager else 0,
        "managed_locations": managed_locations,
        "expiring_consents": expiring_consents,
        "expiring_consents_count": expiring_count,
        "coordinated_locations": (
            list(selectors.locations_for_role(user, Role.CARE_COORDINATOR))
            if Role.CARE_COORDINATOR in roles
            else []
        ),
        "led_pilots": (list(selectors.pilots_led_by(user)) if Role.PROJECT_LEADER in roles else []),
        "administered_organisations": (
            list(selectors.organisations_administered_by(user))
            if Role.ORGANISATION_ADMIN in roles
            else []
        ),
    }
    # The coach's week and requests, the groups' next visits: a fixed number of queries.
    context.update(coaching_selectors.home_for_user(user, roles=roles, staff_groups=staff_groups))
    # The review queue holds the group plans too.
    context["review_count"] += context.get("group_plans_waiting", 0)
    # What the page shows of children's cases, for the access log (the view writes it).
    context["listed_case_uuids"] = [*roster_cases, *(c["case_uuid"] for c in my_concerns)]
    context["listed_child_ids"] = [consent.child_id for consent in expiring_consents]
    return context


#: The children of some groups (and the user's mentees elsewhere in their
#: organisations: `_MENTEES_IN_ORGANISATIONS`), with their mentor and their open
#: case if the user may see it. The permission subquery is read once (a hashed
#: subplan), then one index probe per child: at most one case of a child is not
#: closed.
_HOME_CHILDREN = """
SELECT ch."id", ch."uuid", ch."first_name", ch."last_name", ch."group_id",
       u."first_name", u."last_name", u."username",
       (SELECT c."uuid" FROM "casework_case" c
         WHERE c."child_id" = ch."id" AND c."status" <> %s AND c."id" IN ({granted})
         LIMIT 1)
  FROM "casework_child" ch LEFT JOIN "auth_user" u ON u."id" = ch."mentor_id"
 WHERE ch."group_id" IN ({groups}){mentees}
 ORDER BY ch."first_name", ch."last_name", ch."id"
"""
#: A mentee outside the groups: the groups of the organisations are read only
#: when needed (a hashed subplan); as EXISTS it was costed per child and spoiled
#: the plan of the join.
_MENTEES_IN_ORGANISATIONS = """
    OR ch."mentor_id" = %s AND ch."group_id" IN (
         SELECT g."id" FROM "pilots_group" g JOIN "pilots_location" l ON l."id" = g."location_id"
          WHERE l."organisation_id" IN ({organisations}))"""


def _sql_and_params(subquery) -> tuple[str, list]:
    """The SQL of a subquery: a `RawSQL`, or a queryset (`.none()` for an inactive user)."""
    if isinstance(subquery, RawSQL):
        return subquery.sql, list(subquery.params)
    try:
        sql, params = subquery.query.sql_with_params()
    except EmptyResultSet:
        return "SELECT NULL WHERE FALSE", []
    return sql, list(params)


def _add_children(user, groups, memberships) -> tuple[list[int], list]:
    """Give each group its `home_children`: the rows of its children (by first and
    last name), each with their mentor and the links to their visible open case
    and to a new concern. Returns `casework.selectors.concern_child_ids(user)` for a
    staff member (the children of their groups and their mentees in the
    organisations they work for) and the uuids of the cases linked. One query
    for all of it."""
    organisation_ids = sorted({organisation_id for _role, _name, organisation_id in memberships})
    by_group = {group.id: [] for group in groups}
    _add_group_links(groups)
    granted, granted_params = _sql_and_params(case_selectors.granted_case_ids(user))
    # Written out: built through the ORM, this query cost more to compile than to run.
    mentees = ""
    if organisation_ids:
        mentees = _MENTEES_IN_ORGANISATIONS.format(
            organisations=", ".join(["%s"] * len(organisation_ids))
        )
    sql = _HOME_CHILDREN.format(
        granted=granted, groups=", ".join(["%s"] * len(by_group)), mentees=mentees
    )
    params = [CaseStatus.CLOSED.value, *granted_params, *by_group]
    if organisation_ids:
        params += [user.pk, *organisation_ids]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    case_url = _url_for_uuid("casework:case-detail", "case_uuid")
    concern_url = _url_for_uuid("casework:concern-create", "child_uuid")
    no_mentor = gettext("none")
    # `{% blocktranslate with name=child.first_name %}about {{ name }}…`, once.
    about = gettext("about %(name)s")
    child_ids, case_uuids = set(), []
    for pk, child_uuid, first, last, group_id, *mentor, case_uuid in rows:
        child_ids.add(pk)
        children = by_group.get(group_id)
        if children is not None:
            children.append(
                {
                    "first_name": first,
                    "last_name": last,
                    "about": mark_safe(about % {"name": conditional_escape(first)}),  # noqa: S308
                    "mentor_name": _person_name(*mentor) if mentor[2] else no_mentor,
                    "case_url": case_url(case_uuid) if case_uuid else "",
                    "concern_url": concern_url(child_uuid),
                }
            )
            if case_uuid:
                case_uuids.append(case_uuid)
    for group in groups:
        group.home_children = by_group[group.id]
    return sorted(child_ids), case_uuids


def _add_group_links(groups) -> None:
    """What a group's heading shows besides its name: its age band and kind in
    words, and the links to its coaching and its group plans."""
    coaching_url = _url_for_uuid("coaching:group-detail", "group_uuid")
    plans_url = _url_for_uuid("coaching:group-plans", "group_uuid")
    age_bands, kinds = dict(Group.AgeBand.choices), dict(Group.Kind.choices)
    for group in groups:
        group.age_band_label = age_bands.get(group.age_band, group.age_band)
        group.kind_label = kinds.get(group.kind, group.kind)
        group.coaching_url = coaching_url(group.uuid)
        group.plans_url = plans_url(group.uuid)


def _person_name(first_name: str, last_name: str, username: str) -> str:
    """`person_name(user)` from the user's columns."""
    return f"{first_name} {last_name}".strip() or username


def _expiring_consents(child_ids) -> tuple[list, int]:
    """The first rows of `consents_expiring_for_children(child_ids)` (as
    `ExpiringConsent`s) and how many there are, in one query."""
    return parent_selectors.ExpiringConsents(child_ids).first_with_total(EXPIRING_SHOWN)


#: The concerns the user logged about the cases they may see, newest first, as
#: the home page shows them.
_CONCERNS_LOGGED_BY = """
SELECT c."uuid", ch."first_name", ch."last_name", k."observed_on", k."domain"
  FROM "casework_concern" k
  JOIN "casework_case" c ON c."id" = k."case_id"
  JOIN "casework_child" ch ON ch."id" = c."child_id"
 WHERE k."logged_by_id" = %s AND k."case_id" IN ({granted})
 ORDER BY k."created_at" DESC
 LIMIT %s
"""


def _concerns_logged_by(user, limit: int = 10) -> list[dict]:
    """The rows of the concerns the user logged: the child's name,
    the link to the case, the day and the domain. Written out: built through the
    ORM, the query cost more to compile than to run."""
    granted, granted_params = _sql_and_params(case_selectors.granted_case_ids(user))
    with connection.cursor() as cursor:
        sql_parts.execute_prepared(
            cursor,
            "concerns_logged_by",
            _CONCERNS_LOGGED_BY.format(granted=granted),
            [user.pk, *granted_params, limit],
        )
        rows = cursor.fetchall()
    case_url = _url_for_uuid("casework:case-detail", "case_uuid")
    domains = dict(Domain.choices)
    return [
        {
            "child_name": f"{first_name} {last_name}",
            "case_uuid": case_uuid,
            "case_url": case_url(case_uuid),
            "observed_on": sql_parts.py_value(Concern, "observed_on", observed_on),
            "domain": domains.get(domain, domain),
        }
        for case_uuid, first_name, last_name, observed_on, domain in rows
    ]


def _url_for_uuid(viewname: str, kwarg: str):
    """`reverse(viewname, kwargs={kwarg: uuid})` as a function of the uuid."""
    return lambda value: uuid_reverse(viewname, **{kwarg: value})
