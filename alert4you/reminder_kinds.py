"""What each kind of reminder is about: who gets it on which day, whether it is
still worth sending, and what its mail says.

Per kind three functions:

* a *producer* ``<kind>_due(on)`` lists the reminders due on day `on` as `Due`
  values (no writes; `alert4you.reminders.plan_reminders` records them);
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

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format

from casework.models import Case, CaseStatus, CaseTeamMember, Child, Plan, PlanStatus
from casework.selectors import cases_for_user, children_for_concerns, review_queue_for_user
from coaching.models import GroupPlan, Topic, Visit, VisitStatus
from parents.models import ParentConversation
from parents.selectors import consents_expiring_for_children
from pilots.models import (
    EvaluationMoment,
    Membership,
    MembershipGroup,
    MembershipLocation,
    Pilot,
    Role,
)

from .models import ReminderKind as Kind

#: Reminders go out from this hour (local time) of their day.
SEND_HOUR = 7
#: "Submit your questions" this many days before a visit.
QUESTIONS_DAYS_BEFORE = 3
#: "Report overdue" this many days after a visit without a report.
REPORT_DAYS_AFTER = 2
#: Plan evaluations: a week before and on the day.
EVALUATION_DAYS_BEFORE = (7, 0)
#: A consent "expires soon" within this many days (a month).
CONSENT_NOTICE_DAYS = 31


@dataclass(frozen=True)
class Due:
    """A reminder that should exist. `case_id`/`child_id` name the child it is
    about, so only recipients who may see that child get a row."""

    kind: str
    model: type
    object_id: int
    recipient_id: int
    for_date: datetime.date
    event_on: datetime.date | None = None
    case_id: int | None = None
    child_id: int | None = None

    @property
    def due_at(self) -> datetime.datetime:
        return start_of(self.for_date) + datetime.timedelta(hours=SEND_HOUR)


# --- small helpers ------------------------------------------------------------------------------


def start_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=timezone.get_default_timezone())


def _visits_on(day: datetime.date):
    return Visit.objects.filter(
        status=VisitStatus.PLANNED,
        starts_at__gte=start_of(day),
        starts_at__lt=start_of(day + datetime.timedelta(days=1)),
    )


def staff_of_groups(group_ids: Iterable[int], on: datetime.date) -> dict[int, set[int]]:
    """Per group id, the active users whose current pedagogical-staff membership covers it."""
    result: dict[int, set[int]] = defaultdict(set)
    rows = MembershipGroup.objects.filter(
        group_id__in=set(group_ids),
        membership__in=Membership.objects.current(on).filter(role=Role.PEDAGOGICAL_STAFF),
        membership__user__is_active=True,
    ).values_list("group_id", "membership__user_id")
    for group_id, user_id in rows:
        result[group_id].add(user_id)
    return result


def managers_of_locations(location_ids, on: datetime.date) -> dict[int, set[int]]:
    result: dict[int, set[int]] = defaultdict(set)
    rows = MembershipLocation.objects.filter(
        membership__in=Membership.objects.current(on).filter(role=Role.LOCATION_MANAGER),
        membership__user__is_active=True,
    )
    if location_ids is not None:
        rows = rows.filter(location_id__in=set(location_ids))
    for location_id, user_id in rows.values_list("location_id", "membership__user_id"):
        result[location_id].add(user_id)
    return result


def _latest_plans():
    """Plan versions that are their case's newest, of cases not closed."""
    newer = Plan.objects.filter(case=OuterRef("case"), version__gt=OuterRef("version"))
    return Plan.objects.exclude(case__status=CaseStatus.CLOSED).exclude(Exists(newer))


def _plan_recipients(case_ids) -> dict[int, set[int]]:
    """The case team of each case, and the child's mentor, who leads it."""
    case_ids = set(case_ids)
    result: dict[int, set[int]] = defaultdict(set)
    for case_id, user_id in CaseTeamMember.objects.filter(
        case_id__in=case_ids, user__is_active=True
    ).values_list("case_id", "user_id"):
        result[case_id].add(user_id)
    for case_id, mentor_id in Case.objects.filter(
        pk__in=case_ids, child__mentor__is_active=True
    ).values_list("pk", "child__mentor_id"):
        result[case_id].add(mentor_id)
    return result


