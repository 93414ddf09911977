"""Writes about parents: guardians, consents and legal grounds. A consent that
changes changes who may see the child's case, so every write here ends with
the access policy."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from alert4you import access_policy
from alert4you.history import save_with_history
from casework import selectors as case_selectors

from . import consent_rules
from .models import Consent, Decision, Guardian, Method, Scope


def _may_care_for(actor, child) -> None:
    """Parents' data is kept by the staff who care for the child every day."""
    if not case_selectors.children_for_concerns(actor).filter(pk=child.pk).exists():
        raise PermissionDenied


_save = save_with_history


def _check_dates(decided_on, valid_until) -> None:
    if decided_on > timezone.localdate():
        raise ValidationError({"decided_on": _("This date lies in the future.")})
    if valid_until is not None and valid_until < decided_on:
        raise ValidationError(
            {"valid_until": _("“Valid until” lies before the date of the decision.")}
        )


@transaction.atomic
def guardian_save(*, actor, child, guardian: Guardian | None = None, **fields) -> Guardian:
    _may_care_for(actor, child)
    guardian = guardian or Guardian(child=child)
    if guardian.child_id != child.pk:
        raise PermissionDenied
    for name, value in fields.items():
        setattr(guardian, name, value)
    if (
        guardian.relation
        in (
            Guardian.Relation.FOSTER_PARENT,
            Guardian.Relation.CARER,
            Guardian.Relation.FAMILY_GUARDIAN,
        )
        and guardian.has_authority
    ):
        raise ValidationError(
            {
                "has_authority": _(
                    "Foster parents, family guardians and others the child lives with hold no "
                    "parental authority; if a court appointed this person guardian, choose "
                    "“appointed guardian”."
                )
            }
        )
    _save(guardian, actor=actor, reason="guardian saved")
    # Who holds authority decides which consents count.
    access_policy.on_consent_changed(child)
    return guardian


@transaction.atomic
def consent_record(
    *,
    actor,
    child,
    scope,
    decision,
    given_by,
    decided_on,
    method,
    organisation=None,
    valid_until=None,
    child_agreed=None,
    notes="",
) -> Consent:
    """Record the parents' decision (granted or refused) about one scope."""
    _may_care_for(actor, child)
    if decision not in (Decision.GRANTED, Decision.REFUSED):
        raise ValidationError(_("Record a consent as granted or refused."))
    _check_dates(decided_on, valid_until)
    if scope == Scope.SHARE_WITH_ORGANISATION and organisation is None:
        raise ValidationError(
            {"organisation": _("Choose the organisation the information may be shared with.")}
        )
    givers = list(given_by)
    if decision == Decision.GRANTED:
        problems = consent_rules.problems_with_consent(
            child=child,
            guardians=list(child.guardians.all()),
            givers=givers,
            child_agreed=child_agreed,
            on=decided_on,
        )
        if problems:
            raise ValidationError(problems)
    elif not givers:
        raise ValidationError(_("Choose who refused."))
    elif problems := consent_rules.only_authority_holders_consent(givers):
        # Someone without parental authority cannot refuse either: their "no"
        # must not end what the parents with authority agreed to.
        raise ValidationError(problems)
    consent = _save(
        Consent(
            child=child,
            scope=scope,
            organisation=organisation if scope == Scope.SHARE_WITH_ORGANISATION else None,
            decision=decision,
            decided_on=decided_on,
            valid_until=valid_until,
            method=method,
            child_agreed=child_agreed,
            notes=notes,
            recorded_by=actor,
        ),
        actor=actor,
        reason=f"consent {decision}",
    )
    consent.given_by.set(givers)
    access_policy.on_consent_changed(child)
    return consent


@transaction.atomic
def consent_withdraw(*, actor, consent: Consent, withdrawn_on=None, notes="") -> Consent:
    """Parents withdraw a consent: access it opened ends at once."""
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    _may_care_for(actor, consent.child)
    if consent.decision != Decision.GRANTED:
        raise ValidationError(_("Only a granted consent can be withdrawn."))
    withdrawn_on = withdrawn_on or timezone.localdate()
    if withdrawn_on > timezone.localdate():
        raise ValidationError({"withdrawn_on": _("This date lies in the future.")})
    if withdrawn_on < consent.decided_on:
        raise ValidationError(
            {
                "withdrawn_on": _("This date lies before the consent was given (%(date)s).")
                % {"date": date_format(consent.decided_on)}
            }
        )
    if consent.valid_until is not None and consent.valid_until < withdrawn_on:
        # An ended consent stays recorded as expired, not as withdrawn.
        raise ValidationError(
            _("This consent already ended on %(date)s; there is nothing left to withdraw.")
            % {"date": date_format(consent.valid_until)}
        )
    consent.decision = Decision.WITHDRAWN
    consent.withdrawn_on = withdrawn_on
    if notes:
        consent.notes = f"{consent.notes}\n{notes}".strip()
    _save(consent, actor=actor, reason="consent withdrawn")
    access_policy.on_consent_changed(consent.child)
    return consent


@transaction.atomic
def sharing_on_legal_ground(
    *, actor, child, organisation, legal_ground, decided_on, valid_until=None, notes=""
) -> Consent:
    """Record that a certified youth-protection institution obtains information
    without consent during a supervision order, with the legal ground."""
    _may_care_for(actor, child)
    _check_dates(decided_on, valid_until)
    problems = consent_rules.legal_ground_is_stated(legal_ground, organisation)
    if problems:
        raise ValidationError(problems)
    consent = _save(
        Consent(
            child=child,
            scope=Scope.SHARE_WITH_ORGANISATION,
            organisation=organisation,
            decision=Decision.LEGAL_GROUND,
            legal_ground=legal_ground.strip(),
            decided_on=decided_on,
            valid_until=valid_until,
            method=Method.NOT_APPLICABLE,
            notes=notes,
            recorded_by=actor,
        ),
        actor=actor,
        reason="shared on a legal ground",
    )
    access_policy.on_consent_changed(child)
    return consent


def consents_changed_by_the_calendar(on=None) -> int:
    """Re-derive access for children whose consents expired overnight or who
    turned 12 (their own consent is then needed too). Run daily."""
    import datetime

    from casework.models import Child

    on = on or timezone.localdate()
    yesterday = on - datetime.timedelta(days=1)
    expired = set(Consent.objects.filter(valid_until=yesterday).values_list("child_id", flat=True))
    twelve = set(
        Child.objects.filter(
            date_of_birth__month=on.month,
            date_of_birth__day=on.day,
            date_of_birth__year=on.year - consent_rules.AGE_OF_OWN_CONSENT,
        ).values_list("id", flat=True)
    )
    for child in Child.objects.filter(id__in=expired | twelve):
        access_policy.on_consent_changed(child)
    return len(expired | twelve)
