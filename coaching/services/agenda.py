"""Writes about a visit's agenda and its report."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from coaching import permissions
from coaching.models import AgendaItem, FollowUp, Topic, Visit, VisitStatus, VisitTip

from ._base import _require, _save

__all__ = [
    "agenda_item_add",
    "agenda_item_move",
    "agenda_prefill",
    "agenda_reorder",
    "visit_report",
]

#: Without an earlier visit, the agenda looks back this far for new concerns.
FIRST_VISIT_LOOKBACK = datetime.timedelta(weeks=4)
#: Plan actions and evaluations due up to this long after the visit come up now.
DUE_HORIZON = datetime.timedelta(days=14)


def _last_held_visit(visit: Visit, groups) -> Visit | None:
    """The last held visit to one of the same groups (another coach's visit to
    other groups of the location is not this group's last visit)."""
    return (
        Visit.objects.filter(
            status=VisitStatus.HELD, starts_at__lt=visit.starts_at, groups__in=groups
        )
        .exclude(pk=visit.pk)
        .order_by("-starts_at")
        .first()
    )


def _latest_approved_plans():
    """Approved plan versions that no later approved version replaced."""
    from casework.models import Plan, PlanStatus

    newer = Plan.objects.filter(
        case=OuterRef("case"), status=PlanStatus.APPROVED, version__gt=OuterRef("version")
    )
    return Plan.objects.filter(status=PlanStatus.APPROVED).exclude(Exists(newer))


def _open_items(visit: Visit, groups, last: Visit | None) -> list[AgendaItem]:
    from casework.models import CaseStatus, Concern, PlanAction

    since = last.starts_at if last else visit.starts_at - FIRST_VISIT_LOOKBACK
    since_day = timezone.localtime(since).date()
    horizon = timezone.localtime(visit.starts_at).date() + DUE_HORIZON
    open_statuses = [CaseStatus.OPEN, CaseStatus.MONITORING]
    plans = _latest_approved_plans().filter(
        case__child__group__in=groups, case__status__in=open_statuses
    )
    wanted: list[AgendaItem] = []

    concerns = Concern.objects.filter(
        case__child__group__in=groups, created_at__gte=since, case__status__in=open_statuses
    ).select_related("case__child")
    for concern in concerns:
        wanted.append(
            AgendaItem(
                topic=Topic.ONE_CHILD,
                case=concern.case,
                group=concern.case.child.group,
                question=_("New concern (%(domain)s): what can we do in the group?")
                % {"domain": concern.get_domain_display()},
                source=AgendaItem.Source.CONCERN,
                source_key=str(concern.uuid),
            )
        )
    # Due since the last visit: what was due before it was that visit's business.
    actions = PlanAction.objects.filter(
        plan__in=plans, due_date__gte=since_day, due_date__lte=horizon
    ).select_related("plan__case__child")
    for action in actions:
        wanted.append(
            AgendaItem(
                topic=Topic.ONE_CHILD,
                case=action.plan.case,
                group=action.plan.case.child.group,
                question=_("Plan action due on %(date)s: %(action)s")
                % {"date": action.due_date, "action": action.description},
                source=AgendaItem.Source.PLAN_ACTION,
                source_key=str(action.pk),
            )
        )
    evaluations = plans.filter(
        next_evaluation_date__gte=since_day, next_evaluation_date__lte=horizon
    ).select_related("case__child")
    for plan in evaluations:
        wanted.append(
            AgendaItem(
                topic=Topic.ONE_CHILD,
                case=plan.case,
                group=plan.case.child.group,
                question=_("The plan is evaluated on %(date)s: prepare the evaluation.")
                % {"date": plan.next_evaluation_date},
                source=AgendaItem.Source.EVALUATION,
                source_key=str(plan.uuid),
            )
        )
    if last is not None:
        for follow_up in FollowUp.objects.filter(visit=last, done_on__isnull=True):
            wanted.append(
                AgendaItem(
                    topic=Topic.GROUP_CLIMATE,
                    question=_("Follow-up of the last visit (%(owner)s): %(text)s")
                    % {"owner": follow_up.owner_name, "text": follow_up.description},
                    source=AgendaItem.Source.FOLLOW_UP,
                    source_key=str(follow_up.pk),
                )
            )
    return wanted


@transaction.atomic
def agenda_prefill(*, actor, visit: Visit) -> list[AgendaItem]:
    """Start the agenda with the groups' open items: concerns logged since the last
    visit, plan actions and evaluations due, and open follow-ups of the last visit.
    Running it again adds only what is new."""
    _require(permissions.can_plan_visit(actor, visit))
    if visit.status != VisitStatus.PLANNED:
        raise ValidationError(_("Only the agenda of a planned visit can be pre-filled."))
    # Two pre-fills at once would both add the same items.
    Visit.objects.select_for_update().filter(pk=visit.pk).first()
    groups = list(visit.groups.all())
    wanted = _open_items(visit, groups, _last_held_visit(visit, groups))
    existing = set(visit.agenda_items.values_list("source", "source_key"))
    new = [item for item in wanted if (item.source, item.source_key) not in existing]
    start = visit.agenda_items.count()
    for offset, item in enumerate(new):
        item.visit = visit
        item.position = start + offset
        _save(item, actor=actor, reason="agenda pre-filled")
    return new


@transaction.atomic
def agenda_item_add(*, actor, visit: Visit, topic, question, case=None, group=None) -> AgendaItem:
    """A PM puts a question on the agenda of a coming visit."""
    from casework.models import CaseStatus
    from casework.selectors import cases_for_user

    if visit.status != VisitStatus.PLANNED:
        raise ValidationError(_("Questions can only be added to a planned visit."))
    _require(permissions.can_ask(actor, visit))
    if topic not in Topic.values:
        raise ValidationError({"topic": _("Choose what the question is about.")})
    if not (question or "").strip():
        raise ValidationError({"question": _("Write down your question.")})
    visit_groups = {g.pk: g for g in visit.groups.all()}
    if topic == Topic.ONE_CHILD:
        if case is None or not cases_for_user(actor).filter(pk=case.pk).exists():
            raise ValidationError({"case": _("Choose the child's case.")})
        if case.status == CaseStatus.CLOSED:
            raise ValidationError({"case": _("This case is closed.")})
        if case.child.group_id not in visit_groups:
            raise ValidationError({"case": _("This child is not in a group of this visit.")})
        group = case.child.group
    else:
        case = None
        if group is not None and group.pk not in visit_groups:
            raise ValidationError({"group": _("Choose a group of this visit.")})
    position = visit.agenda_items.count()
    return _save(
        AgendaItem(
            visit=visit,
            topic=topic,
            case=case,
            group=group,
            question=question.strip(),
            submitted_by=actor,
            position=position,
        ),
        actor=actor,
        reason="question added",
    )


@transaction.atomic
def agenda_reorder(*, actor, visit: Visit, item_uuids: list) -> None:
    """The coach orders the agenda."""
    _require(visit.coach_id == actor.pk)
    items = {str(item.uuid): item for item in visit.agenda_items.all()}
    order = [str(u) for u in item_uuids if str(u) in items]
    order += [u for u in items if u not in order]
    for position, key in enumerate(order):
        item = items[key]
        if item.position != position:
            item.position = position
            _save(item, actor=actor, reason="agenda ordered")


@transaction.atomic
def agenda_item_move(*, actor, visit: Visit, item_uuid, up: bool) -> None:
    """Move one item a place up or down (the agenda's simple reorder buttons)."""
    order = [str(u) for u in visit.agenda_items.values_list("uuid", flat=True)]
    key = str(item_uuid)
    if key not in order:
        raise ValidationError(_("This question is not on the agenda."))
    index = order.index(key)
    other = index - 1 if up else index + 1
    if 0 <= other < len(order):
        order[index], order[other] = order[other], order[index]
    agenda_reorder(actor=actor, visit=visit, item_uuids=order)


def _clean_follow_ups(follow_ups) -> list[dict]:
    cleaned = []
    for follow_up in follow_ups:
        description = (follow_up.get("description") or "").strip()
        owner = (follow_up.get("owner_name") or "").strip()
        if not (description or owner or follow_up.get("due_on")):
            continue
        if not description:
            raise ValidationError(_("Describe every follow-up."))
        if not owner:
            raise ValidationError(_("Every follow-up needs an owner."))
        if not follow_up.get("due_on"):
            raise ValidationError(_("Every follow-up needs a due date."))
        cleaned.append(
            {"description": description, "owner_name": owner, "due_on": follow_up["due_on"]}
        )
    return cleaned


@transaction.atomic
def visit_report(
    *, actor, visit: Visit, notes_by_item: dict, general_notes="", tips=(), follow_ups=()
):
    """The coach writes the visit report: notes per agenda item, tips for the
    whole group and follow-ups with owner and due date. The visit is then held."""
    _require(visit.coach_id == actor.pk)
    # A second report would add every tip and follow-up again.
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if visit.status == VisitStatus.CANCELLED:
        raise ValidationError(_("A cancelled visit has no report."))
    if visit.status == VisitStatus.HELD:
        raise ValidationError(_("The report of this visit is already written."))
    if visit.starts_at > timezone.now():
        raise ValidationError(_("The report can be written once the visit has started."))
    follow_ups = _clean_follow_ups(follow_ups)
    for item in visit.agenda_items.all():
        notes = (notes_by_item.get(str(item.uuid)) or "").strip()
        if notes != item.report_notes:
            item.report_notes = notes
            _save(item, actor=actor, reason="visit report")
    for text in tips:
        if (text or "").strip():
            _save(
                VisitTip(visit=visit, text=text.strip(), created_by=actor),
                actor=actor,
                reason="tip",
            )
    for follow_up in follow_ups:
        _save(FollowUp(visit=visit, **follow_up), actor=actor, reason="follow-up")
    visit.report_notes = (general_notes or "").strip()
    visit.status = VisitStatus.HELD
    visit.reported_at = timezone.now()
    return _save(visit, actor=actor, reason="visit report")
