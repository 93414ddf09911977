"""Reads about parents and consents."""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from alert4you import sql as sql_parts
from casework.selectors import (
    concern_child_id_list,
    may_log_concern_about,
)
from pilots.models import Organisation

from .consent_rules import consent_is_valid
from .models import Consent, Decision, Guardian, Scope


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


# What the register reads of each decision, with its organisation and recorder.
_REGISTER_FIELDS = (
    "pk",
    "uuid",
    "scope",
    "organisation_id",
    "decision",
    "child_agreed",
    "decided_on",
    "valid_until",
    "method",
    "legal_ground",
    "notes",
    "recorded_at",
    "withdrawn_on",
    "organisation__uuid",
    "organisation__name",
    "recorded_by_id",
    "recorded_by__username",
    "recorded_by__first_name",
    "recorded_by__last_name",
)


def _register_consents(child, *, with_givers: bool) -> list[Consent]:
    """The child's decisions in one query, as read-only model instances that carry
    only what the register shows: the givers' names come along (one row per
    giver, in the guardians' order) instead of a prefetch of whole guardians,
    and the recorder's name instead of a whole user row."""
    fields = _REGISTER_FIELDS
    order = ["pk"]
    if with_givers:
        fields += ("given_by__first_name", "given_by__last_name")
        order += ["given_by__last_name", "given_by__first_name", "given_by__id"]
    rows = Consent.objects.filter(child=child).values_list(*fields).order_by(*order)
    User = get_user_model()
    organisations: dict[int, Organisation] = {}
    consents: dict[int, Consent] = {}
    givers: dict[int, list[str]] = defaultdict(list)
    for row in rows:
        pk = row[0]
        if pk not in consents:
            (
                _pk,
                consent_uuid,
                scope,
                organisation_id,
                decision,
                child_agreed,
                decided_on,
                valid_until,
                method,
                legal_ground,
                notes,
                recorded_at,
                withdrawn_on,
                organisation_uuid,
                organisation_name,
                recorded_by_id,
                username,
                first_name,
                last_name,
            ) = row[:19]
            consent = Consent(
                pk=pk,
                uuid=consent_uuid,
                child_id=child.pk,
                scope=scope,
                organisation_id=organisation_id,
                decision=decision,
                child_agreed=child_agreed,
                decided_on=decided_on,
                valid_until=valid_until,
                method=method,
                legal_ground=legal_ground,
                notes=notes,
                recorded_by_id=recorded_by_id,
                recorded_at=recorded_at,
                withdrawn_on=withdrawn_on,
            )
            consent._state.adding, consent._state.db = False, Consent.objects.db
            consent.child = child  # the rules need the child's age
            if organisation_id is not None:
                if organisation_id not in organisations:
                    organisations[organisation_id] = Organisation(
                        pk=organisation_id, uuid=organisation_uuid, name=organisation_name
                    )
                consent.organisation = organisations[organisation_id]
            else:
                consent.organisation = None
            consent.recorded_by = User(
                pk=recorded_by_id, username=username, first_name=first_name, last_name=last_name
            )
            consents[pk] = consent
        if with_givers and row[19] is not None:
            givers[pk].append(Guardian(first_name=row[19], last_name=row[20]).full_name)
    if with_givers:
        for pk, consent in consents.items():
            consent.givers = _(" and ").join(givers[pk])
    return list(consents.values())


def consent_register(child, on: datetime.date | None = None, *, with_givers=True):
    """Per scope (and organisation) the decision in force, its state today and the
    earlier decisions; scopes without any decision are listed as such. One
    query, however many decisions there are."""
    on = on or timezone.localdate()
    consents = _register_consents(child, with_givers=with_givers)
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
        "may_manage": may_log_concern_about(user, case.child_id),
    }


@dataclass(frozen=True)
class ExpiringConsent:
    """One line of the list of consents that end soon: the consent and what the
    list says of its child, as plain values (no model instances to build)."""

    pk: int
    uuid: uuid.UUID
    scope: str
    valid_until: datetime.date
    days_left: int
    child_id: int
    child_uuid: uuid.UUID
    child_first_name: str
    child_last_name: str
    group_name: str
    location_name: str
    organisation_uuid: uuid.UUID | None
    organisation_name: str | None

    def get_scope_display(self) -> str:
        return Scope(self.scope).label

    @property
    def child_full_name(self) -> str:
        return f"{self.child_first_name} {self.child_last_name}"


