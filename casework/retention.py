"""Erasing closed cases after their retention period (AVG art. 5(1)(e), art. 17).

Who decides the term
    A case is governed by the organisation that holds the file: the owner of
    the location of the child's (current) group. That organisation's own
    `retention_years` wins; empty means the default for its kind in
    ``settings.ALERT4YOU_RETENTION_YEARS`` (youth care 20 years after the last
    change, Jeugdwet art. 7.3.8; childcare two years; see the comment there).
    A youth-care coach in the case team does not make the file a youth-care
    file: what the coach records here is part of the file holder's file, and
    the youth-care organisation keeps its own care file in its own system
    under its own term. One file, one term: the file holder's.

When the clock starts
    The term runs from the file's *last change*: the newest of the case's own
    history and of every row that belongs to it — concerns, observations,
    plans (with goals, actions and reviews), referrals, the case team, parent
    conversations, coaching agenda items and requests, group-plan entries
    naming the child — and of the child's own rows shared by all the child's
    cases (the child, placements, consents, parents and guardians). History
    tables are read, not only the live rows, so a concern that was changed
    (or deleted) yesterday restarts the clock. It is computed in one query
    with subqueries, whatever the number of cases.

What is erased
    Only closed cases, never a case of a child who still has an open (or
    monitoring) case. Per case, in one transaction: its content rows and every
    history row about them (also rows of objects deleted earlier), the case's
    own history, and reminders pointing to what was deleted. The case and the
    child stay as anonymous stubs (the case access log is append-only and
    points to the case). The child's own data — name, date of birth (to the
    first of January of the birth year), mentor, placements, consents, parents
    and guardians, and the child's history — goes with the child's last case
    still holding content; until then another closed case still needs it.

    Not reached: free text that names the child where the data model does not
    link it to the child (a visit's general notes, a group plan's texts, an
    intervision's notes). Those texts are meant to stay anonymous.

Runs are recorded as one `AuditEntry` (RETENTION_RUN, without a user) with
counts only, dry runs included.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Case as Choose
from django.db.models import Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from alert4you.models import AuditEntry, Reminder
from casework.models import (
    Case,
    CaseStatus,
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
from coaching.models import AgendaItem, CoachingRequest
from coaching.models.group_plans import GroupPlanChild
from parents.models import Consent, Guardian, ParentConversation
from pilots.models import Organisation

logger = logging.getLogger(__name__)

#: What an erased child's names become.
PLACEHOLDER = "—"

#: Rows that belong to one case: (model, the field naming the case).
CASE_ROWS = [
    (Concern, "case"),
    (Observation, "case"),
    (Plan, "case"),
    (Referral, "case"),
    (CaseTeamMember, "case"),
    (ParentConversation, "case"),
    (AgendaItem, "case"),
    (CoachingRequest, "case"),
    (GroupPlanChild, "case"),
]
#: Rows of a plan (their history names the plan, not the case).
PLAN_ROWS = [PlanGoal, PlanAction]
#: Rows that belong to the child, shared by all the child's cases.
CHILD_ROWS = [Placement, Consent, Guardian]


def retention_defaults() -> dict[str, int]:
    return dict(settings.ALERT4YOU_RETENTION_YEARS)


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def _cutoff(today: datetime.date, years: int) -> datetime.datetime:
    """A file whose last change lies before this moment is past a term of `years`:
    last changed on 1 May 2006, a 20-year term ends on 1 May 2026; it is erased
    from 2 May 2026."""
    start = datetime.datetime.combine(_years_before(today, years), datetime.time.min)
    return timezone.make_aware(start)


def _newest(history_model, column: str, ref) -> Subquery:
    return Subquery(
        history_model.objects.filter(**{column: ref})
        .order_by("-history_date")
        .values("history_date")[:1]
    )


def _last_change() -> Greatest:
    """The newest change to anything in the case's file, as one SQL expression."""
    case_ref, child_ref = OuterRef("pk"), OuterRef("child_id")
    parts = [F("opened_at"), F("closed_at"), _newest(Case.history.model, "id", case_ref)]
    parts += [_newest(model.history.model, f"{fk}_id", case_ref) for model, fk in CASE_ROWS]
    parts += [_newest(model.history.model, "child_id", child_ref) for model in CHILD_ROWS]
    parts.append(_newest(Child.history.model, "id", child_ref))
    plans_ever = Plan.history.model.objects.filter(case_id=OuterRef(OuterRef("pk"))).values("id")
    parts += [
        Subquery(
            model.history.model.objects.filter(plan_id__in=plans_ever)
            .order_by("-history_date")
            .values("history_date")[:1]
        )
        for model in PLAN_ROWS
    ]
    parts.append(
        Subquery(PlanReview.objects.filter(plan__case=case_ref).order_by("-at").values("at")[:1])
    )
    return Greatest(*parts)


