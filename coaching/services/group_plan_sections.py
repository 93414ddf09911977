"""The group plan's sections, each saved on its own and all or nothing: the
approach and goals, the children needing extra attention, the tips for the whole
group with their later applied-check, and the staffing per day part."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.models import Case, CaseStatus, PlanStatus
from casework.selectors import cases_for_user
from coaching import group_plan_selectors as gp_selectors
from coaching import permissions
from coaching.models import (
    AppliedCheck,
    GroupPlan,
    GroupPlanChild,
    GroupPlanGoal,
    GroupPlanStaffing,
    GroupPlanTip,
)
from coaching.models.group_plans import STAFFING_FIELDS

from ._base import _require, _save
from .group_plans import (
    _editable,
    _full_clean,
    _locked,
    _numbered_problems,
    _replace,
    latest_approved_group_plan,
)

__all__ = [
    "group_plan_check_tip",
    "group_plan_set_children",
    "group_plan_set_staffing",
    "group_plan_set_tips",
    "group_plan_update",
]


# --- drafting, section by section ----------------------------------------------------------------


def _dates_ok(period_start, period_end, evaluation_date) -> None:
    problems = {}
    if not period_start:
        problems["period_start"] = _("Say when the period starts.")
    if not period_end:
        problems["period_end"] = _("Say when the period ends.")
    if not evaluation_date:
        problems["evaluation_date"] = _("Set the evaluation date.")
    if problems:
        raise ValidationError(problems)
    if period_end < period_start:
        raise ValidationError({"period_end": _("The period cannot end before it starts.")})
    if not period_start <= evaluation_date <= period_end + datetime.timedelta(weeks=4):
        raise ValidationError(
            {"evaluation_date": _("Evaluate within the period or at most four weeks after it.")}
        )


@transaction.atomic
def group_plan_update(
    *, actor, plan, period_start, period_end, evaluation_date, approach, room_arrangements, goals
) -> GroupPlan:
    """Replace the plan's main text and goals, all or nothing. `goals` is a
    list of strings; empty ones are dropped."""
    _editable(actor, plan)
    _dates_ok(period_start, period_end, evaluation_date)
    new_goals = [
        GroupPlanGoal(plan=plan, description=text.strip(), position=position)
        for position, text in enumerate(t for t in goals if (t or "").strip())
    ]
    plan.period_start, plan.period_end = period_start, period_end
    plan.evaluation_date = evaluation_date
    plan.approach = (approach or "").strip()
    plan.room_arrangements = (room_arrangements or "").strip()
    problems = _numbered_problems(new_goals, _("Goal %(number)s"))
    try:
        plan.full_clean(exclude=["group", "created_by"], validate_constraints=False)
    except ValidationError as error:
        raise ValidationError(error.message_dict) from None
    if problems:
        raise ValidationError(problems)
    _save(plan, actor=actor, reason="group plan edited")
    _replace(list(plan.goals.all()), new_goals, actor=actor, reason="group plan edited")
    return plan


@transaction.atomic
def group_plan_set_children(*, actor, plan, children) -> GroupPlan:
    """Replace the children needing extra attention that `actor` can see.

    `children` is a list of (case, extra_attention) pairs. Each case must be an
    open case of a child in this group that the actor may see; children the
    actor may not see are left as they are."""
    _editable(actor, plan)
    visible = cases_for_user(actor).filter(
        child__group=plan.group, status__in=[CaseStatus.OPEN, CaseStatus.MONITORING]
    )
    allowed = set(visible.values_list("pk", flat=True))
    new_rows, problems, seen = [], [], set()
    for number, (case, text) in enumerate(children, start=1):
        if not isinstance(case, Case) or case.pk not in allowed:
            problems.append(
                _("Child %(number)s: choose an open case of a child in this group.")
                % {"number": number}
            )
            continue
        if case.pk in seen:
            problems.append(_("Child %(number)s is listed twice.") % {"number": number})
            continue
        seen.add(case.pk)
        new_rows.append(GroupPlanChild(plan=plan, case=case, extra_attention=(text or "").strip()))
    problems += _numbered_problems(new_rows, _("Child %(number)s"))
    if problems:
        raise ValidationError(problems)
    old = list(plan.children.filter(case_id__in=allowed))
    _replace(old, new_rows, actor=actor, reason="children needing extra attention edited")
    return plan


@transaction.atomic
def group_plan_set_tips(*, actor, plan, tips) -> GroupPlan:
    """Replace the tips: `tips` is a list of dicts with `text` and, for a tip
    already in the plan, its `id` (which keeps its source and its check)."""
    _editable(actor, plan)
    existing = {tip.pk: tip for tip in plan.tips.all()}
    kept, new_rows = [], []
    for position, item in enumerate(tips):
        text = (item.get("text") or "").strip()
        if not text:
            continue
        tip = existing.pop(_tip_id(item.get("id")), None)
        if tip is None:
            new_rows.append(GroupPlanTip(plan=plan, text=text, position=position))
        else:
            tip.text, tip.position = text, position
            kept.append(tip)
    problems = _numbered_problems(kept + new_rows, _("Tip %(number)s"))
    if problems:
        raise ValidationError(problems)
    # What is left in `existing` was removed (a tip named twice is kept once, then added).
    _replace(list(existing.values()), new_rows, actor=actor, reason="tips edited")
    for tip in kept:
        _save(tip, actor=actor, reason="tips edited")
    return plan


def _tip_id(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


@transaction.atomic
def group_plan_set_staffing(*, actor, plan, rows) -> GroupPlan:
    """Replace the staffing per day part, all or nothing. `rows` are dicts with
    the fields of GroupPlanStaffing. The ratio check is shown, not enforced here:
    a draft may be understaffed while the team works it out."""
    _editable(actor, plan)
    kind = gp_selectors.group_kind(plan.group)
    unused = (
        ("children_4_7", "children_7_plus")
        if kind == "day_care"
        else ("children_0_1", "children_1_2", "children_2_3", "children_3_4")
    )
    new_rows = []
    for row in rows:
        values = {name: row.get(name) for name in STAFFING_FIELDS if row.get(name) is not None}
        for name in unused:
            values[name] = 0
        new_rows.append(GroupPlanStaffing(plan=plan, **values))
    problems = _numbered_problems(new_rows, _("Day part %(number)s"))
    slots = {}
    for number, row in enumerate(new_rows, start=1):
        # Times that did not clean are reported above; only real times are compared.
        if not (
            isinstance(row.starts_at, datetime.time) and isinstance(row.ends_at, datetime.time)
        ):
            continue
        if row.ends_at <= row.starts_at:
            problems.append(_("Day part %(number)s ends before it starts.") % {"number": number})
            continue
        key = (row.day_kind, row.weekday)
        for other_start, other_end, other in slots.get(key, []):
            if row.starts_at < other_end and other_start < row.ends_at:
                problems.append(
                    _("Day part %(number)s overlaps day part %(other)s.")
                    % {"number": number, "other": other}
                )
        slots.setdefault(key, []).append((row.starts_at, row.ends_at, number))
    if problems:
        raise ValidationError(list(dict.fromkeys(problems)))
    _replace(list(plan.staffing.all()), new_rows, actor=actor, reason="staffing edited")
    return plan


# --- the later check: was the tip applied? -------------------------------------------------------


@transaction.atomic
def group_plan_check_tip(*, actor, tip: GroupPlanTip, applied, checked_on, note="") -> GroupPlanTip:
    """Record whether the team applied a tip. Allowed on the version being worked
    on and on the current approved version (the check is done during the period)."""
    plan = tip.plan
    _require(permissions.can_edit_group_plans(actor, plan.group))
    _locked(plan)
    current = latest_approved_group_plan(plan.group)
    if plan.status == PlanStatus.SUBMITTED or (
        plan.status == PlanStatus.APPROVED and (current is None or current.pk != plan.pk)
    ):
        raise ValidationError(_("Tips can be checked on the current plan only."))
    if applied not in AppliedCheck.values:
        raise ValidationError({"applied": _("Choose whether the tip was applied.")})
    if applied != AppliedCheck.NOT_CHECKED and not checked_on:
        raise ValidationError({"checked_on": _("Say when you checked.")})
    if checked_on and checked_on > timezone.localdate():
        raise ValidationError({"checked_on": _("The check cannot be in the future.")})
    tip.applied = applied
    tip.checked_on = checked_on if applied != AppliedCheck.NOT_CHECKED else None
    tip.check_note = (note or "").strip()
    _full_clean(tip)
    _save(tip, actor=actor, reason="applied-check recorded")
    return tip
