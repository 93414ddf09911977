"""Reads of case data, always starting from what the user may see.

Every list is filtered in SQL against the access policy's grant tables in one
query: the user's own grants UNION the grants of their auth groups. Model-wide
("global") permissions are never consulted, so a model-level permission can
never open every child's file, and a superuser sees only what was granted.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.db.models import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    IntegerField,
    Q,
    QuerySet,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import get_language, override

from alert4you import sql as sql_parts
from alert4you.links import uuid_reverse
from pilots.models import Group, Location, Membership, Role

from .models import (
    Case,
    CaseGroupObjectPermission,
    CaseStatus,
    CaseUserObjectPermission,
    Child,
    Concern,
    Observation,
    Placement,
    Plan,
    PlanReview,
    PlanStatus,
    Referral,
)


def granted_case_ids(user, codename: str = "view_case"):
    """A subquery of the ids of cases on which `user` holds `codename`: their own
    grants UNION the grants of their auth groups. Use it as `pk__in=...` (or
    `case_id__in=...`)."""
    if not user.is_authenticated or not user.is_active:
        return Case.objects.none().values("pk")
    # Written out: building and compiling the same UNION through the ORM cost
    # five times as much, on every list page. Permission ids are looked up by
    # codename in the query itself (tests recreate them).
    return RawSQL(_grants_sql("ids"), (user.pk, codename, user.pk, codename))


def cases_for_user(user, codename: str = "view_case") -> QuerySet[Case]:
    return Case.objects.filter(pk__in=granted_case_ids(user, codename))


def case_perms_for_user(user, case: Case) -> set[str]:
    """Every case permission `user` holds on one case (one query)."""
    if not user.is_authenticated or not user.is_active:
        return set()
    with connection.cursor() as cursor:
        sql_parts.execute_prepared(
            cursor, "case_perms", _grants_sql("codenames"), (user.pk, case.pk, user.pk, case.pk)
        )
        return {codename for (codename,) in cursor.fetchall()}


@functools.cache
def _grants_sql(read: str, case: str = "%s") -> str:
    """The grants UNION: `read` "ids" selects the case ids on which a user (%s)
    holds a codename (%s); "codenames", the codenames a user (%s) holds on a case
    (`case`: a parameter, or a column of an outer query)."""

    def table(model):
        return model._meta.db_table

    def column(model, field):
        return model._meta.get_field(field).column

    members = get_user_model().groups.through
    parts = []
    for model, alias in ((CaseUserObjectPermission, "up"), (CaseGroupObjectPermission, "gp")):
        case_column = f"{alias}.{column(model, 'content_object')}"
        sql = (
            f"SELECT {case_column if read == 'ids' else 'p.codename'} FROM {table(model)} {alias}"
            f" JOIN {table(Permission)} p ON p.id = {alias}.{column(model, 'permission')}"
        )
        if alias == "up":
            sql += f" WHERE {alias}.{column(model, 'user')} = %s"
        else:
            sql += (
                f" JOIN {table(members)} ug"
                f" ON ug.{column(members, 'group')} = {alias}.{column(model, 'group')}"
                f" WHERE ug.{column(members, 'user')} = %s"
            )
        sql += " AND p.codename = %s" if read == "ids" else f" AND {case_column} = {case}"
        parts.append(sql)
    return " UNION ".join(parts)


def case_page_case(user, case_uuid) -> Case | None:
    """The case as its page shows it, whether or not `user` may see it (None if
    there is none), in one query: its child with the child's group and location
    names and mentor's name, and in `user_perms` the permissions `user` holds on
    it. Only what the page reads is loaded (as with `only()`, the rest of the
    case, group, location and mentor loads when first read)."""
    with connection.cursor() as cursor:
        sql_parts.execute_prepared(
            cursor,
            "case_page",
            _case_page_sql(),
            (user.pk, user.pk, sql_parts.db_value(Case, "uuid", case_uuid)),
        )
        row = cursor.fetchone()
    if row is None:
        return None
    db = Case.objects.db
    case_id, uuid_, child_id, status, *child_row = row[:10]
    # As the ORM reads them (on SQLite, `make run`, UUIDs and dates are text).
    uuid_ = sql_parts.py_value(Case, "uuid", uuid_)
    child_values = [
        sql_parts.py_value(Child, name, value)
        for name, value in zip(_CHILD_COLUMNS, [child_id, *child_row], strict=True)
    ]
    group_name, location_id, location_name, *mentor_row, perms = row[10:]
    case = _partial(Case, db, id=case_id, uuid=uuid_, child_id=child_id, status=status)
    child = Child.from_db(db, _CHILD_COLUMNS, child_values)
    group = _partial(Group, db, id=child.group_id, location_id=location_id, name=group_name)
    group.location = _partial(Location, db, id=location_id, name=location_name)
    child.group = group
    mentor = None
    if child.mentor_id is not None:
        names = dict(zip(("username", "first_name", "last_name"), mentor_row, strict=True))
        mentor = _partial(get_user_model(), db, id=child.mentor_id, **names)
    child.mentor = mentor
    case.child = child
    active = user.is_authenticated and user.is_active
    perms = set(sql_parts.as_list(perms)) if active else set()
    case.user_perms, case._perms_for = perms, user.pk
    return case


def _partial(model, db, **values):
    """A `model` instance read with only `values` (attname: value); the rest is
    deferred, as `only()` leaves it."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(db, names, [values[name] for name in names])


