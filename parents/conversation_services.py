"""Writes of parent conversations: plan, prepare, record the outcome, cancel and
give feedback afterwards.

A conversation belongs to a case, so whoever may change the case (the child's
pedagogical staff, the location manager, a coach on the case team while the
parents' consent holds) may work on it. Every write runs in one transaction,
validates with a message the user can act on and keeps who changed what in the
history.
"""

from __future__ import annotations

import datetime
import hashlib

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from casework.models import Case, CaseGroupObjectPermission, CaseUserObjectPermission
from casework.services import _has, _save
from casework.services.cases import _require

from .models import SHORT_TEXT, Guardian, ParentConversation

Status = ParentConversation.Status


def people_who_see_case(case: Case) -> QuerySet:
    """Active users who may see the case: only they can take part as staff, as the
    conversation's preparation is part of the child's file."""
    User = get_user_model()
    direct = CaseUserObjectPermission.objects.filter(
        content_object=case, permission__codename="view_case"
    ).values("user_id")
    via_groups = User.groups.through.objects.filter(
        group__casegroupobjectpermission__in=CaseGroupObjectPermission.objects.filter(
            content_object=case, permission__codename="view_case"
        )
    ).values("user_id")
    return User.objects.filter(Q(id__in=direct) | Q(id__in=via_groups), is_active=True).order_by(
        "first_name", "last_name", "username"
    )


def preparation_fingerprint(conversation: ParentConversation) -> str:
    """A short digest of the saved preparation, so two people writing it at the
    same time do not silently overwrite each other."""
    text = f"{conversation.message}\x00{conversation.wording}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _locked(conversation: ParentConversation) -> ParentConversation:
    locked = (
        ParentConversation.objects.select_for_update()
        .select_related("case__child")
        .get(pk=conversation.pk)
    )
    # Keep the case the caller fetched (it carries the user's permissions).
    if conversation.case_id == locked.case_id and "case" in conversation._state.fields_cache:
        locked.case = conversation.case
    return locked


def _require_change(actor, case: Case) -> None:
    _require(_has(actor, case, "change_case"))


def _check_participants(case: Case, staff, guardians) -> tuple[list, list]:
    staff, guardians = list(staff), list(guardians)
    strangers = [g for g in guardians if g.child_id != case.child_id]
    if strangers:
        raise ValidationError(
            {
                "guardians": _(
                    "Only the parents and guardians of %(child)s can take part; remove %(names)s."
                )
                % {
                    "child": case.child.first_name,
                    "names": ", ".join(g.full_name for g in strangers),
                }
            }
        )
    if staff:
        allowed = set(
            people_who_see_case(case)
            .filter(pk__in=[u.pk for u in staff])
            .values_list("pk", flat=True)
        )
        outside = [u for u in staff if u.pk not in allowed]
        if outside:
            raise ValidationError(
                {
                    "staff_participants": _(
                        "%(names)s cannot see this child's file. Add them to the case team "
                        "first (a coach also needs the parents' consent)."
                    )
                    % {"names": ", ".join(u.get_full_name() or u.username for u in outside)}
                }
            )
    return staff, guardians


def _set_participants(conversation, staff, guardians) -> None:
    # Each change of these lists adds a history record with the names, under the
    # same user and change reason as the write itself.
    conversation.staff_participants.set(staff)
    conversation.guardians.set(guardians)


@transaction.atomic
def conversation_plan(
    *,
    actor,
    case: Case,
    planned_on: datetime.date,
    form: str,
    expected_difficulty: int,
    staff_participants=(),
    guardians=(),
    other_participants: str = "",
) -> ParentConversation:
    """Plan a conversation with the parents. The date may lie in the future."""
    _require_change(actor, case)
    staff, parents = _check_participants(case, staff_participants, guardians)
    conversation = _save(
        ParentConversation(
            case=case,
            planned_on=planned_on,
            status=Status.PLANNED,
            form=form,
            expected_difficulty=expected_difficulty,
            other_participants=(other_participants or "").strip(),
            planned_by=actor,
        ),
        actor=actor,
        reason="conversation planned",
    )
    _set_participants(conversation, staff, parents)
    return conversation


@transaction.atomic
def conversation_change_plan(
    *,
    actor,
    conversation: ParentConversation,
    planned_on: datetime.date,
    form: str,
    expected_difficulty: int,
    staff_participants=(),
    guardians=(),
    other_participants: str = "",
) -> ParentConversation:
    """Move the date, change the form or who takes part, while it is still planned."""
    conversation = _locked(conversation)
    _require_change(actor, conversation.case)
    if conversation.status != Status.PLANNED:
        raise ValidationError(_("Only a planned conversation can be changed."))
    staff, parents = _check_participants(conversation.case, staff_participants, guardians)
    conversation.planned_on = planned_on
    conversation.form = form
    conversation.expected_difficulty = expected_difficulty
    conversation.other_participants = (other_participants or "").strip()
    _save(conversation, actor=actor, reason="conversation plan changed")
    _set_participants(conversation, staff, parents)
    return conversation


