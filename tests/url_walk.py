"""Walk every URL pattern of the project: used by the CSP walk and the URL matrix.

`url_patterns()` yields every pattern (admin and contrib included) with its
namespaced name and the names of its path parameters; `url_for()` fills those
parameters from a test world.
"""

from django.urls import URLPattern, URLResolver, get_resolver, reverse

#: The admin's two unnamed patterns: its old-style redirect to an object's change
#: page and its catch-all (which answers a redirect or 404).
UNNAMED_ADMIN_PATTERNS = {"<path:object_id>/", "(?P<url>.*)$"}


def url_patterns(patterns=None, namespace="", parameters=(), prefix=""):
    """(namespaced name, parameter names, pattern, route) for every pattern, recursively.

    `route` is the pattern's full route from the root (e.g. "admin/pilots/…"),
    which groups the admin's many patterns under one prefix."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        inner_parameters = (*parameters, *entry.pattern.regex.groupindex)
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from url_patterns(entry.url_patterns, inner, inner_parameters, route)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else None
            yield name, inner_parameters, entry, route


def admin_model(pattern):
    """The model of a ModelAdmin view (wrapped by AdminSite.admin_view)."""
    view = getattr(pattern.callback, "__wrapped__", None)
    model_admin = getattr(view, "__self__", None)
    return getattr(model_admin, "model", None)


def path_values(w) -> dict:
    """A value for each path parameter name, from a world built by `tests.rich_world`.
    Every object belongs to the world's own organisation (Speelwerk / Yorneo)."""
    return {
        "case_uuid": w.case_a.uuid,
        "child_uuid": w.child_a.uuid,
        "group_uuid": w.group_a.uuid,
        "location_uuid": w.location.uuid,
        "pilot_uuid": w.pilot.uuid,
        "guardian_uuid": w.guardian.uuid,
        "consent_uuid": w.consent.uuid,
        "visit_uuid": w.visit.uuid,
        "item_uuid": w.agenda_item.uuid,
        "assignment_uuid": w.assignment.uuid,
        "conversation_uuid": w.conversation.uuid,
        "moment_uuid": w.moment.uuid,
        "reminder_uuid": w.reminder.uuid,
        "request_uuid": w.coaching_request.uuid,
        "session_uuid": w.user_session.uuid,
        "membership_uuid": w.membership.uuid,
        "user_id": w.team_member.pk,
        "tip_id": w.group_plan_tip.pk,
        "period_id": w.closed_period.pk,
        "uidb64": "MQ",
        "url": "",
        "format": "csv",
        "export_format": "csv",
        "app_label": "pilots",
        "content_type_id": 1,
    }


def fill(name, parameter, pattern, w):
    """A value for one path parameter of the pattern `name`, or None."""
    if parameter == "token":
        return w.feed.token if name == "coaching:feed" else "set-password"
    if parameter == "plan_uuid":  # the child's plan in casework, the group plan in coaching
        return w.group_plan.uuid if name.startswith("coaching:") else w.plan.uuid
    if parameter in ("object_id", "id", "pk"):
        model = admin_model(pattern)
        instance = model._default_manager.first() if model else None
        return instance.pk if instance else 1
    return path_values(w).get(parameter)


def url_for(name, parameters, pattern, w) -> str | None:
    """The URL of one named pattern with its parameters filled from `w`, or None."""
    if name.endswith("_simple_history"):  # django-simple-history's positional groups
        instance = admin_model(pattern)._default_manager.first()
        return reverse(name, args=(instance.pk, instance.history.first().history_id))
    kwargs = {p: fill(name, p, pattern, w) for p in parameters}
    if None in kwargs.values():
        return None
    return reverse(name, kwargs=kwargs)
