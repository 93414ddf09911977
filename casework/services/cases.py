"""Every write of case data. Each service takes a required `actor`, runs in one
transaction, validates with a message a user can act on, records who changed
what in the history, and lets the access policy update grants."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alert4you import access_policy, audit
from alert4you.history import save_with_history
from casework import selectors
from casework.models import (
    AccessLogEntry,
    Case,
    CaseStatus,
    CaseTeamMember,
    Child,
    Concern,
    Observation,
    Placement,
    Referral,
)

_save = save_with_history


def _not_in_future(value: datetime.date, field: str):
    if value and value > timezone.localdate():
        raise ValidationError({field: _("This date lies in the future.")})


def _require(perm_ok: bool):
    if not perm_ok:
        raise PermissionDenied


def _has(actor, case, codename) -> bool:
    return codename in selectors.case_perms_for_user(actor, case)


# --- children ---------------------------------------------------------------------------------


@transaction.atomic
def child_register(*, actor, first_name, last_name, date_of_birth, group, mentor=None) -> Child:
    _not_in_future(date_of_birth, "date_of_birth")
    child = _save(
        Child(
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            date_of_birth=date_of_birth,
            group=group,
            mentor=mentor,
        ),
        actor=actor,
        reason="registered",
    )
    return child


@transaction.atomic
def child_move(*, actor, child: Child, group) -> Child:
    """Move the child to another group; grants follow the child at once."""
    if group.pk == child.group_id:
        return child
    child.group = group
    _save(child, actor=actor, reason="moved to another group")
    access_policy.on_child_changed(child)
    return child


@transaction.atomic
def child_set_mentor(*, actor, child: Child, mentor) -> Child:
    child.mentor = mentor
    _save(child, actor=actor, reason="mentor changed")
    access_policy.on_child_changed(child)
    return child


# --- cases and concerns -----------------------------------------------------------------------


@transaction.atomic
def case_open(*, actor, child: Child, reason: str = "") -> Case:
    case = Case(child=child, opened_by=actor, reason=reason)
    try:
        with transaction.atomic():
            _save(case, actor=actor, reason="case opened")
    except IntegrityError as exc:
        raise ValidationError(_("This child already has an open case.")) from exc
    access_policy.on_case_opened(case)
    return case


def open_case_of(child: Child) -> Case | None:
    return child.cases.exclude(status=CaseStatus.CLOSED).first()


@transaction.atomic
def concern_log(
    *, actor, child: Child, observed_on, domain, description, worry_level, where_seen
) -> Concern:
    """Log a concern; the first concern about a child opens their case."""
    if not selectors.children_for_concerns(actor).filter(pk=child.pk).exists():
        raise PermissionDenied
    _not_in_future(observed_on, "observed_on")
    case = open_case_of(child)
    if case is None:
        case = case_open(actor=actor, child=child, reason=_("Concern logged"))
    concern = Concern(
        case=case,
        observed_on=observed_on,
        domain=domain,
        description=(description or "").strip(),
        worry_level=worry_level,
        where_seen=where_seen,
        logged_by=actor,
    )
    return _save(concern, actor=actor, reason="concern logged")


@transaction.atomic
def case_set_status(*, actor, case: Case, status: str) -> Case:
    _require(_has(actor, case, "change_case"))
    if (
        status != CaseStatus.CLOSED
        and case.status == CaseStatus.CLOSED
        and open_case_of(case.child)
    ):
        raise ValidationError(_("This child already has an open case."))
    case.status = status
    case.closed_at = timezone.now() if status == CaseStatus.CLOSED else None
    return _save(case, actor=actor, reason=f"status set to {status}")


@transaction.atomic
def case_team_add(*, actor, case: Case, user, role: str) -> CaseTeamMember:
    _require(_has(actor, case, "change_case"))
    if case.team_members.filter(user=user).exists():
        raise ValidationError(_("This person is already on the case team."))
    _require_consent_for_team_role(case.child, role, user)
    member = _save(
        CaseTeamMember(case=case, user=user, role=role, added_by=actor),
        actor=actor,
        reason="added to the case team",
    )
    access_policy.on_case_team_changed(case)
    return member


def _require_consent_for_team_role(child, role, user) -> None:
    """Refuse, saying which consent is missing and from whom, when someone from
    outside may only join the team with the parents' consent."""
    from pilots.models import Membership

    orgs = set(
        Membership.objects.current().filter(user=user).values_list("organisation_id", flat=True)
    )
    needed = access_policy.consent_needed_for_team_role(role, orgs)
    if not needed:
        return
    valid = access_policy.valid_consent_scopes([child]).get(child.id, set())
    if any(subject in valid for subject in needed):
        return
    raise ValidationError(missing_consent_message(child, needed))


