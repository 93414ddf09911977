"""The child's single joint plan: versions, drafting, review and the parents' agreement."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.models import Case, Plan, PlanAction, PlanGoal, PlanReview, PlanStatus

from .cases import _has, _not_in_future, _require, _save

IN_PROGRESS = (PlanStatus.DRAFT, PlanStatus.SUBMITTED, PlanStatus.RETURNED)

# --- the one plan -----------------------------------------------------------------------------


def plan_in_progress(case: Case) -> Plan | None:
    return case.plans.filter(status__in=IN_PROGRESS).first()


def latest_approved_plan(case: Case) -> Plan | None:
    return case.plans.filter(status=PlanStatus.APPROVED).order_by("-version").first()


@transaction.atomic
def plan_start_version(*, actor, case: Case) -> Plan:
    """Start a new draft, copied from the latest approved version if there is one."""
    _require(_has(actor, case, "change_case"))
    # Lock the case so two people starting a version at once get a message, not a crash.
    Case.objects.select_for_update().filter(pk=case.pk).first()
    if plan_in_progress(case) is not None:
        raise ValidationError(_("A version of this plan is already being worked on."))
    base = latest_approved_plan(case)
    last_version = case.plans.order_by("-version").values_list("version", flat=True).first() or 0
    plan = Plan(
        case=case,
        version=last_version + 1,
        created_by=actor,
        whole_group_learning=base.whole_group_learning if base else "",
        next_evaluation_date=(
            base.next_evaluation_date
            if base
            else timezone.localdate() + datetime.timedelta(weeks=6)
        ),
    )
    _save(plan, actor=actor, reason="new plan version")
    if base is not None:
        for goal in base.goals.all():
            _save(
                PlanGoal(
                    plan=plan,
                    description=goal.description,
                    owner_party=goal.owner_party,
                    position=goal.position,
                ),
                actor=actor,
                reason="copied from the previous version",
            )
        for action in base.actions.all():
            _save(
                PlanAction(
                    plan=plan,
                    description=action.description,
                    owner_party=action.owner_party,
                    owner_name=action.owner_name,
                    due_date=action.due_date,
                    for_whole_group=action.for_whole_group,
                    position=action.position,
                ),
                actor=actor,
                reason="copied from the previous version",
            )
    return plan


def _evaluation_date_ok(next_evaluation_date) -> None:
    if not next_evaluation_date:
        raise ValidationError({"next_evaluation_date": _("Set the next evaluation date.")})
    if next_evaluation_date < timezone.localdate():
        raise ValidationError(
            {"next_evaluation_date": _("The next evaluation date has passed; set a new one.")}
        )


def _clean_rows(plan: Plan, goals, actions) -> tuple[list[PlanGoal], list[PlanAction]]:
    """Build and validate every row before anything is written; name the rows at fault."""
    new_goals = [
        PlanGoal(
            plan=plan,
            position=position,
            description=(goal.get("description") or "").strip(),
            owner_party=goal.get("owner_party") or "",
        )
        for position, goal in enumerate(goals)
    ]
    new_actions = [
        PlanAction(
            plan=plan,
            position=position,
            description=(action.get("description") or "").strip(),
            owner_party=action.get("owner_party") or "",
            owner_name=(action.get("owner_name") or "").strip(),
            due_date=action.get("due_date"),
            for_whole_group=bool(action.get("for_whole_group")),
        )
        for position, action in enumerate(actions)
    ]
    problems = []
    for label, rows in ((_("Goal %(number)s"), new_goals), (_("Action %(number)s"), new_actions)):
        for number, row in enumerate(rows, start=1):
            problems += _row_problems(row, label % {"number": number})
    if problems:
        raise ValidationError(list(dict.fromkeys(problems)))
    return new_goals, new_actions


def _row_problems(row, name: str) -> list[str]:
    try:
        row.full_clean(exclude=["plan"])
    except ValidationError as error:
        problems = []
        for field, messages in error.message_dict.items():
            if field == "owner_name" and not row.owner_name:
                problems.append(_("%(row)s: every action needs an owner.") % {"row": name})
                continue
            label = row._meta.get_field(field).verbose_name if field != "__all__" else ""
            problems += [
                f"{name}, {label}: {message}" if label else f"{name}: {message}"
                for message in messages
            ]
        return problems
    return []


@transaction.atomic
def plan_update(*, actor, plan: Plan, whole_group_learning, next_evaluation_date, goals, actions):
    """Replace the draft's content, all or nothing.

    `goals` are dicts with description and owner_party; `actions` dicts with
    description, owner_party, owner_name, due_date and optionally for_whole_group
    (the action then flows into the group plan once this version is approved).
    Every row is validated before anything is written.
    """
    _require(_has(actor, plan.case, "change_case"))
    _locked(plan)
    if not plan.is_editable:
        raise ValidationError(_("This version can no longer be changed."))
    _evaluation_date_ok(next_evaluation_date)
    new_goals, new_actions = _clean_rows(plan, goals, actions)
    plan.whole_group_learning = (whole_group_learning or "").strip()
    plan.next_evaluation_date = next_evaluation_date
    if plan.parents_agreed_on:
        # The parents agreed with what the version said then, not with this edit.
        plan.parents_agreed_on, plan.parents_agreement_note = None, ""
    _save(plan, actor=actor, reason="plan edited")
    for old in list(plan.goals.all()) + list(plan.actions.all()):
        old._history_user = actor
        old._change_reason = "plan edited"
        old.delete()
    for row in new_goals + new_actions:
        _save(row, actor=actor, reason="plan edited")
    return plan


def _review(plan: Plan, *, actor, action: str, comment: str = "") -> PlanReview:
    review = PlanReview(plan=plan, action=action, by=actor, comment=(comment or "").strip())
    review.full_clean()
    review.save()
    return review


def _locked(plan: Plan) -> Plan:
    """Re-read the plan's status under a row lock so two decisions cannot cross."""
    plan.status = Plan.objects.select_for_update().values_list("status", flat=True).get(pk=plan.pk)
    return plan