#: Every column of a child, in model order (the case page reads them all).
_CHILD_COLUMNS = ("id", "uuid", "first_name", "last_name", "date_of_birth", "group_id", "mentor_id")


@functools.cache
def _case_page_sql() -> str:
    # Written out: the ORM query (the case's grants as a subquery, the whole
    # organisation and mentor joined) cost more to build and to plan than to run.
    user = get_user_model()._meta.db_table
    grants = _grants_sql("codenames", "c.id")
    return (
        "SELECT c.id, c.uuid, c.child_id, c.status, ch.uuid, ch.first_name, ch.last_name,"
        " ch.date_of_birth, ch.group_id, ch.mentor_id, g.name, g.location_id, l.name,"
        f" mu.username, mu.first_name, mu.last_name, {sql_parts.array_of(grants, 'codename')}"
        f" FROM {Case._meta.db_table} c"
        f" JOIN {Child._meta.db_table} ch ON ch.id = c.child_id"
        f" JOIN {Group._meta.db_table} g ON g.id = ch.group_id"
        f" JOIN {Location._meta.db_table} l ON l.id = g.location_id"
        f" LEFT JOIN {user} mu ON mu.id = ch.mentor_id"
        " WHERE c.uuid = %s"
    )


def case_list_for_user(
    user,
    *,
    status: str | None = None,
    group: GroupOption | Group | None = None,
    domain: str | None = None,
    worry_level: int | None = None,
    search: str | None = None,
) -> QuerySet[Case]:
    """The cases `user` may see, last concern first, with the columns of the case
    list: the child's name and group id, `last_concern_on` and `top_worry`. The
    group's and location's names come from `visible_groups_for_filter`
    (`with_groups`): joining them here doubled the time the database spent
    planning the query."""
    lookups, conditions = {"pk__in": granted_case_ids(user)}, []
    if status:
        lookups["status"] = status
    if group is not None:
        lookups["child__group_id"] = group.id
    # The columns read the case's concerns, or those the last concern filter
    # picked. Correlated subqueries rather than a join with GROUP BY and DISTINCT:
    # the same rows, and far less for the database to plan; written out, as the
    # ORM spent more time building them than the database spent running them.
    picked = {}
    for field, value in (("domain", domain), ("worry_level", worry_level)):
        if value:
            picked = {field: value}
            conditions.append(_concerns_of_the_case("1", picked, BooleanField(), exists=True))
    for word in (search or "").split()[:5]:
        conditions.append(
            Q(child__first_name__icontains=word) | Q(child__last_name__icontains=word)
        )
    return (
        Case.objects.filter(*conditions, **lookups)
        .select_related("child")
        .only(*CASE_LIST_COLUMNS)
        .annotate(
            last_concern_on=_concerns_of_the_case("max(k.observed_on)", picked, DateField()),
            top_worry=_concerns_of_the_case("max(k.worry_level)", picked, IntegerField()),
        )
        .order_by("-last_concern_on", "-opened_at", "pk")
    )


