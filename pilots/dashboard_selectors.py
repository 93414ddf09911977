"""Which dashboards a user may open, and which locations a dashboard covers.

Project leaders open the dashboards of the pilots they lead, location managers
those of the locations their current membership covers, programme staff every
pilot and the national overview. Dashboards show aggregates only; nothing here
opens child-level data.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from .dashboard_types import DashboardFilters, Scope
from .models import Location, Membership, Pilot, Role


def _current_memberships(user, role: str) -> QuerySet[Membership]:
    return Membership.objects.current().filter(user=user, role=role)


def can_see_national(user) -> bool:
    if not user.is_authenticated:
        return False
    return _current_memberships(user, Role.PROGRAMME_STAFF).exists()


def pilots_for_dashboard(user, *, national: bool | None = None) -> QuerySet[Pilot]:
    """The pilots the user leads; programme staff: all pilots. `national` is
    `can_see_national(user)` when the caller already knows it."""
    if not user.is_authenticated:
        return Pilot.objects.none()
    if national is None:
        national = can_see_national(user)
    if national:
        return Pilot.objects.order_by("name")
    return Pilot.objects.filter(project_leaders=user).order_by("name")


def locations_for_dashboard(user) -> QuerySet[Location]:
    """The locations the user manages through a current location-manager membership."""
    if not user.is_authenticated:
        return Location.objects.none()
    return (
        Location.objects.filter(
            membershiplocation__membership__in=_current_memberships(user, Role.LOCATION_MANAGER)
        )
        .distinct()
        .order_by("name")
    )


def scope_for_pilot(pilot: Pilot) -> Scope:
    return Scope(kind="pilot", label=pilot.name, pilot_id=pilot.pk)


def scope_for_location(location: Location) -> Scope:
    return Scope(
        kind="location", label=location.name, pilot_id=location.pilot_id, location_id=location.pk
    )


def national_scope() -> Scope:
    return Scope(kind="national", label=_("All pilots"))


def locations_in_scope(scope: Scope, filters: DashboardFilters) -> QuerySet[Location]:
    """The locations whose figures count: a pilot's locations, the one location,
    or (national) every location that belongs to a pilot; narrowed by the
    location-type and municipality filters. A lazy queryset, used as a
    subquery so the number of queries never depends on the number of locations."""
    if scope.kind == "pilot":
        locations = Location.objects.filter(pilot_id=scope.pilot_id)
    elif scope.kind == "location":
        locations = Location.objects.filter(pk=scope.location_id)
    elif scope.kind == "national":
        locations = Location.objects.filter(pilot__isnull=False)
    else:
        raise ValueError(f"unknown scope kind {scope.kind!r}")
    if filters.location_type:
        locations = locations.filter(location_type=filters.location_type)
    if filters.municipality_id:
        locations = locations.filter(municipality_id=filters.municipality_id)
    return locations
