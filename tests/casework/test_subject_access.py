"""The parents' subject-access export: everything held about one child, as a page
to print and as JSON — complete, for the location's managers only, logged, and
never with another child's data."""

import datetime
import json

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alert4you.models import Reminder
from casework import services
from casework.models import AccessLogEntry, Case, Child, Plan
from casework.subject_access import EXCLUDED_MODELS, MODEL_CATEGORIES, collect
from coaching import services as coaching_services
from coaching.models import GroupPlanTip, Visit
from parents import conversation_services
from pilots.models import Role
from tests.conftest import add_membership, add_parents, grant_consent, log_concern, make_user

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate  # called each time: a run may pass midnight
YESTERDAY = TODAY() - datetime.timedelta(days=1)  # a day in the past (two after midnight)
OLD_CONCERN = "Plays alone and withdraws when others come near."  # the `cases` fixture's
CONCERN = "Hits other children when the group gets loud."
OBSERVATION = "Calm with one adult close by; restless in the circle."
OUTCOME = "The parents recognise it from home."
AGREEMENTS = "The mentor starts a buddy task; the parents invite a friend home."
QUESTION = "How do we help her join the circle?"
REQUEST = "Could the coach watch the circle on Monday?"
EXTRA_ATTENTION = "A quiet corner to land in before joining the group."
SIBLING_TEXT = "Sibling-only secret: bites at nap time."


def url(name, case):
    return reverse(f"casework:{name}", kwargs={"case_uuid": case.uuid})


def page_url(case):
    return url("case-subject-access", case)


def json_url(case):
    return url("case-subject-access-json", case)