def _concerns_of_the_case(select: str, lookups: dict, output_field, exists=False) -> RawSQL:
    """SELECT `select` FROM the concerns (alias k) of the case in the outer query
    (a query of cases, which names its table as is) that match `lookups` (field:
    value); wrapped in EXISTS if `exists`."""
    quote = connection.ops.quote_name
    outer = f"{quote(Case._meta.db_table)}.{quote(Case._meta.pk.column)}"
    column = Concern._meta.get_field
    where = [f"k.{column('case').column} = {outer}"]
    where += [f"k.{column(field).column} = %s" for field in lookups]
    sql = f"SELECT {select} FROM {Concern._meta.db_table} k WHERE {' AND '.join(where)}"
    sql = f"EXISTS ({sql})" if exists else sql
    return RawSQL(sql, list(lookups.values()), output_field=output_field)


#: What a row of the case list shows (and links to).
CASE_LIST_COLUMNS = (
    "uuid",
    "status",
    "opened_at",
    "child__first_name",
    "child__last_name",
    "child__group_id",
)


@dataclass(frozen=True)
class GroupOption:
    """A group as the case list shows it: in its filter and in its rows."""

    id: int
    uuid: object
    name: str
    location_name: str

    def __str__(self):
        # As `Group.__str__`, without loading the location.
        return f"{self.location_name} – {self.name}"


def visible_groups_for_filter(user) -> list[GroupOption]:
    """Groups of the cases the user may see, to offer as a filter."""
    with_cases = Case.objects.filter(pk__in=granted_case_ids(user)).values("child__group_id")
    return _group_options(Group.objects.filter(pk__in=with_cases))


def _group_options(groups: QuerySet[Group]) -> list[GroupOption]:
    rows = groups.order_by("location__name", "name").values_list(
        "id", "uuid", "name", "location__name"
    )
    return [GroupOption(*row) for row in rows]


def case_list_rows(cases: list[Case], groups: list[GroupOption]) -> list[Case]:
    """Readies a page of `case_list_for_user` for its table: sets `case.group` (a
    `GroupOption`, from `groups`, `visible_groups_for_filter`), `case.url` and
    `case.status_label`. No query, unless a child changed group between the two
    reads (then one). Per row, `get_absolute_url` and `get_status_display` cost
    more than the rest of the row together."""
    by_id = {group.id: group for group in groups}
    missing = {case.child.group_id for case in cases} - by_id.keys()
    if missing:
        by_id.update((g.id, g) for g in _group_options(Group.objects.filter(pk__in=missing)))
    status_labels = {value: str(label) for value, label in CaseStatus.choices}
    for case in cases:
        case.group = by_id[case.child.group_id]
        case.url = uuid_reverse("casework:case-detail", case_uuid=case.uuid)
        case.status_label = status_labels.get(case.status, case.status)
    return cases


def children_for_concerns(user) -> QuerySet[Child]:
    """Children the user may log a concern about: those in their groups, their
    mentees, and the children at locations they manage or coordinate."""
    return Child.objects.filter(pk__in=_concern_child_ids_sql(user)).select_related(
        "group__location", "mentor"
    )


def concern_child_ids(user):
    """The ids of `children_for_concerns(user)`, as a subquery."""
    children = Child.objects.filter(pk__in=_concern_child_ids_sql(user)).order_by()
    return children.values_list("pk", flat=True)


def concern_child_id_list(user) -> list[int]:
    """The ids of `children_for_concerns(user)`, read now: a prepared statement,
    as the home page and the lists of consents start here."""
    ids = _concern_child_ids_sql(user)
    with connection.cursor() as cursor:
        sql_parts.execute_prepared(cursor, "concern_child_ids", ids.sql, ids.params)
        return [pk for (pk,) in cursor.fetchall()]


