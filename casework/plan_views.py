"""Pages of the child's single plan, the review queue (child plans and group plans)
and the overview per group.

Every case and plan is fetched through `permissions` (missing or forbidden: 404;
visible but not allowed: 403), and every view of a plan is written to the access log.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from alert4you import sql as sql_parts
from alert4you.forms import form_errors_from
from alert4you.pagination import paginate

from . import permissions, selectors, services
from .models import PlanReview, PlanStatus
from .plan_forms import (
    ActionFormSet,
    GoalFormSet,
    ParentsAgreementForm,
    PlanCompareForm,
    PlanForm,
    ReviewCommentForm,
    formset_rows,
)

QUEUE_PAGE_SIZE = 50
GOAL_FIELDS = ("description", "owner_party")
ACTION_FIELDS = ("description", "owner_party", "owner_name", "due_date", "for_whole_group")


def _log(request, case):
    services.access_log_record(user=request.user, case=case, action="plan", request=request)


def _with_content(*plans):
    """Load goals, actions and review records of the given plans in three queries."""
    prefetch_related_objects(
        [plan for plan in plans if plan is not None],
        "goals",
        "actions",
        Prefetch("reviews", queryset=PlanReview.objects.select_related("by")),
    )


def _to_plan(case):
    return redirect("casework:plan-detail", case_uuid=case.uuid)


@login_required
@never_cache
def plan_detail(request, case_uuid):
    case = permissions.get_case_for_user(request.user, case_uuid)
    _log(request, case)
    versions = list(case.plans.select_related("created_by").order_by("-version"))
    for newer, older in zip(versions, versions[1:], strict=False):
        newer.previous = older
    in_progress = next((p for p in versions if p.status in services.IN_PROGRESS), None)
    approved = next((p for p in versions if p.status == PlanStatus.APPROVED), None)
    _with_content(in_progress, approved)
    context = {
        "case": case,
        "child": case.child,
        "in_progress": in_progress,
        "approved": approved,
        "versions": versions,
        "can_change": "change_case" in case.user_perms,
        "can_approve": "approve_plan" in case.user_perms,
    }
    return render(request, "casework/plan_detail.html", context)


@login_required
@never_cache
@require_POST
def plan_start(request, case_uuid):
    case = permissions.get_case_for_user(request.user, case_uuid, "change_case")
    try:
        plan = services.plan_start_version(actor=request.user, case=case)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _to_plan(case)
    messages.success(request, _("Version %(version)s is started.") % {"version": plan.version})
    return redirect("casework:plan-edit", plan_uuid=plan.uuid)


@login_required
@never_cache
def plan_edit(request, plan_uuid):
    plan = permissions.get_plan_for_user(request.user, plan_uuid, "change_case")
    if not plan.is_editable:
        if plan.status == PlanStatus.SUBMITTED:
            messages.error(request, _("This version waits for approval and cannot be changed."))
        else:
            messages.error(request, _("An approved version cannot be changed; start a new one."))
        return _to_plan(plan.case)
    _with_content(plan)
    data = request.POST if request.method == "POST" else None
    form = PlanForm(data, initial=_plan_initial(plan))
    goals = GoalFormSet(data, prefix="goals", initial=_initial(plan.goals.all(), GOAL_FIELDS))
    actions = ActionFormSet(
        data, prefix="actions", initial=_initial(plan.actions.all(), ACTION_FIELDS)
    )
    if data is not None and all([form.is_valid(), goals.is_valid(), actions.is_valid()]):
        try:
            services.plan_update(
                actor=request.user,
                plan=plan,
                goals=formset_rows(goals),
                actions=formset_rows(actions),
                **form.cleaned_data,
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("The plan is saved."))
            if "keep_editing" in request.POST:
                return redirect("casework:plan-edit", plan_uuid=plan.uuid)
            return _to_plan(plan.case)
    _log(request, plan.case)
    context = {"case": plan.case, "plan": plan, "form": form, "goals": goals, "actions": actions}
    return render(request, "casework/plan_form.html", context)


def _plan_initial(plan):
    return {
        "next_evaluation_date": plan.next_evaluation_date,
        "whole_group_learning": plan.whole_group_learning,
    }


def _initial(rows, fields):
    return [{name: getattr(row, name) for name in fields} for row in rows]


def _plan_decision(request, plan_uuid, codename, form_class, act, texts, **form_kwargs):
    """One decision about a plan version. `texts`: title, button label, success message."""
    plan = permissions.get_plan_for_user(request.user, plan_uuid, codename)
    form = form_class(request.POST if request.method == "POST" else None, **form_kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            act(plan, form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, texts[2])
            return _to_plan(plan.case)
    _log(request, plan.case)
    _with_content(plan)
    context = {"case": plan.case, "plan": plan, "form": form}
    context.update(title=texts[0], submit_label=texts[1])
    return render(request, "casework/plan_decision.html", context)


@login_required
@never_cache
def plan_submit(request, plan_uuid):
    return _plan_decision(
        request,
        plan_uuid,
        "change_case",
        ReviewCommentForm,
        lambda plan, data: services.plan_submit(actor=request.user, plan=plan, **data),
        (
            _("Submit the plan for approval"),
            _("Submit for approval"),
            _("The plan is submitted to the location manager."),
        ),
    )


@login_required
@never_cache
def plan_approve(request, plan_uuid):
    return _plan_decision(
        request,
        plan_uuid,
        "approve_plan",
        ReviewCommentForm,
        lambda plan, data: services.plan_approve(actor=request.user, plan=plan, **data),
        (_("Approve the plan"), _("Approve"), _("The plan is approved.")),
    )


@login_required
@never_cache
def plan_return(request, plan_uuid):
    return _plan_decision(
        request,
        plan_uuid,
        "approve_plan",
        ReviewCommentForm,
        lambda plan, data: services.plan_return(actor=request.user, plan=plan, **data),
        (
            _("Return the plan with comments"),
            _("Return with comments"),
            _("The plan is returned with your comments."),
        ),
        comment_required=True,
    )


@login_required
@never_cache
def plan_parents(request, plan_uuid):
    return _plan_decision(
        request,
        plan_uuid,
        "change_case",
        ParentsAgreementForm,
        lambda plan, data: services.plan_record_parents_agreement(
            actor=request.user, plan=plan, **data
        ),
        (
            _("Record the parents' agreement"),
            _("Record the agreement"),
            _("The parents' agreement is recorded."),
        ),
    )


@login_required
@never_cache
def plan_version(request, plan_uuid):
    plan = permissions.get_plan_for_user(request.user, plan_uuid)
    _log(request, plan.case)
    _with_content(plan)
    previous = plan.case.plans.filter(version__lt=plan.version).order_by("-version").first()
    context = {"case": plan.case, "plan": plan, "previous": previous}
    return render(request, "casework/plan_version.html", context)


@login_required
@never_cache
def plan_compare(request, case_uuid):
    case = permissions.get_case_for_user(request.user, case_uuid)
    versions = list(case.plans.order_by("-version"))
    form = PlanCompareForm(
        request.GET if "a" in request.GET or "b" in request.GET else None, versions=versions
    )
    if form.is_bound and not form.is_valid():
        raise Http404
    by_uuid = {str(plan.uuid): plan for plan in versions}
    if form.is_bound:
        older, newer = by_uuid[form.cleaned_data["a"]], by_uuid[form.cleaned_data["b"]]
    else:
        newer, older = (versions + [None, None])[:2]
        if older is not None:
            form = PlanCompareForm(initial={"a": older.uuid, "b": newer.uuid}, versions=versions)
    _log(request, case)
    differences = None
    if older is not None and newer is not None:
        _with_content(older, newer)
        differences = selectors.plan_differences(older, newer)
    context = {"case": case, "form": form, "older": older, "newer": newer}
    context["differences"] = differences
    context["changed"] = sum(1 for d in differences or [] if d.change != "same")
    return render(request, "casework/plan_compare.html", context)


@login_required
@never_cache
@sql_parts.prepared("review_queue")  # the same queries on every visit
def review_queue(request):
    """Child plans and group plans waiting for the manager's decision, together."""
    queue = selectors.decision_queue_for_user(request.user)
    page = paginate(queue, request.GET.get("page"), QUEUE_PAGE_SIZE)
    return render(request, "casework/review_queue.html", {"page": page})


@login_required
@never_cache
def open_cases_per_group(request):
    overview = selectors.open_cases_per_group_for_manager(request.user)
    return render(request, "casework/open_cases_per_group.html", {"locations": overview})
