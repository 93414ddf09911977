"""Pages of a group's plan: its versions, one version with its staffing check,
the section edit pages and the decisions.

Every plan and group is fetched through `permissions` (missing or not allowed to
read: 404); a reader who may not draft or decide gets 403 on the pages that
change something. A page that names a child is a view of that child's case and
is written to the case's access log."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from alert4you.forms import form_errors_from
from casework.models import CaseStatus, PlanStatus
from casework.selectors import cases_for_user
from casework.services import access_log_record_cases

from . import group_plan_selectors as gp_selectors
from . import permissions, selectors, services
from .group_plan_forms import (
    ChildFormSet,
    CommentForm,
    EvaluationForm,
    GoalFormSet,
    GroupPlanForm,
    SectionErrors,
    StaffingFormSet,
    TipCheckForm,
    TipFormSet,
)
from .models.group_plans import STAFFING_FIELDS, GroupPlanReview, GroupPlanTip
from .staffing import check_plan_staffing

IN_PROGRESS = (PlanStatus.DRAFT, PlanStatus.SUBMITTED, PlanStatus.RETURNED)


# --- helpers -------------------------------------------------------------------------------------


def _to_plan(plan):
    return redirect("coaching:group-plan-detail", plan_uuid=plan.uuid)


def _plan_to_draft(request, plan_uuid):
    """The plan for a page that changes it: 404 when unreadable, 403 when the
    user may read but not draft the group's plans."""
    plan = permissions.get_group_plan_for_user(request.user, plan_uuid)
    if not permissions.can_edit_group_plans(request.user, plan.group):
        raise PermissionDenied
    return plan


def _not_editable(request, plan):
    if plan.status == PlanStatus.SUBMITTED:
        messages.error(request, _("This version waits for approval and cannot be changed."))
    else:
        messages.error(request, _("An approved version cannot be changed; start a new one."))
    return _to_plan(plan)


def _errors_of(error: ValidationError) -> SectionErrors:
    """A form that shows a service's verdict on a whole section."""
    carrier = SectionErrors({})
    carrier.is_valid()
    form_errors_from(carrier, error)
    return carrier


def _with_content(plan) -> None:
    """Goals, tips (with their visit), staffing rows and review records in four queries."""
    prefetch_related_objects(
        [plan],
        "goals",
        Prefetch("tips", queryset=GroupPlanTip.objects.select_related("visit_tip__visit")),
        "staffing",
        Prefetch("reviews", queryset=GroupPlanReview.objects.select_related("by")),
    )


def _log_children(request, children) -> None:
    access_log_record_cases(
        user=request.user, case_ids=[c.case_id for c in children], action="view", request=request
    )


def _current(versions):
    """The latest approved version among `versions` (newest first)."""
    return next((p for p in versions if p.status == PlanStatus.APPROVED), None)


def _visible_visit_ids(user, tips) -> set[int]:
    """The visits behind the tips that `user` may open (one query, none without visit tips)."""
    ids = {tip.visit_tip.visit_id for tip in tips if tip.visit_tip_id}
    if not ids:
        return set()
    return set(selectors.visits_for_user(user).filter(pk__in=ids).values_list("pk", flat=True))


# --- versions and the plan -----------------------------------------------------------------------


@login_required
@never_cache
def group_plan_list(request, group_uuid):
    """All versions of a group's plan, newest first."""
    group = permissions.get_group_for_plans(request.user, group_uuid)
    versions = list(gp_selectors.plan_versions(group))
    context = {
        "group": group,
        "versions": versions,
        "in_progress": next((p for p in versions if p.status in IN_PROGRESS), None),
        "current": _current(versions),
        "can_edit": permissions.can_edit_group_plans(request.user, group),
    }
    return render(request, "coaching/group_plan_list.html", context)


@login_required
@never_cache
@require_POST
def group_plan_start(request, group_uuid):
    group = permissions.get_group_for_plans(request.user, group_uuid)
    try:
        plan = services.group_plan_start(actor=request.user, group=group)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("coaching:group-plans", group_uuid=group.uuid)
    messages.success(request, _("Version %(version)s is started.") % {"version": plan.version})
    return _to_plan(plan)


@login_required
@never_cache
def group_plan_detail(request, plan_uuid):
    user = request.user
    plan = permissions.get_group_plan_for_user(user, plan_uuid)
    group = plan.group
    _with_content(plan)
    children = gp_selectors.visible_children(plan, user)
    _log_children(request, children)
    versions = list(gp_selectors.plan_versions(group))
    current = _current(versions)
    can_edit = permissions.can_edit_group_plans(user, group)
    context = {
        "plan": plan,
        "group": group,
        "children": children,
        "report": check_plan_staffing(plan, rows=plan.staffing.all()),
        "versions": versions,
        "is_current": current is not None and current.pk == plan.pk,
        "visible_visit_ids": _visible_visit_ids(user, plan.tips.all()),
        "can_edit": can_edit,
        "can_decide": permissions.can_decide_group_plans(user, group),
        "can_check_tips": can_edit and (plan.is_editable or current == plan),
    }
    return render(request, "coaching/group_plan_detail.html", context)