def _conversation_recipients(conversation) -> set[int]:
    people = {u.pk for u in conversation.staff_participants.all() if u.is_active}
    if conversation.planned_by.is_active:
        people.add(conversation.planned_by_id)
    return people


def child_label(child: Child) -> str:
    """The most a reminder says about who a child is: first name and initial."""
    initial = child.last_name[:1]
    return f"{child.first_name} {initial}." if initial else child.first_name


def person(user) -> str:
    return user.get_full_name() or user.get_username()


def day_text(day: datetime.date) -> str:
    """A day in the active language, e.g. "dinsdag 1 december 2026"."""
    return date_format(day, "l j F Y")


def local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def safe_reverse(name: str, **kwargs) -> str:
    """The page of the object, or the reminders list while that page does not exist yet."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return reverse("reminders:reminder-list")


def may_see_case(user, case_id: int) -> bool:
    return cases_for_user(user).filter(pk=case_id).exists()


def may_see_child(user, child_id: int) -> bool:
    """Consents are kept by the staff who care for the child (as the register asks)."""
    return user.is_active and children_for_concerns(user).filter(pk=child_id).exists()


# --- visits: tomorrow, submit your questions, report overdue ------------------------------------


def visit_tomorrow_due(on: datetime.date) -> list[Due]:
    day = on + datetime.timedelta(days=1)
    visits = list(_visits_on(day).filter(coach__is_active=True).prefetch_related("groups"))
    staff = staff_of_groups({g.pk for v in visits for g in v.groups.all()}, on)
    due = []
    for visit in visits:
        people = {visit.coach_id}
        for group in visit.groups.all():
            people |= staff.get(group.pk, set())
        due += [Due(Kind.VISIT_TOMORROW, Visit, visit.pk, p, on, day) for p in people]
    return due


def submit_questions_due(on: datetime.date) -> list[Due]:
    day = on + datetime.timedelta(days=QUESTIONS_DAYS_BEFORE)
    visits = list(_visits_on(day).prefetch_related("groups"))
    staff = staff_of_groups({g.pk for v in visits for g in v.groups.all()}, on)
    due = []
    for visit in visits:
        people = set().union(*(staff.get(g.pk, set()) for g in visit.groups.all()))
        due += [Due(Kind.SUBMIT_QUESTIONS, Visit, visit.pk, p, on, day) for p in people]
    return due


def report_overdue_due(on: datetime.date) -> list[Due]:
    day = on - datetime.timedelta(days=REPORT_DAYS_AFTER)
    visits = Visit.objects.filter(
        starts_at__gte=start_of(day),
        starts_at__lt=start_of(day + datetime.timedelta(days=1)),
        reported_at__isnull=True,
        coach__is_active=True,
    ).exclude(status=VisitStatus.CANCELLED)
    return [
        Due(Kind.REPORT_OVERDUE, Visit, pk, coach_id, on, day)
        for pk, coach_id in visits.values_list("pk", "coach_id")
    ]


def _visit_recipient_problem(reminder, visit, *, coach_too: bool) -> str | None:
    if visit.status != VisitStatus.PLANNED or local_day(visit.starts_at) != reminder.event_on:
        return "The visit was moved or cancelled."
    if coach_too and reminder.recipient_id == visit.coach_id:
        return None
    groups = [g.pk for g in visit.groups.all()]
    staff = staff_of_groups(groups, timezone.localdate())
    if not any(reminder.recipient_id in staff.get(g, ()) for g in groups):
        return "The recipient no longer works in the visit's groups."
    return None


def check_visit_tomorrow(reminder, visit) -> str | None:
    return _visit_recipient_problem(reminder, visit, coach_too=True)


def check_submit_questions(reminder, visit) -> str | None:
    return _visit_recipient_problem(reminder, visit, coach_too=False)


def check_report_overdue(reminder, visit) -> str | None:
    if visit.status == VisitStatus.CANCELLED or visit.reported_at is not None:
        return "The report was written or the visit cancelled."
    if reminder.recipient_id != visit.coach_id:
        return "The recipient is no longer the visit's coach."
    return None


def _visit_context(reminder, visit) -> dict:
    start, end = timezone.localtime(visit.starts_at), timezone.localtime(visit.ends_at)
    return {
        "location_name": visit.location.name,
        "day": day_text(start.date()),
        "starts": start.strftime("%H:%M"),
        "ends": end.strftime("%H:%M"),
        "group_names": [g.name for g in visit.groups.all()],
        "coach_name": person(visit.coach),
        "url": site_url(visit_url(visit)),
    }


def visit_url(visit) -> str:
    return safe_reverse("coaching:visit-detail", visit_uuid=visit.uuid)


def context_visit_tomorrow(reminder, visit) -> dict:
    context = _visit_context(reminder, visit)
    context["for_coach"] = reminder.recipient_id == visit.coach_id
    items = list(visit.agenda_items.select_related("case__child").order_by("position", "pk"))
    visible = set(
        cases_for_user(reminder.recipient)
        .filter(pk__in={i.case_id for i in items if i.case_id})
        .values_list("pk", flat=True)
    )
    agenda = []
    for item in items:
        if item.case_id is None and item.topic != Topic.ONE_CHILD:
            agenda.append({"topic": item.get_topic_display(), "text": item.question})
        elif item.case_id in visible:
            named = item.topic == Topic.ONE_CHILD  # never name a child asked about anonymously
            agenda.append(
                {
                    "topic": item.get_topic_display(),
                    "child": child_label(item.case.child) if named else "",
                    "text": item.question,
                }
            )
        else:
            # Who may not see the child's case learns neither who nor what.
            agenda.append({"topic": Topic.CHILD_IN_GROUP.label, "text": ""})
    context["agenda"] = agenda
    return context


def context_submit_questions(reminder, visit) -> dict:
    context = _visit_context(reminder, visit)
    context["url"] = site_url(safe_reverse("coaching:agenda-question", visit_uuid=visit.uuid))
    return context


def context_report_overdue(reminder, visit) -> dict:
    context = _visit_context(reminder, visit)
    context["url"] = site_url(safe_reverse("coaching:visit-report", visit_uuid=visit.uuid))
    return context


# --- the child's plan ---------------------------------------------------------------------------


def plan_evaluation_due(on: datetime.date) -> list[Due]:
    days = {on + datetime.timedelta(days=d): d for d in EVALUATION_DAYS_BEFORE}
    plans = list(
        _latest_plans()
        .filter(next_evaluation_date__in=days)
        .values_list("pk", "case_id", "case__child_id", "next_evaluation_date")
    )
    people = _plan_recipients(case_id for _, case_id, _, _ in plans)
    return [
        Due(Kind.PLAN_EVALUATION, Plan, pk, p, on, evaluation_on, case_id=case_id, child_id=child)
        for pk, case_id, child, evaluation_on in plans
        for p in people.get(case_id, ())
    ]


def check_plan_evaluation(reminder, plan) -> str | None:
    if plan.case.status == CaseStatus.CLOSED or plan.next_evaluation_date != reminder.event_on:
        return "The evaluation date changed or the case was closed."
    if Plan.objects.filter(case=plan.case_id, version__gt=plan.version).exists():
        return "A newer version of the plan exists."
    if reminder.recipient_id not in _plan_recipients([plan.case_id]).get(plan.case_id, ()):
        return "The recipient is no longer on the case team."
    if not may_see_case(reminder.recipient, plan.case_id):
        return "The recipient may no longer see this child's case."
    return None


def context_plan_evaluation(reminder, plan) -> dict:
    return {
        "child": child_label(plan.case.child),
        "day": day_text(plan.next_evaluation_date),
        "today": reminder.for_date == plan.next_evaluation_date,
        "url": site_url(reverse("casework:plan-detail", kwargs={"case_uuid": plan.case.uuid})),
    }


# --- the group plan -----------------------------------------------------------------------------


def _current_group_plans():
    """Approved group plans that are their group's newest approved version."""
    newer = GroupPlan.objects.filter(
        group=OuterRef("group"), status=PlanStatus.APPROVED, version__gt=OuterRef("version")
    )
    return GroupPlan.objects.filter(status=PlanStatus.APPROVED).exclude(Exists(newer))