def may_log_concern_about(user, child_id: int) -> bool:
    """Whether `child_id` is among `children_for_concerns(user)`: one prepared
    statement (every case page asks it, for its consent panel)."""
    ids = _concern_child_ids_sql(user)
    with connection.cursor() as cursor:
        sql_parts.execute_prepared(
            cursor,
            "may_log_concern",
            f"SELECT 1 FROM ({ids.sql}) ids WHERE ids.id = %s",
            [*ids.params, child_id],
        )
        return cursor.fetchone() is not None


#: The children a user may log a concern about (`concern_child_ids`). Each way
#: in reads its own index; one query joining them by OR would read every child
#: in the country. Written out: built through the ORM, the union cost more to
#: compile on every request than the database spent running it.
_CONCERN_CHILD_IDS = """
  SELECT ch.id FROM casework_child ch
   WHERE ch.group_id IN (SELECT mg.group_id FROM pilots_membershipgroup mg
                           JOIN pilots_membership m ON m.id = mg.membership_id
                          WHERE {current} AND m.role = %s)
  UNION
  SELECT ch.id FROM casework_child ch JOIN pilots_group g ON g.id = ch.group_id
   WHERE g.location_id IN (SELECT ml.location_id FROM pilots_membershiplocation ml
                             JOIN pilots_membership m ON m.id = ml.membership_id
                            WHERE {current} AND m.role IN (%s, %s))
  UNION
  SELECT ch.id FROM casework_child ch
    JOIN pilots_group g ON g.id = ch.group_id
    JOIN pilots_location l ON l.id = g.location_id
   WHERE ch.mentor_id = %s
     AND l.organisation_id IN (SELECT m.organisation_id FROM pilots_membership m
                                WHERE {current})
""".format(
    current="m.user_id = %s AND m.start_date <= %s AND (m.end_date IS NULL OR m.end_date >= %s)"
)


def _concern_child_ids_sql(user) -> RawSQL:
    """The ids of the children `user` may log a concern about today: the children
    of the groups they work in as staff, the children at the locations they
    manage or coordinate care for, and their mentees in the organisations they
    work for (current memberships only)."""
    today = timezone.localdate()
    member = [user.pk, today, today]
    return RawSQL(
        _CONCERN_CHILD_IDS,
        [
            *member,
            Role.PEDAGOGICAL_STAFF.value,
            *member,
            Role.LOCATION_MANAGER.value,
            Role.CARE_COORDINATOR.value,
            user.pk,
            *member,
        ],
    )


@dataclass(frozen=True)
class TimelineEntry:
    kind: str
    on: date
    at: datetime | None
    item: object


def plans_with_reviews(case: Case) -> list[Plan]:
    """Every version of the case's plan, newest first, each with its reviews in
    `review_list` (oldest first) and their authors' names (two queries at most)."""
    plans = _read_items(Plan, "case", case.pk)
    for plan in plans:
        plan.case, plan.review_list = case, []
    if plans:
        by_id = {plan.pk: plan for plan in plans}
        for review in _read_items(PlanReview, "plan", list(by_id), (("by", _PERSON),)):
            review.plan = by_id[review.plan_id]
            review.plan.review_list.append(review)
    return plans


