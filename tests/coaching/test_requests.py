"""Help between visits: a PM asks, the group's coach accepts, schedules or
declines with a reason. And intervision between coaches."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from coaching import services
from coaching.models import AgendaItem, CoachingRequest, Intervision
from pilots.models import Role
from tests.conftest import add_membership, grant_consent, make_user

from .conftest import make_visit

QUESTION = "Mieke bites when the group gets loud. Can you come and watch?"


def detail_url(coaching_request):
    return reverse("coaching:request-detail", kwargs={"request_uuid": coaching_request.uuid})


def ask(w, **overrides):
    fields = {"group": w.group_a, "topic": "one_child", "case": w.case_a, "question": QUESTION}
    fields.update(overrides)
    return services.coaching_request_create(actor=w.pm_a, **fields)


def test_a_pm_asks_the_coach_of_their_group_for_help(client, coached):
    w = coached
    client.force_login(w.pm_a)
    response = client.post(
        reverse("coaching:request-create"),
        {
            "group": str(w.group_a.uuid),
            "topic": "one_child",
            "case": str(w.case_a.uuid),
            "question": QUESTION,
        },
    )
    assert response.status_code == 302
    request = CoachingRequest.objects.get()
    assert (request.group, request.case, request.requested_by) == (w.group_a, w.case_a, w.pm_a)
    assert request.status == "open"


def test_a_pm_cannot_ask_for_another_group(client, coached):
    w = coached
    client.force_login(w.pm_a)
    response = client.post(
        reverse("coaching:request-create"),
        {"group": str(w.group_b.uuid), "topic": "group_climate", "question": "Noise"},
    )
    assert response.status_code == 200
    assert not CoachingRequest.objects.exists()
    with pytest.raises(PermissionDenied):
        services.coaching_request_create(
            actor=w.pm_a, group=w.group_b, topic="group_climate", question="Noise"
        )


@pytest.mark.parametrize("persona", ["coach", "manager", "outsider"])
def test_only_pms_make_requests(client, coached, persona):
    client.force_login(getattr(coached, persona))
    assert client.get(reverse("coaching:request-create")).status_code == 404


@pytest.mark.parametrize(
    "persona, status",
    [("pm_a", 200), ("coach", 200), ("manager", 200), ("pm_b", 404), ("outsider", 404)],
)
def test_a_request_is_seen_by_the_group_its_coach_and_managers(client, coached, persona, status):
    request = ask(coached)
    client.force_login(getattr(coached, persona))
    assert client.get(detail_url(request)).status_code == status


def test_the_coach_sees_an_open_request_anonymously_without_consent(client, coached):
    w = coached
    ask(w, question="Can you come and watch the lunch?")
    client.force_login(w.coach)
    home = client.get("/").content.decode()
    assert "A child in the group" in home and "Mieke" not in home
    calendar = client.get(reverse("coaching:calendar")).content.decode()
    assert "A child in the group" in calendar
    grant_consent(w.child_a, actor=w.pm_a, scope="observation_by_coach")
    assert "Mieke Testkind" in client.get("/").content.decode()


def test_the_coach_accepts_a_request(client, coached):
    w = coached
    request = ask(w)
    client.force_login(w.coach)
    assert client.post(detail_url(request), {"action": "accept"}).status_code == 302
    request.refresh_from_db()
    assert (request.status, request.coach) == ("accepted", w.coach)
    assert request.history.first().history_user == w.coach


def test_the_coach_puts_a_request_on_the_agenda_of_a_planned_visit(client, coached):
    w = coached
    request = ask(w)
    visit = make_visit(w)
    client.force_login(w.coach)
    response = client.post(detail_url(request), {"action": "schedule", "visit": str(visit.uuid)})
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.visit) == ("scheduled", visit)
    item = AgendaItem.objects.get(visit=visit)
    assert (item.source, item.case, item.question, item.submitted_by) == (
        "request",
        w.case_a,
        QUESTION,
        w.pm_a,
    )


def test_a_request_goes_only_on_the_coachs_own_visits_to_that_group(coached):
    w = coached
    request = ask(w)
    other_group = make_visit(w, groups=[w.group_b])
    with pytest.raises(ValidationError):
        services.coaching_request_schedule(actor=w.coach, request=request, visit=other_group)
    other = make_user("other_coach")
    add_membership(other, w.youth_care, Role.COACH)
    with pytest.raises(ValidationError):
        services.coaching_request_schedule(
            actor=w.coach, request=request, visit=make_visit(w, coach=other)
        )
    assert not AgendaItem.objects.exists()


def test_declining_needs_a_reason(client, coached):
    w = coached
    request = ask(w)
    client.force_login(w.coach)
    assert client.post(detail_url(request), {"action": "decline", "reason": ""}).status_code == 200
    request.refresh_from_db()
    assert request.status == "open"
    client.post(detail_url(request), {"action": "decline", "reason": "Better for the GP"})
    request.refresh_from_db()
    assert (request.status, request.decline_reason) == ("declined", "Better for the GP")
    # Once dealt with, it stays so.
    with pytest.raises(ValidationError):
        services.coaching_request_accept(actor=w.coach, request=request)


@pytest.mark.parametrize("persona", ["pm_a", "manager"])
def test_only_the_groups_coach_decides(client, coached, persona):
    request = ask(coached)
    client.force_login(getattr(coached, persona))
    assert client.post(detail_url(request), {"action": "accept"}).status_code == 403
    request.refresh_from_db()
    assert request.status == "open"


def test_a_coach_of_another_location_does_not_see_the_request(client, coached):
    w = coached
    request = ask(w)
    other = make_user("other_coach")
    add_membership(other, w.youth_care, Role.COACH)
    client.force_login(other)
    assert client.get(detail_url(request)).status_code == 404
    assert QUESTION not in client.get(reverse("coaching:request-list")).content.decode()


# --- intervision ------------------------------------------------------------------------------


def test_coaches_record_an_intervision_and_see_their_own(client, coached):
    w = coached
    colleague = make_user("colleague", first_name="Kees")
    add_membership(colleague, w.youth_care, Role.COACH)
    stranger = make_user("stranger")
    add_membership(stranger, w.youth_care, Role.COACH)
    client.force_login(w.coach)
    response = client.post(
        reverse("coaching:intervision-create"),
        {
            "held_on": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
            "topic": "Biting in toddler groups",
            "coaches": [colleague.pk],
            "notes": "Look at the group's rhythm first.",
        },
    )
    assert response.status_code == 302
    intervision = Intervision.objects.get()
    assert set(intervision.coaches.all()) == {w.coach, colleague}
    for user, sees in ((w.coach, True), (colleague, True), (stranger, False)):
        client.force_login(user)
        page = client.get(reverse("coaching:intervision-list")).content.decode()
        assert ("Biting in toddler groups" in page) is sees


def test_an_intervision_is_not_in_the_future(coached):
    with pytest.raises(ValidationError):
        services.intervision_record(
            actor=coached.coach,
            held_on=timezone.localdate() + datetime.timedelta(days=1),
            topic="Later",
        )


@pytest.mark.parametrize("persona", ["pm_a", "manager", "outsider"])
def test_intervision_is_for_coaches(client, coached, persona):
    client.force_login(getattr(coached, persona))
    assert client.get(reverse("coaching:intervision-list")).status_code == 404
    assert client.get(reverse("coaching:intervision-create")).status_code == 404