def _group_plan_recipients(groups: dict[int, int], on: datetime.date) -> dict[int, set[int]]:
    """Per group id (`groups` maps group id → location id): the managers of its
    location and its pedagogical staff."""
    staff = staff_of_groups(groups, on)
    managers = managers_of_locations(set(groups.values()), on)
    return {
        group_id: staff.get(group_id, set()) | managers.get(location_id, set())
        for group_id, location_id in groups.items()
    }


def group_plan_evaluation_due(on: datetime.date) -> list[Due]:
    days = {on + datetime.timedelta(days=d) for d in EVALUATION_DAYS_BEFORE}
    plans = list(
        _current_group_plans()
        .filter(evaluation_date__in=days, evaluated_on__isnull=True)
        .values_list("pk", "group_id", "group__location_id", "evaluation_date")
    )
    people = _group_plan_recipients({group: location for _, group, location, _ in plans}, on)
    return [
        Due(Kind.GROUP_PLAN_EVALUATION, GroupPlan, pk, p, on, evaluation_on)
        for pk, group, _, evaluation_on in plans
        for p in people.get(group, ())
    ]


def check_group_plan_evaluation(reminder, plan) -> str | None:
    if plan.evaluated_on is not None or plan.evaluation_date != reminder.event_on:
        return "The group plan was evaluated or its evaluation date changed."
    if not _current_group_plans().filter(pk=plan.pk).exists():
        return "The group plan is no longer the group's current approved version."
    people = _group_plan_recipients({plan.group_id: plan.group.location_id}, timezone.localdate())
    if reminder.recipient_id not in people[plan.group_id]:
        return "The recipient no longer works in the group or manages its location."
    return None


