"""Parent conversations: planned by the pedagogical staff, prepared with the coach,
the outcome and agreements recorded, feedback from the coach afterwards — and on
the case's timeline, history and export."""

import datetime
import html

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casework import services as case_services
from casework.models import AccessLogEntry
from parents import conversation_services as services
from parents import services as parent_services
from parents.models import ParentConversation
from tests.conftest import add_parents, grant_consent

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate  # called each time: a run may pass midnight
# Worked out once, far enough from today that a day more or less changes no outcome.
NEXT_WEEK = TODAY() + datetime.timedelta(days=7)
IN_SIX_WEEKS = TODAY() + datetime.timedelta(weeks=6)
MESSAGE = "Mieke plays alone most of the day; we would like to help her join in."
WORDING = "Mieke is a kind girl who helps tidy up. We see that she often plays alone."
OUTCOME = "The parents recognise it from home and are relieved that we noticed."
AGREEMENTS = "The mentor starts a buddy task; the parents invite a friend home."


def url(name, **kwargs):
    return reverse(f"parents:{name}", kwargs=kwargs)


def conversation_urls(conversation):
    kwargs = {"conversation_uuid": conversation.uuid}
    names = ["detail", "edit", "prepare", "outcome", "feedback", "cancel"]
    return [url(f"conversation-{name}", **kwargs) for name in names] + [
        url("conversation-create", case_uuid=conversation.case.uuid)
    ]


@pytest.fixture
def client(client):
    """Pages in English, so the tests read the messages users read."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def family(cases):
    cases.mother, cases.father = add_parents(cases.child_a, actor=cases.pm_a)
    return cases


def coach_joins(w):
    """The parents consent to observation by the coach; the PM adds the coach to the team."""
    grant_consent(w.child_a, actor=w.pm_a, scope="observation_by_coach")
    case_services.case_team_add(actor=w.pm_a, case=w.case_a, user=w.coach, role="coach")


def plan(w, **overrides):
    fields = {
        "actor": w.pm_a,
        "case": w.case_a,
        "planned_on": TODAY(),
        "form": "together",
        "expected_difficulty": 2,
        "staff_participants": [w.pm_a],
        "guardians": [w.mother, w.father],
    }
    fields.update(overrides)
    return services.conversation_plan(**fields)


def errors_of(response):
    """The page as a reader sees it: entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(response.content.decode()).split())


# --- the journey ------------------------------------------------------------------------------


