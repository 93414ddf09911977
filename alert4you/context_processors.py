from pilots.selectors import roles_for_user


def navigation(request):
    """The roles of the logged-in user, for role-aware navigation."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_roles": set()}
    if not hasattr(request, "_alert4you_roles"):
        request._alert4you_roles = roles_for_user(user)
    return {"user_roles": request._alert4you_roles}
