from pilots.models import Role

from .audit import current_memberships

#: Roles whose work involves children's cases (project leaders and
#: organisation admins never see child-level data).
CASE_ROLES = {
    Role.PEDAGOGICAL_STAFF,
    Role.LOCATION_MANAGER,
    Role.CARE_COORDINATOR,
    Role.COACH,
    Role.SCHOOL_STAFF,
    Role.EXTERNAL_EXPERT,
}


def navigation(request):
    """The roles of the logged-in user, for role-aware navigation. The same
    query as the audit trail's "acting as", kept on the request: one per page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_roles": set(), "works_with_cases": False}
    roles = {role for role, _organisation, _id in current_memberships(user, request)}
    return {"user_roles": roles, "works_with_cases": bool(roles & CASE_ROLES)}