def context_group_plan_evaluation(reminder, plan) -> dict:
    # The group and its location only: a group plan's children are never named in a mail.
    return {
        "group_name": plan.group.name,
        "location_name": plan.group.location.name,
        "version": plan.version,
        "day": day_text(plan.evaluation_date),
        "today": reminder.for_date == plan.evaluation_date,
        "url": site_url(plan.get_absolute_url()),
    }


# --- pilot evaluation moments -------------------------------------------------------------------


#: A pilot's kick-off or evaluation: two weeks before and the day before.
PILOT_EVALUATION_DAYS_BEFORE = (14, 1)


def _pilot_leaders(pilot_ids) -> dict[int, set[int]]:
    """Per pilot id, its active project leaders."""
    result: dict[int, set[int]] = defaultdict(set)
    rows = Pilot.project_leaders.through.objects.filter(
        pilot_id__in=set(pilot_ids), user__is_active=True
    ).values_list("pilot_id", "user_id")
    for pilot_id, user_id in rows:
        result[pilot_id].add(user_id)
    return result


def pilot_evaluation_due(on: datetime.date) -> list[Due]:
    days = {on + datetime.timedelta(days=d) for d in PILOT_EVALUATION_DAYS_BEFORE}
    moments = list(
        EvaluationMoment.objects.filter(date__in=days).values_list("pk", "pilot_id", "date")
    )
    leaders = _pilot_leaders(pilot for _, pilot, _ in moments)
    return [
        Due(Kind.PILOT_EVALUATION, EvaluationMoment, pk, p, on, moment_on)
        for pk, pilot, moment_on in moments
        for p in leaders.get(pilot, ())
    ]


def check_pilot_evaluation(reminder, moment) -> str | None:
    if moment.date != reminder.event_on:
        return "The evaluation moment was moved."
    if reminder.recipient_id not in _pilot_leaders([moment.pilot_id]).get(moment.pilot_id, ()):
        return "The recipient no longer leads the pilot."
    return None


def context_pilot_evaluation(reminder, moment) -> dict:
    # The pilot, the kind of moment and its day: nothing about a child, ever.
    return {
        "pilot_name": moment.pilot.name,
        "moment_kind": moment.get_kind_display(),
        "day": day_text(moment.date),
        "tomorrow": moment.date - reminder.for_date == datetime.timedelta(days=1),
        "url": site_url(moment.get_absolute_url()),
    }


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


def check_conversation_next_step(reminder, conversation) -> str | None:
    if (
        conversation.status == ParentConversation.Status.CANCELLED
        or conversation.next_step_on != reminder.event_on
        or not conversation.next_step
    ):
        return "The next step changed or the conversation was cancelled."
    if reminder.recipient_id not in _conversation_recipients(conversation):
        return "The recipient no longer takes part in the conversation."
    if not may_see_case(reminder.recipient, conversation.case_id):
        return "The recipient may no longer see this child's case."
    return None