@pytest.fixture
def client(client):
    """Pages in English, so the tests read the source texts."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# --- builders -----------------------------------------------------------------------------------


def _plan_with_whole_group_action(w, case):
    plan = services.plan_start_version(actor=w.pm_a, case=case)
    services.plan_update(
        actor=w.pm_a,
        plan=plan,
        whole_group_learning="Pair children up.",
        next_evaluation_date=TODAY() + datetime.timedelta(weeks=6),
        goals=[{"description": "Joins the circle every day.", "owner_party": "childcare"}],
        actions=[
            {
                "description": "Start the morning with a quiet game for everyone.",
                "owner_party": "childcare",
                "owner_name": "Anna",
                "due_date": TODAY() + datetime.timedelta(weeks=2),
                "for_whole_group": True,
            }
        ],
    )
    services.plan_submit(actor=w.pm_a, plan=plan)
    return services.plan_approve(actor=w.manager, plan=plan, comment="Good plan.")


def _visit(w):
    starts_at = timezone.now().replace(second=0, microsecond=0) + datetime.timedelta(days=2)
    visit = Visit.objects.create(
        coach=w.coach,
        location=w.location,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=2),
    )
    visit.groups.set([w.group_a])
    return visit


@pytest.fixture
def full(cases):
    """Mieke (child A) with a closed earlier case and an open case holding a row of
    every model about a child; a second child in her group with its own file."""
    w = cases
    w.old_case = w.case_a
    services.case_set_status(actor=w.manager, case=w.old_case, status="closed")
    w.case = log_concern(w.pm_a, w.child_a, description=CONCERN).case
    w.mother, w.father = add_parents(w.child_a, actor=w.pm_a)
    w.consent = grant_consent(w.child_a, actor=w.pm_a, scope="observation_by_coach")
    services.case_team_add(actor=w.pm_a, case=w.case, user=w.coach, role="coach")
    services.observation_record(
        actor=w.pm_a,
        case=w.case,
        observer_role="pedagogical_staff",
        observed_on=YESTERDAY,
        notes=OBSERVATION,
        wellbeing_self=3,
    )
    services.placement_record(
        actor=w.pm_a, case=w.case, setting="regular_group", place="Dolfijnen", start_date=YESTERDAY
    )
    services.referral_record(
        actor=w.pm_a,
        case=w.case,
        target="paediatrician",
        reason="Hearing test",
        referred_on=TODAY(),
    )
    w.plan = _plan_with_whole_group_action(w, w.case)
    conversation = conversation_services.conversation_plan(
        actor=w.pm_a,
        case=w.case,
        planned_on=TODAY(),
        form="together",
        expected_difficulty=2,
        staff_participants=[w.pm_a],
        guardians=[w.mother, w.father],
    )
    conversation_services.conversation_record_outcome(
        actor=w.pm_a, conversation=conversation, outcome=OUTCOME, agreements=AGREEMENTS
    )
    coaching_services.agenda_item_add(
        actor=w.pm_a, visit=_visit(w), topic="one_child", question=QUESTION, case=w.case
    )
    coaching_services.coaching_request_create(
        actor=w.pm_a, group=w.group_a, topic="one_child", question=REQUEST, case=w.case
    )
    # Starting the group plan pulls the plan's "whole group" action in as a tip.
    group_plan = coaching_services.group_plan_start(actor=w.pm_a, group=w.group_a)
    coaching_services.group_plan_set_children(
        actor=w.pm_a, plan=group_plan, children=[(w.case, EXTRA_ATTENTION)]
    )
    Reminder.objects.create(
        kind=Reminder.Kind.PLAN_EVALUATION,
        content_type=ContentType.objects.get_for_model(Plan),
        object_id=w.plan.pk,
        recipient=w.pm_a,
        for_date=TODAY(),
        due_at=timezone.now(),
    )
    services.access_log_record(user=w.pm_a, case=w.case, action="view")

    # Another child in the same group, with a file of its own.
    w.sibling = services.child_register(
        actor=w.manager,
        first_name="Sibling",
        last_name="Anderkind",
        date_of_birth=datetime.date(2022, 1, 1),
        group=w.group_a,
    )
    w.sibling_case = log_concern(w.pm_a, w.sibling, description=SIBLING_TEXT).case
    add_parents(w.sibling, actor=w.pm_a)
    grant_consent(w.sibling, actor=w.pm_a, scope="observation_by_coach", notes=SIBLING_TEXT)
    services.access_log_record(user=w.pm_b, case=w.sibling_case, action="view")
    return w


# --- completeness -------------------------------------------------------------------------------


def models_about_a_child() -> dict:
    """Every model that points at a child or a case, directly or through other
    rows, with its lookup path back to the child (historical models and
    many-to-many link tables aside: their owner is covered)."""
    paths = {Child: "", Case: "child"}
    queue = [Child, Case]
    for model in queue:
        if model._meta.label in EXCLUDED_MODELS:
            continue
        for field in model._meta.get_fields(include_hidden=True):
            if not field.is_relation or field.concrete:
                continue
            related = field.related_model
            if (
                related in paths
                or related._meta.auto_created
                or related.__name__.startswith("Historical")
            ):
                continue
            back = field.field.name
            paths[related] = f"{back}__{paths[model]}" if paths[model] else back
            queue.append(related)
    return paths


def test_every_model_about_a_child_is_in_the_export_or_excluded_with_a_reason():
    labels = {model._meta.label for model in models_about_a_child()}
    assert "coaching.GroupPlanChild" in labels  # hidden relations (related_name="+") count too
    forgotten = labels - MODEL_CATEGORIES.keys() - EXCLUDED_MODELS.keys()
    assert not forgotten, f"Add these to the subject-access export: {sorted(forgotten)}"
    assert all(str(what) and str(reason) for what, reason in EXCLUDED_MODELS.values())


def test_the_export_holds_every_row_of_every_model_about_the_child(full):
    w = full
    collected = collect(w.child_a)
    for model, path in models_about_a_child().items():
        label = model._meta.label
        if label in EXCLUDED_MODELS:
            continue
        lookup = {path: w.child_a} if path else {"pk": w.child_a.pk}
        expected = set(model.objects.filter(**lookup).values_list("pk", flat=True))
        assert expected, f"the fixture has no {label} row"
        assert {row.pk for row in collected[label]} == expected, label


# --- the JSON -----------------------------------------------------------------------------------


def test_the_json_download_holds_each_category_with_history_and_access_log(client, full):
    w = full
    client.force_login(w.manager)
    response = client.get(json_url(w.case))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    assert f"subject-access-{w.child_a.uuid}" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)

    assert data["schema_version"] == 1
    assert data["generated_at"].endswith("Z")
    assert data["child"]["uuid"] == str(w.child_a.uuid)
    counts = {
        "cases": 2,
        "case_team": 1,
        "concerns": 2,
        "observations": 1,
        "plans": 1,
        "placements": 1,
        "referrals": 1,
        "guardians": 2,
        "consents": 1,
        "parent_conversations": 1,
        "visit_agenda_items": 1,
        "coaching_requests": 1,
        "group_plan_children": 1,
        "group_plan_tips": 1,
        "reminders": 1,
    }
    assert {key: len(data[key]) for key in counts} == counts
    assert {c["status"] for c in data["cases"]} == {"closed", "open"}
    assert {c["description"] for c in data["concerns"]} == {OLD_CONCERN, CONCERN}
    plan = data["plans"][0]
    assert (len(plan["goals"]), len(plan["actions"])) == (1, 1)
    assert [r["action"] for r in plan["reviews"]] == ["submitted", "approved"]
    assert data["consents"][0]["given_by"] == sorted([w.mother.full_name, w.father.full_name])
    assert data["parent_conversations"][0]["agreements"] == AGREEMENTS
    assert data["group_plan_children"][0]["extra_attention"] == EXTRA_ATTENTION
    assert data["reminders"][0]["about"] == "plans"

    history = data["history"]
    concern_history = [h for h in history if h["category"] == "concerns"]
    assert [h["history_type"] for h in concern_history] == ["created", "created"]
    assert "description" in concern_history[-1]["changed_fields"]
    case_changes = [
        h for h in history if h["category"] == "cases" and h["history_type"] == "changed"
    ]
    assert any("status" in h["changed_fields"] for h in case_changes)
    assert all(h["history_date"].endswith("Z") for h in history)
    assert {h["category"] for h in history} >= {"child", "consents", "parent_conversations"}

    log = data["access_log"]
    assert {(e["who"], e["action"]) for e in log} >= {("Anna", "view")}
    exported = [e for e in log if e["action"] == "subject_access"]
    assert {e["case"] for e in exported} == {str(w.case.uuid), str(w.old_case.uuid)}
    assert all(e["outcome"] == "allowed" and e["at"].endswith("Z") for e in log)


def test_each_export_writes_one_access_log_entry_per_case_of_the_child(client, full):
    w = full
    client.force_login(w.manager)
    assert client.get(page_url(w.case)).status_code == 200
    assert client.get(json_url(w.old_case)).status_code == 200
    rows = AccessLogEntry.objects.filter(action=AccessLogEntry.Action.SUBJECT_ACCESS)
    assert sorted(rows.values_list("case_id", "user_id")) == sorted(
        [(w.case.pk, w.manager.pk), (w.old_case.pk, w.manager.pk)] * 2
    )
    assert not rows.filter(case=w.sibling_case).exists()


def test_no_other_childs_data_is_in_the_export(client, full):
    w = full
    client.force_login(w.manager)
    for address in (page_url(w.case), json_url(w.case)):
        body = client.get(address).content.decode()
        assert SIBLING_TEXT not in body
        assert "Anderkind" not in body
        assert str(w.sibling_case.uuid) not in body
    data = json.loads(client.get(json_url(w.case)).content)
    assert {e["case"] for e in data["access_log"]} <= {str(w.case.uuid), str(w.old_case.uuid)}


# --- the page -----------------------------------------------------------------------------------


def test_the_page_shows_the_child_every_concern_and_every_consent(client, full):
    w = full
    client.force_login(w.manager)
    response = client.get(page_url(w.case))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    assert w.child_a.full_name in body
    for text in (OLD_CONCERN, CONCERN, OBSERVATION, AGREEMENTS, QUESTION, EXTRA_ATTENTION):
        assert text in body
    assert f'data-consent="{w.consent.uuid}"' in body
    assert 'data-category="concerns" data-count="2"' in body
    assert "data-print-page" in body and "js/print-button.js" in body
    assert json_url(w.case) in body


def test_the_case_page_links_to_the_export_only_for_those_allowed(client, full):
    w = full
    for user, shown in ((w.manager, True), (w.pm_a, False)):
        client.force_login(user)
        body = client.get(w.case.get_absolute_url()).content.decode()
        assert (page_url(w.case) in body) is shown


# --- who may ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona, status",
    [
        ("manager", 200),
        ("pm_a", 403),  # works on the case, but the export is the managers' job
        ("coordinator", 403),
        ("coach", 403),  # on the case team, with consent
        ("pm_b", 404),
        ("project_leader", 404),
        ("org_admin", 404),
        ("school_user", 404),
        ("outsider", 404),
    ],
)
def test_only_the_location_manager_may_run_the_export(client, full, persona, status):
    w = full
    client.force_login(getattr(w, persona))
    for address in (page_url(w.case), json_url(w.case)):
        assert client.get(address).status_code == status
    written = AccessLogEntry.objects.filter(action="subject_access", outcome="allowed").exists()
    assert written is (status == 200)
    # Every refusal is in the case's log as a refused export.
    refused = AccessLogEntry.objects.filter(action="subject_access", outcome="denied").exists()
    assert refused is (status != 200)


def test_a_manager_of_another_organisation_gets_404(client, full):
    w = full
    stranger = make_user("other_manager")
    add_membership(stranger, w.elsewhere, Role.LOCATION_MANAGER, locations=[w.other_location])
    client.force_login(stranger)
    for address in (page_url(w.case), json_url(w.case)):
        assert client.get(address).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, full):
    for address in (page_url(full.case), json_url(full.case)):
        response = client.get(address)
        assert response.status_code == 302
        assert settings.LOGIN_URL in response["Location"]
    assert not AccessLogEntry.objects.filter(action="subject_access").exists()


# --- bounded queries ----------------------------------------------------------------------------


def _queries(client, address) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(address).status_code == 200
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_record(client, full):
    w = full
    client.force_login(w.manager)
    client.get(json_url(w.case))  # warm the per-process caches (content types, sessions)
    small = {address: _queries(client, address) for address in (json_url(w.case), page_url(w.case))}
    for n in range(9):
        log_concern(w.pm_a, w.child_a, description=f"Concern {n}")
        services.observation_record(
            actor=w.pm_a,
            case=w.case,
            observer_role="pedagogical_staff",
            observed_on=YESTERDAY,
            notes=f"Observation {n}",
        )
    assert GroupPlanTip.objects.exists()
    large = {address: _queries(client, address) for address in small}
    assert large == small