def test_the_whole_journey_from_planning_to_the_coachs_feedback(client, family):
    w = family
    client.force_login(w.pm_a)
    case_page = client.get(w.case_a.get_absolute_url())
    create_url = url("conversation-create", case_uuid=w.case_a.uuid)
    assert create_url in case_page.content.decode()

    # The PM plans the conversation, for today, with both parents.
    response = client.post(
        create_url,
        {
            "planned_on": TODAY().isoformat(),
            "form": "together",
            "expected_difficulty": "2",
            "staff_participants": [w.pm_a.pk],
            "guardians": [w.mother.pk, w.father.pk],
            "other_participants": "Interpreter (Arabic)",
        },
    )
    conversation = ParentConversation.objects.get()
    detail = url("conversation-detail", conversation_uuid=conversation.uuid)
    assert response.status_code == 302 and response.url == detail
    assert conversation.status == "planned" and conversation.planned_by == w.pm_a
    assert set(conversation.guardians.all()) == {w.mother, w.father}

    # With the parents' consent the coach joins the team, and then the conversation.
    coach_joins(w)
    response = client.post(
        url("conversation-edit", conversation_uuid=conversation.uuid),
        {
            "planned_on": TODAY().isoformat(),
            "form": "together",
            "expected_difficulty": "3",
            "staff_participants": [w.pm_a.pk, w.coach.pk],
            "guardians": [w.mother.pk, w.father.pk],
        },
    )
    assert response.status_code == 302
    assert set(conversation.staff_participants.all()) == {w.pm_a, w.coach}

    # The PM writes the message; the coach adds the wording.
    prepare = url("conversation-prepare", conversation_uuid=conversation.uuid)
    based_on = client.get(prepare).context["form"]["based_on"].value()
    response = client.post(prepare, {"message": MESSAGE, "wording": "", "based_on": based_on})
    assert response.status_code == 302
    client.force_login(w.coach)
    page = client.get(prepare)
    assert MESSAGE in page.content.decode()
    based_on = page.context["form"]["based_on"].value()
    response = client.post(prepare, {"message": MESSAGE, "wording": WORDING, "based_on": based_on})
    assert response.status_code == 302
    conversation.refresh_from_db()
    assert (conversation.message, conversation.wording) == (MESSAGE, WORDING)

    # The PM records the outcome, the agreements and the next step.
    client.force_login(w.pm_a)
    response = client.post(
        url("conversation-outcome", conversation_uuid=conversation.uuid),
        {
            "held_on": TODAY().isoformat(),
            "outcome": OUTCOME,
            "agreements": AGREEMENTS,
            "next_step": "Follow-up conversation with both parents",
            "next_step_on": IN_SIX_WEEKS.isoformat(),
        },
    )
    assert response.status_code == 302
    conversation.refresh_from_db()
    assert conversation.status == "held" and conversation.next_step_on == IN_SIX_WEEKS

    # The coach is invited to give feedback, and gives it.
    client.force_login(w.coach)
    page = client.get(detail).content.decode()
    assert "Give your feedback" in page
    response = client.post(
        url("conversation-feedback", conversation_uuid=conversation.uuid),
        {"feedback": "You started with what goes well; the parents listened."},
    )
    assert response.status_code == 302
    conversation.refresh_from_db()
    assert conversation.coach_feedback.startswith("You started with what goes well")

    # The timeline shows the conversation, its outcome, agreements and next step.
    client.force_login(w.pm_a)
    timeline = errors_of(client.get(w.case_a.get_absolute_url()))
    for text in (
        "Parent conversation",
        OUTCOME,
        AGREEMENTS,
        "Follow-up conversation with both parents",
        IN_SIX_WEEKS.isoformat(),
        detail,
    ):
        assert text in timeline

    # The history tab lists each change, with who took part.
    history = errors_of(client.get(reverse("casework:case-history", args=[w.case_a.uuid])))
    for text in (MESSAGE, WORDING, OUTCOME, "Moeder Testkind", "Carla", "Parent conversation"):
        assert text in history
    reasons = list(
        ParentConversation.history.order_by("history_id").values_list(
            "history_change_reason", "history_user__username"
        )
    )
    assert ("conversation planned", "pm_a") in reasons
    assert ("preparation written", "coach") in reasons
    assert ("outcome recorded", "pm_a") in reasons
    assert ("feedback given", "coach") in reasons

    # Every look at it is in the case's access log.
    looked = set(
        AccessLogEntry.objects.filter(case=w.case_a, path=detail).values_list(
            "user__username", "action"
        )
    )
    assert looked == {("coach", "view")}

    export = client.get(reverse("casework:case-export", args=[w.case_a.uuid])).content.decode()
    assert "parent_conversation" in export and AGREEMENTS in export


def test_viewing_a_conversation_is_logged_for_the_case(client, family):
    w = family
    conversation = plan(w)
    client.force_login(w.manager)
    assert client.get(url("conversation-detail", conversation_uuid=conversation.uuid)).status_code
    entry = AccessLogEntry.objects.filter(case=w.case_a, user=w.manager).get()
    assert entry.action == "view"


def test_the_detail_page_explains_the_form_and_guides_the_preparation(client, family):
    w = family
    conversation = plan(w, form="staff_alone", expected_difficulty=3)
    client.force_login(w.pm_a)
    page = errors_of(client.get(url("conversation-detail", conversation_uuid=conversation.uuid)))
    assert "The coach leads the conversation as an example" in page
    assert "prepare and lead the conversation together" in page
    assert "gives feedback afterwards" in page
    assert "Start with what goes well." in page
    assert "Describe what you see, not what the child is." in page
    assert "expected to be hard" in page
    assert "Write the preparation" in page


