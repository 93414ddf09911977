"""Writes about help between visits (coaching requests) and intervision."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coaching import permissions, selectors
from coaching.models import AgendaItem, CoachingRequest, Intervision, Topic, VisitStatus

from ._base import _require, _save

__all__ = [
    "coaching_request_accept",
    "coaching_request_create",
    "coaching_request_decline",
    "coaching_request_schedule",
    "intervision_record",
]

Status = CoachingRequest.Status


@transaction.atomic
def coaching_request_create(*, actor, group, topic, question, case=None) -> CoachingRequest:
    """A PM asks the group's coach for help between visits."""
    from casework.models import CaseStatus
    from casework.selectors import cases_for_user

    _require(selectors.staff_groups(actor).filter(pk=group.pk).exists())
    if topic not in Topic.values:
        raise ValidationError({"topic": _("Choose what the question is about.")})
    if not (question or "").strip():
        raise ValidationError({"question": _("Write down your question.")})
    if topic == Topic.ONE_CHILD:
        if case is None or not cases_for_user(actor).filter(pk=case.pk).exists():
            raise ValidationError({"case": _("Choose the child's case.")})
        if case.status == CaseStatus.CLOSED:
            raise ValidationError({"case": _("This case is closed.")})
        if case.child.group_id != group.pk:
            raise ValidationError({"case": _("This child is not in the chosen group.")})
    else:
        case = None
    return _save(
        CoachingRequest(
            group=group, topic=topic, case=case, question=question.strip(), requested_by=actor
        ),
        actor=actor,
        reason="request made",
    )


def _decidable(actor, request: CoachingRequest) -> CoachingRequest:
    _require(permissions.can_decide_request(actor, request))
    request = CoachingRequest.objects.select_for_update().get(pk=request.pk)
    if request.status not in (Status.OPEN, Status.ACCEPTED):
        raise ValidationError(_("This request has already been dealt with."))
    return request


@transaction.atomic
def coaching_request_accept(*, actor, request: CoachingRequest) -> CoachingRequest:
    request = _decidable(actor, request)
    if request.status == Status.ACCEPTED:
        raise ValidationError(_("This request has already been accepted."))
    request.status, request.coach = Status.ACCEPTED, actor
    return _save(request, actor=actor, reason="request accepted")


@transaction.atomic
def coaching_request_schedule(*, actor, request: CoachingRequest, visit) -> CoachingRequest:
    """Put the request on the agenda of one of the coach's coming visits to the group."""
    request = _decidable(actor, request)
    if visit is None or visit.coach_id != actor.pk or visit.status != VisitStatus.PLANNED:
        raise ValidationError({"visit": _("Choose one of your planned visits.")})
    if not visit.groups.filter(pk=request.group_id).exists():
        raise ValidationError({"visit": _("This visit is not to the group that asked.")})
    _save(
        AgendaItem(
            visit=visit,
            topic=request.topic,
            case=request.case,
            group=request.group,
            question=request.question,
            source=AgendaItem.Source.REQUEST,
            source_key=str(request.uuid),
            submitted_by=request.requested_by,
            position=visit.agenda_items.count(),
        ),
        actor=actor,
        reason="request scheduled",
    )
    request.status, request.coach, request.visit = Status.SCHEDULED, actor, visit
    return _save(request, actor=actor, reason="request scheduled")


@transaction.atomic
def coaching_request_decline(*, actor, request: CoachingRequest, reason: str) -> CoachingRequest:
    request = _decidable(actor, request)
    if not (reason or "").strip():
        raise ValidationError({"decline_reason": _("Say why you decline the request.")})
    request.status, request.coach = Status.DECLINED, actor
    request.decline_reason = reason.strip()
    return _save(request, actor=actor, reason="request declined")


@transaction.atomic
def intervision_record(*, actor, held_on, topic, coaches=(), notes="") -> Intervision:
    """Coaches record what they learned from each other (cases stay anonymous)."""
    _require(selectors.is_coach(actor))
    if held_on and held_on > timezone.localdate():
        raise ValidationError({"held_on": _("This date lies in the future.")})
    candidates = set(selectors.coaches_for_intervision(actor).values_list("pk", flat=True))
    if any(coach.pk not in candidates for coach in coaches):
        raise ValidationError({"coaches": _("Choose coaches only.")})
    intervision = _save(
        Intervision(
            held_on=held_on,
            topic=(topic or "").strip(),
            notes=(notes or "").strip(),
            organised_by=actor,
        ),
        actor=actor,
        reason="intervision recorded",
    )
    intervision.coaches.set({actor, *coaches})
    return intervision
