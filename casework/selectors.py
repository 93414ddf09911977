"""Reads of case data, always starting from what the user may see.

Every list is filtered in SQL against the access policy's grant tables in one
query: the user's own grants UNION the grants of their auth groups. Model-wide
("global") permissions are never consulted, so a model-level permission can
never open every child's file, and a superuser sees only what was granted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db.models import (
    CharField,
    Exists,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from pilots.models import Group, Location, Membership, MembershipGroup, MembershipLocation, Role

from .models import (
    Case,
    CaseGroupObjectPermission,
    CaseUserObjectPermission,
    Child,
    Concern,
    Plan,
    PlanReview,
    PlanStatus,
)


def granted_case_ids(user, codename: str = "view_case"):
    """A subquery of the ids of cases on which `user` holds `codename`."""
    if not user.is_authenticated or not user.is_active:
        return Case.objects.none().values("pk")
    own = CaseUserObjectPermission.objects.filter(
        user_id=user.pk, permission__codename=codename
    ).values("content_object_id")
    via_groups = CaseGroupObjectPermission.objects.filter(
        group_id__in=_auth_group_ids(user), permission__codename=codename
    ).values("content_object_id")
    return own.union(via_groups)


def _auth_group_ids(user):
    # The membership table itself: joining auth_group adds nothing to check.
    return get_user_model().groups.through.objects.filter(user_id=user.pk).values("group_id")


def cases_for_user(user, codename: str = "view_case") -> QuerySet[Case]:
    return Case.objects.filter(pk__in=granted_case_ids(user, codename))


def case_perms_for_user(user, case: Case) -> set[str]:
    """Every case permission `user` holds on one case (one query)."""
    if not user.is_authenticated or not user.is_active:
        return set()
    own = CaseUserObjectPermission.objects.filter(user_id=user.pk, content_object=case).values(
        "permission__codename"
    )
    via_groups = CaseGroupObjectPermission.objects.filter(
        group_id__in=_auth_group_ids(user), content_object=case
    ).values("permission__codename")
    return {row["permission__codename"] for row in own.union(via_groups)}


def case_list_for_user(
    user,
    *,
    status: str | None = None,
    group: Group | None = None,
    domain: str | None = None,
    worry_level: int | None = None,
    search: str | None = None,
) -> QuerySet[Case]:
    cases = cases_for_user(user)
    if status:
        cases = cases.filter(status=status)
    if group is not None:
        cases = cases.filter(child__group=group)

    # The columns read the case's concerns, or those the last concern filter
    # picked. Subqueries rather than a join with GROUP BY and DISTINCT: the same
    # rows, and far less for the database to plan.
    def concerns_of_the_case(**lookups):
        return Concern.objects.filter(case=OuterRef("pk"), **lookups).order_by()

    concerns = concerns_of_the_case()
    if domain:
        concerns = concerns_of_the_case(domain=domain)
        cases = cases.filter(Exists(concerns))
    if worry_level:
        concerns = concerns_of_the_case(worry_level=worry_level)
        cases = cases.filter(Exists(concerns))
    if search:
        for word in search.split()[:5]:
            cases = cases.filter(
                Q(child__first_name__icontains=word) | Q(child__last_name__icontains=word)
            )

    def highest(field):
        return Subquery(concerns.values("case").annotate(highest=Max(field)).values("highest"))

    return (
        cases.select_related("child__group__location", "child__mentor")
        .annotate(last_concern_on=highest("observed_on"), top_worry=highest("worry_level"))
        .order_by("-last_concern_on", "-opened_at", "pk")
    )


def visible_groups_for_filter(user) -> QuerySet[Group]:
    """Groups of the cases the user may see, to offer as a filter."""
    with_cases = Child.objects.filter(cases__in=granted_case_ids(user)).values("group_id")
    return (
        Group.objects.filter(pk__in=with_cases)
        .select_related("location")
        .order_by("location__name", "name")
    )


def children_for_concerns(user) -> QuerySet[Child]:
    """Children the user may log a concern about: those in their groups, their
    mentees, and the children at locations they manage or coordinate."""
    return Child.objects.filter(pk__in=concern_child_ids(user)).select_related(
        "group__location", "mentor"
    )


def concern_child_ids(user):
    """The ids of `children_for_concerns(user)`, as a subquery (or to read)."""
    # Each way in reads its own index; one query joining them by OR would read
    # every child in the country.
    memberships = Membership.objects.current().filter(user=user)
    staff_groups = MembershipGroup.objects.filter(
        membership__in=memberships.filter(role=Role.PEDAGOGICAL_STAFF)
    ).values("group_id")
    care_locations = MembershipLocation.objects.filter(
        membership__in=memberships.filter(role__in=[Role.LOCATION_MANAGER, Role.CARE_COORDINATOR])
    ).values("location_id")
    in_groups = Child.objects.filter(group__in=staff_groups)
    at_locations = Child.objects.filter(group__location__in=care_locations)
    mentees = Child.objects.filter(
        mentor=user, group__location__organisation__in=memberships.values("organisation")
    )
    first, *others = [
        children.order_by().values_list("pk", flat=True)
        for children in (in_groups, at_locations, mentees)
    ]
    return first.union(*others)


@dataclass(frozen=True)
class TimelineEntry:
    kind: str
    on: date
    at: datetime | None
    item: object


def plans_with_reviews(case: Case) -> list[Plan]:
    """Every version of the case's plan, newest first, each with its reviews
    and their authors (two queries at most)."""
    reviews = Prefetch("reviews", queryset=PlanReview.objects.select_related("by"))
    return list(case.plans.prefetch_related(reviews))


def case_timeline(case: Case, plans: list[Plan] | None = None) -> list[TimelineEntry]:
    """Everything that happened in the case, newest first, in a fixed number of
    queries. `plans`: `plans_with_reviews(case)`, if the caller read it already."""
    entries = [
        TimelineEntry("concern", c.observed_on, c.created_at, c)
        for c in case.concerns.select_related("logged_by")
    ]
    entries += [
        TimelineEntry("observation", o.observed_on, o.created_at, o)
        for o in case.observations.select_related("observer")
    ]
    for plan in plans_with_reviews(case) if plans is None else plans:
        for review in plan.reviews.all():
            entries.append(
                TimelineEntry("plan_review", review.at.date(), review.at, (plan, review))
            )
    entries += [
        TimelineEntry("placement", p.start_date, None, p)
        for p in case.child.placements.select_related("recorded_by")
    ]
    entries += [
        TimelineEntry("referral", r.referred_on, None, r)
        for r in case.referrals.select_related("organisation", "referred_by")
    ]
    entries += [
        TimelineEntry("parent_conversation", c.planned_on, c.created_at, c)
        for c in case.parent_conversations.select_related("planned_by")
    ]
    # What the coach wrote about the child at a held visit (one query).
    entries += [
        TimelineEntry(
            "visit_item",
            timezone.localtime(item.visit.starts_at).date(),
            item.visit.reported_at or item.visit.starts_at,
            item,
        )
        for item in case.agenda_items.filter(visit__status="held")
        .exclude(report_notes="")
        .select_related("visit__location", "visit__coach")
    ]
    entries.sort(key=lambda e: (e.on, e.at.timestamp() if e.at else 0.0), reverse=True)
    return entries


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


def concerns_logged_by(user, limit: int = 10) -> QuerySet[Concern]:
    return (
        Concern.objects.filter(logged_by=user, case_id__in=granted_case_ids(user))
        .select_related("case__child")
        .order_by("-created_at")[:limit]
    )


def children_in_groups_for_home(user, groups) -> dict:
    """The children of `groups` (with their visible open case, if any), by group id."""
    children = list(
        Child.objects.filter(group__in=groups)
        .select_related("mentor")
        .order_by("first_name", "last_name")
    )
    open_cases = {
        case.child_id: case
        for case in cases_for_user(user)
        .filter(child__in=children)
        .exclude(status="closed")
        .only("id", "uuid", "child_id", "status")
    }
    by_group: dict[int, list] = {}
    for child in children:
        child.open_case = open_cases.get(child.id)
        by_group.setdefault(child.group_id, []).append(child)
    return by_group


# --- the plan: review queue, open cases per group, differences between versions --------------


def review_queue_with_submissions_for_user(user) -> QuerySet[Plan]:
    """The review queue, longest waiting first; each plan carries its `submissions`."""
    from django.db.models import OuterRef, Prefetch, Subquery

    from .models import PlanReview

    submitted = PlanReview.objects.filter(action=PlanReview.Action.SUBMITTED)
    last_submitted_at = submitted.filter(plan=OuterRef("pk")).order_by("-at", "-id").values("at")
    return (
        review_queue_for_user(user)
        .annotate(submitted_at=Subquery(last_submitted_at[:1]))
        .prefetch_related(
            Prefetch("reviews", queryset=submitted.select_related("by"), to_attr="submissions")
        )
        .order_by("submitted_at", "pk")
    )


@dataclass(frozen=True)
class QueueEntry:
    """One plan waiting for a decision: a child's plan or a group plan."""

    kind: str  # "child_plan" or "group_plan"
    plan: object
    waiting_since: datetime | None
    submission: object | None  # the latest "submitted" review
    group: Group
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
        from coaching.models import GroupPlanReview

        self.user = user

        def keys(plans, reviews, kind):
            last = reviews.filter(plan=OuterRef("pk")).order_by("-at", "-id").values("at")
            return (
                plans.select_related(None)
                .prefetch_related(None)
                .order_by()
                .annotate(
                    queue_kind=Value(kind, output_field=CharField()),
                    waiting_since=Coalesce(Subquery(last[:1]), "created_at"),
                )
                .values_list("queue_kind", "pk", "waiting_since")
            )

        child = keys(
            review_queue_for_user(user),
            PlanReview.objects.filter(action=PlanReview.Action.SUBMITTED),
            self.CHILD,
        )
        group = keys(
            group_plan_review_queue(user),
            GroupPlanReview.objects.filter(action=GroupPlanReview.Action.SUBMITTED),
            self.GROUP,
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
            plan = plans.get((kind, pk))
            if plan is None:  # decided on between the two queries
                continue
            if kind == self.CHILD:
                group = plan.case.child.group
                url = reverse("casework:plan-detail", kwargs={"case_uuid": plan.case.uuid})
            else:
                group, url = plan.group, plan.get_absolute_url()
            submission = plan.submissions[-1] if plan.submissions else None
            entries.append(QueueEntry(kind, plan, waiting_since, submission, group, url))
        return entries

    def _child_plans(self, ids) -> dict:
        if not ids:
            return {}
        submitted = PlanReview.objects.filter(action=PlanReview.Action.SUBMITTED)
        # The ids come from the queue, which checked the grants a moment ago.
        plans = (
            Plan.objects.filter(pk__in=ids, status=PlanStatus.SUBMITTED)
            .select_related("case__child__group__location", "created_by")
            .prefetch_related(
                Prefetch(
                    "reviews",
                    queryset=submitted.select_related("by").order_by("at", "id"),
                    to_attr="submissions",
                )
            )
        )
        return {(self.CHILD, plan.pk): plan for plan in plans}

    def _group_plans(self, ids) -> dict:
        from coaching.group_plan_selectors import group_plan_review_queue

        if not ids:
            return {}
        return {
            (self.GROUP, plan.pk): plan
            for plan in group_plan_review_queue(self.user).filter(pk__in=ids)
        }


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