def test_two_people_writing_the_preparation_do_not_overwrite_each_other(client, family):
    w = family
    coach_joins(w)
    conversation = plan(w)
    prepare = url("conversation-prepare", conversation_uuid=conversation.uuid)
    client.force_login(w.pm_a)
    stale = client.get(prepare).context["form"]["based_on"].value()
    services.conversation_prepare(actor=w.coach, conversation=conversation, message=MESSAGE)

    response = client.post(prepare, {"message": "Something else", "based_on": stale})
    assert response.status_code == 200
    assert "Someone else saved the preparation" in errors_of(response)
    assert MESSAGE in response.content.decode()  # the coach's text is shown
    conversation.refresh_from_db()
    assert conversation.message == MESSAGE

    fresh = response.context["form"]["based_on"].value()
    response = client.post(prepare, {"message": f"{MESSAGE} Combined.", "based_on": fresh})
    assert response.status_code == 302
    conversation.refresh_from_db()
    assert conversation.message == f"{MESSAGE} Combined."


def test_a_cancelled_conversation_says_why_and_can_no_longer_be_prepared(client, family):
    w = family
    conversation = plan(w, planned_on=NEXT_WEEK)
    client.force_login(w.pm_a)
    cancel = url("conversation-cancel", conversation_uuid=conversation.uuid)
    response = client.post(cancel, {"reason": ""})
    assert "Say why the conversation is cancelled" in errors_of(response)
    response = client.post(cancel, {"reason": "The parents were ill."})
    assert response.status_code == 302
    conversation.refresh_from_db()
    assert conversation.status == "cancelled"
    assert "The parents were ill." in errors_of(client.get(w.case_a.get_absolute_url()))
    for step in ("prepare", "edit", "outcome", "cancel"):
        address = url(f"conversation-{step}", conversation_uuid=conversation.uuid)
        response = client.post(address, {"message": MESSAGE, "reason": "x"}, follow=True)
        assert "This conversation was cancelled" in errors_of(response), step
    conversation.refresh_from_db()
    assert conversation.message == "" and conversation.outcome == "The parents were ill."
    with pytest.raises(ValidationError):
        services.conversation_prepare(actor=w.pm_a, conversation=conversation, message=MESSAGE)
    with pytest.raises(ValidationError):
        services.conversation_record_outcome(
            actor=w.pm_a, conversation=conversation, outcome=OUTCOME, held_on=TODAY()
        )


# --- who may ----------------------------------------------------------------------------------


def test_a_coach_without_the_parents_consent_gets_404(client, family):
    w = family
    conversation = plan(w)
    with pytest.raises(ValidationError, match="toestemming"):
        case_services.case_team_add(actor=w.pm_a, case=w.case_a, user=w.coach, role="coach")
    client.force_login(w.coach)
    for address in conversation_urls(conversation):
        assert client.get(address).status_code == 404, address


def test_the_coach_loses_the_conversation_when_the_consent_is_withdrawn(client, family):
    w = family
    coach_joins(w)
    conversation = plan(w)
    client.force_login(w.coach)
    detail = url("conversation-detail", conversation_uuid=conversation.uuid)
    assert client.get(detail).status_code == 200
    consent = w.child_a.consents.get(scope="observation_by_coach")
    parent_services.consent_withdraw(actor=w.pm_a, consent=consent)
    assert client.get(detail).status_code == 404
    with pytest.raises(PermissionDenied):
        services.conversation_prepare(actor=w.coach, conversation=conversation, message=MESSAGE)