@transaction.atomic
def plan_submit(*, actor, plan: Plan, comment: str = "") -> Plan:
    _require(_has(actor, plan.case, "change_case"))
    _locked(plan)
    if not plan.is_editable:
        raise ValidationError(_("Only a draft or a returned plan can be submitted."))
    if not plan.goals.exists():
        raise ValidationError(_("Add at least one goal before submitting the plan."))
    _evaluation_date_ok(plan.next_evaluation_date)
    plan.status = PlanStatus.SUBMITTED
    _save(plan, actor=actor, reason="submitted for approval")
    _review(plan, actor=actor, action=PlanReview.Action.SUBMITTED, comment=comment)
    return plan


@transaction.atomic
def plan_approve(*, actor, plan: Plan, comment: str = "") -> Plan:
    _require(_has(actor, plan.case, "approve_plan"))
    _locked(plan)
    if plan.status != PlanStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted plan can be approved."))
    plan.status = PlanStatus.APPROVED
    _save(plan, actor=actor, reason="approved")
    _review(plan, actor=actor, action=PlanReview.Action.APPROVED, comment=comment)
    return plan


@transaction.atomic
def plan_return(*, actor, plan: Plan, comment: str) -> Plan:
    _require(_has(actor, plan.case, "approve_plan"))
    _locked(plan)
    if plan.status != PlanStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted plan can be returned."))
    if not (comment or "").strip():
        raise ValidationError({"comment": _("Say what should change before returning the plan.")})
    plan.status = PlanStatus.RETURNED
    _save(plan, actor=actor, reason="returned with comments")
    _review(plan, actor=actor, action=PlanReview.Action.RETURNED, comment=comment)
    return plan


@transaction.atomic
def plan_record_parents_agreement(*, actor, plan: Plan, agreed_on, note: str = "") -> Plan:
    """Record that the parents agreed with this version (each agreement is its own record)."""
    _require(_has(actor, plan.case, "change_case"))
    if not agreed_on:
        raise ValidationError({"agreed_on": _("Say when the parents agreed.")})
    _not_in_future(agreed_on, "agreed_on")
    if agreed_on < timezone.localdate(plan.created_at):
        raise ValidationError(
            {"agreed_on": _("The parents cannot have agreed before this version was started.")}
        )
    plan.parents_agreed_on = agreed_on
    plan.parents_agreement_note = (note or "").strip()
    _save(plan, actor=actor, reason="parents agreed")
    _review(plan, actor=actor, action=PlanReview.Action.PARENTS_AGREED, comment=note)
    return plan