def context_conversation_next_step(reminder, conversation) -> dict:
    return {
        "child": child_label(conversation.case.child),
        "conversation_day": day_text(conversation.planned_on),
        "day": day_text(conversation.next_step_on),
        "next_step": conversation.next_step,
        "url": site_url(
            reverse("parents:conversation-detail", kwargs={"conversation_uuid": conversation.uuid})
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


def check_consent_expiring(reminder, consent) -> str | None:
    today = timezone.localdate()
    still_expiring = consents_expiring_for_children(
        [consent.child_id], within_days=CONSENT_NOTICE_DAYS, on=today
    ).filter(pk=consent.pk, valid_until=reminder.event_on)
    if not still_expiring.exists():
        return "The consent was renewed, withdrawn or has ended."
    staff = staff_of_groups([consent.child.group_id], today)
    if reminder.recipient_id not in staff.get(consent.child.group_id, ()):
        return "The recipient no longer works in the child's group."
    if not may_see_child(reminder.recipient, consent.child_id):
        return "The recipient may no longer see this child."
    return None


def context_consent_expiring(reminder, consent) -> dict:
    return {
        "child": child_label(consent.child),
        "scope": consent.get_scope_display(),
        "organisation_name": consent.organisation.name if consent.organisation_id else "",
        "day": day_text(consent.valid_until),
        "url": site_url(
            reverse("parents:child-consents", kwargs={"child_uuid": consent.child.uuid})
        ),
    }


# --- the weekly digest for location managers ----------------------------------------------------


def weekly_digest_due(on: datetime.date) -> list[Due]:
    from pilots.models import Location

    if on.weekday() != 0:  # Mondays
        return []
    return [
        Due(Kind.WEEKLY_DIGEST, Location, location_id, p, on, on)
        for location_id, people in managers_of_locations(None, on).items()
        for p in people
    ]


def check_weekly_digest(reminder, location) -> str | None:
    managers = managers_of_locations([location.pk], timezone.localdate())
    if reminder.recipient_id not in managers.get(location.pk, ()):
        return "The recipient no longer manages this location."
    return None


def context_weekly_digest(reminder, location) -> dict:
    manager, monday = reminder.recipient, reminder.for_date
    week_end = monday + datetime.timedelta(days=7)
    visits = (
        Visit.objects.filter(
            location=location,
            status=VisitStatus.PLANNED,
            starts_at__gte=start_of(monday),
            starts_at__lt=start_of(week_end),
        )
        .select_related("coach")
        .prefetch_related("groups")
        .order_by("starts_at")
    )
    overdue = (
        Visit.objects.filter(
            location=location,
            reported_at__isnull=True,
            starts_at__lt=start_of(monday - datetime.timedelta(days=REPORT_DAYS_AFTER - 1)),
            starts_at__gte=start_of(monday - datetime.timedelta(weeks=8)),
        )
        .exclude(status=VisitStatus.CANCELLED)
        .count()
    )
    evaluations = (
        _latest_plans()
        .filter(
            case__in=cases_for_user(manager),
            case__child__group__location=location,
            next_evaluation_date__gte=monday,
            next_evaluation_date__lt=week_end + datetime.timedelta(days=7),
        )
        .select_related("case__child")
        .order_by("next_evaluation_date")
    )
    consents = consents_expiring_for_children(
        children_for_concerns(manager).filter(group__location=location),
        within_days=CONSENT_NOTICE_DAYS,
        on=monday,
    )
    return {
        "location_name": location.name,
        "week_from": day_text(monday),
        "week_until": day_text(week_end - datetime.timedelta(days=1)),
        "visits": [
            {
                "day": day_text(local_day(v.starts_at)),
                "starts": timezone.localtime(v.starts_at).strftime("%H:%M"),
                "coach_name": person(v.coach),
                "group_names": [g.name for g in v.groups.all()],
            }
            for v in visits
        ],
        "reports_overdue": overdue,
        "plans_waiting": review_queue_for_user(manager)
        .filter(case__child__group__location=location)
        .count(),
        "evaluations": [
            {"child": child_label(p.case.child), "day": day_text(p.next_evaluation_date)}
            for p in evaluations
        ],
        "consents": [
            {
                "child": child_label(c.child),
                "scope": c.get_scope_display(),
                "day": day_text(c.valid_until),
            }
            for c in consents
        ],
        "url": site_url(reverse("casework:open-cases-per-group")),
    }


# --- the registry -------------------------------------------------------------------------------


@dataclass(frozen=True)
class KindSpec:
    load: Callable[[int], object | None]
    check: Callable
    context: Callable
    link: Callable[[object], str]


def _loader(queryset):
    return lambda pk: queryset.filter(pk=pk).first()


def _visits():
    return Visit.objects.select_related("location", "coach").prefetch_related("groups")


def _spec_table() -> dict[str, KindSpec]:
    from parents.models import Consent
    from pilots.models import Location

    visit_link = visit_url
    plans = Plan.objects.select_related("case__child")
    conversations = ParentConversation.objects.select_related(
        "case__child", "planned_by"
    ).prefetch_related("staff_participants")
    consents = Consent.objects.select_related("child", "organisation")
    return {
        Kind.VISIT_TOMORROW: KindSpec(
            _loader(_visits()), check_visit_tomorrow, context_visit_tomorrow, visit_link
        ),
        Kind.SUBMIT_QUESTIONS: KindSpec(
            _loader(_visits()), check_submit_questions, context_submit_questions, visit_link
        ),
        Kind.REPORT_OVERDUE: KindSpec(
            _loader(_visits()), check_report_overdue, context_report_overdue, visit_link
        ),
        Kind.PLAN_EVALUATION: KindSpec(
            _loader(plans),
            check_plan_evaluation,
            context_plan_evaluation,
            lambda plan: reverse("casework:plan-detail", kwargs={"case_uuid": plan.case.uuid}),
        ),
        Kind.CONVERSATION_NEXT_STEP: KindSpec(
            _loader(conversations),
            check_conversation_next_step,
            context_conversation_next_step,
            lambda c: reverse("parents:conversation-detail", kwargs={"conversation_uuid": c.uuid}),
        ),
        Kind.CONSENT_EXPIRING: KindSpec(
            _loader(consents),
            check_consent_expiring,
            context_consent_expiring,
            lambda c: reverse("parents:child-consents", kwargs={"child_uuid": c.child.uuid}),
        ),
        Kind.WEEKLY_DIGEST: KindSpec(
            _loader(Location.objects.all()),
            check_weekly_digest,
            context_weekly_digest,
            lambda location: reverse("casework:open-cases-per-group"),
        ),
        Kind.GROUP_PLAN_EVALUATION: KindSpec(
            _loader(GroupPlan.objects.select_related("group__location")),
            check_group_plan_evaluation,
            context_group_plan_evaluation,
            lambda plan: plan.get_absolute_url(),
        ),
        Kind.PILOT_EVALUATION: KindSpec(
            _loader(EvaluationMoment.objects.select_related("pilot")),
            check_pilot_evaluation,
            context_pilot_evaluation,
            lambda moment: moment.get_absolute_url(),
        ),
    }


def spec(kind: str) -> KindSpec:
    return _spec_table()[kind]


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
    """Only the reminders whose recipient may see the child they are about (one
    query per recipient with such reminders; reminders about no child pass)."""
    from django.contrib.auth import get_user_model

    cases, children = defaultdict(set), defaultdict(set)
    for d in dues:
        if d.case_id is not None:
            cases[d.recipient_id].add(d.case_id)
        elif d.child_id is not None:
            children[d.recipient_id].add(d.child_id)
    users = get_user_model().objects.in_bulk(set(cases) | set(children))
    seen_cases = {
        uid: set(cases_for_user(users[uid]).filter(pk__in=ids).values_list("pk", flat=True))
        for uid, ids in cases.items()
        if uid in users
    }
    seen_children = {
        uid: set(children_for_concerns(users[uid]).filter(pk__in=ids).values_list("pk", flat=True))
        for uid, ids in children.items()
        if uid in users and users[uid].is_active
    }
    allowed = []
    for d in dues:
        if d.case_id is not None:
            ok = d.case_id in seen_cases.get(d.recipient_id, ())
        elif d.child_id is not None:
            ok = d.child_id in seen_children.get(d.recipient_id, ())
        else:
            ok = True
        if ok:
            allowed.append(d)
    return allowed
