"""Reads about organisations, locations and groups, starting from the user."""

from django.db.models import QuerySet

from .models import Group, Location, Membership, Organisation, Pilot, Role


def memberships_for_user(user) -> QuerySet[Membership]:
    return Membership.objects.current().filter(user=user).select_related("organisation")


def roles_for_user(user) -> set[str]:
    if not user.is_authenticated:
        return set()
    return set(memberships_for_user(user).values_list("role", flat=True))


def groups_for_staff(user) -> QuerySet[Group]:
    """The groups a pedagogical staff member works in."""
    return (
        Group.objects.filter(
            membershipgroup__membership__in=memberships_for_user(user).filter(
                role=Role.PEDAGOGICAL_STAFF
            )
        )
        .select_related("location")
        .distinct()
        .order_by("location__name", "name")
    )


def locations_for_role(user, role: str) -> QuerySet[Location]:
    return (
        Location.objects.filter(
            membershiplocation__membership__in=memberships_for_user(user).filter(role=role)
        )
        .select_related("organisation")
        .distinct()
        .order_by("name")
    )


def pilots_led_by(user) -> QuerySet[Pilot]:
    return Pilot.objects.filter(project_leaders=user).select_related("municipality")


def organisations_administered_by(user) -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        memberships__in=memberships_for_user(user).filter(role=Role.ORGANISATION_ADMIN)
    ).distinct()
