"""What each kind of reminder is about: who gets it on which day, whether it is
still worth sending, and what its mail says.

Per kind, in its module (`visits`, `plans`, `pilots`, `parents`, `digest`):

* a *producer* ``<kind>_due(on)`` lists the reminders due on day `on` as `Due`
  values (no writes; `alert4you.reminders.plan_reminders` records them);
* *facts* (``prepare(reminders, targets)``) gather in bulk, in a fixed number of
  queries however many reminders a batch holds, what the check and the context
  need: who works in which group, who may see which case or child;
* a *check* answers why a recorded reminder must not be sent (any more) — the
  visit was cancelled, the recipient left the group, or may no longer see the
  child — or None;
* a *context* builds the mail's template context for one recipient, in the
  recipient's language, with only what that recipient may see.

Child data in a mail is the child's first name and the initial of the last
name, in the body only, and only for children whose case (or, for consents,
whose care) the recipient may see at send time. Subjects never name a child.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.urls import reverse

from alert4you.models import ReminderKind as Kind
from casework.models import Plan
from coaching.models import GroupPlan, Visit
from parents.models import ParentConversation
from pilots.models import EvaluationMoment

from .common import (  # noqa: F401  (the helpers, for callers of reminder_kinds.<name>)
    Due,
    child_label,
    day_text,
    may_see_case,
    may_see_child,
    person,
    site_url,
    start_of,
    visible_case_pairs,
    visible_child_pairs,
)
from .digest import (
    check_weekly_digest,
    context_weekly_digest,
    prepare_weekly_digest,
    weekly_digest_due,
)
from .parents import (
    check_consent_expiring,
    check_conversation_next_step,
    consent_expiring_due,
    context_consent_expiring,
    context_conversation_next_step,
    conversation_next_step_due,
    prepare_consent_expiring,
    prepare_conversation_next_step,
)
from .pilots import (
    check_pilot_evaluation,
    context_pilot_evaluation,
    pilot_evaluation_due,
    prepare_pilot_evaluation,
)
from .plans import (
    check_group_plan_evaluation,
    check_plan_evaluation,
    context_group_plan_evaluation,
    context_plan_evaluation,
    group_plan_evaluation_due,
    plan_evaluation_due,
    prepare_group_plan_evaluation,
    prepare_plan_evaluation,
)
from .visits import (
    check_report_overdue,
    check_submit_questions,
    check_visit_tomorrow,
    context_report_overdue,
    context_submit_questions,
    context_visit_tomorrow,
    prepare_visit_tomorrow,
    prepare_visits,
    report_overdue_due,
    submit_questions_due,
    visit_tomorrow_due,
    visit_url,
)

# --- the registry -------------------------------------------------------------------------------


@dataclass(frozen=True)
class KindSpec:
    """How one kind is sent. `prepare(reminders, targets)` gathers the facts
    `check` and `context` need for a batch of reminders in a fixed number of
    queries; `targets` maps object id → what `load_many` found."""

    queryset: Callable[[], object]
    prepare: Callable[[list, dict], object]
    check: Callable[[object, object, object], str | None]
    context: Callable[[object, object, object], dict]
    link: Callable[[object], str]

    def load_many(self, object_ids: Iterable[int]) -> dict[int, object]:
        """What the reminders are about, by id, in one query (plus prefetches)."""
        return self.queryset().in_bulk(set(object_ids))

    def load(self, object_id: int):
        return self.load_many([object_id]).get(object_id)


def _visits():
    # The groups come with the facts (`prepare_visits`), as values.
    return Visit.objects.select_related("location", "coach")


def _spec_table() -> dict[str, KindSpec]:
    from parents.models import Consent
    from pilots.models import Location

    visit_link = visit_url

    def plans():
        return Plan.objects.select_related("case__child")

    def conversations():
        return ParentConversation.objects.select_related(
            "case__child", "planned_by"
        ).prefetch_related("staff_participants")

    def consents():
        return Consent.objects.select_related("child", "organisation")

    return {
        Kind.VISIT_TOMORROW: KindSpec(
            _visits,
            prepare_visit_tomorrow,
            check_visit_tomorrow,
            context_visit_tomorrow,
            visit_link,
        ),
        Kind.SUBMIT_QUESTIONS: KindSpec(
            _visits, prepare_visits, check_submit_questions, context_submit_questions, visit_link
        ),
        Kind.REPORT_OVERDUE: KindSpec(
            _visits, prepare_visits, check_report_overdue, context_report_overdue, visit_link
        ),
        Kind.PLAN_EVALUATION: KindSpec(
            plans,
            prepare_plan_evaluation,
            check_plan_evaluation,
            context_plan_evaluation,
            lambda plan: reverse("casework:plan-detail", kwargs={"case_uuid": plan.case.uuid}),
        ),
        Kind.CONVERSATION_NEXT_STEP: KindSpec(
            conversations,
            prepare_conversation_next_step,
            check_conversation_next_step,
            context_conversation_next_step,
            lambda c: reverse("parents:conversation-detail", kwargs={"conversation_uuid": c.uuid}),
        ),
        Kind.CONSENT_EXPIRING: KindSpec(
            consents,
            prepare_consent_expiring,
            check_consent_expiring,
            context_consent_expiring,
            lambda c: reverse("parents:child-consents", kwargs={"child_uuid": c.child.uuid}),
        ),
        Kind.WEEKLY_DIGEST: KindSpec(
            Location.objects.all,
            prepare_weekly_digest,
            check_weekly_digest,
            context_weekly_digest,
            lambda location: reverse("casework:open-cases-per-group"),
        ),
        Kind.GROUP_PLAN_EVALUATION: KindSpec(
            lambda: GroupPlan.objects.select_related("group__location"),
            prepare_group_plan_evaluation,
            check_group_plan_evaluation,
            context_group_plan_evaluation,
            lambda plan: plan.get_absolute_url(),
        ),
        Kind.PILOT_EVALUATION: KindSpec(
            lambda: EvaluationMoment.objects.select_related("pilot"),
            prepare_pilot_evaluation,
            check_pilot_evaluation,
            context_pilot_evaluation,
            lambda moment: moment.get_absolute_url(),
        ),
    }


_SPECS: dict[str, KindSpec] = {}


def spec(kind: str) -> KindSpec:
    if not _SPECS:
        _SPECS.update(_spec_table())
    return _SPECS[kind]


#: Every producer, in the order reminders are planned.
PRODUCERS = (
    visit_tomorrow_due,
    submit_questions_due,
    report_overdue_due,
    plan_evaluation_due,
    conversation_next_step_due,
    consent_expiring_due,
    weekly_digest_due,
    group_plan_evaluation_due,
    pilot_evaluation_due,
)


def visible_subjects(dues: list[Due]) -> list[Due]:
    """Only the reminders whose recipient may see the child they are about (a
    fixed number of queries however many; reminders about no child pass)."""
    seen_cases = visible_case_pairs(
        (d.recipient_id, d.case_id) for d in dues if d.case_id is not None
    )
    seen_children = visible_child_pairs(
        (d.recipient_id, d.child_id) for d in dues if d.case_id is None and d.child_id is not None
    )
    allowed = []
    for d in dues:
        if d.case_id is not None:
            ok = (d.recipient_id, d.case_id) in seen_cases
        elif d.child_id is not None:
            ok = (d.recipient_id, d.child_id) in seen_children
        else:
            ok = True
        if ok:
            allowed.append(d)
    return allowed
