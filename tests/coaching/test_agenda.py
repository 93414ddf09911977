"""The agenda: pre-filled with the groups' open items, ordered by the coach,
anonymous where the viewer may not see the child's case — and the report's
notes about a child on that child's timeline, and nowhere else."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casework.models import Plan, PlanAction
from coaching import services
from coaching.models import AgendaItem
from tests.conftest import grant_consent

from .conftest import at, bulk_visits, make_visit

QUESTION = "She hits when another child takes her toy: how do we respond?"
NOTES = "Name the feeling first, then offer a second toy; practise in the morning circle."


def visit_url(visit, name="visit-detail"):
    return reverse(f"coaching:{name}", kwargs={"visit_uuid": visit.uuid})


def ask_about_mieke(w, visit):
    return services.agenda_item_add(
        actor=w.pm_a, visit=visit, topic="one_child", case=w.case_a, question=QUESTION
    )


def test_the_coach_sees_a_child_without_coach_consent_as_a_child_in_the_group(client, coached):
    w = coached
    visit = make_visit(w)
    ask_about_mieke(w, visit)
    client.force_login(w.coach)
    page = client.get(visit_url(visit)).content.decode()
    assert "A child in the group" in page
    assert QUESTION in page
    assert "Mieke" not in page and "Testkind" not in page
    assert w.case_a.get_absolute_url() not in page


def test_with_the_coach_consent_the_coach_sees_the_childs_name_and_case(client, coached):
    w = coached
    visit = make_visit(w)
    ask_about_mieke(w, visit)
    grant_consent(w.child_a, actor=w.pm_a, scope="observation_by_coach")
    client.force_login(w.coach)
    page = client.get(visit_url(visit)).content.decode()
    assert "Mieke Testkind" in page
    assert w.case_a.get_absolute_url() in page


def test_a_plan_actions_text_stays_hidden_from_who_may_not_see_the_case(client, coached):
    w = coached
    visit = make_visit(w)
    AgendaItem.objects.create(
        visit=visit,
        topic="one_child",
        case=w.case_a,
        group=w.group_a,
        question="Plan action due: Mieke's mother brings her at 8:30",
        source="plan_action",
        source_key="1",
    )
    client.force_login(w.coach)
    page = client.get(visit_url(visit)).content.decode()
    assert "Mieke" not in page
    client.force_login(w.pm_a)
    assert "Mieke&#x27;s mother" in client.get(visit_url(visit)).content.decode()


def test_pre_filling_adds_the_groups_new_concerns_once(client, coached):
    w = coached
    visit = make_visit(w, groups=[w.group_a, w.group_b])
    client.force_login(w.coach)
    client.post(visit_url(visit, "agenda-prefill"))
    items = list(visit.agenda_items.order_by("position"))
    assert {(i.source, i.case) for i in items} == {("concern", w.case_a), ("concern", w.case_b)}
    assert [i.position for i in items] == [0, 1]
    client.post(visit_url(visit, "agenda-prefill"))
    assert visit.agenda_items.count() == 2


def test_staff_cannot_pre_fill_the_agenda(client, coached):
    visit = make_visit(coached)
    client.force_login(coached.pm_a)
    assert client.post(visit_url(visit, "agenda-prefill")).status_code == 403
    assert not visit.agenda_items.exists()


def _approved_plan(w, version, action):
    plan = Plan.objects.create(
        case=w.case_a,
        version=version,
        status="approved",
        next_evaluation_date=timezone.localdate() + datetime.timedelta(days=90),
        created_by=w.pm_a,
    )
    PlanAction.objects.create(
        plan=plan,
        description=action,
        owner_party="childcare",
        owner_name="Anna",
        due_date=timezone.localdate() + datetime.timedelta(days=3),
    )
    return plan


def test_pre_filling_takes_the_actions_of_the_latest_approved_plan_only(coached):
    w = coached
    _approved_plan(w, 1, "Old action")
    _approved_plan(w, 2, "New action")
    visit = make_visit(w)
    added = services.agenda_prefill(actor=w.coach, visit=visit)
    actions = [i.question for i in added if i.source == "plan_action"]
    assert len(actions) == 1 and "New action" in actions[0]


def test_pre_filling_brings_the_open_follow_ups_of_the_groups_last_visit(coached):
    w = coached
    last = make_visit(w, starts_at=at(days=-7), status="held")
    last.follow_ups.create(
        description="Try the quiet corner", owner_name="Anna", due_on=timezone.localdate()
    )
    # A later visit to another group is not group A's last visit.
    make_visit(w, starts_at=at(days=-1), status="held", groups=[w.group_b])
    visit = make_visit(w)
    added = services.agenda_prefill(actor=w.coach, visit=visit)
    assert any("Try the quiet corner" in i.question for i in added if i.source == "follow_up")


def test_the_coach_orders_the_agenda(client, coached):
    w = coached
    visit = make_visit(w)
    first, second, third = (
        services.agenda_item_add(actor=w.pm_a, visit=visit, topic="group_climate", question=q)
        for q in ("One", "Two", "Three")
    )
    url = reverse(
        "coaching:agenda-item-move", kwargs={"visit_uuid": visit.uuid, "item_uuid": third.uuid}
    )
    client.force_login(w.pm_a)
    assert client.post(url, {"direction": "up"}).status_code == 403
    client.force_login(w.coach)
    assert client.post(url, {"direction": "up"}).status_code == 302
    order = list(visit.agenda_items.order_by("position").values_list("question", flat=True))
    assert order == ["One", "Three", "Two"]
    page = client.get(visit_url(visit)).content.decode()
    assert page.index("Three") < page.index("Two")


def _held_visit_with_notes_about_mieke(w):
    visit = make_visit(w, starts_at=at(hours=-2), groups=[w.group_a, w.group_b])
    item = ask_about_mieke(w, visit)
    services.visit_report(
        actor=w.coach,
        visit=visit,
        notes_by_item={str(item.uuid): NOTES},
        tips=["Use picture cards for the day's rhythm."],
    )
    return visit


def test_notes_about_a_child_appear_on_the_case_timeline(client, coached):
    w = coached
    _held_visit_with_notes_about_mieke(w)
    client.force_login(w.pm_a)
    page = client.get(w.case_a.get_absolute_url()).content.decode()
    assert NOTES in page and "Coach visit" in page
    export = client.get(
        reverse("casework:case-export", kwargs={"case_uuid": w.case_a.uuid})
    ).content.decode()
    assert NOTES in export


def test_notes_about_a_child_appear_nowhere_else(client, coached):
    w = coached
    visit = _held_visit_with_notes_about_mieke(w)
    client.force_login(w.pm_b)
    # The other group's PM may not see Mieke's case: her group page shows the tip,
    # the visit page shows the question anonymously, and neither the notes nor her name.
    group_page = client.get(
        reverse("coaching:group-detail", kwargs={"group_uuid": w.group_b.uuid})
    ).content.decode()
    assert "Use picture cards" in group_page
    assert NOTES not in group_page and "Mieke" not in group_page
    visit_page = client.get(visit_url(visit)).content.decode()
    assert "A child in the group" in visit_page
    assert NOTES not in visit_page and "Mieke" not in visit_page
    assert client.get(w.case_a.get_absolute_url()).status_code == 404
    # Mieke's own group page shows the notes to those who see her case.
    client.force_login(w.pm_a)
    own_group = client.get(
        reverse("coaching:group-detail", kwargs={"group_uuid": w.group_a.uuid})
    ).content.decode()
    assert NOTES in own_group and "Mieke Testkind" in own_group


def test_the_coach_reads_their_own_notes_but_not_the_case(client, coached):
    w = coached
    visit = _held_visit_with_notes_about_mieke(w)
    client.force_login(w.coach)
    page = client.get(visit_url(visit)).content.decode()
    assert NOTES in page and "Mieke" not in page
    assert client.get(w.case_a.get_absolute_url()).status_code == 404


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("persona", ["coach", "pm_a", "manager"])
def test_the_visit_page_uses_the_same_queries_with_5_and_500_visits(client, coached, persona):
    w = coached
    visit = bulk_visits(w, 5)[0]
    AgendaItem.objects.bulk_create(
        AgendaItem(visit=visit, topic="one_child", case=w.case_a, group=w.group_a, question=f"Q{n}")
        for n in range(3)
    )
    client.force_login(getattr(w, persona))
    small = _count(client, visit_url(visit))
    bulk_visits(w, 495)
    AgendaItem.objects.bulk_create(
        AgendaItem(visit=visit, topic="one_child", case=w.case_a, group=w.group_a, question=f"R{n}")
        for n in range(100)
    )
    assert _count(client, visit_url(visit)) == small


def test_the_agenda_and_report_form_use_the_same_queries_with_5_and_500_visits(client, coached):
    w = coached
    visit = bulk_visits(w, 5, first=at(hours=-1))[0]
    client.force_login(w.coach)
    small = [_count(client, visit_url(visit, name)) for name in ("visit-detail", "visit-report")]
    bulk_visits(w, 495, first=at(hours=-1))
    AgendaItem.objects.bulk_create(
        AgendaItem(visit=visit, topic="group_climate", group=w.group_a, question=f"Q{n}")
        for n in range(100)
    )
    large = [_count(client, visit_url(visit, name)) for name in ("visit-detail", "visit-report")]
    assert large == small