@pytest.mark.parametrize("persona", ["outsider", "pm_b", "project_leader", "org_admin"])
def test_people_who_may_not_see_the_case_get_404_on_every_conversation_url(client, family, persona):
    w = family
    conversation = plan(w)
    client.force_login(getattr(w, persona))
    for address in conversation_urls(conversation):
        assert client.get(address).status_code == 404, address
        assert client.post(address, {"message": "x", "reason": "x"}).status_code == 404, address
    conversation.refresh_from_db()
    assert conversation.status == "planned" and conversation.message == ""


def test_an_unknown_conversation_answers_404(client, family):
    client.force_login(family.manager)
    missing = "00000000-0000-0000-0000-000000000000"
    assert client.get(url("conversation-detail", conversation_uuid=missing)).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, family):
    conversation = plan(family)
    for address in conversation_urls(conversation):
        response = client.get(address)
        assert response.status_code == 302 and reverse("login") in response.url, address


def test_a_school_that_may_read_the_file_may_not_change_the_conversation(client, family):
    w = family
    grant_consent(w.child_a, actor=w.pm_a, scope="share_with_organisation", organisation=w.school)
    case_services.case_team_add(actor=w.pm_a, case=w.case_a, user=w.school_user, role="school")
    conversation = plan(w)
    client.force_login(w.school_user)
    page = client.get(url("conversation-detail", conversation_uuid=conversation.uuid))
    assert page.status_code == 200 and "Write the preparation" not in page.content.decode()
    for address in conversation_urls(conversation)[1:]:
        assert client.get(address).status_code == 403, address
    with pytest.raises(PermissionDenied):
        services.conversation_prepare(
            actor=w.school_user, conversation=conversation, message=MESSAGE
        )


# --- bad input: a clear message, nothing saved ------------------------------------------------


def _outcome(client, conversation, **overrides):
    data = {
        "held_on": conversation.planned_on.isoformat(),
        "outcome": OUTCOME,
        "agreements": AGREEMENTS,
        "next_step": "",
        "next_step_on": "",
    }
    data.update(overrides)
    return client.post(url("conversation-outcome", conversation_uuid=conversation.uuid), data)


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"held_on": NEXT_WEEK.isoformat()}, "lies in the future"),
        ({"outcome": "  "}, "Write down the outcome"),
        (
            {
                "next_step": "Call the parents",
                "next_step_on": (TODAY() - datetime.timedelta(days=1)).isoformat(),
            },
            "The next step cannot lie before the conversation",
        ),
        ({"next_step_on": IN_SIX_WEEKS.isoformat()}, "Describe the next step"),
        ({"outcome": "x" * 4001}, "at most 4000 characters"),
    ],
)
def test_a_bad_outcome_is_refused_with_a_clear_message(client, family, overrides, message):
    w = family
    conversation = plan(w)
    client.force_login(w.pm_a)
    response = _outcome(client, conversation, **overrides)
    assert response.status_code == 200
    assert message in errors_of(response)
    conversation.refresh_from_db()
    assert conversation.status == "planned" and conversation.outcome == ""


def test_the_outcome_of_a_conversation_planned_for_next_week_waits(client, family):
    w = family
    conversation = plan(w, planned_on=NEXT_WEEK)
    client.force_login(w.pm_a)
    response = _outcome(client, conversation)
    assert "lies in the future" in errors_of(response)
    conversation.refresh_from_db()
    assert conversation.status == "planned"
    # Held earlier than planned: the date is corrected with the outcome.
    assert _outcome(client, conversation, held_on=TODAY().isoformat()).status_code == 302
    conversation.refresh_from_db()
    assert (conversation.status, conversation.planned_on) == ("held", TODAY())


def test_a_parent_of_another_child_cannot_take_part(client, family):
    w = family
    other_parent = add_parents(w.child_b, actor=w.pm_b)[0]
    client.force_login(w.pm_a)
    response = client.post(
        url("conversation-create", case_uuid=w.case_a.uuid),
        {
            "planned_on": TODAY().isoformat(),
            "form": "together",
            "expected_difficulty": "1",
            "guardians": [w.mother.pk, other_parent.pk],
        },
    )
    assert response.status_code == 200
    assert "Choose only this child's parents or guardians." in errors_of(response)
    with pytest.raises(ValidationError) as refused:
        plan(w, guardians=[w.mother, other_parent])
    assert other_parent.full_name in " ".join(refused.value.messages)
    assert not ParentConversation.objects.exists()


