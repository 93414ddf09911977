"""Everything held about one child, for the parents' subject-access request (AVG art. 15).

`collect(child)` gathers every row that is about the child, across the apps, with
a fixed number of queries (one or two per model, never one per row);
`subject_access_data(child)` turns it into plain data with stable English keys
that the HTML page and the JSON download both render.

Completeness is guarded by a test that walks every relation from `Child` and
`Case`: a model that points at either must be in `MODEL_CATEGORIES` or in
`EXCLUDED_MODELS` (with the reason), so a new model cannot be forgotten here.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from coaching.models import AgendaItem, CoachingRequest, GroupPlanChild, GroupPlanTip
from parents.models import Consent, Guardian, ParentConversation

from .models import (
    AccessLogEntry,
    Case,
    CaseTeamMember,
    Child,
    Concern,
    Observation,
    Placement,
    Plan,
    PlanAction,
    PlanGoal,
    PlanReview,
    Referral,
)

SCHEMA_VERSION = 1

#: Every model that holds data about the child, and the category of the export it
#: appears in (plan goals, actions and reviews appear inside their plan).
MODEL_CATEGORIES: dict[str, str] = {
    "casework.Child": "child",
    "casework.Case": "cases",
    "casework.CaseTeamMember": "case_team",
    "casework.Concern": "concerns",
    "casework.Observation": "observations",
    "casework.Plan": "plans",
    "casework.PlanGoal": "plans",
    "casework.PlanAction": "plans",
    "casework.PlanReview": "plans",
    "casework.Placement": "placements",
    "casework.Referral": "referrals",
    "casework.AccessLogEntry": "access_log",
    "parents.Guardian": "guardians",
    "parents.Consent": "consents",
    "parents.ParentConversation": "parent_conversations",
    "coaching.AgendaItem": "visit_agenda_items",
    "coaching.CoachingRequest": "coaching_requests",
    "coaching.GroupPlanChild": "group_plan_children",
    "coaching.GroupPlanTip": "group_plan_tips",
}

#: Models that point at the child or a case but are deliberately left out.
EXCLUDED_MODELS: dict[str, tuple[Any, Any]] = {
    "casework.CaseUserObjectPermission": (
        _("Access rights of individual people to the file"),
        _(
            "Technical grants (who may open the file), derived from the case team, the "
            "mentor and the consents; who actually looked is under 'Who looked at the file'."
        ),
    ),
    "casework.CaseGroupObjectPermission": (
        _("Access rights of the staff of the group and location"),
        _(
            "Technical grants derived from the staff's memberships; who actually looked is "
            "under 'Who looked at the file'."
        ),
    ),
}

#: Other things deliberately not in the export, shown to the reader with the reason.
EXCLUDED_OTHER: list[tuple[Any, Any]] = [
    (
        _("Visit reports' general notes, tips and follow-ups"),
        _(
            "They are about the whole group and name no child; what the coach noted about "
            "this child is under the visit agenda items."
        ),
    ),
    (
        _("Reminder contents"),
        _(
            "Reminders hold no text of their own: only who got one and when is kept. "
            "The message was made from the data in this export."
        ),
    ),
    (
        _("Other children in the group plan"),
        _("Only this child's row of a group plan is shown."),
    ),
]

SKIP_HISTORY_FIELDS = {"id", "uuid"}


def _person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _label(instance, field: str) -> str:
    return str(getattr(instance, f"get_{field}_display")())


def collect(child: Child) -> dict[str, list]:
    """Every row about `child`, per model label. A fixed number of queries."""
    cases = list(
        Case.objects.filter(child=child).select_related("opened_by").order_by("opened_at", "id")
    )
    case_ids = [c.id for c in cases]
    plans = list(
        Plan.objects.filter(case_id__in=case_ids)
        .select_related("created_by")
        .prefetch_related(
            "goals",
            "actions",
            Prefetch("reviews", queryset=PlanReview.objects.select_related("by")),
        )
        .order_by("case_id", "version")
    )
    actions = [a for p in plans for a in p.actions.all()]
    return {
        "casework.Child": [child],
        "casework.Case": cases,
        "casework.CaseTeamMember": list(
            CaseTeamMember.objects.filter(case_id__in=case_ids)
            .select_related("user", "added_by")
            .order_by("added_at", "id")
        ),
        "casework.Concern": list(
            Concern.objects.filter(case_id__in=case_ids)
            .select_related("logged_by")
            .order_by("observed_on", "created_at", "id")
        ),
        "casework.Observation": list(
            Observation.objects.filter(case_id__in=case_ids)
            .select_related("observer")
            .order_by("observed_on", "created_at", "id")
        ),
        "casework.Plan": plans,
        "casework.PlanGoal": [g for p in plans for g in p.goals.all()],
        "casework.PlanAction": actions,
        "casework.PlanReview": [r for p in plans for r in p.reviews.all()],
        "casework.Placement": list(
            Placement.objects.filter(child=child)
            .select_related("recorded_by")
            .order_by("start_date", "id")
        ),
        "casework.Referral": list(
            Referral.objects.filter(case_id__in=case_ids)
            .select_related("organisation", "referred_by")
            .order_by("referred_on", "id")
        ),
        "casework.AccessLogEntry": list(
            AccessLogEntry.objects.filter(case_id__in=case_ids)
            .select_related("user")
            .order_by("at", "id")
        ),
        "parents.Guardian": list(Guardian.objects.filter(child=child).order_by("id")),
        "parents.Consent": list(
            Consent.objects.filter(child=child)
            .select_related("organisation", "recorded_by")
            .prefetch_related("given_by")
            .order_by("decided_on", "recorded_at", "id")
        ),
        "parents.ParentConversation": list(
            ParentConversation.objects.filter(case_id__in=case_ids)
            .select_related("planned_by")
            .prefetch_related("staff_participants", "guardians")
            .order_by("planned_on", "created_at", "id")
        ),
        "coaching.AgendaItem": list(
            AgendaItem.objects.filter(case_id__in=case_ids)
            .select_related("visit__location", "visit__coach", "submitted_by")
            .order_by("visit__starts_at", "position", "id")
        ),
        "coaching.CoachingRequest": list(
            CoachingRequest.objects.filter(case_id__in=case_ids)
            .select_related("group", "requested_by", "coach")
            .order_by("created_at", "id")
        ),
        "coaching.GroupPlanChild": list(
            GroupPlanChild.objects.filter(case_id__in=case_ids)
            .select_related("plan__group")
            .order_by("plan__period_start", "id")
        ),
        "coaching.GroupPlanTip": list(
            GroupPlanTip.objects.filter(plan_action__in=actions)
            .select_related("plan__group")
            .order_by("plan__period_start", "id")
        )
        if actions
        else [],
    }


# --- history ----------------------------------------------------------------------------------


def _history_sources(child: Child) -> list[tuple[type, Q]]:
    """Per model with history, the filter on its history table that finds every
    version of every row about the child, including rows deleted since."""
    case_ids = Case.history.filter(child_id=child.id).values("id")
    plan_ids = Plan.history.filter(case_id__in=case_ids).values("id")
    action_ids = PlanAction.history.filter(plan_id__in=plan_ids).values("id")
    by_case = Q(case_id__in=case_ids)
    return [
        (Child, Q(id=child.id)),
        (Case, Q(child_id=child.id)),
        (CaseTeamMember, by_case),
        (Concern, by_case),
        (Observation, by_case),
        (Plan, by_case),
        (PlanGoal, Q(plan_id__in=plan_ids)),
        (PlanAction, Q(plan_id__in=plan_ids)),
        (Placement, Q(child_id=child.id)),
        (Referral, by_case),
        (Guardian, Q(child_id=child.id)),
        (Consent, Q(child_id=child.id)),
        (ParentConversation, by_case),
        (AgendaItem, by_case),
        (CoachingRequest, by_case),
        (GroupPlanChild, by_case),
        (GroupPlanTip, Q(plan_action_id__in=action_ids)),
    ]


#: Many-to-many fields whose history is kept, per model: (field, the m2m history's
#: column that points at the member).
M2M_HISTORY = {
    Consent: [("given_by", "guardian")],
    ParentConversation: [("staff_participants", "user"), ("guardians", "guardian")],
}


def _m2m_lists(model, records) -> dict[str, dict[int, str]]:
    """Per m2m field, the names it held at each history record (one query per field)."""
    result = {}
    ids = [r.history_id for r in records]
    for name, column in M2M_HISTORY.get(model, ()):
        through = getattr(model.history.model, name).model
        held = defaultdict(list)
        for row in through.objects.filter(history_id__in=ids).select_related(column):
            member = getattr(row, column)
            held[row.history_id].append(
                _person(member) if column == "user" else (member.full_name if member else "?")
            )
        result[name] = {key: ", ".join(sorted(names)) for key, names in held.items()}
    return result


def _names(fields, records) -> dict[type, dict[int, str]]:
    """Readable names of the people, groups, locations and organisations the
    history records point at (one query per kind of thing)."""
    from pilots.models import Group, Location, Organisation

    User = get_user_model()
    result = {}
    for model in (User, Group, Location, Organisation):
        related = [f for f in fields if f.is_relation and f.related_model is model]
        ids = {getattr(r, f.attname) for r in records for f in related} - {None}
        if ids:
            found = model.objects.in_bulk(ids)
            name = _person if model is User else (lambda obj: obj.name)
            result[model] = {pk: name(obj) for pk, obj in found.items()}
    return result


def _value(record, field, names) -> Any:
    value = getattr(record, field.attname)
    if value is None:
        return None
    if field.is_relation:
        # The row it belongs to (case, plan, visit) is in the export itself.
        return names.get(field.related_model, {}).get(value)
    return value


def _display(record, field, names) -> Any:
    """The value as a reader sees it, in the active language and local time."""
    value = _value(record, field, names)
    if value is None:
        return None
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value), "j F Y H:i")
    if isinstance(value, datetime.date):
        return date_format(value, "j F Y")
    return value


def _history(child: Child) -> list[dict]:
    result = []
    for model, anchor in _history_sources(child):
        records = list(model.history.filter(anchor).select_related("history_user"))
        if not records:
            continue
        fields = [f for f in model._meta.concrete_fields if f.name not in SKIP_HISTORY_FIELDS]
        names = _names(fields, records)
        m2m = _m2m_lists(model, records)
        previous: dict[int, Any] = {}
        for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
            before = previous.get(record.id)
            changes = []
            if record.history_type != "-":
                for f in fields:
                    new = getattr(record, f.attname)
                    if before is not None and record.history_type == "~":
                        if getattr(before, f.attname) == new:
                            continue
                        old = before
                    else:
                        if new in (None, "") or (f.is_relation and f.related_model not in names):
                            continue
                        old = None
                    changes.append(
                        {
                            "field": f.name,
                            "label": str(f.verbose_name),
                            "old": _value(old, f, names) if old else None,
                            "new": _value(record, f, names),
                            "old_display": _display(old, f, names) if old else None,
                            "new_display": _display(record, f, names),
                        }
                    )
                for name, held in m2m.items():
                    new = held.get(record.history_id, "")
                    old = held.get(before.history_id, "") if before is not None else ""
                    if new != old:
                        changes.append(
                            {
                                "field": name,
                                "label": str(model._meta.get_field(name).verbose_name),
                                "old": old or None,
                                "new": new or None,
                                "old_display": old or None,
                                "new_display": new or None,
                            }
                        )
            previous[record.id] = record
            result.append(
                {
                    "category": MODEL_CATEGORIES[model._meta.label],
                    "object": str(model._meta.verbose_name),
                    "object_uuid": str(record.uuid) if hasattr(record, "uuid") else None,
                    "object_id": record.id,
                    "history_date": record.history_date,
                    "history_user": _person(record.history_user),
                    "history_type": {"+": "created", "~": "changed", "-": "deleted"}[
                        record.history_type
                    ],
                    "history_type_display": str(
                        {"+": _("created"), "~": _("changed"), "-": _("deleted")}[
                            record.history_type
                        ]
                    ),
                    "change_reason": record.history_change_reason or "",
                    "changed_fields": [c["field"] for c in changes],
                    "changes": changes,
                }
            )
    result.sort(key=lambda row: row["history_date"])
    return result


# --- reminders ----------------------------------------------------------------------------------


def _reminders(collected: dict[str, list]) -> list[dict]:
    from alert4you.models import Reminder

    models = {rows[0].__class__: rows for rows in collected.values() if rows}
    types = ContentType.objects.get_for_models(*models)
    about = Q()
    for model, rows in models.items():
        about |= Q(content_type=types[model], object_id__in=[r.pk for r in rows])
    category_of = {types[m].pk: MODEL_CATEGORIES[m._meta.label] for m in models}
    reminders = (
        Reminder.objects.filter(about).select_related("recipient").order_by("for_date", "id")
    )
    return [
        {
            "kind": r.kind,
            "kind_display": _label(r, "kind"),
            "about": category_of[r.content_type_id],
            "recipient": _person(r.recipient),
            "for_date": r.for_date,
            "event_on": r.event_on,
            "sent_at": r.sent_at,
        }
        for r in reminders
    ]


# --- the export ---------------------------------------------------------------------------------


def _uuid(obj) -> str | None:
    return str(obj.uuid) if obj is not None else None


def subject_access_data(child: Child) -> dict[str, Any]:
    """Everything held about `child`: plain data with stable English keys.

    Datetimes stay aware `datetime`s (the JSON view writes them in UTC, the page
    in local time); choices come as the stored code plus a `*_display` label in
    the active language."""
    c = collect(child)
    case_uuid = {case.id: str(case.uuid) for case in c["casework.Case"]}
    group = child.group
    return {
        "schema_version": SCHEMA_VERSION,
        "generated_at": timezone.now(),
        "child": {
            "uuid": str(child.uuid),
            "first_name": child.first_name,
            "last_name": child.last_name,
            "date_of_birth": child.date_of_birth,
            "group": group.name,
            "location": group.location.name,
            "organisation": group.location.organisation.name,
            "mentor": _person(child.mentor),
        },
        "cases": [
            {
                "uuid": str(case.uuid),
                "status": case.status,
                "status_display": _label(case, "status"),
                "reason": case.reason,
                "opened_by": _person(case.opened_by),
                "opened_at": case.opened_at,
                "closed_at": case.closed_at,
                "erased_at": case.erased_at,
            }
            for case in c["casework.Case"]
        ],
        "case_team": [
            {
                "case": case_uuid[m.case_id],
                "person": _person(m.user),
                "role": m.role,
                "role_display": _label(m, "role"),
                "added_by": _person(m.added_by),
                "added_at": m.added_at,
            }
            for m in c["casework.CaseTeamMember"]
        ],
        "concerns": [
            {
                "uuid": str(x.uuid),
                "case": case_uuid[x.case_id],
                "observed_on": x.observed_on,
                "domain": x.domain,
                "domain_display": _label(x, "domain"),
                "description": x.description,
                "worry_level": x.worry_level,
                "worry_level_display": _label(x, "worry_level"),
                "where_seen": x.where_seen,
                "where_seen_display": _label(x, "where_seen"),
                "logged_by": _person(x.logged_by),
                "created_at": x.created_at,
            }
            for x in c["casework.Concern"]
        ],
        "observations": [
            {
                "uuid": str(x.uuid),
                "case": case_uuid[x.case_id],
                "observed_on": x.observed_on,
                "observer": _person(x.observer),
                "observer_role": x.observer_role,
                "observer_role_display": _label(x, "observer_role"),
                "notes": x.notes,
                "wellbeing_self": x.wellbeing_self,
                "wellbeing_with_staff": x.wellbeing_with_staff,
                "wellbeing_with_children": x.wellbeing_with_children,
                "created_at": x.created_at,
            }
            for x in c["casework.Observation"]
        ],
        "plans": [_plan(p, case_uuid) for p in c["casework.Plan"]],
        "placements": [
            {
                "uuid": str(x.uuid),
                "setting": x.setting,
                "setting_display": _label(x, "setting"),
                "place": x.place,
                "start_date": x.start_date,
                "end_date": x.end_date,
                "notes": x.notes,
                "recorded_by": _person(x.recorded_by),
            }
            for x in c["casework.Placement"]
        ],
        "referrals": [
            {
                "uuid": str(x.uuid),
                "case": case_uuid[x.case_id],
                "target": x.target,
                "target_display": _label(x, "target"),
                "organisation": x.organisation.name if x.organisation else "",
                "recipient": x.recipient,
                "reason": x.reason,
                "referred_on": x.referred_on,
                "status": x.status,
                "status_display": _label(x, "status"),
                "referred_by": _person(x.referred_by),
            }
            for x in c["casework.Referral"]
        ],
        "guardians": [
            {
                "uuid": str(g.uuid),
                "first_name": g.first_name,
                "last_name": g.last_name,
                "relation": g.relation,
                "relation_display": _label(g, "relation"),
                "has_authority": g.has_authority,
                "authority_checked_how": g.authority_checked_how,
                "authority_checked_how_display": _label(g, "authority_checked_how"),
                "authority_checked_on": g.authority_checked_on,
                "phone": g.phone,
                "email": g.email,
                "notes": g.notes,
            }
            for g in c["parents.Guardian"]
        ],
        "consents": [
            {
                "uuid": str(x.uuid),
                "scope": x.scope,
                "scope_display": _label(x, "scope"),
                "organisation": x.organisation.name if x.organisation else "",
                "decision": x.decision,
                "decision_display": _label(x, "decision"),
                "given_by": sorted(g.full_name for g in x.given_by.all()),
                "child_agreed": x.child_agreed,
                "decided_on": x.decided_on,
                "valid_until": x.valid_until,
                "method": x.method,
                "method_display": _label(x, "method"),
                "legal_ground": x.legal_ground,
                "notes": x.notes,
                "recorded_by": _person(x.recorded_by),
                "recorded_at": x.recorded_at,
                "withdrawn_on": x.withdrawn_on,
            }
            for x in c["parents.Consent"]
        ],
        "parent_conversations": [
            {
                "uuid": str(x.uuid),
                "case": case_uuid[x.case_id],
                "planned_on": x.planned_on,
                "status": x.status,
                "status_display": _label(x, "status"),
                "form": x.form,
                "form_display": _label(x, "form"),
                "expected_difficulty": x.expected_difficulty,
                "expected_difficulty_display": _label(x, "expected_difficulty"),
                "staff_participants": sorted(_person(u) for u in x.staff_participants.all()),
                "guardians": sorted(g.full_name for g in x.guardians.all()),
                "other_participants": x.other_participants,
                "message": x.message,
                "wording": x.wording,
                "outcome": x.outcome,
                "agreements": x.agreements,
                "next_step": x.next_step,
                "next_step_on": x.next_step_on,
                "coach_feedback": x.coach_feedback,
                "planned_by": _person(x.planned_by),
                "created_at": x.created_at,
            }
            for x in c["parents.ParentConversation"]
        ],
        "visit_agenda_items": [
            {
                "uuid": str(x.uuid),
                "case": case_uuid[x.case_id],
                "visit_starts_at": x.visit.starts_at,
                "visit_status": x.visit.status,
                "visit_status_display": _label(x.visit, "status"),
                "location": x.visit.location.name,
                "coach": _person(x.visit.coach),
                "topic": x.topic,
                "topic_display": _label(x, "topic"),
                "question": x.question,
                "source": x.source,
                "source_display": _label(x, "source"),
                "submitted_by": _person(x.submitted_by),
                "report_notes": x.report_notes,
                "created_at": x.created_at,
            }
            for x in c["coaching.AgendaItem"]
        ],
        "coaching_requests": [
            {
                "uuid": str(x.uuid),
                "case": case_uuid[x.case_id],
                "group": x.group.name,
                "topic": x.topic,
                "topic_display": _label(x, "topic"),
                "question": x.question,
                "status": x.status,
                "status_display": _label(x, "status"),
                "requested_by": _person(x.requested_by),
                "coach": _person(x.coach),
                "decline_reason": x.decline_reason,
                "created_at": x.created_at,
            }
            for x in c["coaching.CoachingRequest"]
        ],
        "group_plan_children": [
            {
                "case": case_uuid[x.case_id],
                **_group_plan(x.plan),
                "extra_attention": x.extra_attention,
            }
            for x in c["coaching.GroupPlanChild"]
        ],
        "group_plan_tips": [
            {
                **_group_plan(x.plan),
                "text": x.text,
                "applied": x.applied,
                "applied_display": _label(x, "applied"),
                "checked_on": x.checked_on,
                "check_note": x.check_note,
            }
            for x in c["coaching.GroupPlanTip"]
        ],
        "reminders": _reminders(c),
        "history": _history(child),
        "access_log": [
            {
                "case": case_uuid[x.case_id],
                "at": x.at,
                "who": _person(x.user),
                "acting_as": x.acting_as,
                "action": x.action,
                "action_display": _label(x, "action"),
                "outcome": x.outcome,
                "outcome_display": _label(x, "outcome"),
                "ip_address": x.ip_address,
                "path": x.path,
            }
            for x in c["casework.AccessLogEntry"]
        ],
        "excluded": [
            {"what": str(what), "reason": str(reason)}
            for what, reason in [
                *EXCLUDED_MODELS.values(),
                *EXCLUDED_OTHER,
            ]
        ],
    }


def _group_plan(plan) -> dict:
    return {
        "group_plan_uuid": str(plan.uuid),
        "group": plan.group.name,
        "group_plan_version": plan.version,
        "group_plan_status": plan.status,
        "group_plan_status_display": _label(plan, "status"),
        "period_start": plan.period_start,
        "period_end": plan.period_end,
    }


def _plan(plan: Plan, case_uuid: dict[int, str]) -> dict:
    return {
        "uuid": str(plan.uuid),
        "case": case_uuid[plan.case_id],
        "version": plan.version,
        "status": plan.status,
        "status_display": _label(plan, "status"),
        "whole_group_learning": plan.whole_group_learning,
        "next_evaluation_date": plan.next_evaluation_date,
        "created_by": _person(plan.created_by),
        "created_at": plan.created_at,
        "parents_agreed_on": plan.parents_agreed_on,
        "parents_agreement_note": plan.parents_agreement_note,
        "goals": [
            {
                "description": g.description,
                "owner_party": g.owner_party,
                "owner_party_display": _label(g, "owner_party"),
            }
            for g in plan.goals.all()
        ],
        "actions": [
            {
                "description": a.description,
                "owner_party": a.owner_party,
                "owner_party_display": _label(a, "owner_party"),
                "owner_name": a.owner_name,
                "due_date": a.due_date,
                "for_whole_group": a.for_whole_group,
            }
            for a in plan.actions.all()
        ],
        "reviews": [
            {
                "action": r.action,
                "action_display": _label(r, "action"),
                "by": _person(r.by),
                "at": r.at,
                "comment": r.comment,
            }
            for r in plan.reviews.all()
        ],
    }
