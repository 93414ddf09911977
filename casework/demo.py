"""Demo children and cases, loaded by `manage.py load_demo` after the programme
structure (pilots/demo.py). Every name is plainly invented; the situations echo
the anonymised cases in the programme's own documents. Safe to run again: a
child is looked up by name and group, and a case is only made for a child
without one."""

from __future__ import annotations

import datetime
import itertools

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from parents import services as parent_services
from pilots.models import Group, Organisation

from . import services
from .models import Child

FIRST_NAMES = (
    "Mieke", "Ayoub", "Rosa", "Nina", "Martin", "Pavel", "Fenna", "Daan", "Liv", "Sem",
    "Noor", "Finn", "Yara", "Luuk", "Zoë", "Milan", "Tess", "Bram", "Jade", "Otis",
)  # fmt: skip
LAST_NAMES = ("Voorbeeld", "Proefkind", "Testkind", "Verzinsel", "Fictief", "Demokind")

#: (organisation, location, group, first name, last name, age in years)
STORY_CHILDREN = (
    ("Speelwerk", "KDV De Kikker", "Dolfijnen", "Mieke", "Voorbeeld", 3),
    ("Speelwerk", "KDV De Kikker", "Zeepaardjes", "Pavel", "Proefkind", 3),
    ("Speelwerk", "BSO De Speelberg", "Bosuilen", "Ayoub", "Testkind", 6),
)


def _age_years(group: Group) -> tuple[int, int]:
    low, high = (int(part) for part in group.age_band.split("-"))
    return low, max(low, high - 1)


def _birth_date(today: datetime.date, years: int, offset: int) -> datetime.date:
    return today - datetime.timedelta(days=365 * years + 30 + (offset * 37) % 300)


def _child(group, first_name, last_name, date_of_birth, mentor, created):
    child = Child.objects.filter(group=group, first_name=first_name, last_name=last_name).first()
    if child is None:
        child = services.child_register(
            actor=None,
            first_name=first_name,
            last_name=last_name,
            date_of_birth=date_of_birth,
            group=group,
            mentor=mentor,
        )
        created.append(child)
    return child


def _mentor_for(group):
    membership = group.memberships.filter(role="pedagogical_staff").select_related("user").first()
    return membership.user if membership else None


@transaction.atomic
def load_demo_children(per_group: int = 4) -> dict:
    """Children in every demo group, and a few worked-out cases at Speelwerk."""
    User = get_user_model()
    today = timezone.localdate()
    created: list[Child] = []
    names = itertools.cycle(itertools.product(FIRST_NAMES[6:], LAST_NAMES))
    groups = Group.objects.select_related("location__organisation").order_by("id")
    for group in groups:
        mentor = _mentor_for(group)
        low, high = _age_years(group)
        for n in range(per_group):
            first_name, last_name = next(names)
            years = low + n % (high - low + 1)
            _child(group, first_name, last_name, _birth_date(today, years, n), mentor, created)

    users = {u.username: u for u in User.objects.filter(username__startswith="demo-")}
    for org, location, group_name, first_name, last_name, years in STORY_CHILDREN:
        group = Group.objects.filter(
            location__organisation__name=org, location__name=location, name=group_name
        ).first()
        if group is None:
            continue
        child = _child(
            group, first_name, last_name, _birth_date(today, years, 1), _mentor_for(group), created
        )
        if not child.cases.exists():
            _story(child, users, today)
    return {"children": Child.objects.count(), "children_created": len(created)}