# --- the sections --------------------------------------------------------------------------------


@login_required
@never_cache
def group_plan_edit(request, plan_uuid):
    """Period, evaluation date, approach, room arrangements and goals."""
    plan = _plan_to_draft(request, plan_uuid)
    if not plan.is_editable:
        return _not_editable(request, plan)
    data = request.POST if request.method == "POST" else None
    initial = {name: getattr(plan, name) for name in GroupPlanForm.base_fields}
    form = GroupPlanForm(data, initial=initial)
    goals = GoalFormSet(
        data, prefix="goals", initial=[{"description": g.description} for g in plan.goals.all()]
    )
    if data is not None and all([form.is_valid(), goals.is_valid()]):
        try:
            services.group_plan_update(
                actor=request.user,
                plan=plan,
                goals=[row.cleaned_data.get("description", "") for row in goals.forms],
                **form.cleaned_data,
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("The group plan is saved."))
            return _to_plan(plan)
    context = {"plan": plan, "group": plan.group, "form": form, "goals": goals}
    return render(request, "coaching/group_plan_edit.html", context)


@login_required
@never_cache
def group_plan_children(request, plan_uuid):
    """The children needing extra attention, among the open cases the user may see."""
    plan = _plan_to_draft(request, plan_uuid)
    if not plan.is_editable:
        return _not_editable(request, plan)
    cases = {str(case.uuid): case for case in _open_cases(request.user, plan.group)}
    # Rows whose case is closed by now stay as they are: the service keeps them.
    open_ids = {case.pk for case in cases.values()}
    shown = [c for c in gp_selectors.visible_children(plan, request.user) if c.case_id in open_ids]
    data = request.POST if request.method == "POST" else None
    formset = ChildFormSet(
        data,
        prefix="children",
        initial=[{"case": str(c.case.uuid), "extra_attention": c.extra_attention} for c in shown],
        form_kwargs={"case_choices": [(key, c.child.full_name) for key, c in cases.items()]},
    )
    errors = None
    if data is not None and formset.is_valid():
        rows = [
            (cases[row.cleaned_data["case"]], row.cleaned_data["extra_attention"])
            for row in formset.forms
            if row.cleaned_data.get("case")
        ]
        try:
            services.group_plan_set_children(actor=request.user, plan=plan, children=rows)
        except ValidationError as error:
            errors = _errors_of(error)
        else:
            messages.success(request, _("The children needing extra attention are saved."))
            return _to_plan(plan)
    _log_children(request, shown)
    context = {"plan": plan, "group": plan.group, "formset": formset, "errors": errors}
    return render(request, "coaching/group_plan_children.html", context)


def _open_cases(user, group):
    return (
        cases_for_user(user)
        .filter(child__group=group, status__in=[CaseStatus.OPEN, CaseStatus.MONITORING])
        .select_related("child")
        .order_by("child__first_name", "child__last_name")
    )


@login_required
@never_cache
def group_plan_tips(request, plan_uuid):
    """The tips for the whole group: edit or empty the existing ones, add the team's own."""
    plan = _plan_to_draft(request, plan_uuid)
    if not plan.is_editable:
        return _not_editable(request, plan)
    tips = list(plan.tips.all())
    data = request.POST if request.method == "POST" else None
    formset = TipFormSet(data, prefix="tips", initial=[{"id": t.pk, "text": t.text} for t in tips])
    errors = None
    if data is not None and formset.is_valid():
        rows = [
            {"id": row.cleaned_data.get("id"), "text": row.cleaned_data.get("text", "")}
            for row in formset.forms
        ]
        try:
            services.group_plan_set_tips(actor=request.user, plan=plan, tips=rows)
        except ValidationError as error:
            errors = _errors_of(error)
        else:
            messages.success(request, _("The tips for the whole group are saved."))
            return _to_plan(plan)
    rows = [(row, tips[n] if n < len(tips) else None) for n, row in enumerate(formset.forms)]
    context = {"plan": plan, "group": plan.group, "formset": formset, "rows": rows}
    context["errors"] = errors
    return render(request, "coaching/group_plan_tips.html", context)


