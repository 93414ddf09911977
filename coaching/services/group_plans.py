"""The group plan: versions, the flow of tips "for the whole group" from visit
reports and child plans, review and evaluation. The sections are edited in
group_plan_sections."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from casework.models import CaseStatus, Plan, PlanAction, PlanStatus
from coaching import permissions
from coaching.models import (
    SHORT_TEXT,
    GroupPlan,
    GroupPlanChild,
    GroupPlanGoal,
    GroupPlanReview,
    GroupPlanStaffing,
    GroupPlanTip,
    TipSource,
    VisitStatus,
    VisitTip,
)
from coaching.models.group_plans import STAFFING_FIELDS
from coaching.staffing import check_plan_staffing

from ._base import _require, _save

__all__ = [
    "group_plan_approve",
    "group_plan_evaluate",
    "group_plan_pull_tips",
    "group_plan_return",
    "group_plan_start",
    "group_plan_submit",
]

IN_PROGRESS = (PlanStatus.DRAFT, PlanStatus.SUBMITTED, PlanStatus.RETURNED)
#: A first group plan picks up the tips of visits held this long before it.
FIRST_PLAN_LOOKBACK = datetime.timedelta(weeks=26)
DEFAULT_PERIOD = datetime.timedelta(weeks=26)


# --- who may -----------------------------------------------------------------------------------


def _editable(actor, plan: GroupPlan) -> GroupPlan:
    _require(permissions.can_edit_group_plans(actor, plan.group))
    _locked(plan)
    if not plan.is_editable:
        raise ValidationError(_("This version can no longer be changed."))
    return plan


#: What a service may read or write on the plan row itself.
PLAN_FIELDS = (
    "status",
    "period_start",
    "period_end",
    "approach",
    "room_arrangements",
    "evaluation_date",
    "evaluated_on",
    "evaluation",
)


def _locked(plan: GroupPlan) -> GroupPlan:
    """Re-read the plan under a row lock so two decisions cannot cross, and so saving
    it never writes back an older text over an edit made since it was loaded."""
    fresh = GroupPlan.objects.select_for_update().values(*PLAN_FIELDS).get(pk=plan.pk)
    for name, value in fresh.items():
        setattr(plan, name, value)
    return plan


def _full_clean(row, exclude=("plan",)) -> None:
    row.full_clean(exclude=list(exclude), validate_constraints=False)


def _replace(old_rows, new_rows, *, actor, reason: str) -> None:
    for old in old_rows:
        old._history_user = actor
        old._change_reason = reason
        old.delete()
    for row in new_rows:
        _save(row, actor=actor, reason=reason)


def _numbered_problems(rows, label: str) -> list[str]:
    problems = []
    for number, row in enumerate(rows, start=1):
        try:
            _full_clean(row)
        except ValidationError as error:
            name = label % {"number": number}
            for field_name, messages in error.message_dict.items():
                verbose = (
                    row._meta.get_field(field_name).verbose_name if field_name != "__all__" else ""
                )
                problems += [
                    f"{name}, {verbose}: {message}" if verbose else f"{name}: {message}"
                    for message in messages
                ]
    return problems


# --- versions ----------------------------------------------------------------------------------


def group_plan_in_progress(group) -> GroupPlan | None:
    return group.plans.filter(status__in=IN_PROGRESS).first()


def latest_approved_group_plan(group) -> GroupPlan | None:
    return group.plans.filter(status=PlanStatus.APPROVED).order_by("-version").first()


@transaction.atomic
def group_plan_start(*, actor, group) -> GroupPlan:
    """Start a new draft, copied from the latest approved version if there is
    one, and pull in the tips for the whole group that came since."""
    _require(permissions.can_edit_group_plans(actor, group))
    type(group).objects.select_for_update().filter(pk=group.pk).first()
    if group_plan_in_progress(group) is not None:
        raise ValidationError(_("A version of this group plan is already being worked on."))
    base = latest_approved_group_plan(group)
    today = timezone.localdate()
    last_version = group.plans.order_by("-version").values_list("version", flat=True).first() or 0
    start = max(today, base.period_end + datetime.timedelta(days=1)) if base else today
    plan = GroupPlan(
        group=group,
        version=last_version + 1,
        created_by=actor,
        period_start=start,
        period_end=start + DEFAULT_PERIOD,
        evaluation_date=start + DEFAULT_PERIOD - datetime.timedelta(weeks=2),
        approach=base.approach if base else "",
        room_arrangements=base.room_arrangements if base else "",
    )
    _save(plan, actor=actor, reason="new group plan version")
    if base is not None:
        _copy_content(base, plan, actor=actor)
    group_plan_pull_tips(actor=actor, plan=plan)
    return plan


def _copy_content(base: GroupPlan, plan: GroupPlan, *, actor) -> None:
    reason = "copied from the previous version"
    rows = [
        GroupPlanGoal(plan=plan, description=g.description, position=g.position)
        for g in base.goals.all()
    ]
    rows += [
        GroupPlanChild(plan=plan, case_id=child.case_id, extra_attention=child.extra_attention)
        # Only children still in the group whose case is open need attention in the new version.
        for child in base.children.filter(
            case__status__in=[CaseStatus.OPEN, CaseStatus.MONITORING],
            case__child__group=base.group_id,
        )
    ]
    # Tips carry over with their source; whether they were applied is checked anew.
    rows += [
        GroupPlanTip(
            plan=plan,
            text=tip.text,
            source=tip.source,
            visit_tip_id=tip.visit_tip_id,
            plan_action_id=tip.plan_action_id,
            position=tip.position,
        )
        for tip in base.tips.all()
    ]
    rows += [
        GroupPlanStaffing(
            plan=plan,
            **{name: getattr(row, name) for name in STAFFING_FIELDS},
        )
        for row in base.staffing.all()
    ]
    for row in rows:
        _save(row, actor=actor, reason=reason)


@transaction.atomic
def group_plan_pull_tips(*, actor, plan: GroupPlan) -> int:
    """Add the tips for the whole group from held visits to the group and the
    actions marked "for the whole group" in the plans of the group's children.
    Never adds one twice (nor the same text twice). Returns how many were added."""
    _editable(actor, plan)
    group = plan.group
    previous = (
        group.plans.filter(status=PlanStatus.APPROVED, version__lt=plan.version)
        .order_by("-version")
        .first()
    )
    since = previous.created_at if previous else timezone.now() - FIRST_PLAN_LOOKBACK
    have_visit_tips = set(plan.tips.exclude(visit_tip=None).values_list("visit_tip_id", flat=True))
    have_actions = set(plan.tips.exclude(plan_action=None).values_list("plan_action_id", flat=True))
    have_texts = {text.strip().casefold() for text in plan.tips.values_list("text", flat=True)}
    position = (plan.tips.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    visit_tips = (
        VisitTip.objects.filter(
            visit__groups=group, visit__status=VisitStatus.HELD, visit__starts_at__gte=since
        )
        .order_by("visit__starts_at", "id")
        .distinct()
    )
    # Only the newest approved version of each child's plan speaks for it: a draft is
    # not agreed yet, and starting one must not stop what was agreed from flowing in.
    newer_approved = Plan.objects.filter(
        case=OuterRef("plan__case"),
        status=PlanStatus.APPROVED,
        version__gt=OuterRef("plan__version"),
    )
    actions = (
        PlanAction.objects.filter(
            for_whole_group=True,
            plan__status=PlanStatus.APPROVED,
            plan__case__child__group=group,
            plan__case__status__in=[CaseStatus.OPEN, CaseStatus.MONITORING],
        )
        .exclude(Exists(newer_approved))
        .order_by("plan__case_id", "position", "id")
    )
    added = 0
    candidates = [(TipSource.VISIT, tip.text, {"visit_tip": tip}) for tip in visit_tips]
    candidates += [
        (TipSource.CHILD_PLAN, action.description, {"plan_action": action}) for action in actions
    ]
    for source, text, link in candidates:
        key = text.strip().casefold()
        linked = link.get("visit_tip") or link.get("plan_action")
        seen = have_visit_tips if "visit_tip" in link else have_actions
        if linked.pk in seen or key in have_texts:
            continue
        _save(
            GroupPlanTip(plan=plan, text=text.strip(), source=source, position=position, **link),
            actor=actor,
            reason="tip for the whole group pulled in",
        )
        seen.add(linked.pk)
        have_texts.add(key)
        position += 1
        added += 1
    return added


# --- review and evaluation ----------------------------------------------------------------------


def _review(plan, *, actor, action, comment="") -> GroupPlanReview:
    review = GroupPlanReview(plan=plan, action=action, by=actor, comment=(comment or "").strip())
    review.full_clean()
    review.save()
    return review


@transaction.atomic
def group_plan_submit(*, actor, plan: GroupPlan, comment: str = "") -> GroupPlan:
    _editable(actor, plan)
    problems = []
    if not plan.approach.strip():
        problems.append(_("Describe the pedagogical approach before submitting."))
    if not plan.goals.exists():
        problems.append(_("Add at least one goal for the group before submitting."))
    if not plan.staffing.exists():
        problems.append(_("Fill in the staffing per day part before submitting."))
    if plan.evaluation_date < timezone.localdate():
        problems.append(_("The evaluation date has passed; set a new one."))
    if problems:
        raise ValidationError(problems)
    plan.status = PlanStatus.SUBMITTED
    _save(plan, actor=actor, reason="submitted for approval")
    _review(plan, actor=actor, action=GroupPlanReview.Action.SUBMITTED, comment=comment)
    return plan


@transaction.atomic
def group_plan_approve(*, actor, plan: GroupPlan, comment: str = "") -> GroupPlan:
    """Approve a submitted plan. A plan whose staffing breaks the staff-child
    ratio (beyond what the three-hour rule allows) cannot be approved."""
    _require(permissions.can_decide_group_plans(actor, plan.group))
    _locked(plan)
    if plan.status != PlanStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted group plan can be approved."))
    warnings = check_plan_staffing(plan).warnings
    if warnings:
        raise ValidationError(
            [_("The staffing is below the staff-child ratio; return the plan to fix it.")]
            + warnings
        )
    plan.status = PlanStatus.APPROVED
    _save(plan, actor=actor, reason="approved")
    _review(plan, actor=actor, action=GroupPlanReview.Action.APPROVED, comment=comment)
    return plan


@transaction.atomic
def group_plan_return(*, actor, plan: GroupPlan, comment: str) -> GroupPlan:
    _require(permissions.can_decide_group_plans(actor, plan.group))
    _locked(plan)
    if plan.status != PlanStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted group plan can be returned."))
    if not (comment or "").strip():
        raise ValidationError({"comment": _("Say what should change before returning the plan.")})
    plan.status = PlanStatus.RETURNED
    _save(plan, actor=actor, reason="returned with comments")
    _review(plan, actor=actor, action=GroupPlanReview.Action.RETURNED, comment=comment)
    return plan


@transaction.atomic
def group_plan_evaluate(*, actor, plan: GroupPlan, evaluated_on, evaluation: str) -> GroupPlan:
    """Record the evaluation of the current approved version; it clears the
    overdue warning and is the basis of the next version."""
    _require(permissions.can_edit_group_plans(actor, plan.group))
    _locked(plan)
    current = latest_approved_group_plan(plan.group)
    if current is None or current.pk != plan.pk:
        raise ValidationError(_("Only the current approved group plan can be evaluated."))
    if not evaluated_on:
        raise ValidationError({"evaluated_on": _("Say when you evaluated.")})
    if evaluated_on > timezone.localdate():
        raise ValidationError({"evaluated_on": _("The evaluation cannot be in the future.")})
    if not (evaluation or "").strip():
        raise ValidationError({"evaluation": _("Write down what the evaluation showed.")})
    plan.evaluated_on = evaluated_on
    plan.evaluation = evaluation.strip()
    _full_clean(plan, exclude=("group", "created_by"))
    _save(plan, actor=actor, reason="evaluated")
    # The evaluation itself is on the plan; the review keeps a summary that fits its comment.
    summary = Truncator(plan.evaluation).chars(SHORT_TEXT)
    _review(plan, actor=actor, action=GroupPlanReview.Action.EVALUATED, comment=summary)
    return plan
