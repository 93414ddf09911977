"""List and detail pages use the same number of queries with 5 and with 500 cases."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alert4you import access_policy
from casework.models import Case, Child, Concern, Observation, Placement, Referral
from parents.models import ParentConversation

pytestmark = pytest.mark.django_db


def _bulk_cases(world, count, *, per_case_rows=0):
    """Many children with a case each in group A, granted through the policy's bulk path."""
    children = Child.objects.bulk_create(
        Child(
            first_name=f"Kind{n}",
            last_name="Bulk",
            date_of_birth=datetime.date(2022, 1, 1),
            group=world.group_a,
            mentor=world.pm_a,
        )
        for n in range(count)
    )
    cases = Case.objects.bulk_create(Case(child=c, opened_by=world.pm_a) for c in children)
    Concern.objects.bulk_create(
        Concern(
            case=case,
            observed_on=datetime.date(2025, 1, 1) + datetime.timedelta(days=n % 300),
            domain="language",
            description="Bulk concern",
            worry_level=1 + n % 3,
            where_seen="group",
            logged_by=world.pm_a,
        )
        for n, case in enumerate(cases)
    )
    access_policy.sync_cases(Case.objects.filter(pk__in=[c.pk for c in cases]))
    return cases


def _timeline_rows(world, case, count):
    Concern.objects.bulk_create(
        Concern(
            case=case,
            observed_on=datetime.date(2025, 2, 1),
            domain="motor",
            description=f"Concern {n}",
            worry_level=1,
            where_seen="outdoors",
            logged_by=world.pm_a,
        )
        for n in range(count)
    )
    Observation.objects.bulk_create(
        Observation(
            case=case,
            observed_on=datetime.date(2025, 2, 2),
            observer=world.pm_a,
            observer_role="pedagogical_staff",
            notes=f"Observation {n}",
            wellbeing_self=3,
        )
        for n in range(count)
    )
    Placement.objects.bulk_create(
        Placement(
            child=case.child,
            setting="regular_group",
            place=f"Place {n}",
            start_date=datetime.date(2024, 1, 1),
            recorded_by=world.pm_a,
        )
        for n in range(count)
    )
    Referral.objects.bulk_create(
        Referral(
            case=case,
            target="youth_care",
            reason=f"Referral {n}",
            referred_on=datetime.date(2025, 3, 1),
            referred_by=world.pm_a,
        )
        for n in range(count)
    )
    ParentConversation.objects.bulk_create(
        ParentConversation(
            case=case,
            planned_on=datetime.date(2025, 3, 2),
            status="held",
            form="together",
            expected_difficulty=2,
            outcome=f"Outcome {n}",
            agreements=f"Agreements {n}",
            next_step="Follow-up",
            next_step_on=datetime.date(2025, 4, 2),
            planned_by=world.pm_a,
        )
        for n in range(count)
    )


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(queries)


@pytest.mark.parametrize(
    "persona, url",
    [
        ("pm_a", "/cases/"),
        ("pm_a", "/cases/?status=open&domain=language"),
        ("manager", "/cases/?q=Kind"),
        ("manager", "/"),
        ("pm_a", "/"),
    ],
)
def test_lists_use_the_same_number_of_queries_with_5_and_500_cases(client, world, persona, url):
    _bulk_cases(world, 5)
    client.force_login(getattr(world, persona))
    small = _count(client, url)
    _bulk_cases(world, 495)
    assert _count(client, url) == small


def test_case_page_and_history_use_the_same_number_of_queries_as_the_timeline_grows(client, world):
    case = _bulk_cases(world, 1)[0]
    client.force_login(world.pm_a)
    urls = [
        case.get_absolute_url(),
        reverse("casework:case-history", kwargs={"case_uuid": case.uuid}),
        reverse("casework:case-print", kwargs={"case_uuid": case.uuid}),
        reverse("casework:case-export", kwargs={"case_uuid": case.uuid}),
    ]
    _timeline_rows(world, case, 2)
    small = [_count(client, url) for url in urls]
    _timeline_rows(world, case, 100)
    assert [_count(client, url) for url in urls] == small


def test_case_page_queries_do_not_grow_with_other_cases(client, world):
    case = _bulk_cases(world, 5)[0]
    client.force_login(world.manager)
    small = _count(client, case.get_absolute_url())
    _bulk_cases(world, 495)
    assert _count(client, case.get_absolute_url()) == small


def _plans_and_team(world, case, count):
    from casework.models import CaseTeamMember, Plan, PlanReview

    start = Plan.objects.filter(case=case).count()
    for version in range(start + 1, start + count + 1):
        plan = Plan.objects.create(
            case=case,
            version=version,
            status="approved",
            next_evaluation_date=datetime.date(2025, 6, 1),
            created_by=world.pm_a,
        )
        for action in ("submitted", "approved"):
            PlanReview.objects.create(plan=plan, action=action, by=world.manager, comment="ok")
    for user in (world.coach, world.manager):
        if count and not CaseTeamMember.objects.filter(case=case, user=user).exists():
            CaseTeamMember.objects.create(
                case=case, user=user, role="location_manager", added_by=world.pm_a
            )


def test_case_page_queries_do_not_grow_with_plan_versions_reviews_or_the_team(client, world):
    case = _bulk_cases(world, 1)[0]
    client.force_login(world.pm_a)
    _plans_and_team(world, case, 1)
    small = _count(client, case.get_absolute_url())
    _plans_and_team(world, case, 20)
    _timeline_rows(world, case, 20)
    response = client.get(case.get_absolute_url())
    assert _count(client, case.get_absolute_url()) == small
    assert response.content.decode().count("Goedgekeurd") >= 21  # every version's approval
