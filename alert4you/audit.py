"""The audit trail, as Dutch care-record logging (NEN 7513) asks: who did what,
acting as whom, on which record, with what outcome, when and from where.

Two tables hold it, both append-only (Django refuses to change a row; in
PostgreSQL a trigger refuses UPDATE and DELETE as well):

- `casework.AccessLogEntry`: one row per case a user looked at, listed,
  printed, exported — or was refused;
- `alert4you.AuditEntry`: everything else (aggregate exports, refusals of
  objects that are not a case, views of the audit log itself, system runs).

A row never holds content: no child's name, no search term, no query string
(a search may be a child's name). "Which record" is a foreign key or an
object kind plus its UUID; "when" is the database's UTC timestamp
(`USE_TZ = True`); "from where" is the client's address.
"""

from __future__ import annotations

import functools
import ipaddress

from django.conf import settings
from django.db import connection
from django.utils import timezone, translation
from simple_history.models import HistoricalRecords

from casework.models import AccessLogEntry, Case
from pilots.models import Membership, Organisation, Role

from . import sql
from .models import AuditEntry

PATH_LENGTH = 300
ACTING_AS_LENGTH = 200


def current_request():
    """The request being handled, if any. `simple_history`'s middleware already
    keeps it for the history user; permission helpers that only receive the user
    read it here to log a refusal with its address and page."""
    return getattr(HistoricalRecords.context, "request", None)


def client_ip(request) -> str | None:
    """The client's address. Behind `AUDIT_TRUSTED_PROXY_COUNT` reverse proxies
    (default 0: none) each proxy appended the address it saw to X-Forwarded-For,
    so the client is that many entries from the right; anything further left
    was written by the client and is not trusted."""
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = getattr(settings, "AUDIT_TRUSTED_PROXY_COUNT", 0)
    if proxies <= 0:
        return _valid_ip(remote)
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < proxies:
        return _valid_ip(remote)
    return _valid_ip(forwarded[-proxies]) or _valid_ip(remote)


def _valid_ip(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address(value)) if value else None
    except ValueError:
        return None


def _origin(request) -> tuple[str | None, str]:
    if request is None:
        return None, ""
    # The path without its query string: a query may hold a search term.
    return client_ip(request), request.path[:PATH_LENGTH]


def current_memberships(user, request=None) -> list[tuple[str, str, int]]:
    """(role, organisation name, organisation id) of the user's current
    memberships: one query, kept on the request for the rest of it (the
    navigation reads its roles from here too)."""
    if user is None or not user.is_authenticated:
        return []
    cache = getattr(request, "_audit_memberships", None) if request is not None else None
    if cache is not None and cache[0] == user.pk:
        return cache[1]
    today = timezone.localdate()
    with connection.cursor() as cursor:
        sql.execute_prepared(
            cursor, "current_memberships", _current_memberships_sql(), [user.pk, today, today]
        )
        rows = cursor.fetchall()
    if request is not None:
        request._audit_memberships = (user.pk, rows)
    return rows


@functools.cache
def _current_memberships_sql() -> str:
    """`Membership.objects.current().filter(user=%s)` by organisation name and
    role, as (role, organisation name, organisation id): written out, as every
    page asks it and building it through the ORM cost more than running it."""
    quote = connection.ops.quote_name
    membership, organisation = Membership._meta, Organisation._meta

    def m(field):
        return "m." + quote(membership.get_field(field).column)

    return (
        f"SELECT {m('role')}, o.{quote(organisation.get_field('name').column)}, "
        f"{m('organisation')} FROM {quote(membership.db_table)} m "
        f"JOIN {quote(organisation.db_table)} o ON o.{quote(organisation.pk.column)} = "
        f"{m('organisation')} WHERE {m('user')} = %s AND {m('start_date')} <= %s "
        f"AND ({m('end_date')} IS NULL OR {m('end_date')} >= %s) "
        f"ORDER BY o.{quote(organisation.get_field('name').column)}, {m('role')}"
    )


def acting_as(user, request=None) -> str:
    """The user's role(s) and organisation(s) in words, in the site's language so
    the log reads the same whoever looks: "Location manager (Speelwerk)"."""
    with translation.override(settings.LANGUAGE_CODE):
        text = "; ".join(
            f"{Role(role).label} ({organisation})"
            for role, organisation, _ in current_memberships(user, request)
        )
    return text[:ACTING_AS_LENGTH]


def _single_organisation_id(user, request) -> int | None:
    ids = {organisation_id for _, _, organisation_id in current_memberships(user, request)}
    return ids.pop() if len(ids) == 1 else None


def _user_or_none(user):
    return user if user is not None and user.is_authenticated else None


# Services


def case_access_record(
    *, user, case, action: str, request=None, outcome: str = AccessLogEntry.Outcome.ALLOWED
) -> AccessLogEntry:
    """Record that `user` looked at (or was refused) one case."""
    ip, path = _origin(request)
    return AccessLogEntry.objects.create(
        user=user,
        case=case,
        action=action,
        outcome=outcome,
        acting_as=acting_as(user, request),
        ip_address=ip,
        path=path,
    )


