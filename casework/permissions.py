"""Who may do what with a case. Missing and forbidden both answer 404.

Every refusal is written to the audit trail (one INSERT): a case that exists
gets a denied row in its access log, anything else an "access denied" entry
naming the object's kind and UUID (see `alert4you.audit`)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from alert4you import audit

from . import selectors
from .models import AccessLogEntry, Case, Child, Plan

#: The access-log action a refused permission stands for.
_DENIED_ACTION = {
    "view_case": AccessLogEntry.Action.VIEW,
    "view_access_log": AccessLogEntry.Action.ACCESS_LOG,
}


def get_case_for_user(
    user, case_uuid, codename: str = "view_case", *, action: str | None = None
) -> Case:
    """The case, if `user` may see it (404 otherwise); 403 if they may see but not
    `codename`. A refusal is logged as `action` (by default the one `codename` stands for)."""
    action = action or _DENIED_ACTION.get(codename, "change")
    case = (
        selectors.cases_for_user(user)
        .select_related("child__group__location__organisation", "child__mentor")
        .filter(uuid=case_uuid)
        .first()
    )
    if case is None:
        _case_denied(user, case_uuid, action)
        raise Http404
    case.user_perms, case._perms_for = selectors.case_perms_for_user(user, case), user.pk
    if codename not in case.user_perms:
        audit.case_access_denied(user, case, action)
        raise PermissionDenied
    return case


def get_case_page_for_user(user, case_uuid) -> Case:
    """`get_case_for_user` for the case page: the same rule (404 unless `user`
    holds view_case; a refusal logged the same way), in one query that reads the
    user's permissions with the case and only what the page shows of its child
    (`selectors.case_page_case`)."""
    case = selectors.case_page_case(user, case_uuid)
    if case is None:
        audit.access_denied(user, "case", case_uuid)
        raise Http404
    if "view_case" not in case.user_perms:
        audit.case_access_denied(user, case, AccessLogEntry.Action.VIEW)
        raise Http404
    return case


def _case_denied(user, case_uuid, action: str) -> None:
    existing = Case.objects.filter(uuid=case_uuid).only("pk", "uuid").first()
    if existing is None:
        audit.access_denied(user, "case", case_uuid)
    else:
        audit.case_access_denied(user, existing, action)


def get_plan_for_user(user, plan_uuid, codename: str = "view_case") -> Plan:
    plan = Plan.objects.filter(uuid=plan_uuid).values_list("case__uuid", flat=True).first()
    if plan is None:
        audit.access_denied(user, "plan", plan_uuid)
        raise Http404
    case = get_case_for_user(user, plan, codename)
    result = Plan.objects.select_related("case").get(uuid=plan_uuid)
    result.case = case
    return result


def get_child_for_concern(user, child_uuid) -> Child:
    child = selectors.children_for_concerns(user).filter(uuid=child_uuid).first()
    if child is None:
        audit.access_denied(user, "child", child_uuid)
        raise Http404
    return child


def can_change_case(user, case: Case) -> bool:
    return "change_case" in _perms(user, case)


def can_approve_plan(user, case: Case) -> bool:
    return "approve_plan" in _perms(user, case)


def can_view_access_log(user, case: Case) -> bool:
    return "view_access_log" in _perms(user, case)


def _perms(user, case: Case) -> set[str]:
    perms = getattr(case, "user_perms", None)
    if perms is None or getattr(case, "_perms_for", None) != user.pk:
        perms = selectors.case_perms_for_user(user, case)
        case.user_perms, case._perms_for = perms, user.pk
    return perms