@transaction.atomic
def conversation_prepare(
    *,
    actor,
    conversation: ParentConversation,
    message: str,
    wording: str = "",
    based_on: str | None = None,
) -> ParentConversation:
    """Write the preparation: the message the parents must hear and how to say it.

    `based_on` is the `preparation_fingerprint` the writer started from; when
    someone else saved in the meantime the write is refused, so neither the
    staff member's nor the coach's text is lost.
    """
    conversation = _locked(conversation)
    _require_change(actor, conversation.case)
    if conversation.status != Status.PLANNED:
        raise ValidationError(
            _("This conversation is no longer planned; its preparation cannot be changed.")
        )
    if based_on and based_on != preparation_fingerprint(conversation):
        raise ValidationError(
            _(
                "Someone else saved the preparation while you were writing. Their text is "
                "shown below yours; combine the two and save again."
            ),
            code="stale",
        )
    message, wording = (message or "").strip(), (wording or "").strip()
    if not message:
        raise ValidationError(
            {"message": _("Write the message: what must the parents hear, in a sentence or two?")}
        )
    conversation.message, conversation.wording = message, wording
    return _save(conversation, actor=actor, reason="preparation written")


@transaction.atomic
def conversation_record_outcome(
    *,
    actor,
    conversation: ParentConversation,
    outcome: str,
    agreements: str = "",
    next_step: str = "",
    next_step_on: datetime.date | None = None,
    held_on: datetime.date | None = None,
) -> ParentConversation:
    """Record how the conversation went; it is then held. `held_on` corrects the
    date when it took place on another day than planned."""
    conversation = _locked(conversation)
    _require_change(actor, conversation.case)
    if conversation.status == Status.CANCELLED:
        raise ValidationError(
            _("This conversation was cancelled; plan a new one to record an outcome.")
        )
    held_on = held_on or conversation.planned_on
    errors = {}
    if held_on > timezone.localdate():
        errors["held_on"] = _(
            "%(date)s lies in the future. Record the outcome after the conversation, or "
            "correct the date it took place."
        ) % {"date": date_format(held_on)}
    outcome, next_step = (outcome or "").strip(), (next_step or "").strip()
    if not outcome:
        errors["outcome"] = _(
            "Write down the outcome: what did the parents say, and what did you decide together?"
        )
    if next_step_on and next_step_on < held_on:
        errors["next_step_on"] = _(
            "The next step cannot lie before the conversation (%(date)s)."
        ) % {"date": date_format(held_on)}
    if next_step_on and not next_step:
        errors["next_step"] = _("Describe the next step that belongs to this date.")
    if errors:
        raise ValidationError(errors)
    conversation.planned_on = held_on
    conversation.outcome = outcome
    conversation.agreements = (agreements or "").strip()
    conversation.next_step = next_step
    conversation.next_step_on = next_step_on
    was_held = conversation.status == Status.HELD
    conversation.status = Status.HELD
    return _save(
        conversation, actor=actor, reason="outcome corrected" if was_held else "outcome recorded"
    )


@transaction.atomic
def conversation_cancel(
    *, actor, conversation: ParentConversation, reason: str
) -> ParentConversation:
    """Cancel a planned conversation. The reason is kept in the outcome field, so
    the timeline and the history say why it did not take place."""
    conversation = _locked(conversation)
    _require_change(actor, conversation.case)
    if conversation.status != Status.PLANNED:
        raise ValidationError(_("Only a planned conversation can be cancelled."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Say why the conversation is cancelled, e.g. “parents were ill”.")}
        )
    if len(reason) > SHORT_TEXT:
        raise ValidationError(
            {"reason": _("Keep the reason under %(max)s characters.") % {"max": SHORT_TEXT}}
        )
    conversation.status = Status.CANCELLED
    conversation.outcome = reason
    return _save(conversation, actor=actor, reason="conversation cancelled")


@transaction.atomic
def conversation_give_feedback(
    *, actor, conversation: ParentConversation, feedback: str
) -> ParentConversation:
    """Feedback after the conversation, usually by the coach. Anyone who may change
    the case may write it (the page invites the coach)."""
    conversation = _locked(conversation)
    _require_change(actor, conversation.case)
    if conversation.status != Status.HELD:
        raise ValidationError(
            _("Feedback follows the conversation: first record the outcome of the conversation.")
        )
    feedback = (feedback or "").strip()
    if not feedback:
        raise ValidationError(
            {
                "feedback": _(
                    "Write your feedback: what went well, and what could be said otherwise?"
                )
            }
        )
    conversation.coach_feedback = feedback
    return _save(conversation, actor=actor, reason="feedback given")


def guardians_of(case: Case) -> QuerySet[Guardian]:
    return Guardian.objects.filter(child_id=case.child_id).order_by("last_name", "first_name")
