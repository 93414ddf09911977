"""Demo coaching at KDV De Kikker (Speelwerk, Assen): the demo coach visits every
second Tuesday; past visits have a report, the next one an agenda. Loaded by
`manage.py load_demo` after the children; runs once (skipped when the demo
coach already has an assignment there)."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from casework.models import Case
from pilots.models import Location

from . import services
from .models import CoachAssignment, Visit


@transaction.atomic
def load_demo_coaching() -> dict:
    users = {u.username: u for u in get_user_model().objects.filter(username__startswith="demo-")}
    coach, manager, pm = users.get("demo-coach"), users.get("demo-manager"), users.get("demo-pm")
    location = Location.objects.filter(organisation__name="Speelwerk", name="KDV De Kikker").first()
    if not (coach and manager and pm and location):
        return {"visits": Visit.objects.count()}
    if CoachAssignment.objects.filter(coach=coach, location=location).exists():
        return {"visits": Visit.objects.count()}

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
    return {"visits": Visit.objects.count()}
