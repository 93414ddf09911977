"""Reads about parents and consents."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.selectors import children_for_concerns, concern_child_ids

from .consent_rules import consent_is_valid
from .models import Consent, Decision, Scope


def _latest_per_subject(consents) -> dict[tuple[str, int | None], Consent]:
    """The latest decision per (scope, organisation): a later refusal or
    withdrawal overrides an earlier grant."""
    latest: dict[tuple[str, int | None], Consent] = {}
    for consent in sorted(consents, key=lambda c: (c.decided_on, c.recorded_at, c.pk)):
        latest[(consent.scope, consent.organisation_id)] = consent
    return latest


def valid_consent_scopes_for(children, on: datetime.date | None = None) -> dict[int, set]:
    """For each child id, the valid ``(scope, organisation id)`` pairs (one query)."""
    on = on or timezone.localdate()
    by_child = defaultdict(list)
    for consent in Consent.objects.filter(child__in=children).select_related("child"):
        by_child[consent.child_id].append(consent)
    return {
        child_id: {
            subject
            for subject, consent in _latest_per_subject(consents).items()
            if consent_is_valid(consent, on)
        }
        for child_id, consents in by_child.items()
    }


def consent_overview(child, on: datetime.date | None = None) -> list[dict]:
    """Per scope and organisation: the decision in force and whether it counts today."""
    on = on or timezone.localdate()
    consents = list(
        Consent.objects.filter(child=child)
        .select_related("organisation", "recorded_by", "child")
        .prefetch_related("given_by")
    )
    rows = []
    for (scope, _org), consent in sorted(
        _latest_per_subject(consents).items(),
        key=lambda item: (item[0][0], str(item[1].organisation)),
    ):
        rows.append(
            {
                "consent": consent,
                "valid": consent_is_valid(consent, on),
                "expired": consent.valid_until is not None and consent.valid_until < on,
                "history": [c for c in consents if (c.scope, c.organisation_id) == (scope, _org)],
            }
        )
    return rows


def _later_decision_exists():
    """A later decision about the same child, scope and organisation (the order of
    `_latest_per_subject`): a renewal, refusal or withdrawal replaced this one."""
    later = Consent.objects.filter(
        Q(organisation=OuterRef("organisation")) | ~Q(scope=Scope.SHARE_WITH_ORGANISATION),
        child=OuterRef("child"),
        scope=OuterRef("scope"),
    ).filter(
        Q(decided_on__gt=OuterRef("decided_on"))
        | Q(decided_on=OuterRef("decided_on"), recorded_at__gt=OuterRef("recorded_at"))
        | Q(
            decided_on=OuterRef("decided_on"),
            recorded_at=OuterRef("recorded_at"),
            pk__gt=OuterRef("pk"),
        )
    )
    return Exists(later)


def consents_expiring_for_children(children, *, within_days: int = 31, on=None) -> QuerySet:
    """Granted consents of these children, still in force, that end within a month
    (for PMs and managers). One that was renewed, refused or withdrawn since is
    not listed: nothing needs doing about it."""
    on = on or timezone.localdate()
    return (
        Consent.objects.filter(
            child__in=children,
            decision=Decision.GRANTED,
            valid_until__gte=on,
            valid_until__lte=on + datetime.timedelta(days=within_days),
        )
        .exclude(_later_decision_exists())
        .select_related("child__group__location", "organisation")
        .order_by("valid_until", "child__first_name")
    )


# --- the consent register: what counts today, and why not -------------------------------------


class ConsentState:
    """Why a subject (scope + organisation) does or does not count today."""

    VALID = "valid"
    LEGAL_GROUND = "legal_ground"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    NEEDS_CHILD = "needs_child"
    NOT_YET = "not_yet"
    NONE = "none"


def consent_state(consent: Consent | None, on: datetime.date) -> str:
    """One `ConsentState` for the decision in force (None: nothing recorded)."""
    if consent is None:
        return ConsentState.NONE
    if consent_is_valid(consent, on):
        if consent.decision == Decision.LEGAL_GROUND:
            return ConsentState.LEGAL_GROUND
        return ConsentState.VALID
    if consent.decision == Decision.REFUSED:
        return ConsentState.REFUSED
    if consent.decision == Decision.WITHDRAWN:
        return ConsentState.WITHDRAWN
    if consent.decided_on > on:
        return ConsentState.NOT_YET
    if consent.valid_until is not None and consent.valid_until < on:
        return ConsentState.EXPIRED
    return ConsentState.NEEDS_CHILD


@dataclass
class ConsentStatus:
    """One line of the register: the decision in force about one scope (and
    organisation), whether it counts today, and the decisions before it."""

    scope: str
    organisation: object | None
    state: str
    consent: Consent | None = None
    history: list = field(default_factory=list)

    def get_scope_display(self) -> str:
        return Scope(self.scope).label

    @property
    def counts(self) -> bool:
        return self.state in (ConsentState.VALID, ConsentState.LEGAL_GROUND)

    @property
    def can_withdraw(self) -> bool:
        """Only a granted consent that is still in force can be withdrawn."""
        return self.state in (ConsentState.VALID, ConsentState.NEEDS_CHILD)


def givers_of(consent: Consent) -> str:
    """The names of those who gave (or refused) the consent, for reading."""
    return _(" and ").join(g.full_name for g in consent.given_by.all())


def _newest_first(consents):
    return sorted(consents, key=lambda c: (c.decided_on, c.recorded_at, c.pk), reverse=True)


def consent_register(child, on: datetime.date | None = None, *, with_givers=True):
    """Per scope (and organisation) the decision in force, its state today and the
    earlier decisions; scopes without any decision are listed as such. Two
    queries (one without the givers), however many decisions there are."""
    on = on or timezone.localdate()
    consents = Consent.objects.filter(child=child).select_related("organisation", "recorded_by")
    if with_givers:
        consents = consents.prefetch_related("given_by")
    consents = list(consents)
    for consent in consents:
        consent.child = child  # the rules need the child's age; spare a query per row
        if with_givers:
            consent.givers = givers_of(consent)
    by_subject = defaultdict(list)
    for consent in consents:
        by_subject[(consent.scope, consent.organisation_id)].append(consent)
    rows = []
    for items in by_subject.values():
        items = _newest_first(items)
        current = items[0]
        rows.append(
            ConsentStatus(
                scope=current.scope,
                organisation=current.organisation,
                state=consent_state(current, on),
                consent=current,
                history=items[1:],
            )
        )
    recorded = {row.scope for row in rows if row.organisation is None}
    rows += [
        ConsentStatus(scope=scope, organisation=None, state=ConsentState.NONE)
        for scope in Scope.values
        if scope != Scope.SHARE_WITH_ORGANISATION and scope not in recorded
    ]
    order = {scope: n for n, scope in enumerate(Scope.values)}
    rows.sort(key=lambda row: (order[row.scope], row.organisation.name if row.organisation else ""))
    return rows


def consent_panel_for_case(user, case, on: datetime.date | None = None) -> dict:
    """What the case page says about consent: what is and is not shared, and
    whether `user` may open the register (two queries)."""
    register = consent_register(case.child, on, with_givers=False)
    return {
        "shared": [row for row in register if row.counts],
        "not_shared": [row for row in register if not row.counts],
        "may_manage": children_for_concerns(user).filter(pk=case.child_id).exists(),
    }


def consents_expiring_for_user(user, *, within_days: int = 31, on=None) -> QuerySet:
    """Expiring consents of the children `user` cares for (none for anyone else)."""
    # The children's ids first: planned as one query with the consents, their
    # three ways in cost more to plan than both queries take to run.
    child_ids = list(concern_child_ids(user))
    return consents_expiring_for_children(child_ids, within_days=within_days, on=on)


def team_members_relying_on(consent: Consent) -> QuerySet:
    """Members of the child's case teams who see the case only through this kind
    of consent (a withdrawal ends their access)."""
    from casework.models import CaseTeamMember, TeamRole
    from pilots.models import Membership

    members = CaseTeamMember.objects.filter(case__child=consent.child_id).select_related("user")
    if consent.scope == Scope.OBSERVATION_BY_COACH:
        return members.filter(role=TeamRole.COACH)
    if consent.scope == Scope.OBSERVATION_BY_EXTERNAL_EXPERT:
        return members.filter(role=TeamRole.EXTERNAL_EXPERT)
    if consent.scope == Scope.SHARE_WITH_ORGANISATION:
        staff = Membership.objects.current().filter(organisation=consent.organisation_id)
        return members.filter(role=TeamRole.SCHOOL, user__in=staff.values("user"))
    return members.none()