def _term_expression(defaults: dict[str, int]):
    org = "child__group__location__organisation"
    by_kind = Choose(
        *[When(**{f"{org}__kind": kind, "then": Value(years)}) for kind, years in defaults.items()],
        default=Value(max(defaults.values())),
    )
    return Coalesce(F(f"{org}__retention_years"), by_kind)


def _terms_in_use(defaults: dict[str, int]) -> set[int]:
    own = Organisation.objects.filter(retention_years__isnull=False).values_list(
        "retention_years", flat=True
    )
    return set(defaults.values()) | set(own.distinct())


def expired_cases(*, today: datetime.date | None = None):
    """Closed, not yet erased cases whose file's last change lies before their
    term, of children without an open case. Two queries whatever the size:
    the terms in use, then this queryset. Annotated with `organisation_id`,
    `term` (years) and `last_change`."""
    today = today or timezone.localdate()
    defaults = retention_defaults()
    due = reduce(
        or_,
        (Q(term=years, last_change__lt=_cutoff(today, years)) for years in _terms_in_use(defaults)),
    )
    child_has_open_case = Case.objects.filter(child_id=OuterRef("child_id")).exclude(
        status=CaseStatus.CLOSED
    )
    return (
        Case.objects.filter(status=CaseStatus.CLOSED, erased_at__isnull=True)
        .filter(~Exists(child_has_open_case))
        .annotate(
            organisation_id=F("child__group__location__organisation_id"),
            term=_term_expression(defaults),
            last_change=_last_change(),
        )
        .filter(due)
        .order_by("pk")
    )


# --- erasing one case -------------------------------------------------------------------------


def _delete_with_reminders(queryset) -> int:
    """Delete the rows and the reminders pointing to them. The rows' history is
    removed afterwards (deleting writes one more history row)."""
    ids = list(queryset.values_list("pk", flat=True))
    if not ids:
        return 0
    content_type = ContentType.objects.get_for_model(queryset.model)
    Reminder.objects.filter(content_type=content_type, object_id__in=ids).delete()
    queryset.model.objects.filter(pk__in=ids).delete()
    return len(ids)