def case_access_record_many(*, user, case_ids, action: str, request=None) -> int:
    """Record one row per case for a page that shows several children (a list,
    search results, a visit's agenda): one INSERT for the lot, every row the
    same but for its case, so the ids go as one array (no model per row)."""
    case_ids = sorted(set(case_ids))
    if not case_ids:
        return 0
    meta = Case._meta
    cases, params = sql.in_values(meta.pk.column, case_ids)
    ids_sql = f"SELECT {meta.pk.column} AS logged_case FROM {meta.db_table} WHERE {cases}"
    return _insert_access_rows(user, action, request, ids_sql, params)


def _insert_access_rows(user, action: str, request, case_ids_sql: str, params) -> int:
    """INSERT one allowed row per case id that `case_ids_sql` selects (as `logged_case`)."""
    ip, path = _origin(request)
    at = sql.db_value(AccessLogEntry, "at", timezone.now())
    meta = AccessLogEntry._meta
    quote = connection.ops.quote_name
    columns = ", ".join(
        quote(meta.get_field(name).column)
        for name in ("at", "user", "acting_as", "action", "outcome", "ip_address", "path", "case")
    )
    with connection.cursor() as cursor:
        sql.execute_prepared(
            cursor,
            "insert_access_log",
            f"INSERT INTO {quote(meta.db_table)} ({columns}) "
            f"SELECT %s, %s, %s, %s, %s, {sql.cast('%s', AccessLogEntry, 'ip_address')}, %s,"
            " ids.logged_case"
            f" FROM ({case_ids_sql}) ids",
            [
                at,
                user.pk,
                acting_as(user, request),
                action,
                AccessLogEntry.Outcome.ALLOWED,
                ip,
                path,
                *params,
            ],
        )
        return cursor.rowcount


def audit_record(
    *,
    user,
    action: str,
    subject: str,
    detail: str = "",
    outcome: str = AuditEntry.Outcome.ALLOWED,
    organisation=None,
    request=None,
) -> AuditEntry:
    """Record an action that is not about one case. `organisation`: the one
    acted for (by default the user's, when they belong to exactly one)."""
    user = _user_or_none(user)
    ip, path = _origin(request)
    organisation_id = getattr(organisation, "pk", organisation)
    if organisation_id is None:
        organisation_id = _single_organisation_id(user, request)
    return AuditEntry.objects.create(
        user=user,
        action=action,
        outcome=outcome,
        acting_as=acting_as(user, request),
        organisation_id=organisation_id,
        subject=subject[:200],
        detail=detail[:500],
        ip_address=ip,
        path=path,
    )


def access_denied(user, kind: str, object_uuid, request=None) -> AuditEntry:
    """A refused object that is not an existing case: "<kind> <uuid>", never a name."""
    request = request if request is not None else current_request()
    return audit_record(
        user=user,
        action=AuditEntry.Action.ACCESS_DENIED,
        outcome=AuditEntry.Outcome.DENIED,
        subject=f"{kind} {object_uuid}",
        request=request,
    )


def case_access_denied(user, case, action: str, request=None) -> AccessLogEntry | AuditEntry:
    """A refused case that exists: a denied row in its access log."""
    request = request if request is not None else current_request()
    if _user_or_none(user) is None:
        return access_denied(user, "case", case.uuid, request)
    return case_access_record(
        user=user,
        case=case,
        action=action,
        request=request,
        outcome=AccessLogEntry.Outcome.DENIED,
    )


def children_listed(*, user, child_ids, request=None) -> int:
    """Log the cases the user may see of the children a list showed (a list of
    consents, say): one INSERT that selects those cases itself."""
    return cases_listed(user=user, child_ids=child_ids, request=request)


def cases_listed(
    *, user, case_uuids=(), child_ids=(), request=None, action: str = AccessLogEntry.Action.LISTED
) -> int:
    """Log the cases a page listed (or, `action`, printed) that the user may see:
    named by their uuids (the links it shows), or every case of the children it
    showed. One INSERT that selects those cases itself; nothing for cases the
    user may not see."""
    from casework.selectors import granted_case_ids

    case_uuids, child_ids = sorted(set(case_uuids)), sorted(set(child_ids))
    if not (case_uuids or child_ids) or _user_or_none(user) is None or not user.is_active:
        return 0
    granted = granted_case_ids(user)  # `cases_for_user`, written out
    meta = Case._meta
    which, params = [], []
    if case_uuids:
        by_uuid, uuid_params = sql.in_values(
            f"c.{meta.get_field('uuid').column}",
            [sql.db_value(Case, "uuid", value) for value in case_uuids],
        )
        which.append(by_uuid)
        params += uuid_params
    if child_ids:
        by_child, child_params = sql.in_values(f"c.{meta.get_field('child').column}", child_ids)
        which.append(by_child)
        params += child_params
    ids_sql = (
        f"SELECT c.{meta.pk.column} AS logged_case FROM {meta.db_table} c"
        f" WHERE ({' OR '.join(which)}) AND c.{meta.pk.column} IN ({granted.sql})"
    )
    return _insert_access_rows(user, action, request, ids_sql, [*params, *granted.params])