def missing_consent_message(child, needed) -> str:
    from parents.models import Scope
    from pilots.models import Organisation

    scope, org_id = needed[0]
    what = Scope(scope).label
    if org_id is not None:
        what = f"{what}: {Organisation.objects.get(pk=org_id).name}"
    holders = [g.full_name for g in child.guardians.filter(has_authority=True)]
    if holders:
        return _(
            "This needs the parents' consent for “%(what)s”, which is not recorded as valid. "
            "Ask %(holders)s (parental authority) for it."
        ) % {"what": what, "holders": _(" and ").join(holders)}
    return _(
        "This needs the parents' consent for “%(what)s”, which is not recorded as valid. "
        "First record who holds parental authority over %(child)s, then ask them."
    ) % {"what": what, "child": child.first_name}


@transaction.atomic
def case_team_remove(*, actor, case: Case, user) -> None:
    _require(_has(actor, case, "change_case"))
    for member in case.team_members.filter(user=user):
        member._history_user = actor
        member.delete()
    access_policy.on_case_team_changed(case)


# --- observations, placements, referrals ------------------------------------------------------


@transaction.atomic
def observation_record(*, actor, case: Case, observer_role, observed_on, notes, **scales):
    _require(_has(actor, case, "change_case"))
    _not_in_future(observed_on, "observed_on")
    observation = Observation(
        case=case,
        observer=actor,
        observer_role=observer_role,
        observed_on=observed_on,
        notes=(notes or "").strip(),
        wellbeing_self=scales.get("wellbeing_self"),
        wellbeing_with_staff=scales.get("wellbeing_with_staff"),
        wellbeing_with_children=scales.get("wellbeing_with_children"),
    )
    return _save(observation, actor=actor, reason="observation recorded")


@transaction.atomic
def placement_record(*, actor, case: Case, setting, place, start_date, end_date=None, notes=""):
    _require(_has(actor, case, "change_case"))
    placement = Placement(
        child=case.child,
        setting=setting,
        place=place,
        start_date=start_date,
        end_date=end_date,
        notes=notes,
        recorded_by=actor,
    )
    return _save(placement, actor=actor, reason="placement recorded")


@transaction.atomic
def referral_record(
    *, actor, case: Case, target, reason, referred_on, organisation=None, recipient=""
):
    _require(_has(actor, case, "change_case"))
    _not_in_future(referred_on, "referred_on")
    referral = Referral(
        case=case,
        target=target,
        organisation=organisation,
        recipient=recipient,
        reason=reason,
        referred_on=referred_on,
        referred_by=actor,
    )
    return _save(referral, actor=actor, reason="referral recorded")


# --- access log -------------------------------------------------------------------------------


def access_log_record(*, user, case: Case, action: str, request=None) -> AccessLogEntry:
    """Record that `user` looked at `case` (written even outside a transaction)."""
    return audit.case_access_record(user=user, case=case, action=action, request=request)


def access_log_record_cases(*, user, case_ids, action: str, request=None) -> int:
    """Record one view per case for a page that shows several children's case data
    (a visit's agenda, a group's visit reports, a list of cases): one INSERT."""
    return audit.case_access_record_many(
        user=user, case_ids=case_ids, action=action, request=request
    )