@login_required
@never_cache
def group_plan_staffing(request, plan_uuid):
    """The staffing per day part, with the ratio check of what is saved."""
    plan = _plan_to_draft(request, plan_uuid)
    if not plan.is_editable:
        return _not_editable(request, plan)
    saved = list(plan.staffing.all())
    kind = gp_selectors.group_kind(plan.group)
    data = request.POST if request.method == "POST" else None
    initial = [{name: getattr(row, name) for name in STAFFING_FIELDS} for row in saved]
    formset = StaffingFormSet(data, prefix="staffing", initial=initial, form_kwargs={"kind": kind})
    errors = None
    if data is not None and formset.is_valid():
        rows = [row.row() for row in formset.forms if row.row() is not None]
        try:
            services.group_plan_set_staffing(actor=request.user, plan=plan, rows=rows)
        except ValidationError as error:
            errors = _errors_of(error)
        else:
            messages.success(request, _("The staffing is saved."))
            return _to_plan(plan)
    context = {"plan": plan, "group": plan.group, "formset": formset, "errors": errors}
    context["report"] = check_plan_staffing(plan, rows=saved)
    return render(request, "coaching/group_plan_staffing.html", context)


@login_required
@never_cache
@require_POST
def group_plan_pull_tips(request, plan_uuid):
    plan = _plan_to_draft(request, plan_uuid)
    try:
        added = services.group_plan_pull_tips(actor=request.user, plan=plan)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            ngettext("%(count)d new tip was added.", "%(count)d new tips were added.", added)
            % {"count": added}
            if added
            else _("There were no new tips for the whole group."),
        )
    return _to_plan(plan)


@login_required
@never_cache
def group_plan_tip_check(request, plan_uuid, tip_id):
    """Whether the team applied a tip, when that was checked and how it went."""
    plan = _plan_to_draft(request, plan_uuid)
    tip = get_object_or_404(plan.tips, pk=tip_id)
    data = request.POST if request.method == "POST" else None
    initial = {"applied": tip.applied, "checked_on": tip.checked_on or timezone.localdate()}
    form = TipCheckForm(data, initial=initial | {"note": tip.check_note})
    if data is not None and form.is_valid():
        try:
            services.group_plan_check_tip(actor=request.user, tip=tip, **form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("The check of the tip is saved."))
            return _to_plan(plan)
    context = {"plan": plan, "group": plan.group, "tip": tip, "form": form}
    return render(request, "coaching/group_plan_tip_check.html", context)


# --- decisions -----------------------------------------------------------------------------------


def _decision(request, plan_uuid, *, may, form, act, texts, offer_return=False):
    """One decision about a version. `texts`: title, button label, success message;
    `offer_return`: link to returning the plan when it cannot be approved."""
    plan = permissions.get_group_plan_for_user(request.user, plan_uuid)
    if not may(request.user, plan.group):
        raise PermissionDenied
    form = form(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            act(plan, form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, texts[2])
            return _to_plan(plan)
    context = {"plan": plan, "group": plan.group, "form": form, "report": check_plan_staffing(plan)}
    context.update(title=texts[0], submit_label=texts[1], offer_return=offer_return)
    return render(request, "coaching/group_plan_decision.html", context)


@login_required
@never_cache
def group_plan_submit(request, plan_uuid):
    return _decision(
        request,
        plan_uuid,
        may=permissions.can_edit_group_plans,
        form=CommentForm,
        act=lambda plan, data: services.group_plan_submit(actor=request.user, plan=plan, **data),
        texts=(
            _("Submit the group plan for approval"),
            _("Submit for approval"),
            _("The group plan is submitted to the location manager."),
        ),
    )


@login_required
@never_cache
def group_plan_approve(request, plan_uuid):
    return _decision(
        request,
        plan_uuid,
        may=permissions.can_decide_group_plans,
        form=CommentForm,
        act=lambda plan, data: services.group_plan_approve(actor=request.user, plan=plan, **data),
        texts=(_("Approve the group plan"), _("Approve"), _("The group plan is approved.")),
        offer_return=True,
    )


@login_required
@never_cache
def group_plan_return(request, plan_uuid):
    return _decision(
        request,
        plan_uuid,
        may=permissions.can_decide_group_plans,
        form=lambda data: CommentForm(data, comment_required=True),
        act=lambda plan, data: services.group_plan_return(actor=request.user, plan=plan, **data),
        texts=(
            _("Return the group plan with comments"),
            _("Return with comments"),
            _("The group plan is returned with your comments."),
        ),
    )


@login_required
@never_cache
def group_plan_evaluate(request, plan_uuid):
    return _decision(
        request,
        plan_uuid,
        may=permissions.can_edit_group_plans,
        form=EvaluationForm,
        act=lambda plan, data: services.group_plan_evaluate(actor=request.user, plan=plan, **data),
        texts=(
            _("Evaluate the group plan"),
            _("Save the evaluation"),
            _("The evaluation is saved."),
        ),
    )
