"""Demo coaching at KDV De Kikker (Speelwerk, Assen): the demo coach visits every
second Tuesday; past visits have a report, the next one an agenda. Group
Dolfijnen has an approved group plan and a draft of its next version. Loaded by
`manage.py load_demo` after the children; each part runs once (the visits are
skipped when the demo coach already has an assignment there, the group plan when
the group already has one)."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from casework.models import Case, CaseStatus
from pilots.models import Location

from . import services
from .models import CoachAssignment, GroupPlan, Visit

#: The group whose plan the demo shows.
STORY_GROUP = "Dolfijnen"


@transaction.atomic
def load_demo_coaching() -> dict:
    users = {u.username: u for u in get_user_model().objects.filter(username__startswith="demo-")}
    coach, manager, pm = users.get("demo-coach"), users.get("demo-manager"), users.get("demo-pm")
    location = Location.objects.filter(organisation__name="Speelwerk", name="KDV De Kikker").first()
    if coach and manager and pm and location:
        if not CoachAssignment.objects.filter(coach=coach, location=location).exists():
            _load_visits(coach, manager, pm, location)
        group = location.groups.filter(name=STORY_GROUP).first()
        if group is not None and not group.plans.exists():
            _load_group_plan(group, manager, pm)
    return {"visits": Visit.objects.count(), "group_plans": GroupPlan.objects.count()}


def _load_visits(coach, manager, pm, location) -> None:

    today = timezone.localdate()
    start = today - datetime.timedelta(weeks=5)
    assignment = services.assignment_save(
        actor=manager,
        coach=coach,
        location=location,
        kind="structural",
        starts_on=start,
        weekday=1,
        every_weeks=2,
        start_time=datetime.time(9, 30),
        end_time=datetime.time(11, 30),
    )
    services.visits_generate(actor=manager, assignment=assignment, weeks=13, today=start)

    past = list(assignment.visits.filter(starts_at__lt=timezone.now()).order_by("starts_at"))
    if past:
        visit = past[-1]
        services.agenda_prefill(actor=coach, visit=visit)
        services.visit_report(
            actor=coach,
            visit=visit,
            notes_by_item={},
            general_notes="Calm morning; the group works well with the picture schedule.",
            tips=["Announce every transition with the same short song, for all children."],
            follow_ups=[
                {
                    "description": "Hang the picture schedule at children's eye level.",
                    "owner_name": "Pien Pedagoog",
                    "due_on": visit.starts_at.date() + datetime.timedelta(days=7),
                }
            ],
        )
    upcoming = assignment.visits.filter(starts_at__gte=timezone.now()).order_by("starts_at").first()
    if upcoming is not None:
        services.agenda_prefill(actor=coach, visit=upcoming)
        mieke = Case.objects.filter(
            child__first_name="Mieke", child__group__location=location
        ).first()
        if mieke is not None:
            services.agenda_item_add(
                actor=pm,
                visit=upcoming,
                topic="one_child",
                case=mieke,
                question="How do we help Mieke join a game without pushing her?",
            )
        services.agenda_item_add(
            actor=pm,
            visit=upcoming,
            topic="group_climate",
            question="The group gets restless before lunch. What can we change?",
        )


#: The staffing of the demo group plan: 12 children 0–4 on every weekday, three
#: staff for the whole day, two in the quiet first and last hours.
_DEMO_DAY = (
    (datetime.time(7, 30), datetime.time(8, 30), (0, 1, 2, 2), 2),
    (datetime.time(8, 30), datetime.time(17, 0), (2, 3, 4, 3), 3),
    (datetime.time(17, 0), datetime.time(18, 0), (0, 1, 2, 2), 2),
)


def _staffing_rows() -> list[dict]:
    return [
        {
            "weekday": weekday,
            "day_kind": "school",
            "starts_at": starts_at,
            "ends_at": ends_at,
            "children_0_1": counts[0],
            "children_1_2": counts[1],
            "children_2_3": counts[2],
            "children_3_4": counts[3],
            "staff_planned": staff,
        }
        for weekday in range(5)
        for starts_at, ends_at, counts, staff in _DEMO_DAY
    ]


def _load_group_plan(group, manager, pm) -> None:
    """An approved group plan for this half year (the coach's tip from the last
    held visit in it, Mieke among the children needing extra attention) and a
    draft of the next version."""
    today = timezone.localdate()
    plan = services.group_plan_start(actor=pm, group=group)  # pulls in the visit's tip
    services.group_plan_update(
        actor=pm,
        plan=plan,
        period_start=today - datetime.timedelta(weeks=6),
        period_end=today + datetime.timedelta(weeks=20),
        evaluation_date=today + datetime.timedelta(weeks=18),
        approach=(
            "A fixed rhythm with a picture schedule; every transition is announced. "
            "Each child has a mentor who greets them at drop-off."
        ),
        room_arrangements=(
            "A quiet corner with cushions behind the book cupboard, where a child can "
            "land before joining the group."
        ),
        goals=[
            "Every child knows what comes next in the day.",
            "Quiet children join a small game at least once every morning.",
        ],
    )
    mieke = Case.objects.filter(
        child__group=group,
        child__first_name="Mieke",
        status__in=[CaseStatus.OPEN, CaseStatus.MONITORING],
    ).first()
    if mieke is not None:
        services.group_plan_set_children(
            actor=pm,
            plan=plan,
            children=[(mieke, "Greet her first and pair her with one child for a small task.")],
        )
    services.group_plan_set_staffing(actor=pm, plan=plan, rows=_staffing_rows())
    services.group_plan_submit(actor=pm, plan=plan, comment="Discussed in the team meeting.")
    services.group_plan_approve(actor=manager, plan=plan, comment="Clear plan; good luck.")
    tip = plan.tips.first()
    if tip is not None:
        services.group_plan_check_tip(
            actor=pm,
            tip=tip,
            applied="partly",
            checked_on=today,
            note="We sing at most transitions; not yet before lunch.",
        )

    draft = services.group_plan_start(actor=pm, group=group)
    services.group_plan_update(
        actor=pm,
        plan=draft,
        period_start=draft.period_start,
        period_end=draft.period_end,
        evaluation_date=draft.evaluation_date,
        approach=plan.approach + " Before lunch the group splits in two smaller tables.",
        room_arrangements=plan.room_arrangements,
        goals=[goal.description for goal in plan.goals.all()] + ["The group is calm before lunch."],
    )