def case_timeline(case: Case, plans: list[Plan] | None = None) -> list[TimelineEntry]:
    """Everything that happened in the case, newest first, in a fixed number of
    queries. `plans`: `plans_with_reviews(case)`, if the caller read it already.
    Each kind is read in its model's order, as the ORM would; the people come
    with their names only (`person_name`)."""
    from coaching.models import AgendaItem
    from parents.models import ParentConversation

    people = (("logged_by", _PERSON),)
    entries = [
        TimelineEntry("concern", c.observed_on, c.created_at, c)
        for c in _labelled(_read_items(Concern, "case", case.pk, people), "domain", "where_seen")
    ]
    people = (("observer", _PERSON),)
    entries += [
        TimelineEntry("observation", o.observed_on, o.created_at, o)
        for o in _labelled(_read_items(Observation, "case", case.pk, people), "observer_role")
    ]
    for plan in plans_with_reviews(case) if plans is None else plans:
        for review in _labelled(plan.review_list, "action"):
            entries.append(
                TimelineEntry("plan_review", review.at.date(), review.at, (plan, review))
            )
    people = (("recorded_by", _PERSON),)
    entries += [
        TimelineEntry("placement", p.start_date, None, p)
        for p in _labelled(_read_items(Placement, "child", case.child_id, people), "setting")
    ]
    related = (("organisation", ("name",)), ("referred_by", _PERSON))
    entries += [
        TimelineEntry("referral", r.referred_on, None, r)
        for r in _labelled(_read_items(Referral, "case", case.pk, related), "status", "target")
    ]
    people = (("planned_by", _PERSON),)
    entries += [
        TimelineEntry("parent_conversation", c.planned_on, c.created_at, c)
        for c in _labelled(
            _read_items(ParentConversation, "case", case.pk, people),
            "status",
            "form",
            "expected_difficulty",
        )
    ]
    # What the coach wrote about the child at a held visit (one query).
    related = (
        ("visit", ("coach_id", "location_id", "starts_at", "status", "reported_at")),
        ("visit__coach", _PERSON),
        ("visit__location", ("name",)),
    )
    held = ' AND r0."status" = %s AND NOT (t."report_notes" = %s)'
    entries += [
        TimelineEntry(
            "visit_item",
            timezone.localtime(item.visit.starts_at).date(),
            item.visit.reported_at or item.visit.starts_at,
            item,
        )
        for item in _read_items(AgendaItem, "case", case.pk, related, held, ("held", ""))
    ]
    entries.sort(key=lambda e: (e.on, e.at.timestamp() if e.at else 0.0), reverse=True)
    return entries


def _labelled(items, *fields):
    """`items`, each with `<field>_label`: what `get_<field>_display()` says, read
    from the choices once per language rather than once per row (which hashes and
    translates every choice each time)."""
    items = list(items)
    if items:
        language, model = get_language(), type(items[0])
        for field in fields:
            labels = _choice_labels(model, field, language)
            for item in items:
                value = getattr(item, field)
                setattr(item, f"{field}_label", labels.get(value, value))
    return items


@functools.cache
def _choice_labels(model, field: str, language: str) -> dict:
    with override(language):
        return {value: str(label) for value, label in model._meta.get_field(field).flatchoices}


def case_team(case: Case) -> list:
    """The case team, each member with their user's name (one query)."""
    from .models import CaseTeamMember

    return _read_items(CaseTeamMember, "case", case.pk, (("user", _PERSON),))


#: What a page shows of a person (`person_name`).
_PERSON = ("username", "first_name", "last_name")


def _read_items(model, by: str, value, related=(), where: str = "", params=()) -> list:
    """The `model` rows whose `by` is `value` (or one of them, a list), in the
    model's order (as the ORM reads them), as model instances with every column,
    each with its `related` objects: (path, attnames) pairs such as
    ("visit__coach", ("username",)), read with only those columns (the rest is
    deferred, as `only()` leaves it). `where`: more conditions, on `t` (the row)
    and `r0`, `r1`... (the related tables, in order), with `params`. Written out
    and compiled once per shape: through the ORM, building the query cost more
    than running it."""
    values = value if isinstance(value, list) else [value]
    if not values:
        return []
    sql, paths = _items_sql(model, by, related, where, len(values))
    with connection.cursor() as cursor:
        if len(values) == 1:  # a case's timeline: the same text on every page
            sql_parts.execute_prepared(
                cursor, f"items_{model._meta.model_name}", sql, [*values, *params]
            )
        else:
            cursor.execute(sql, [*values, *params])
        rows = cursor.fetchall()
    db = model.objects.db
    fields = [f.attname for f in model._meta.concrete_fields]
    count = len(fields)
    items = []
    for row in rows:
        item = model.from_db(db, fields, row[:count])
        loaded, start = {"": item}, count
        for (parent, field), names in paths:
            values = row[start : start + len(names)]
            start += len(names)
            owner = loaded[parent]
            key = getattr(owner, field.attname) if owner is not None else None
            found = None
            if key is not None:
                found = _partial(
                    field.related_model,
                    db,
                    **{field.target_field.attname: key},
                    **dict(zip(names, values, strict=True)),
                )
            if owner is not None:
                setattr(owner, field.name, found)
            loaded[f"{parent}__{field.name}" if parent else field.name] = found
        items.append(item)
    return items


