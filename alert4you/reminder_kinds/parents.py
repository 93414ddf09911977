"""Reminders about work with parents: a conversation's next step, a consent ending."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import translation

from alert4you.models import ReminderKind as Kind
from casework.models import (
    Child,
)
from parents.models import ParentConversation
from parents.selectors import consents_expiring_for_children

from .common import (
    CONSENT_NOTICE_DAYS,
    Due,
    _conversation_recipients,
    _today,
    child_label,
    day_text,
    site_url,
    staff_of_groups,
    uuid_reverse,
    visible_case_pairs,
    visible_child_pairs,
)

# --- parent conversations -----------------------------------------------------------------------


def conversation_next_step_due(on: datetime.date) -> list[Due]:
    conversations = (
        ParentConversation.objects.filter(next_step_on=on)
        .exclude(next_step="")
        .exclude(status=ParentConversation.Status.CANCELLED)
        .select_related("planned_by", "case")
        .prefetch_related("staff_participants")
    )
    return [
        Due(
            Kind.CONVERSATION_NEXT_STEP,
            ParentConversation,
            c.pk,
            p,
            on,
            on,
            case_id=c.case_id,
            child_id=c.case.child_id,
        )
        for c in conversations
        for p in _conversation_recipients(c)
    ]


def prepare_conversation_next_step(reminders, conversations: dict) -> set[tuple[int, int]]:
    """The (recipient id, case id) pairs the recipients may see."""
    return visible_case_pairs(
        (r.recipient_id, conversations[r.object_id].case_id)
        for r in reminders
        if r.object_id in conversations
    )


def check_conversation_next_step(reminder, conversation, seen_cases) -> str | None:
    if (
        conversation.status == ParentConversation.Status.CANCELLED
        or conversation.next_step_on != reminder.event_on
        or not conversation.next_step
    ):
        return "The next step changed or the conversation was cancelled."
    if reminder.recipient_id not in _conversation_recipients(conversation):
        return "The recipient no longer takes part in the conversation."
    if (reminder.recipient_id, conversation.case_id) not in seen_cases:
        return "The recipient may no longer see this child's case."
    return None


def context_conversation_next_step(reminder, conversation, seen_cases) -> dict:
    return {
        "child": child_label(conversation.case.child),
        "conversation_day": day_text(conversation.planned_on),
        "day": day_text(conversation.next_step_on),
        "next_step": conversation.next_step,
        "url": site_url(
            uuid_reverse("parents:conversation-detail", conversation_uuid=conversation.uuid)
        ),
    }


# --- consents -----------------------------------------------------------------------------------


def consent_expiring_due(on: datetime.date) -> list[Due]:
    from parents.models import Consent

    consents = list(
        consents_expiring_for_children(
            Child.objects.all(), within_days=CONSENT_NOTICE_DAYS, on=on
        ).values_list("pk", "child_id", "child__group_id", "valid_until")
    )
    staff = staff_of_groups({group for _, _, group, _ in consents}, on)
    return [
        # One reminder per consent: its date is fixed by the consent's end, so
        # planning it on every day of the month records it once.
        Due(
            Kind.CONSENT_EXPIRING,
            Consent,
            pk,
            p,
            valid_until - datetime.timedelta(days=CONSENT_NOTICE_DAYS),
            valid_until,
            child_id=child_id,
        )
        for pk, child_id, group_id, valid_until in consents
        for p in staff.get(group_id, ())
    ]


@dataclass(frozen=True)
class ConsentFacts:
    #: (consent id, last day) of the consents still expiring today.
    expiring: set[tuple[int, datetime.date]]
    #: Per group id, who works in it today.
    staff: dict[int, set[int]]
    #: (recipient id, child id) pairs where the recipient cares for the child.
    seen_children: set[tuple[int, int]]
    #: Per (consent id, language), what every mail about the consent says.
    contexts: dict = field(default_factory=dict)


def prepare_consent_expiring(reminders, consents: dict) -> ConsentFacts:
    today = _today()
    child_ids = {c.child_id for c in consents.values()}
    expiring = set(
        consents_expiring_for_children(child_ids, within_days=CONSENT_NOTICE_DAYS, on=today)
        .filter(pk__in=set(consents))
        .values_list("pk", "valid_until")
    )
    groups = {c.child.group_id for c in consents.values()}
    seen = visible_child_pairs(
        (
            (r.recipient_id, consents[r.object_id].child_id)
            for r in reminders
            if r.object_id in consents
        ),
        today,
    )
    return ConsentFacts(expiring, staff_of_groups(groups, today) if groups else {}, seen)


def check_consent_expiring(reminder, consent, facts) -> str | None:
    if (consent.pk, reminder.event_on) not in facts.expiring:
        return "The consent was renewed, withdrawn or has ended."
    if reminder.recipient_id not in facts.staff.get(consent.child.group_id, ()):
        return "The recipient no longer works in the child's group."
    if (reminder.recipient_id, consent.child_id) not in facts.seen_children:
        return "The recipient may no longer see this child."
    return None


def context_consent_expiring(reminder, consent, facts) -> dict:
    """The same for each recipient: made once per consent and language in a batch."""
    key = (consent.pk, translation.get_language())
    if key not in facts.contexts:
        facts.contexts[key] = {
            "child": child_label(consent.child),
            "scope": consent.get_scope_display(),
            "organisation_name": consent.organisation.name if consent.organisation_id else "",
            "day": day_text(consent.valid_until),
            "url": site_url(uuid_reverse("parents:child-consents", child_uuid=consent.child.uuid)),
        }
    return dict(facts.contexts[key])