def test_staff_who_cannot_see_the_file_cannot_take_part(family):
    w = family
    with pytest.raises(ValidationError) as refused:
        plan(w, staff_participants=[w.pm_a, w.pm_b])
    assert "Bram" in " ".join(refused.value.messages)
    assert not ParentConversation.objects.exists()


def test_an_oversized_preparation_is_refused(client, family):
    w = family
    conversation = plan(w)
    client.force_login(w.pm_a)
    response = client.post(
        url("conversation-prepare", conversation_uuid=conversation.uuid),
        {"message": MESSAGE, "wording": "x" * 4001},
    )
    assert response.status_code == 200 and "at most 4000 characters" in errors_of(response)
    with pytest.raises(ValidationError):
        services.conversation_prepare(
            actor=w.pm_a, conversation=conversation, message=MESSAGE, wording="x" * 4001
        )
    with pytest.raises(ValidationError):
        plan(w, other_participants="x" * 201)
    conversation.refresh_from_db()
    assert conversation.wording == "" and ParentConversation.objects.count() == 1


def test_feedback_before_the_conversation_was_held_is_refused(client, family):
    w = family
    coach_joins(w)
    conversation = plan(w)
    client.force_login(w.coach)
    feedback = url("conversation-feedback", conversation_uuid=conversation.uuid)
    response = client.post(feedback, {"feedback": "Well done."}, follow=True)
    assert response.redirect_chain == [
        (url("conversation-detail", conversation_uuid=conversation.uuid), 302)
    ]
    assert "first record the outcome" in errors_of(response)
    assert "Give your feedback" not in errors_of(response)
    conversation.refresh_from_db()
    assert conversation.coach_feedback == ""
    with pytest.raises(ValidationError):
        services.conversation_give_feedback(
            actor=w.coach, conversation=conversation, feedback="Well done."
        )


# --- query counts -----------------------------------------------------------------------------


def _many_conversations(w, count):
    for n in range(count):
        conversation = plan(w, planned_on=TODAY() - datetime.timedelta(days=n))
        services.conversation_prepare(
            actor=w.pm_a, conversation=conversation, message=f"{MESSAGE} {n}"
        )
        services.conversation_record_outcome(
            actor=w.pm_a,
            conversation=conversation,
            outcome=f"{OUTCOME} {n}",
            agreements=AGREEMENTS,
            next_step="Follow-up",
            next_step_on=IN_SIX_WEEKS,
        )


def _count(client, address):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 200
    return len(queries)


def test_conversation_and_case_pages_use_the_same_number_of_queries_as_data_grows(client, family):
    w = family
    coach_joins(w)
    first = plan(w, staff_participants=[w.pm_a])
    _many_conversations(w, 1)
    client.force_login(w.pm_a)
    addresses = [
        url("conversation-detail", conversation_uuid=first.uuid),
        url("conversation-prepare", conversation_uuid=first.uuid),
        url("conversation-edit", conversation_uuid=first.uuid),
        w.case_a.get_absolute_url(),
        reverse("casework:case-history", args=[w.case_a.uuid]),
        reverse("casework:case-export", args=[w.case_a.uuid]),
    ]
    small = [_count(client, address) for address in addresses]
    assert ParentConversation.objects.count() == 2

    _many_conversations(w, 38)
    services.conversation_change_plan(
        actor=w.pm_a,
        conversation=first,
        planned_on=first.planned_on,
        form="coach_leads",
        expected_difficulty=3,
        staff_participants=[w.pm_a, w.coach, w.manager, w.coordinator],
        guardians=[w.mother, w.father],
    )
    assert ParentConversation.objects.count() == 40
    assert [_count(client, address) for address in addresses] == small