@functools.cache
def _items_sql(model, by: str, related, where: str, values: int = 1):
    """`_read_items`' query and, per related path, (parent path, field) and the
    attnames it reads."""
    quote = connection.ops.quote_name

    def columns(of):
        return {f.attname: f.column for f in of._meta.concrete_fields}

    meta = model._meta
    select = [f"t.{quote(f.column)}" for f in meta.concrete_fields]
    joins, paths = [], []
    aliases = {"": ("t", model, False)}
    for n, (path, names) in enumerate(related):
        parent, _, name = path.rpartition("__")
        parent_alias, parent_model, parent_outer = aliases[parent]
        field = parent_model._meta.get_field(name)
        target, alias = field.related_model, f"r{n}"
        # As select_related joins: an outer join where the key may be empty.
        outer = parent_outer or field.null
        aliases[path] = (alias, target, outer)
        joins.append(
            f" {'LEFT OUTER' if outer else 'INNER'} JOIN {quote(target._meta.db_table)} {alias}"
            f" ON ({parent_alias}.{quote(field.column)} = {alias}.{quote(target._meta.pk.column)})"
        )
        select += [f"{alias}.{quote(columns(target)[attname])}" for attname in names]
        paths.append(((parent, field), tuple(names)))
    order = [
        f"t.{quote(meta.get_field(name.lstrip('-')).column)}"
        + (" DESC" if name.startswith("-") else " ASC")
        for name in meta.ordering
    ]
    sql = (
        f"SELECT {', '.join(select)} FROM {quote(meta.db_table)} t{''.join(joins)}"
        f" WHERE t.{quote(meta.get_field(by).column)}"
        f" {'= %s' if values == 1 else 'IN (' + ', '.join(['%s'] * values) + ')'}{where}"
    )
    if order:
        sql += f" ORDER BY {', '.join(order)}"
    return sql, paths


def plan_for_case_page(plans: list[Plan]) -> Plan | None:
    """Of the case's `plans` (`plans_with_reviews`): the version being worked on,
    else the latest approved one."""
    in_progress = (PlanStatus.DRAFT, PlanStatus.SUBMITTED, PlanStatus.RETURNED)
    plans = sorted(plans, key=lambda plan: plan.version, reverse=True)
    return next((p for p in plans if p.status in in_progress), None) or next(
        (p for p in plans if p.status == PlanStatus.APPROVED), None
    )


def review_queue_for_user(user) -> QuerySet[Plan]:
    """Plans waiting for this user's approval."""
    return (
        Plan.objects.filter(
            status=PlanStatus.SUBMITTED, case_id__in=granted_case_ids(user, "approve_plan")
        )
        .select_related("case__child__group__location", "created_by")
        .order_by("created_at")
    )


# --- the plan: review queue, open cases per group, differences between versions --------------


@dataclass(frozen=True)
class QueueLocation:
    name: str


@dataclass(frozen=True)
class QueueGroup:
    name: str
    location: QueueLocation


@dataclass(frozen=True)
class QueueChildPlan:
    """What the queue shows of a child's plan."""

    pk: int
    version: int
    child_name: str


@dataclass(frozen=True)
class QueueSubmission:
    by: object  # the user who submitted the plan


@dataclass(frozen=True)
class QueueEntry:
    """One plan waiting for a decision: a child's plan or a group plan."""

    kind: str  # "child_plan" (plan: a QueueChildPlan) or "group_plan" (a GroupPlan)
    plan: object
    waiting_since: datetime | None
    submission: object | None  # the latest "submitted" review: its `by`
    group: Group | QueueGroup
    url: str

    @property
    def location(self) -> Location:
        return self.group.location


