"""Reads for the home page: each role's part, in a fixed number of queries, and
only the parts of the roles the user has (the roles come from the request's
memberships, read once for the navigation too)."""

from __future__ import annotations

from django.db.models import Count, Window
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from casework import selectors as case_selectors
from casework.models import Child
from coaching import selectors as coaching_selectors
from parents import selectors as parent_selectors
from pilots import selectors
from pilots.models import Role

from .templatetags.ui import person_name

#: How many expiring consents the home page lists.
EXPIRING_SHOWN = 5


def home_context(user, memberships: list[tuple[str, str, int]]) -> dict:
    """The home page's context. `memberships`: `audit.current_memberships`."""
    roles = {role for role, _organisation, _id in memberships}
    role_labels = dict(Role.choices)
    staff_groups = list(selectors.groups_for_staff(user)) if Role.PEDAGOGICAL_STAFF in roles else []
    children: dict[int, list[Child]] = {}
    if staff_groups:
        children = case_selectors.children_in_groups_for_home(user, staff_groups)
        _add_child_links(children)
        for group in staff_groups:
            group.home_children = children.get(group.id, [])
    manager = Role.LOCATION_MANAGER in roles
    managed_locations = (
        list(selectors.locations_for_role(user, Role.LOCATION_MANAGER)) if manager else []
    )
    expiring_consents, expiring_count = [], 0
    if staff_groups or managed_locations:
        child_ids = _concern_child_ids(user, memberships, children)
        # The total along with the first rows: a window over all of them.
        expiring_consents = list(
            parent_selectors.consents_expiring_for_children(child_ids).annotate(
                total=Window(Count("pk"))
            )[:EXPIRING_SHOWN]
        )
        expiring_count = expiring_consents[0].total if expiring_consents else 0
    context = {
        "memberships": [
            {"role": role_labels.get(role, role), "organisation": organisation}
            for role, organisation, _id in memberships
        ],
        "staff_groups": staff_groups,
        "my_concerns": list(case_selectors.concerns_logged_by(user)) if staff_groups else [],
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
    return context


def _concern_child_ids(user, memberships, children_by_group: dict) -> list[int]:
    """`casework.selectors.concern_child_ids(user)`, read: a staff member's way
    in (the children of their groups) is read already, which leaves their
    mentees. Location managers and care coordinators take the general query."""
    roles = {role for role, _organisation, _id in memberships}
    if roles & {Role.LOCATION_MANAGER, Role.CARE_COORDINATOR}:
        return list(case_selectors.concern_child_ids(user))
    ids = {child.id for children in children_by_group.values() for child in children}
    organisation_ids = {organisation_id for _role, _name, organisation_id in memberships}
    ids.update(
        Child.objects.filter(
            mentor=user, group__location__organisation__in=organisation_ids
        ).values_list("pk", flat=True)
    )
    return sorted(ids)


_URL_MARKER = "00000000-0000-0000-0000-000000000000"


def _url_for_uuid(viewname: str, kwarg: str):
    """`reverse(viewname, kwargs={kwarg: uuid})` as a function of the uuid,
    reversed once: the home page links every child of the user's groups."""
    url = reverse(viewname, kwargs={kwarg: _URL_MARKER})
    return lambda value: url.replace(_URL_MARKER, str(value))


def _add_child_links(children_by_group: dict) -> None:
    """What a child's row shows besides their name: their mentor, and the links
    to their open case and to a new concern."""
    case_url = _url_for_uuid("casework:case-detail", "case_uuid")
    concern_url = _url_for_uuid("casework:concern-create", "child_uuid")
    no_mentor = gettext("none")
    # `{% blocktranslate with name=child.first_name %}about {{ name }}…`, once.
    about = gettext("about %(name)s")
    for children in children_by_group.values():
        for child in children:
            child.about = mark_safe(about % {"name": conditional_escape(child.first_name)})  # noqa: S308
            child.mentor_name = person_name(child.mentor, no_mentor)
            child.case_url = case_url(child.open_case.uuid) if child.open_case else ""
            child.concern_url = concern_url(child.uuid)
