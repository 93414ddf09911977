"""The child's single plan: drafting, review, versions, the parents' agreement, the
review queue and the overview of open cases per group."""

import datetime

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alert4you import access_policy
from casework import services
from casework.models import (
    AccessLogEntry,
    Case,
    Child,
    Plan,
    PlanAction,
    PlanGoal,
    PlanReview,
    PlanStatus,
)
from pilots.models import Group, Location, Role
from tests.conftest import add_membership, make_user

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate  # called each time: a run may pass midnight
# Worked out once, far enough from today that a day more or less changes no outcome.
IN_SIX_WEEKS = TODAY() + datetime.timedelta(weeks=6)

GOAL = {"description": "Mieke plays with one other child every day.", "owner_party": "childcare"}
PARENTS_GOAL = {"description": "Parents practise naming things at home.", "owner_party": "parents"}
ACTION = {
    "description": "Mentor starts a daily buddy task with Mieke.",
    "owner_party": "childcare",
    "owner_name": "Anna",
    "due_date": TODAY() + datetime.timedelta(weeks=2),
}


def url(name, **kwargs):
    return reverse(f"casework:{name}", kwargs=kwargs)


@pytest.fixture
def client(client):
    """Pages in English, so the tests read the messages users read."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def draft(actor, case, *, goals=(GOAL,), actions=(ACTION,), learning="Pair children up."):
    plan = services.plan_start_version(actor=actor, case=case)
    return services.plan_update(
        actor=actor,
        plan=plan,
        whole_group_learning=learning,
        next_evaluation_date=IN_SIX_WEEKS,
        goals=list(goals),
        actions=list(actions),
    )


def approved(world, case):
    plan = draft(world.pm_a, case)
    services.plan_submit(actor=world.pm_a, plan=plan)
    return services.plan_approve(actor=world.manager, plan=plan)


def edit_data(*, goals=(), actions=(), initial=(0, 0), **plan_fields):
    """What the browser posts from the edit page: plan fields plus both formsets."""
    data = {
        "next_evaluation_date": IN_SIX_WEEKS.isoformat(),
        "whole_group_learning": "Pair children up at the start of the morning.",
    }
    data.update(plan_fields)
    for prefix, rows, initial_count in (
        ("goals", goals, initial[0]),
        ("actions", actions, initial[1]),
    ):
        rows = list(rows) + [{}, {}]  # the two empty rows the page always offers
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": str(len(rows)),
                f"{prefix}-INITIAL_FORMS": str(initial_count),
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
        for number, row in enumerate(rows):
            for field, value in row.items():
                if isinstance(value, datetime.date):
                    value = value.isoformat()
                if field == "DELETE":
                    value = "on" if value else ""
                data[f"{prefix}-{number}-{field}"] = value
    return data


def plan_rows():
    return Plan.objects.count(), PlanGoal.objects.count(), PlanAction.objects.count()


# --- the full cycle ---------------------------------------------------------------------------


def test_pm_drafts_and_submits_and_only_the_location_manager_approves(client, cases):
    w = cases
    client.force_login(w.pm_a)
    response = client.post(url("plan-start", case_uuid=w.case_a.uuid))
    plan = Plan.objects.get(case=w.case_a)
    assert response.status_code == 302
    assert response["Location"] == url("plan-edit", plan_uuid=plan.uuid)
    assert (plan.version, plan.status) == (1, PlanStatus.DRAFT)

    response = client.post(
        url("plan-edit", plan_uuid=plan.uuid),
        edit_data(goals=[GOAL, PARENTS_GOAL], actions=[ACTION]),
    )
    assert response.status_code == 302
    assert [(g.description, g.owner_party) for g in plan.goals.all()] == [
        (GOAL["description"], "childcare"),
        (PARENTS_GOAL["description"], "parents"),
    ]
    action = plan.actions.get()
    assert (action.owner_party, action.owner_name, action.due_date) == (
        "childcare",
        "Anna",
        ACTION["due_date"],
    )

    response = client.post(url("plan-submit", plan_uuid=plan.uuid), {"comment": "With the coach."})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED

    response = client.post(url("plan-approve", plan_uuid=plan.uuid), {"comment": "Fine by me."})
    assert response.status_code == 403
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED

    client.force_login(w.manager)
    assert "Mieke Testkind" in client.get(url("review-queue")).content.decode()
    response = client.post(url("plan-approve", plan_uuid=plan.uuid), {"comment": "Good plan."})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED

    records = list(plan.reviews.values_list("action", "by__username", "comment"))
    assert records == [
        ("submitted", "pm_a", "With the coach."),
        ("approved", "manager", "Good plan."),
    ]
    assert all(review.at is not None for review in plan.reviews.all())
    assert "Mieke Testkind" not in client.get(url("review-queue")).content.decode()

    page = client.get(url("plan-detail", case_uuid=w.case_a.uuid)).content.decode()
    assert "Approved plan: version 1" in page
    assert GOAL["description"] in page and "Parents" in page
    assert "Good plan." in page and "With the coach." in page
    assert "Mirjam" in page  # who approved


def test_the_pm_sees_edit_and_submit_but_no_approval_buttons(client, cases):
    w = cases
    plan = draft(w.pm_a, w.case_a)
    client.force_login(w.pm_a)
    page = client.get(url("plan-detail", case_uuid=w.case_a.uuid)).content.decode()
    assert url("plan-edit", plan_uuid=plan.uuid) in page
    assert url("plan-submit", plan_uuid=plan.uuid) in page
    services.plan_submit(actor=w.pm_a, plan=plan)
    page = client.get(url("plan-detail", case_uuid=w.case_a.uuid)).content.decode()
    assert url("plan-approve", plan_uuid=plan.uuid) not in page
    assert url("plan-edit", plan_uuid=plan.uuid) not in page
    client.force_login(w.manager)
    page = client.get(url("plan-detail", case_uuid=w.case_a.uuid)).content.decode()
    assert url("plan-approve", plan_uuid=plan.uuid) in page
    assert url("plan-return", plan_uuid=plan.uuid) in page


def test_the_care_coordinator_may_draft_but_not_approve(client, cases):
    w = cases
    plan = draft(w.coordinator, w.case_a)
    services.plan_submit(actor=w.coordinator, plan=plan)
    client.force_login(w.coordinator)
    assert client.post(url("plan-approve", plan_uuid=plan.uuid)).status_code == 403
    assert client.post(url("plan-return", plan_uuid=plan.uuid), {"comment": "x"}).status_code == 403
    assert "Mieke" not in client.get(url("review-queue")).content.decode()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED


def test_a_plan_cannot_be_submitted_without_a_goal(client, cases):
    w = cases
    plan = draft(w.pm_a, w.case_a, goals=[], actions=[])
    client.force_login(w.pm_a)
    response = client.post(url("plan-submit", plan_uuid=plan.uuid))
    assert response.status_code == 200
    assert "Add at least one goal" in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT and not plan.reviews.exists()


# --- returning a plan -------------------------------------------------------------------------


def test_returning_a_plan_needs_a_comment(client, cases):
    w = cases
    plan = draft(w.pm_a, w.case_a)
    services.plan_submit(actor=w.pm_a, plan=plan)
    client.force_login(w.manager)

    response = client.post(url("plan-return", plan_uuid=plan.uuid), {"comment": "   "})
    assert response.status_code == 200
    assert "Say what should change before returning the plan." in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED
    assert not plan.reviews.filter(action="returned").exists()

    response = client.post(
        url("plan-return", plan_uuid=plan.uuid), {"comment": "Add a goal for the parents."}
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.RETURNED
    returned = plan.reviews.get(action="returned")
    assert (returned.by, returned.comment) == (w.manager, "Add a goal for the parents.")


def test_a_returned_plan_is_edited_and_submitted_again(client, cases):
    w = cases
    plan = draft(w.pm_a, w.case_a)
    services.plan_submit(actor=w.pm_a, plan=plan)
    services.plan_return(actor=w.manager, plan=plan, comment="Add a goal for the parents.")
    client.force_login(w.pm_a)
    page = client.get(url("plan-edit", plan_uuid=plan.uuid)).content.decode()
    assert "Add a goal for the parents." in page  # the return comment is shown while editing
    response = client.post(
        url("plan-edit", plan_uuid=plan.uuid),
        edit_data(goals=[GOAL, PARENTS_GOAL], actions=[ACTION], initial=(1, 1)),
    )
    assert response.status_code == 302
    client.post(url("plan-submit", plan_uuid=plan.uuid))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED
    assert list(plan.reviews.values_list("action", flat=True)) == [
        "submitted",
        "returned",
        "submitted",
    ]


# --- versions ---------------------------------------------------------------------------------


def test_an_approved_version_stays_readable_and_cannot_be_changed(client, cases):
    w = cases
    plan = approved(w, w.case_a)
    client.force_login(w.pm_a)
    page = client.get(url("plan-version", plan_uuid=plan.uuid)).content.decode()
    assert GOAL["description"] in page and "Anna" in page

    response = client.post(
        url("plan-edit", plan_uuid=plan.uuid), edit_data(goals=[PARENTS_GOAL], actions=[])
    )
    assert response.status_code == 302
    assert list(plan.goals.values_list("description", flat=True)) == [GOAL["description"]]
    with pytest.raises(ValidationError):
        services.plan_update(
            actor=w.pm_a,
            plan=plan,
            whole_group_learning="",
            next_evaluation_date=IN_SIX_WEEKS,
            goals=[],
            actions=[],
        )


def test_a_new_version_starts_as_a_copy_of_the_approved_one(client, cases):
    w = cases
    first = approved(w, w.case_a)
    client.force_login(w.pm_a)
    response = client.post(url("plan-start", case_uuid=w.case_a.uuid))
    second = Plan.objects.get(case=w.case_a, version=2)
    assert response["Location"] == url("plan-edit", plan_uuid=second.uuid)
    assert second.status == PlanStatus.DRAFT
    assert list(second.goals.values_list("description", "owner_party")) == list(
        first.goals.values_list("description", "owner_party")
    )
    assert list(second.actions.values_list("owner_name", "due_date")) == [
        ("Anna", ACTION["due_date"])
    ]
    assert second.whole_group_learning == first.whole_group_learning

    response = client.post(url("plan-start", case_uuid=w.case_a.uuid), follow=True)
    assert "already being worked on" in response.content.decode()
    assert w.case_a.plans.count() == 2
    first.refresh_from_db()
    assert first.status == PlanStatus.APPROVED


def test_comparing_two_versions_shows_what_was_removed_and_added(client, cases):
    w = cases
    first = approved(w, w.case_a)
    second = services.plan_start_version(actor=w.pm_a, case=w.case_a)
    services.plan_update(
        actor=w.pm_a,
        plan=second,
        whole_group_learning="Pair children up.\nSing before each transition.",
        next_evaluation_date=IN_SIX_WEEKS,
        goals=[GOAL, PARENTS_GOAL],
        actions=[],
    )
    client.force_login(w.pm_a)
    page = client.get(url("plan-compare", case_uuid=w.case_a.uuid)).content.decode()
    assert f"<ins>Goal (Parents): {PARENTS_GOAL['description']}</ins>" in page
    assert "<ins>For the whole group: Sing before each transition.</ins>" in page
    assert "<del>Action (Childcare; owner Anna;" in page
    assert f"<td>Goal (Childcare): {GOAL['description']}</td>" in page  # unchanged
    # Not colour alone: each changed line says what happened to it.
    assert "Removed" in page and "Added" in page

    explicit = client.get(
        url("plan-compare", case_uuid=w.case_a.uuid), {"a": second.uuid, "b": first.uuid}
    ).content.decode()
    assert f"<del>Goal (Parents): {PARENTS_GOAL['description']}</del>" in explicit


def test_comparing_with_a_version_of_another_case_is_not_found(client, cases):
    w = cases
    mine = draft(w.pm_a, w.case_a)
    other = draft(w.pm_b, w.case_b)
    client.force_login(w.manager)
    response = client.get(
        url("plan-compare", case_uuid=w.case_a.uuid), {"a": mine.uuid, "b": other.uuid}
    )
    assert response.status_code == 404


def test_compare_with_a_single_version_says_there_is_nothing_to_compare(client, cases):
    w = cases
    draft(w.pm_a, w.case_a)
    client.force_login(w.pm_a)
    response = client.get(url("plan-compare", case_uuid=w.case_a.uuid))
    assert response.status_code == 200
    assert "nothing to compare" in response.content.decode()


# --- the parents' agreement -------------------------------------------------------------------


def test_the_parents_agreement_is_recorded_with_the_version(client, cases):
    w = cases
    plan = approved(w, w.case_a)
    client.force_login(w.pm_a)
    response = client.post(
        url("plan-parents", plan_uuid=plan.uuid),
        {"agreed_on": TODAY().isoformat(), "note": "In the talk with the mentor and the coach."},
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.parents_agreed_on == TODAY()
    assert plan.parents_agreement_note == "In the talk with the mentor and the coach."
    record = plan.reviews.get(action="parents_agreed")
    assert (record.by, record.comment) == (w.pm_a, "In the talk with the mentor and the coach.")
    page = client.get(url("plan-detail", case_uuid=w.case_a.uuid)).content.decode()
    assert "The parents agreed with this version on" in page


def test_a_parents_agreement_in_the_future_is_refused(client, cases):
    w = cases
    plan = approved(w, w.case_a)
    client.force_login(w.pm_a)
    tomorrow = TODAY() + datetime.timedelta(days=1)
    response = client.post(url("plan-parents", plan_uuid=plan.uuid), {"agreed_on": tomorrow})
    assert response.status_code == 200
    assert "This date lies in the future." in response.content.decode()
    plan.refresh_from_db()
    assert plan.parents_agreed_on is None
    assert not plan.reviews.filter(action="parents_agreed").exists()


def test_editing_a_version_clears_an_earlier_parents_agreement(cases):
    w = cases
    plan = draft(w.pm_a, w.case_a)
    services.plan_record_parents_agreement(actor=w.pm_a, plan=plan, agreed_on=TODAY())
    draft_again = services.plan_update(
        actor=w.pm_a,
        plan=plan,
        whole_group_learning="",
        next_evaluation_date=IN_SIX_WEEKS,
        goals=[PARENTS_GOAL],
        actions=[],
    )
    assert draft_again.parents_agreed_on is None
    assert plan.reviews.filter(action="parents_agreed").count() == 1  # the record stays


# --- bad input saves nothing ------------------------------------------------------------------


def test_the_evaluation_date_is_required(client, cases):
    w = cases
    plan = services.plan_start_version(actor=w.pm_a, case=w.case_a)
    before = plan.next_evaluation_date
    client.force_login(w.pm_a)
    response = client.post(
        url("plan-edit", plan_uuid=plan.uuid),
        edit_data(goals=[GOAL], actions=[ACTION], next_evaluation_date=""),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Set the next evaluation date." in page and "The plan is not saved." in page
    assert plan_rows() == (1, 0, 0)
    plan.refresh_from_db()
    assert plan.next_evaluation_date == before


def test_an_evaluation_date_in_the_past_is_refused(client, cases):
    w = cases
    plan = services.plan_start_version(actor=w.pm_a, case=w.case_a)
    client.force_login(w.pm_a)
    yesterday = (TODAY() - datetime.timedelta(days=1)).isoformat()
    response = client.post(
        url("plan-edit", plan_uuid=plan.uuid),
        edit_data(goals=[GOAL], actions=[ACTION], next_evaluation_date=yesterday),
    )
    assert response.status_code == 200
    assert "The next evaluation date has passed" in response.content.decode()
    assert plan_rows() == (1, 0, 0)


def test_an_action_without_owner_gets_a_message_on_its_row_and_nothing_is_saved(client, cases):
    w = cases
    plan = draft(w.pm_a, w.case_a)
    before = plan_rows()
    client.force_login(w.pm_a)
    ownerless = dict(ACTION, description="Call the parents weekly.", owner_name="  ")
    response = client.post(
        url("plan-edit", plan_uuid=plan.uuid),
        edit_data(
            goals=[GOAL, PARENTS_GOAL],
            actions=[ACTION, ownerless],
            initial=(1, 1),
            whole_group_learning="Changed text that must not be saved.",
        ),
    )
    assert response.status_code == 200
    actions = response.context["actions"]
    assert not actions.forms[0].errors
    assert actions.forms[1].errors["owner_name"] == [
        "Every action needs an owner: name the person."
    ]
    page = response.content.decode()
    assert "Every action needs an owner" in page and "The plan is not saved." in page
    assert plan_rows() == before
    plan.refresh_from_db()
    assert plan.whole_group_learning == "Pair children up."
    assert plan.goals.count() == 1


def test_a_goal_without_party_gets_a_message_and_nothing_is_saved(client, cases):
    w = cases
    plan = services.plan_start_version(actor=w.pm_a, case=w.case_a)
    client.force_login(w.pm_a)
    response = client.post(
        url("plan-edit", plan_uuid=plan.uuid),
        edit_data(goals=[dict(GOAL, owner_party="")], actions=[ACTION]),
    )
    assert response.status_code == 200
    assert "Choose the party that owns this goal." in response.content.decode()
    assert plan_rows() == (1, 0, 0)


def test_the_service_refuses_an_action_without_owner_and_writes_nothing(cases):
    w = cases
    plan = draft(w.pm_a, w.case_a)
    before = plan_rows()
    with pytest.raises(ValidationError) as error:
        services.plan_update(
            actor=w.pm_a,
            plan=plan,
            whole_group_learning="Changed",
            next_evaluation_date=IN_SIX_WEEKS,
            goals=[GOAL, PARENTS_GOAL],
            actions=[ACTION, dict(ACTION, owner_name="")],
        )
    assert "Actie 2: elke actie heeft een eigenaar nodig." in error.value.messages
    assert plan_rows() == before
    plan.refresh_from_db()
    assert plan.whole_group_learning == "Pair children up."


def test_removing_a_row_deletes_that_goal(client, cases):
    w = cases
    plan = draft(w.pm_a, w.case_a, goals=[GOAL, PARENTS_GOAL])
    client.force_login(w.pm_a)
    response = client.post(
        url("plan-edit", plan_uuid=plan.uuid),
        edit_data(goals=[GOAL, dict(PARENTS_GOAL, DELETE=True)], actions=[ACTION], initial=(2, 1)),
    )
    assert response.status_code == 302
    assert list(plan.goals.values_list("description", flat=True)) == [GOAL["description"]]


# --- who may reach the plan pages -------------------------------------------------------------


def _plan_urls(case, plan):
    return [
        ("get", url("plan-detail", case_uuid=case.uuid)),
        ("post", url("plan-start", case_uuid=case.uuid)),
        ("get", url("plan-compare", case_uuid=case.uuid)),
        ("get", url("plan-version", plan_uuid=plan.uuid)),
        ("get", url("plan-edit", plan_uuid=plan.uuid)),
        ("post", url("plan-edit", plan_uuid=plan.uuid)),
        ("post", url("plan-submit", plan_uuid=plan.uuid)),
        ("post", url("plan-approve", plan_uuid=plan.uuid)),
        ("post", url("plan-return", plan_uuid=plan.uuid)),
        ("post", url("plan-parents", plan_uuid=plan.uuid)),
    ]


@pytest.mark.parametrize(
    "persona", ["outsider", "coach", "project_leader", "org_admin", "school_user", "pm_b"]
)
def test_people_who_may_not_see_the_case_get_404_on_every_plan_url(client, cases, persona):
    w = cases
    plan = draft(w.pm_a, w.case_a)
    services.plan_submit(actor=w.pm_a, plan=plan)
    client.force_login(getattr(w, persona))
    statuses = {
        path: getattr(client, method)(path, {"comment": "x"}).status_code
        for method, path in _plan_urls(w.case_a, plan)
    }
    assert set(statuses.values()) == {404}, statuses
    for page in (url("review-queue"), url("open-cases-per-group")):
        response = client.get(page)
        assert response.status_code == 200 and "Mieke" not in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED and plan.reviews.count() == 1


def test_an_unknown_plan_is_not_found(client, cases):
    client.force_login(cases.manager)
    assert client.get(url("plan-version", plan_uuid=cases.case_a.uuid)).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in_on_every_plan_url(client, cases):
    w = cases
    plan = draft(w.pm_a, w.case_a)
    paths = [path for _, path in _plan_urls(w.case_a, plan)]
    paths += [url("review-queue"), url("open-cases-per-group")]
    for path in paths:
        response = client.get(path)
        assert response.status_code in (302, 405), path
        if response.status_code == 302:
            assert "/accounts/login/" in response["Location"], path
    assert client.post(url("plan-start", case_uuid=w.case_a.uuid)).status_code == 302
    assert Plan.objects.count() == 1


def test_every_view_of_a_plan_is_written_to_the_access_log(client, cases):
    w = cases
    plan = draft(w.pm_a, w.case_a)
    client.force_login(w.manager)
    client.get(url("plan-detail", case_uuid=w.case_a.uuid))
    client.get(url("plan-version", plan_uuid=plan.uuid))
    client.get(url("plan-compare", case_uuid=w.case_a.uuid))
    client.get(url("plan-edit", plan_uuid=plan.uuid))
    entries = AccessLogEntry.objects.filter(case=w.case_a, user=w.manager, action="plan")
    assert entries.count() == 4
    assert entries.filter(path=url("plan-version", plan_uuid=plan.uuid)).exists()


# --- the review queue -------------------------------------------------------------------------


@pytest.fixture
def second_location(cases):
    """Another location of the same organisation, with its own manager and a case."""
    w = cases
    w.location2 = Location.objects.create(
        organisation=w.childcare, name="BSO De Boomhut", location_type=Location.Type.BSO
    )
    w.group_c = Group.objects.create(
        location=w.location2, name="Eekhoorns", age_band="4-12", capacity=20
    )
    w.manager2 = make_user("manager2", first_name="Marco")
    add_membership(w.manager2, w.childcare, Role.LOCATION_MANAGER, locations=[w.location2])
    w.child_c = services.child_register(
        actor=w.manager2,
        first_name="Rosa",
        last_name="Fictief",
        date_of_birth=datetime.date(2017, 4, 4),
        group=w.group_c,
    )
    w.case_c = services.case_open(actor=w.manager2, child=w.child_c)
    return w


def test_the_review_queue_shows_only_plans_the_user_may_approve_longest_waiting_first(
    client, second_location
):
    w = second_location
    plan_a = draft(w.pm_a, w.case_a)
    plan_b = draft(w.pm_b, w.case_b)
    plan_c = draft(w.manager2, w.case_c)
    for plan, by in ((plan_b, w.pm_b), (plan_a, w.pm_a), (plan_c, w.manager2)):
        services.plan_submit(actor=by, plan=plan)
    # Ayoub's plan was submitted first, then Mieke's.
    PlanReview.objects.filter(plan=plan_b).update(at=timezone.now() - datetime.timedelta(days=3))

    client.force_login(w.manager)
    page = client.get(url("review-queue")).content.decode()
    assert "Rosa" not in page
    assert page.index("Ayoub Proefkind") < page.index("Mieke Testkind")
    assert "Bram" in page and "Anna" in page  # who submitted
    assert "Zeepaardjes" in page and "KDV De Kikker" in page

    client.force_login(w.manager2)
    page = client.get(url("review-queue")).content.decode()
    assert "Rosa Fictief" in page and "Mieke" not in page and "Ayoub" not in page

    client.force_login(w.pm_a)
    page = client.get(url("review-queue")).content.decode()
    assert "Mieke" not in page and "No plans wait for your approval" in page


def _bulk_cases(world, count, *, submitted=True):
    """Many children, each with a case (and a submitted plan), spread over groups A and B."""
    groups = [world.group_a, world.group_b]
    children = Child.objects.bulk_create(
        Child(
            first_name=f"Kind{n}",
            last_name="Bulk",
            date_of_birth=datetime.date(2022, 1, 1),
            group=groups[n % 2],
        )
        for n in range(count)
    )
    statuses = ["open", "open", "monitoring", "closed"]
    cases = Case.objects.bulk_create(
        Case(child=child, opened_by=world.pm_a, status=statuses[n % 4])
        for n, child in enumerate(children)
    )
    if submitted:
        plans = Plan.objects.bulk_create(
            Plan(
                case=case,
                version=1,
                status=PlanStatus.SUBMITTED,
                next_evaluation_date=IN_SIX_WEEKS,
                created_by=world.pm_a,
            )
            for case in cases
        )
        PlanReview.objects.bulk_create(
            PlanReview(plan=plan, action=PlanReview.Action.SUBMITTED, by=world.pm_a)
            for plan in plans
        )
    access_policy.sync_cases(Case.objects.filter(pk__in=[c.pk for c in cases]))
    return cases


def _count(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_the_review_queue_uses_the_same_number_of_queries_with_5_and_500_cases(client, world):
    _bulk_cases(world, 5)
    client.force_login(world.manager)
    small, content = _count(client, url("review-queue"))
    assert "5 plans wait for approval" in content
    _bulk_cases(world, 495)
    large, content = _count(client, url("review-queue"))
    # A page of 50 without counting them all; the last page tells how many wait.
    assert "Plans 1 to 50 waiting for approval, longest waiting first" in content
    assert large == small
    last_page = client.get(url("review-queue"), {"page": 10}).content.decode()
    assert "500 plans wait for approval" in last_page


def test_open_cases_per_group_uses_the_same_number_of_queries_with_5_and_500_cases(client, world):
    _bulk_cases(world, 5)
    client.force_login(world.manager)
    small, _ = _count(client, url("open-cases-per-group"))
    _bulk_cases(world, 495)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("open-cases-per-group"))
    (overview,) = response.context["locations"]
    expected = (Case.objects.filter(status="open").count(), 125)
    assert (overview.open_count, overview.monitoring_count) == expected
    assert expected[0] > 200
    assert len(queries) == small


def test_the_plan_page_uses_the_same_number_of_queries_as_versions_grow(client, cases):
    w = cases
    client.force_login(w.manager)
    approved(w, w.case_a)
    small, _ = _count(client, url("plan-detail", case_uuid=w.case_a.uuid))
    for _ in range(5):
        plan = services.plan_start_version(actor=w.pm_a, case=w.case_a)
        services.plan_submit(actor=w.pm_a, plan=plan)
        services.plan_approve(actor=w.manager, plan=plan)
    draft(w.pm_a, w.case_a, goals=[GOAL, PARENTS_GOAL, GOAL], actions=[ACTION, ACTION])
    large, content = _count(client, url("plan-detail", case_uuid=w.case_a.uuid))
    assert "Version 7" in content
    assert large == small


# --- open cases per group ---------------------------------------------------------------------


def test_open_cases_per_group_counts_only_the_managers_locations(client, second_location):
    w = second_location
    services.case_set_status(actor=w.manager, case=w.case_b, status="monitoring")
    extra = services.child_register(
        actor=w.manager,
        first_name="Lotte",
        last_name="Gesloten",
        date_of_birth=datetime.date(2022, 5, 5),
        group=w.group_a,
    )
    closed = services.case_open(actor=w.manager, child=extra)
    services.case_set_status(actor=w.manager, case=closed, status="closed")

    client.force_login(w.manager)
    response = client.get(url("open-cases-per-group"))
    (overview,) = response.context["locations"]
    assert overview.location == w.location
    counts = {g.name: (g.open_count, g.monitoring_count) for g in overview.groups}
    assert counts == {"Dolfijnen": (1, 0), "Zeepaardjes": (0, 1)}
    assert (overview.open_count, overview.monitoring_count) == (1, 1)
    page = response.content.decode()
    assert "BSO De Boomhut" not in page and "Eekhoorns" not in page
    case_list = url("case-list")
    assert f"{case_list}?group={w.group_a.uuid}&amp;status=open" in page

    client.force_login(w.manager2)
    (overview,) = client.get(url("open-cases-per-group")).context["locations"]
    assert [(g.name, g.open_count) for g in overview.groups] == [("Eekhoorns", 1)]


def test_open_cases_per_group_is_empty_for_someone_who_manages_no_location(client, cases):
    client.force_login(cases.pm_a)
    response = client.get(url("open-cases-per-group"))
    assert response.context["locations"] == []
    assert "You do not manage a location." in response.content.decode()
