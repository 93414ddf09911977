"""Reads of the audit trail for organisation admins.

An admin sees the case access log of the cases whose child's group is at a
location of their organisation(s), and the audit entries of those
organisations or of people who belong (or belonged) to them. Never a child's
name: case rows load only the case's UUID and the group and location names,
so the page cannot show more even by mistake (separation of duties).

The listing is keyset-paginated over both tables at once, newest first: a page
is the next `limit` rows after a cursor (time, table, id), with no COUNT(*).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from casework.models import AccessLogEntry
from pilots.models import Membership
from pilots.selectors import organisations_administered_by

from .models import AuditEntry

#: Order of the two tables among rows with the same timestamp (newest first).
CASE_TABLE, AUDIT_TABLE = 1, 0
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class Cursor:
    at: datetime.datetime
    table: int
    id: int

    def encode(self) -> str:
        micros = (self.at - EPOCH) // datetime.timedelta(microseconds=1)
        return f"{micros}.{self.table}.{self.id}"

    @classmethod
    def decode(cls, value: str | None) -> Cursor | None:
        """The cursor in a link, or None (the first page) when it is not one."""
        try:
            micros, table, pk = (int(part) for part in (value or "").split("."))
        except ValueError:
            return None
        if table not in (CASE_TABLE, AUDIT_TABLE) or pk < 1:
            return None
        try:
            at = EPOCH + datetime.timedelta(microseconds=micros)
        except OverflowError:
            return None
        return cls(at=at, table=table, id=pk)


@dataclass(frozen=True)
class AuditRow:
    """One line of the audit page, whichever table it came from."""

    table: int
    id: int
    at: datetime.datetime
    user: object
    acting_as: str
    action: str
    action_label: str
    outcome: str
    outcome_label: str
    about: str
    where: str
    ip_address: str | None
    path: str

    @property
    def cursor(self) -> Cursor:
        return Cursor(self.at, self.table, self.id)


def audit_organisations(user) -> QuerySet:
    return organisations_administered_by(user)


def _before(cursor: Cursor | None, table: int) -> Q:
    """Rows of `table` that come after `cursor` in (-at, -table, -id) order."""
    if cursor is None:
        return Q()
    older = Q(at__lt=cursor.at)
    if table < cursor.table:
        return older | Q(at=cursor.at)
    if table == cursor.table:
        return older | Q(at=cursor.at, id__lt=cursor.id)
    return older


def _period(filters: dict) -> Q:
    q = Q()
    tz = timezone.get_current_timezone()
    if filters.get("date_from"):
        start = datetime.datetime.combine(filters["date_from"], datetime.time.min, tzinfo=tz)
        q &= Q(at__gte=start)
    if filters.get("date_to"):
        day_after = filters["date_to"] + datetime.timedelta(days=1)
        q &= Q(at__lt=datetime.datetime.combine(day_after, datetime.time.min, tzinfo=tz))
    return q


def _common(filters: dict) -> Q:
    q = _period(filters)
    if filters.get("person"):
        q &= Q(user__username__iexact=filters["person"])
    if filters.get("outcome"):
        q &= Q(outcome=filters["outcome"])
    if filters.get("action"):
        q &= Q(action=filters["action"])
    return q


def case_access_entries(organisation_ids, filters: dict, cursor: Cursor | None, limit: int):
    if filters.get("action") and filters["action"] not in AccessLogEntry.Action.values:
        return []
    rows = (
        AccessLogEntry.objects.filter(
            case__child__group__location__organisation__in=organisation_ids
        )
        .filter(_common(filters), _before(cursor, CASE_TABLE))
        .select_related("user")
        # Only the case's UUID and where the child is: never the child itself.
        .annotate(
            case_uuid=F("case__uuid"),
            group_name=F("case__child__group__name"),
            location_name=F("case__child__group__location__name"),
        )
        .only("id", "at", "user", "acting_as", "action", "outcome", "ip_address", "path")
        .order_by("-at", "-id")[:limit]
    )
    return [
        _row(
            entry,
            CASE_TABLE,
            about=str(entry.case_uuid)[:8],
            where=f"{entry.group_name} ({entry.location_name})",
        )
        for entry in rows
    ]


def audit_entries(organisation_ids, filters: dict, cursor: Cursor | None, limit: int):
    if filters.get("action") and filters["action"] not in AuditEntry.Action.values:
        return []
    members = Membership.objects.filter(organisation__in=organisation_ids).values("user_id")
    rows = (
        AuditEntry.objects.filter(Q(organisation__in=organisation_ids) | Q(user__in=members))
        .filter(_common(filters), _before(cursor, AUDIT_TABLE))
        .select_related("user")
        .order_by("-at", "-id")[:limit]
    )
    return [_row(entry, AUDIT_TABLE, about=entry.subject, where="") for entry in rows]


def _row(entry, table: str, *, about: str, where: str) -> AuditRow:
    """One line of the audit page, from either log (both have these fields)."""
    return AuditRow(
        table=table,
        id=entry.id,
        at=entry.at,
        user=entry.user,
        acting_as=entry.acting_as,
        action=entry.action,
        action_label=entry.get_action_display(),
        outcome=entry.outcome,
        outcome_label=entry.get_outcome_display(),
        about=about,
        where=where,
        ip_address=entry.ip_address,
        path=entry.path,
    )


def audit_page(organisation_ids, filters: dict, cursor: Cursor | None, limit: int = 50):
    """(rows, next cursor or None): the next `limit` rows of both logs about
    `organisation_ids`, newest first."""
    rows = case_access_entries(organisation_ids, filters, cursor, limit + 1)
    rows += audit_entries(organisation_ids, filters, cursor, limit + 1)
    rows.sort(key=lambda row: (row.at, row.table, row.id), reverse=True)
    shown = rows[:limit]
    next_cursor = shown[-1].cursor if len(rows) > limit else None
    return shown, next_cursor