class DecisionQueue:
    """The child plans and group plans waiting for the user's decision, longest
    waiting first, read a slice (a page) at a time: one query for the page's keys
    plus two per kind for its plans, however long the queue is (see
    `alert4you.pagination`; `count()` is one more query)."""

    CHILD, GROUP = "child_plan", "group_plan"

    def __init__(self, user):
        # coaching imports casework: read its selectors only once both are loaded.
        from coaching.group_plan_selectors import group_plan_review_queue

        self.user = user

        def keys(plans, kind, waiting_since):
            return (
                plans.select_related(None)
                .prefetch_related(None)
                .order_by()
                .annotate(
                    queue_kind=Value(kind, output_field=CharField()), waiting_since=waiting_since
                )
                .values_list("queue_kind", "pk", "waiting_since")
            )

        # A returned plan waits again from its latest submission. Written out for
        # child plans (the ORM took longer to build it than the database to run
        # it); the group plan queue reads it already (`submitted_at`).
        child = keys(
            review_queue_for_user(user),
            self.CHILD,
            RawSQL(_waiting_since_sql(), [PlanReview.Action.SUBMITTED], DateTimeField()),
        )
        group = keys(
            group_plan_review_queue(user),
            self.GROUP,
            Coalesce("submitted_at", "created_at"),
        )
        self.keys = child.union(group, all=True).order_by("waiting_since", "queue_kind", "pk")

    def count(self) -> int:
        return self.keys.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("DecisionQueue is read a page (a slice) at a time.")
        rows = list(self.keys[index])
        plans = self._child_plans([pk for kind, pk, _ in rows if kind == self.CHILD])
        plans.update(self._group_plans([pk for kind, pk, _ in rows if kind == self.GROUP]))
        entries = []
        for kind, pk, waiting_since in rows:
            found = plans.get((kind, pk))
            if found is None:  # decided on between the two queries
                continue
            entries.append(QueueEntry(kind, waiting_since=waiting_since, **found))
        return entries

    def _child_plans(self, ids) -> dict:
        """What the queue shows of each child plan: plain values in two small
        queries (model instances, select_related and a prefetch cost three times
        as much to build as the queries took to run)."""
        if not ids:
            return {}
        # The ids come from the queue, which checked the grants a moment ago.
        plans = Plan.objects.filter(pk__in=ids, status=PlanStatus.SUBMITTED).values_list(
            "pk",
            "version",
            "case__uuid",
            "case__child__first_name",
            "case__child__last_name",
            "case__child__group__name",
            "case__child__group__location__name",
        )
        submitted_by = {}  # each plan's latest submission wins
        User = get_user_model()
        for plan_id, username, first_name, last_name in (
            PlanReview.objects.filter(plan_id__in=ids, action=PlanReview.Action.SUBMITTED)
            .order_by("at", "id")
            .values_list("plan_id", "by__username", "by__first_name", "by__last_name")
        ):
            by = User(username=username, first_name=first_name, last_name=last_name)
            submitted_by[plan_id] = QueueSubmission(by)
        return {
            (self.CHILD, pk): {
                "plan": QueueChildPlan(pk, version, f"{first_name} {last_name}"),
                "submission": submitted_by.get(pk),
                "group": QueueGroup(group, QueueLocation(location)),
                "url": uuid_reverse("casework:plan-detail", case_uuid=case_uuid),
            }
            for pk, version, case_uuid, first_name, last_name, group, location in plans
        }

    def _group_plans(self, ids) -> dict:
        from coaching.group_plan_selectors import group_plan_review_queue

        if not ids:
            return {}
        return {
            (self.GROUP, plan.pk): {
                "plan": plan,
                "submission": plan.submissions[-1] if plan.submissions else None,
                "group": plan.group,
                "url": plan.get_absolute_url(),
            }
            for plan in group_plan_review_queue(self.user).filter(pk__in=ids)
        }