# The rows of `consents_expiring_for_children`, written out: built by the ORM that
# query costs more to compile (and, with five tables joined, to plan) than to run.
# Group, location and organisation are read per row (at most a page of rows), so
# only the consent and its child are joined. Plain SQL that SQLite runs too.
_EXPIRING_SQL = """
SELECT co.id, co.uuid, co.scope, co.valid_until, co.child_id,
       ch.uuid, ch.first_name, ch.last_name,
       (SELECT g.name FROM pilots_group g WHERE g.id = ch.group_id),
       (SELECT l.name FROM pilots_group g JOIN pilots_location l ON l.id = g.location_id
         WHERE g.id = ch.group_id),
       (SELECT o.uuid FROM pilots_organisation o WHERE o.id = co.organisation_id),
       (SELECT o.name FROM pilots_organisation o WHERE o.id = co.organisation_id){total}
  FROM parents_consent co
  JOIN casework_child ch ON ch.id = co.child_id
 WHERE {children}
   AND co.decision = %s
   AND co.valid_until >= %s AND co.valid_until <= %s
   AND NOT EXISTS (
         SELECT 1 FROM parents_consent later
          WHERE later.child_id = co.child_id AND later.scope = co.scope
            AND (later.organisation_id = co.organisation_id OR later.scope <> %s)
            AND (later.decided_on > co.decided_on
                 OR later.decided_on = co.decided_on
                    AND (later.recorded_at > co.recorded_at
                         OR later.recorded_at = co.recorded_at AND later.id > co.id)))
 ORDER BY co.valid_until, ch.first_name, co.id
 LIMIT %s OFFSET %s
"""


def _as_uuid(value) -> uuid.UUID | None:
    # SQLite hands UUIDs back as hex text.
    return value if value is None or isinstance(value, uuid.UUID) else uuid.UUID(value)


class ExpiringConsents:
    """The rows of `consents_expiring_for_children` as `ExpiringConsent`s, in the
    same order (ties by id), read one slice at a time (what `paginate` asks) or,
    for the home page, the first rows with how many there are."""

    def __init__(self, child_ids, *, within_days: int = 31, on=None):
        self.child_ids = list(child_ids)
        self.on = on or timezone.localdate()
        self.until = self.on + datetime.timedelta(days=within_days)

    def __getitem__(self, rows: slice) -> list[ExpiringConsent]:
        if not isinstance(rows, slice) or rows.stop is None or rows.step is not None:
            raise TypeError("Read expiring consents a bounded slice at a time.")
        start, stop = rows.start or 0, rows.stop
        if not self.child_ids or stop <= start:
            return []
        return [self._consent(row) for row in self._read(start, stop, with_total=False)]

    def first_with_total(self, count: int) -> tuple[list[ExpiringConsent], int]:
        """The first `count` rows and how many rows there are, in one query."""
        if not self.child_ids or count <= 0:
            return [], 0
        # The total along with the first rows: a window over all of them.
        found = self._read(0, count, with_total=True)
        return [self._consent(row[:-1]) for row in found], found[0][-1] if found else 0

    def _read(self, start: int, stop: int, *, with_total: bool) -> list[tuple]:
        ops = connection.ops
        children, child_ids = sql_parts.in_values("co.child_id", self.child_ids)
        sql = _EXPIRING_SQL.format(
            children=children, total=", COUNT(*) OVER ()" if with_total else ""
        )
        params = [
            *child_ids,
            Decision.GRANTED.value,
            ops.adapt_datefield_value(self.on),
            ops.adapt_datefield_value(self.until),
            Scope.SHARE_WITH_ORGANISATION.value,
            stop - start,
            start,
        ]
        with connection.cursor() as cursor:
            sql_parts.execute_prepared(cursor, "expiring_consents", sql, params)
            return cursor.fetchall()

    def _consent(self, row) -> ExpiringConsent:
        (
            pk,
            consent_uuid,
            scope,
            valid_until,
            child_id,
            child_uuid,
            first_name,
            last_name,
            group_name,
            location_name,
            organisation_uuid,
            organisation_name,
        ) = row
        return ExpiringConsent(
            pk=pk,
            uuid=_as_uuid(consent_uuid),
            scope=scope,
            valid_until=valid_until,
            days_left=(valid_until - self.on).days,
            child_id=child_id,
            child_uuid=_as_uuid(child_uuid),
            child_first_name=first_name,
            child_last_name=last_name,
            group_name=group_name,
            location_name=location_name,
            organisation_uuid=_as_uuid(organisation_uuid),
            organisation_name=organisation_name,
        )


def consents_expiring_for_user(user, *, within_days: int = 31, on=None) -> ExpiringConsents:
    """Expiring consents of the children `user` cares for (none for anyone else),
    for the list page: slice it for a page of `ExpiringConsent`s."""
    # The children's ids first: planned as one query with the consents, their
    # three ways in cost more to plan than both queries take to run.
    child_ids = concern_child_id_list(user)
    return ExpiringConsents(child_ids, within_days=within_days, on=on)


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