def case_erase(*, case_id: int, today: datetime.date | None = None) -> dict[str, int] | None:
    """Erase one expired case in one transaction; None if it is (no longer) due.

    Returns how many rows of each kind went (counts only, for the run's log).
    """
    with transaction.atomic():
        case = Case.objects.select_for_update().filter(pk=case_id).first()
        if case is None or not expired_cases(today=today).filter(pk=case_id).exists():
            return None
        child = Child.objects.select_for_update().get(pk=case.child_id)
        last_case = not (
            Case.objects.filter(child=child, erased_at__isnull=True).exclude(pk=case.pk).exists()
        )
        counts: dict[str, int] = {}

        plan_ids = set(
            Plan.history.model.objects.filter(case_id=case.pk).values_list("id", flat=True)
        )
        plan_ids |= set(Plan.objects.filter(case=case).values_list("pk", flat=True))
        for model in PLAN_ROWS:
            _delete_with_reminders(model.objects.filter(plan_id__in=plan_ids))
        for model, fk in CASE_ROWS:
            counts[model._meta.model_name] = _delete_with_reminders(
                model.objects.filter(**{fk: case})
            )
        child_models = CHILD_ROWS if last_case else []
        for model in child_models:
            counts[model._meta.model_name] = _delete_with_reminders(
                model.objects.filter(child=child)
            )

        # The history tables: every version of every erased row, also of rows
        # deleted before, and the case's own history (it holds the reason).
        for model in PLAN_ROWS:
            model.history.model.objects.filter(plan_id__in=plan_ids).delete()
        for model, fk in CASE_ROWS:
            model.history.model.objects.filter(**{f"{fk}_id": case.pk}).delete()
        Case.history.model.objects.filter(id=case.pk).delete()
        for model in child_models:
            model.history.model.objects.filter(child_id=child.pk).delete()

        # The stubs are written without a history record on purpose: history
        # would keep who erased when, but nothing that needs keeping remains.
        Case.objects.filter(pk=case.pk).update(reason="", erased_at=timezone.now())
        Reminder.objects.filter(
            content_type=ContentType.objects.get_for_model(Case), object_id=case.pk
        ).delete()
        if last_case:
            Child.objects.filter(pk=child.pk).update(
                first_name=PLACEHOLDER,
                last_name=PLACEHOLDER,
                date_of_birth=datetime.date(child.date_of_birth.year, 1, 1),
                mentor=None,
            )
            Child.history.model.objects.filter(id=child.pk).delete()
            Reminder.objects.filter(
                content_type=ContentType.objects.get_for_model(Child), object_id=child.pk
            ).delete()
            counts["child"] = 1

        # The team and the mentor are gone: re-derive who may still see the stub.
        from alert4you import access_policy

        access_policy.on_child_changed(child)
        return counts


# --- a run ------------------------------------------------------------------------------------


@dataclass
class RetentionRun:
    today: datetime.date
    dry_run: bool
    #: Per organisation id, how many cases were due.
    due: dict[int, int] = field(default_factory=dict)
    organisations: dict[int, Organisation] = field(default_factory=dict)
    erased: int = 0
    failed: int = 0
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def due_total(self) -> int:
        return sum(self.due.values())

    def term_of(self, organisation: Organisation) -> int:
        if organisation.retention_years:
            return organisation.retention_years
        defaults = retention_defaults()
        return defaults.get(organisation.kind, max(defaults.values()))

    def detail(self) -> str:
        """Counts only: never a name, a date of birth or a case id."""
        per_org = ", ".join(
            f"organisation {org_id}: {count}" for org_id, count in sorted(self.due.items())
        )
        if self.dry_run:
            text = f"dry run on {self.today:%Y-%m-%d}: {self.due_total} case(s) due"
        else:
            text = (
                f"run on {self.today:%Y-%m-%d}: {self.erased} of {self.due_total} due case(s) "
                f"erased, {self.failed} failed"
            )
        if per_org:
            text += f" ({per_org})"
        return text if len(text) <= 500 else text[:499] + "…"


def erase_expired_cases(
    *, today: datetime.date | None = None, dry_run: bool = False, source: str = "system"
) -> RetentionRun:
    """Erase every expired case (or, with `dry_run`, only count them) and record
    the run. Safe to run twice: erased cases are no longer selected. A case
    whose erasure fails is left as it was; the others go on."""
    today = today or timezone.localdate()
    run = RetentionRun(today=today, dry_run=dry_run)
    due = list(expired_cases(today=today).values_list("pk", "organisation_id"))
    for _case_id, org_id in due:
        run.due[org_id] = run.due.get(org_id, 0) + 1
    run.organisations = Organisation.objects.in_bulk(list(run.due))

    if not dry_run:
        for case_id, _org_id in due:
            try:
                counts = case_erase(case_id=case_id, today=today)
            except Exception:
                logger.exception(
                    "Retention: erasing case %s failed; it was left as it was.", case_id
                )
                run.failed += 1
                continue
            if counts is not None:
                run.erased += 1
                for name, count in counts.items():
                    run.rows[name] = run.rows.get(name, 0) + count

    AuditEntry.objects.create(
        user=None,
        acting_as="system",
        action=AuditEntry.Action.RETENTION_RUN,
        subject="retention",
        detail=run.detail(),
        path=source[:300],
    )
    return run