@functools.cache
def _waiting_since_sql() -> str:
    """When a child plan (the outer query's) was last submitted (action %s), else
    when it was started."""
    quote = connection.ops.quote_name
    plan = f"{quote(Plan._meta.db_table)}"
    column = PlanReview._meta.get_field
    latest = (
        f"SELECT r.{column('at').column} FROM {PlanReview._meta.db_table} r"
        f" WHERE r.{column('action').column} = %s"
        f" AND r.{column('plan').column} = {plan}.{quote(Plan._meta.pk.column)}"
        f" ORDER BY r.{column('at').column} DESC, r.{column('id').column} DESC LIMIT 1"
    )
    return f"COALESCE(({latest}), {plan}.{quote(Plan._meta.get_field('created_at').column)})"


def decision_queue_for_user(user) -> DecisionQueue:
    """Child plans and group plans waiting for `user`'s decision (see DecisionQueue)."""
    return DecisionQueue(user)


@dataclass
class LocationOverview:
    location: Location
    groups: list
    open_count: int = 0
    monitoring_count: int = 0


def open_cases_per_group_for_manager(user) -> list[LocationOverview]:
    """The locations `user` manages now, each group with its count of open and of
    monitoring cases (only cases the user may see are counted), in two queries."""
    from django.db.models import Count

    from .models import CaseStatus

    locations = list(
        Location.objects.filter(
            membershiplocation__membership__in=Membership.objects.current().filter(
                user=user, role=Role.LOCATION_MANAGER
            )
        )
        .distinct()
        .order_by("name")
    )
    visible = Q(children__cases__pk__in=granted_case_ids(user))
    groups = (
        Group.objects.filter(location__in=locations)
        .annotate(
            open_count=Count(
                "children__cases", filter=visible & Q(children__cases__status=CaseStatus.OPEN)
            ),
            monitoring_count=Count(
                "children__cases",
                filter=visible & Q(children__cases__status=CaseStatus.MONITORING),
            ),
        )
        .order_by("name")
    )
    overview = {location.id: LocationOverview(location, []) for location in locations}
    for group in groups:
        row = overview[group.location_id]
        group.location = row.location
        row.groups.append(group)
        row.open_count += group.open_count
        row.monitoring_count += group.monitoring_count
    return list(overview.values())


def plan_text_lines(plan: Plan) -> list[str]:
    """A plain-text rendering of one plan version, one line per item, for comparing
    versions. Goals and actions must be loaded (prefetched) by the caller."""
    from django.utils.formats import date_format
    from django.utils.translation import gettext as _

    def one_line(text):
        return " ".join((text or "").split())

    lines = [_("Next evaluation date: %(date)s") % {"date": date_format(plan.next_evaluation_date)}]
    lines += [
        _("Goal (%(party)s): %(goal)s")
        % {"party": goal.get_owner_party_display(), "goal": one_line(goal.description)}
        for goal in plan.goals.all()
    ]
    for action in plan.actions.all():
        line = _("Action (%(party)s; owner %(owner)s; due %(due)s): %(action)s") % {
            "party": action.get_owner_party_display(),
            "owner": action.owner_name,
            "due": date_format(action.due_date),
            "action": one_line(action.description),
        }
        if action.for_whole_group:
            line += " " + _("(for the whole group)")
        lines.append(line)
    lines += [
        _("For the whole group: %(point)s") % {"point": one_line(point)}
        for point in plan.whole_group_learning.splitlines()
        if point.strip()
    ]
    return lines


@dataclass(frozen=True)
class PlanDifference:
    change: str  # "same", "removed" or "added"
    text: str


def plan_differences(older: Plan, newer: Plan) -> list[PlanDifference]:
    """What changed from `older` to `newer`, line by line (difflib), in reading order."""
    import difflib

    a, b = plan_text_lines(older), plan_text_lines(newer)
    result = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        if tag == "equal":
            result += [PlanDifference("same", line) for line in a[a_start:a_end]]
            continue
        result += [PlanDifference("removed", line) for line in a[a_start:a_end]]
        result += [PlanDifference("added", line) for line in b[b_start:b_end]]
    return result
