from pilots.models import Role
from pilots.selectors import roles_for_user

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
    """The roles of the logged-in user, for role-aware navigation."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_roles": set(), "works_with_cases": False}
    if not hasattr(request, "_alert4you_roles"):
        request._alert4you_roles = roles_for_user(user)
    roles = request._alert4you_roles
    return {"user_roles": roles, "works_with_cases": bool(roles & CASE_ROLES)}