def _story(child: Child, users: dict, today: datetime.date) -> None:
    pm, manager = users.get("demo-pm"), users.get("demo-manager")
    coordinator = users.get("demo-coordinator")
    if child.first_name == "Mieke" and pm and manager:
        # Few friends, sits apart, hardly speaks in the group.
        services.concern_log(
            actor=pm,
            child=child,
            observed_on=today - datetime.timedelta(days=20),
            domain="social_emotional",
            description=(
                "Mieke plays alone most of the morning and turns away when other "
                "children come to join her. At circle time she says nothing."
            ),
            worry_level=2,
            where_seen="group",
        )
        case = services.concern_log(
            actor=pm,
            child=child,
            observed_on=today - datetime.timedelta(days=6),
            domain="language",
            description="Points at what she wants instead of asking; uses few words.",
            worry_level=1,
            where_seen="meals",
        ).case
        services.observation_record(
            actor=pm,
            case=case,
            observer_role="pedagogical_staff",
            observed_on=today - datetime.timedelta(days=5),
            notes="Watched during free play: joined two children at the sand table for a minute.",
            wellbeing_self=3,
            wellbeing_with_staff=4,
            wellbeing_with_children=2,
        )
        plan = services.plan_start_version(actor=pm, case=case)
        services.plan_update(
            actor=pm,
            plan=plan,
            whole_group_learning="Pair children for small tasks at the start of the morning.",
            next_evaluation_date=today + datetime.timedelta(weeks=6),
            goals=[
                {
                    "description": "Mieke plays with one other child every day.",
                    "owner_party": "childcare",
                },
                {
                    "description": "Parents practise naming things at home.",
                    "owner_party": "parents",
                },
            ],
            actions=[
                {
                    "description": "Mentor starts a daily buddy task with Mieke.",
                    "owner_party": "childcare",
                    "owner_name": "Pien Pedagoog",
                    "due_date": today + datetime.timedelta(weeks=2),
                },
                {
                    # Helps every quiet child; flows into the group plan once approved.
                    "description": "Start each morning with a short game in pairs for all "
                    "children.",
                    "owner_party": "childcare",
                    "owner_name": "Pien Pedagoog",
                    "due_date": today + datetime.timedelta(weeks=3),
                    "for_whole_group": True,
                },
            ],
        )
        services.plan_submit(actor=pm, plan=plan, comment="Discussed with the coach.")
        parents = _parents(child, pm, today)
        parent_services.consent_record(
            actor=pm,
            child=child,
            scope="observation_by_coach",
            decision="granted",
            given_by=parents,
            decided_on=today - datetime.timedelta(days=4),
            valid_until=today + datetime.timedelta(days=20),
            method="conversation",
        )
        coach = users.get("demo-coach")
        if coach:
            services.case_team_add(actor=pm, case=case, user=coach, role="coach")
    elif child.first_name == "Pavel" and manager:
        case = services.concern_log(
            actor=manager,
            child=child,
            observed_on=today - datetime.timedelta(days=60),
            domain="behaviour",
            description="Hits other children when the group gets loud and busy.",
            worry_level=3,
            where_seen="transition",
        ).case
        plan = services.plan_start_version(actor=manager, case=case)
        services.plan_update(
            actor=manager,
            plan=plan,
            whole_group_learning="Announce transitions with a song so every child knows.",
            next_evaluation_date=today + datetime.timedelta(weeks=4),
            goals=[
                {
                    "description": "Pavel finds a quiet place when it gets busy.",
                    "owner_party": "childcare",
                }
            ],
            actions=[
                {
                    "description": "Set up a quiet corner with cushions.",
                    "owner_party": "childcare",
                    "owner_name": "Mirjam Manager",
                    "due_date": today - datetime.timedelta(days=30),
                }
            ],
        )
        services.plan_submit(actor=manager, plan=plan)
        services.plan_approve(
            actor=manager, plan=plan, comment="Good plan; evaluate in four weeks."
        )
    elif child.first_name == "Ayoub" and coordinator:
        case = services.concern_log(
            actor=coordinator,
            child=child,
            observed_on=today - datetime.timedelta(days=10),
            domain="behaviour",
            description=(
                "Staff find it hard to agree on one approach: Ayoub reacts to each of them "
                "differently and runs off at pick-up."
            ),
            worry_level=2,
            where_seen="drop_off",
        ).case
        services.placement_record(
            actor=coordinator,
            case=case,
            setting="regular_group",
            place="BSO De Speelberg, Bosuilen",
            start_date=today - datetime.timedelta(days=400),
        )
        school = Organisation.objects.filter(name="OBS Het Kompas").first()
        if school is not None:
            # The parents do not want the after-school care to talk with the school.
            parent_services.consent_record(
                actor=coordinator,
                child=child,
                scope="share_with_organisation",
                organisation=school,
                decision="refused",
                given_by=_parents(child, coordinator, today),
                decided_on=today - datetime.timedelta(days=8),
                method="conversation",
                notes="The parents want to tell the school themselves.",
            )


def _parents(child, actor, today):
    """Two invented parents who share parental authority, checked in the register."""
    return [
        parent_services.guardian_save(
            actor=actor,
            child=child,
            first_name=first_name,
            last_name=child.last_name,
            relation="parent",
            has_authority=True,
            authority_checked_how="register",
            authority_checked_on=today - datetime.timedelta(days=5),
        )
        for first_name in ("Moeder", "Vader")
    ]
