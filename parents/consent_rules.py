"""When a consent counts, as Dutch law has it for children up to 12 (and from 12).

Each rule is one function that answers with the problems it finds as
sentences a member of staff can act on (an empty list: the rule is met).
`problems_with_consent` applies them all; `consent_is_valid` says whether a
recorded consent counts on a given day.
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from .models import AuthorityCheck, Decision, Relation

PROOF_OF_AUTHORITY = {
    AuthorityCheck.REGISTER,
    AuthorityCheck.COURT_ORDER,
    AuthorityCheck.BIRTH_RECORD,
}
AGE_OF_OWN_CONSENT = 12


def age_on(date_of_birth: datetime.date, on: datetime.date) -> int:
    before_birthday = (on.month, on.day) < (date_of_birth.month, date_of_birth.day)
    return on.year - date_of_birth.year - before_birthday


def only_authority_holders_consent(givers) -> list[str]:
    """Consent counts only from guardians with parental authority (gezag). A parent
    without authority may ask for information but cannot consent; foster parents
    and people the child lives with hold none unless appointed guardian."""
    return [
        _("%(name)s holds no parental authority and cannot consent.") % {"name": g.full_name}
        for g in givers
        if not g.has_authority or g.relation not in (Relation.PARENT, Relation.APPOINTED_GUARDIAN)
    ]


def authority_is_proven(givers) -> list[str]:
    """One parent's word about authority is not proof: record how it was checked."""
    return [
        _(
            "How %(name)s's parental authority was checked is not proof "
            "(%(how)s): check the custody register or a court decision."
        )
        % {"name": g.full_name, "how": g.get_authority_checked_how_display()}
        for g in givers
        if g.has_authority and g.authority_checked_how not in PROOF_OF_AUTHORITY
    ]


def all_authority_holders_consent(guardians, givers) -> list[str]:
    """Where two parents share authority, both must consent."""
    giving = {g.pk for g in givers}
    missing = [g for g in guardians if g.has_authority and g.pk not in giving]
    if not missing:
        return []
    names = ", ".join(g.full_name for g in missing)
    return [
        _("Everyone with parental authority must consent; still missing: %(names)s.")
        % {"names": names}
    ]


def someone_with_authority_is_known(guardians) -> list[str]:
    if any(g.has_authority for g in guardians):
        return []
    return [_("Record who holds parental authority over this child first.")]


def child_consents_from_twelve(child, child_agreed, on) -> list[str]:
    """From 12 the child's own consent is needed too."""
    if age_on(child.date_of_birth, on) >= AGE_OF_OWN_CONSENT and not child_agreed:
        return [
            _("%(name)s is 12 or older: record the child's own consent too.")
            % {"name": child.first_name}
        ]
    return []


def legal_ground_is_stated(legal_ground: str, organisation) -> list[str]:
    """During a supervision order the certified institution may obtain information
    without consent — recorded as such, with the legal ground."""
    problems = []
    if not (legal_ground or "").strip():
        problems.append(_("State the legal ground, e.g. the supervision order and its article."))
    if organisation is None:
        problems.append(_("Name the certified institution that obtains the information."))
    return problems


def problems_with_consent(*, child, guardians, givers, child_agreed, on) -> list[str]:
    """Every reason why the parents' consent, as it would be recorded, does not count."""
    if not givers:
        return [_("Choose who gave the consent.")]
    return (
        someone_with_authority_is_known(guardians)
        + only_authority_holders_consent(givers)
        + authority_is_proven(givers)
        + all_authority_holders_consent(guardians, givers)
        + child_consents_from_twelve(child, child_agreed, on)
    )


def consent_is_valid(consent, on: datetime.date) -> bool:
    """A granted consent (or a legal ground) counts from its date until it is
    withdrawn or expires; from 12 only with the child's own agreement."""
    if consent.decision not in (Decision.GRANTED, Decision.LEGAL_GROUND):
        return False
    if consent.decided_on > on:
        return False
    if consent.valid_until is not None and consent.valid_until < on:
        return False
    if consent.decision == Decision.GRANTED and child_consents_from_twelve(
        consent.child, consent.child_agreed, on
    ):
        return False
    return True
