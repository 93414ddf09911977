"""The case's history tab: who changed what, when — from django-simple-history."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _

from coaching.models import AgendaItem
from parents.models import ParentConversation

from .models import (
    Case,
    CaseTeamMember,
    Child,
    Concern,
    Observation,
    Placement,
    Plan,
    PlanAction,
    PlanGoal,
    Referral,
)

ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}
SKIP_FIELDS = {"id", "uuid", "created_at", "added_at", "position"}


@dataclass
class Change:
    at: datetime
    user: object
    what: str
    action: str
    reason: str
    fields: list[tuple[str, str]] = field(default_factory=list)


def _display(record, model_field) -> str:
    value = getattr(record, model_field.attname, None)
    if value is None or value == "":
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    text = str(value)
    return text if len(text) <= 160 else text[:157] + "…"


def _changes_for(model, records, m2m=None) -> list[Change]:
    """`m2m`: for a model whose history keeps many-to-many fields, per field label the
    names it held at each history record (``{label: {history_id: text}}``)."""
    fields = [
        f for f in model._meta.concrete_fields if f.name not in SKIP_FIELDS and not f.is_relation
    ]
    m2m = m2m or {}
    previous: dict[int, object] = {}
    result = []
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        before = previous.get(record.id)
        lists = [(label, held.get(record.history_id, "—")) for label, held in m2m.items()]
        if before is None or record.history_type != "~":
            changed = [(str(f.verbose_name), _display(record, f)) for f in fields]
            changed += [(label, text) for label, text in lists if text != "—"]
        else:
            changed = [
                (str(f.verbose_name), _display(record, f))
                for f in fields
                if getattr(before, f.attname) != getattr(record, f.attname)
            ]
            changed += [
                (label, text)
                for label, text in lists
                if m2m[label].get(before.history_id, "—") != text
            ]
        previous[record.id] = record
        if record.history_type == "-":
            changed = []
        result.append(
            Change(
                at=record.history_date,
                user=record.history_user,
                what=str(model._meta.verbose_name),
                action=ACTIONS[record.history_type],
                reason=record.history_change_reason or "",
                fields=changed,
            )
        )
    return result


def case_changes(case: Case) -> list[Change]:
    """Every recorded change to the case and its timeline, newest first."""

    def records(model, **filters):
        return list(model.history.filter(**filters).select_related("history_user"))

    plan_ids = set(Plan.history.filter(case_id=case.id).values_list("id", flat=True))
    sources = [
        (Case, records(Case, id=case.id)),
        (Child, records(Child, id=case.child_id)),
        (Concern, records(Concern, case_id=case.id)),
        (Observation, records(Observation, case_id=case.id)),
        (Plan, records(Plan, case_id=case.id)),
        (PlanGoal, records(PlanGoal, plan_id__in=plan_ids)),
        (PlanAction, records(PlanAction, plan_id__in=plan_ids)),
        (Placement, records(Placement, child_id=case.child_id)),
        (Referral, records(Referral, case_id=case.id)),
        (CaseTeamMember, records(CaseTeamMember, case_id=case.id)),
        (AgendaItem, records(AgendaItem, case_id=case.id)),
    ]
    changes = [change for model, rows in sources for change in _changes_for(model, rows)]
    conversations = records(ParentConversation, case_id=case.id)
    changes += _changes_for(ParentConversation, conversations, _conversation_lists(conversations))
    changes.sort(key=lambda c: c.at, reverse=True)
    return changes


def _conversation_lists(records) -> dict[str, dict[int, str]]:
    """Who took part at each history record of parent conversations (two queries)."""
    history_model = ParentConversation.history.model
    ids = [r.history_id for r in records]
    staff, parents = defaultdict(list), defaultdict(list)
    for row in history_model.staff_participants.model.objects.filter(
        history_id__in=ids
    ).select_related("user"):
        staff[row.history_id].append(row.user.get_full_name() or row.user.get_username())
    for row in history_model.guardians.model.objects.filter(history_id__in=ids).select_related(
        "guardian"
    ):
        parents[row.history_id].append(row.guardian.full_name if row.guardian else "?")
    field = ParentConversation._meta.get_field
    return {
        str(field("staff_participants").verbose_name): {
            key: ", ".join(sorted(names)) for key, names in staff.items()
        },
        str(field("guardians").verbose_name): {
            key: ", ".join(sorted(names)) for key, names in parents.items()
        },
    }


def timeline_summary(entry) -> tuple[str, str]:
    """A one-line summary and the author of a timeline entry (for exports)."""
    item = entry.item
    if entry.kind == "concern":
        return (
            f"{item.get_domain_display()} ({item.get_worry_level_display()}): {item.description}",
            _person(item.logged_by),
        )
    if entry.kind == "observation":
        return f"{item.get_observer_role_display()}: {item.notes}", _person(item.observer)
    if entry.kind == "plan_review":
        plan, review = item
        text = f"{plan} — {review.get_action_display()}"
        return (f"{text}: {review.comment}" if review.comment else text), _person(review.by)
    if entry.kind == "placement":
        period = f"{item.start_date} – {item.end_date or _('now')}"
        return f"{item.get_setting_display()}: {item.place} ({period})", _person(item.recorded_by)
    if entry.kind == "referral":
        to = item.organisation or item.recipient or item.get_target_display()
        return f"{item.get_target_display()} → {to}: {item.reason}", _person(item.referred_by)
    if entry.kind == "parent_conversation":
        parts = [f"{_('Parent conversation')} ({item.get_status_display()})"]
        parts.append(item.get_form_display())
        if item.outcome:
            label = _("Cancelled") if item.status == "cancelled" else _("Outcome")
            parts.append(f"{label}: {item.outcome}")
        if item.agreements:
            parts.append(f"{_('Agreements')}: {item.agreements}")
        if item.next_step:
            when = f" ({item.next_step_on})" if item.next_step_on else ""
            parts.append(f"{_('Next step')}: {item.next_step}{when}")
        return " — ".join(parts), _person(item.planned_by)
    if entry.kind == "visit_item":
        visit = item.visit
        return (
            f"{_('Coach visit')} ({visit.location.name}): {item.question} — {item.report_notes}",
            _person(visit.coach),
        )
    return str(item), ""


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""
