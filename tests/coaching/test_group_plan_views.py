"""Group plan pages: who gets in, the whole drafting and review cycle through the
pages, bad input that changes nothing, children hidden from who may not see
their case, and query counts that do not grow with the plan."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casework import services as case_services
from coaching import services
from coaching.models import GroupPlan, GroupPlanStaffing, GroupPlanTip, VisitTip
from pilots.models import Group
from tests.conftest import add_parents, grant_consent, log_concern

from .conftest import at, make_visit

TODAY = timezone.localdate
FULL_DAY = {"starts_at": datetime.time(7, 30), "ends_at": datetime.time(18, 30)}


# --- builders -----------------------------------------------------------------------------------


def plan_url(plan, name="group-plan-detail", **kwargs):
    return reverse(f"coaching:{name}", kwargs={"plan_uuid": plan.uuid, **kwargs})


def group_url(group, name="group-plans"):
    return reverse(f"coaching:{name}", kwargs={"group_uuid": group.uuid})


def staffing_row(weekday=0, *, staff=2, toddlers=16, day_kind="school", **times):
    """A day-care day part with `toddlers` children aged 2–3 (ratio 1:8)."""
    return {
        "weekday": weekday,
        "day_kind": day_kind,
        **(times or FULL_DAY),
        "children_0_1": 0,
        "children_1_2": 0,
        "children_2_3": toddlers,
        "children_3_4": 0,
        "staff_planned": staff,
    }


def add_child(w, first_name, *, case_actor=None):
    child = case_services.child_register(
        actor=w.manager,
        first_name=first_name,
        last_name="Groepskind",
        date_of_birth=datetime.date(2022, 5, 1),
        group=w.group_a,
    )
    return log_concern(case_actor or w.pm_a, child).case


def filled_plan(w, *, actor=None):
    """A draft for group A with a goal, a child, a team tip and a day part that
    meets the ratio."""
    actor = actor or w.pm_a
    plan = services.group_plan_start(actor=actor, group=w.group_a)
    services.group_plan_update(
        actor=actor,
        plan=plan,
        period_start=plan.period_start,
        period_end=plan.period_end,
        evaluation_date=plan.evaluation_date,
        approach="Rust en ritme.",
        room_arrangements="A quiet corner.",
        goals=["Every child joins the circle"],
    )
    services.group_plan_set_children(
        actor=actor, plan=plan, children=[(w.case_a, "A calm start of the day")]
    )
    services.group_plan_set_tips(actor=actor, plan=plan, tips=[{"text": "Name what you see"}])
    services.group_plan_set_staffing(actor=actor, plan=plan, rows=[staffing_row()])
    return plan


def formset_data(prefix, rows, *, initial=0):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for number, row in enumerate(rows):
        for name, value in row.items():
            data[f"{prefix}-{number}-{name}"] = "" if value is None else str(value)
    return data


def _row(row):
    """A staffing row as the form sends it."""
    return {
        name: value.strftime("%H:%M") if isinstance(value, datetime.time) else value
        for name, value in row.items()
    }


@pytest.fixture
def plan(coached):
    return filled_plan(coached)


# --- who gets in --------------------------------------------------------------------------------

READ_PAGES = ["group-plan-detail"]
DRAFT_PAGES = [
    ("group-plan-edit", "get"),
    ("group-plan-children", "get"),
    ("group-plan-tips", "get"),
    ("group-plan-staffing", "get"),
    ("group-plan-pull-tips", "post"),
    ("group-plan-submit", "get"),
    ("group-plan-submit", "post"),
    ("group-plan-evaluate", "get"),
    ("group-plan-tip-check", "get"),
    ("group-plan-tip-check", "post"),
]
DECISION_PAGES = [
    ("group-plan-approve", "get"),
    ("group-plan-approve", "post"),
    ("group-plan-return", "get"),
    ("group-plan-return", "post"),
]
EVERY_PLAN_PAGE = [("group-plan-detail", "get")] + DRAFT_PAGES + DECISION_PAGES


def url_of(plan, name):
    if name == "group-plan-tip-check":
        return plan_url(plan, name, tip_id=plan.tips.get().pk)
    return plan_url(plan, name)


def ask(client, method, url):
    return client.post(url) if method == "post" else client.get(url)


@pytest.mark.parametrize(("name", "method"), EVERY_PLAN_PAGE)
def test_anonymous_visitors_are_sent_to_the_login(client, plan, name, method):
    response = ask(client, method, url_of(plan, name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ["group-plans", "group-plan-start"])
def test_the_group_pages_need_a_login(client, coached, name):
    response = client.post(group_url(coached.group_a, name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("name", "method"), EVERY_PLAN_PAGE)
def test_a_plan_is_hidden_from_who_may_not_read_the_groups_plans(
    client, coached, plan, name, method
):
    for persona in ("outsider", "pm_b", "project_leader", "org_admin", "school_user"):
        client.force_login(getattr(coached, persona))
        assert ask(client, method, url_of(plan, name)).status_code == 404, persona


@pytest.mark.parametrize("persona", ["outsider", "pm_b", "project_leader", "school_user"])
def test_the_versions_list_and_start_are_hidden_from_outsiders(client, coached, persona):
    client.force_login(getattr(coached, persona))
    assert client.get(group_url(coached.group_a)).status_code == 404
    assert client.post(group_url(coached.group_a, "group-plan-start")).status_code == 404
    assert not GroupPlan.objects.exists()


@pytest.mark.parametrize("persona", ["coach", "pm_a", "manager", "coordinator"])
def test_the_groups_staff_managers_and_coach_read_the_plan(client, coached, plan, persona):
    client.force_login(getattr(coached, persona))
    assert client.get(group_url(plan.group)).status_code == 200
    response = client.get(plan_url(plan))
    assert response.status_code == 200
    assert "Rust en ritme." in response.content.decode()


@pytest.mark.parametrize(("name", "method"), DRAFT_PAGES + DECISION_PAGES)
def test_the_coach_reads_but_may_not_change_anything(client, coached, plan, name, method):
    client.force_login(coached.coach)
    assert ask(client, method, url_of(plan, name)).status_code == 403
    assert client.post(group_url(plan.group, "group-plan-start")).status_code == 403
    assert GroupPlan.objects.get().status == "draft"


@pytest.mark.parametrize(("name", "method"), DECISION_PAGES)
def test_pms_and_care_coordinators_may_not_approve_or_return(client, coached, plan, name, method):
    w = coached
    services.group_plan_submit(actor=w.pm_a, plan=plan)
    for persona in (w.pm_a, w.coordinator):
        client.force_login(persona)
        assert ask(client, method, url_of(plan, name)).status_code == 403
    assert GroupPlan.objects.get().status == "submitted"


@pytest.mark.parametrize(("name", "method"), DRAFT_PAGES)
def test_the_pm_of_the_group_opens_every_drafting_page(client, coached, plan, name, method):
    client.force_login(coached.pm_a)
    assert ask(client, method, url_of(plan, name)).status_code in (200, 302)


def test_only_the_location_manager_sees_the_decision_buttons(client, coached, plan):
    w = coached
    services.group_plan_submit(actor=w.pm_a, plan=plan)
    approve = plan_url(plan, "group-plan-approve")
    client.force_login(w.pm_a)
    assert approve not in client.get(plan_url(plan)).content.decode()
    client.force_login(w.manager)
    assert approve in client.get(plan_url(plan)).content.decode()


def test_a_tip_of_another_plan_answers_404(client, coached, plan):
    w = coached
    other = services.group_plan_start(actor=w.pm_b, group=w.group_b)
    services.group_plan_set_tips(actor=w.pm_b, plan=other, tips=[{"text": "Other group"}])
    foreign = other.tips.get()
    client.force_login(w.manager)
    url = plan_url(plan, "group-plan-tip-check", tip_id=foreign.pk)
    assert client.get(url).status_code == 404
    response = client.post(url, {"applied": "applied", "checked_on": TODAY().isoformat()})
    assert response.status_code == 404
    assert GroupPlanTip.objects.get(pk=foreign.pk).applied == "not_checked"


# --- the versions list --------------------------------------------------------------------------


def test_a_pm_starts_the_first_version_from_the_versions_list(client, coached):
    w = coached
    client.force_login(w.pm_a)
    page = client.get(group_url(w.group_a)).content.decode()
    assert "data-start-version" in page
    response = client.post(group_url(w.group_a, "group-plan-start"))
    plan = GroupPlan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == plan_url(plan)
    assert (plan.group, plan.version, plan.status, plan.created_by) == (
        w.group_a,
        1,
        "draft",
        w.pm_a,
    )
    assert "data-start-version" not in client.get(group_url(w.group_a)).content.decode()


def test_a_second_start_while_one_is_in_progress_changes_nothing(client, coached, plan):
    client.force_login(coached.pm_a)
    response = client.post(group_url(plan.group, "group-plan-start"))
    assert response.status_code == 302
    assert GroupPlan.objects.count() == 1


def test_the_coach_sees_the_versions_but_no_start_button(client, coached, plan):
    client.force_login(coached.coach)
    page = client.get(group_url(plan.group)).content.decode()
    assert plan_url(plan) in page
    assert "data-start-version" not in page


def test_the_group_page_links_to_the_plans_and_shows_the_current_evaluation_date(
    client, coached, plan
):
    w = coached
    services.group_plan_submit(actor=w.pm_a, plan=plan)
    services.group_plan_approve(actor=w.manager, plan=plan)
    client.force_login(w.pm_a)
    page = client.get(reverse("coaching:group-detail", args=[w.group_a.uuid])).content.decode()
    assert group_url(w.group_a) in page
    assert plan_url(plan) in page
    assert f'datetime="{plan.evaluation_date.isoformat()}"' in page


# --- the whole cycle through the pages ----------------------------------------------------------


def test_the_whole_cycle_from_draft_to_evaluation(client, coached):
    w = coached
    client.force_login(w.pm_a)
    client.post(group_url(w.group_a, "group-plan-start"))
    plan = GroupPlan.objects.get()
    start = TODAY()

    main = {
        "period_start": start.isoformat(),
        "period_end": (start + datetime.timedelta(days=180)).isoformat(),
        "evaluation_date": (start + datetime.timedelta(days=170)).isoformat(),
        "approach": "Fixed rhythm, small groups at the table.",
        "room_arrangements": "A quiet room next to the group.",
        **formset_data("goals", [{"description": "Children help each other"}, {"description": ""}]),
    }
    response = client.post(plan_url(plan, "group-plan-edit"), main)
    assert response.status_code == 302 and response["Location"] == plan_url(plan)
    plan.refresh_from_db()
    assert plan.approach.startswith("Fixed rhythm")
    assert list(plan.goals.values_list("description", flat=True)) == ["Children help each other"]

    children = formset_data(
        "children", [{"case": w.case_a.uuid, "extra_attention": "Time to land"}, {"case": ""}]
    )
    assert client.post(plan_url(plan, "group-plan-children"), children).status_code == 302
    assert list(plan.children.values_list("case", "extra_attention")) == [
        (w.case_a.pk, "Time to land")
    ]

    tips = formset_data("tips", [{"id": "", "text": "Give one instruction at a time"}])
    assert client.post(plan_url(plan, "group-plan-tips"), tips).status_code == 302
    assert plan.tips.get().source == "team"

    # Sixteen toddlers with one member of staff all day: below the ratio.
    understaffed = formset_data("staffing", [_row(staffing_row(0, staff=1)), _row(staffing_row(1))])
    assert client.post(plan_url(plan, "group-plan-staffing"), understaffed).status_code == 302
    assert plan.staffing.count() == 2
    assert plan.staffing.first().history.first().history_user == w.pm_a

    response = client.post(plan_url(plan, "group-plan-submit"), {"comment": "Please look"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == "submitted"

    client.force_login(w.manager)
    page = client.get(plan_url(plan)).content.decode()
    assert "data-staffing-warning" in page
    assert 'data-staffing-status="understaffed"' in page

    response = client.post(plan_url(plan, "group-plan-approve"))
    assert response.status_code == 200  # the form with the reasons, nothing changes
    assert "error-summary" in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == "submitted"

    assert client.post(plan_url(plan, "group-plan-return"), {"comment": ""}).status_code == 200
    plan.refresh_from_db()
    assert plan.status == "submitted"
    response = client.post(plan_url(plan, "group-plan-return"), {"comment": "Two staff on Monday"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == "returned"

    client.force_login(w.pm_a)
    fixed = formset_data("staffing", [_row(staffing_row(0)), _row(staffing_row(1))], initial=2)
    assert client.post(plan_url(plan, "group-plan-staffing"), fixed).status_code == 302
    assert sorted(plan.staffing.values_list("staff_planned", flat=True)) == [2, 2]
    assert client.post(plan_url(plan, "group-plan-submit"), {"comment": ""}).status_code == 302

    client.force_login(w.manager)
    assert "data-staffing-warning" not in client.get(plan_url(plan)).content.decode()
    response = client.post(plan_url(plan, "group-plan-approve"), {"comment": "Good plan"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == "approved"
    actions = list(plan.reviews.values_list("action", "by", "comment"))
    assert actions == [
        ("submitted", w.pm_a.pk, "Please look"),
        ("returned", w.manager.pk, "Two staff on Monday"),
        ("submitted", w.pm_a.pk, ""),
        ("approved", w.manager.pk, "Good plan"),
    ]

    client.force_login(w.pm_a)
    evaluation = {"evaluated_on": TODAY().isoformat(), "evaluation": "The rhythm works."}
    assert client.post(plan_url(plan, "group-plan-evaluate"), evaluation).status_code == 302
    plan.refresh_from_db()
    assert (plan.evaluated_on, plan.evaluation) == (TODAY(), "The rhythm works.")
    page = client.get(plan_url(plan)).content.decode()
    assert 'data-review="evaluated"' in page


def test_an_approved_version_sends_edit_pages_back_to_the_plan(client, coached, plan):
    w = coached
    services.group_plan_submit(actor=w.pm_a, plan=plan)
    services.group_plan_approve(actor=w.manager, plan=plan)
    client.force_login(w.pm_a)
    for name in (
        "group-plan-edit",
        "group-plan-children",
        "group-plan-tips",
        "group-plan-staffing",
    ):
        response = client.get(plan_url(plan, name))
        assert response.status_code == 302 and response["Location"] == plan_url(plan)


def test_fetching_tips_adds_the_tips_of_held_visits(client, coached, plan):
    w = coached
    visit = make_visit(w, starts_at=at(days=-3), status="held")
    VisitTip.objects.create(visit=visit, text="Sing the tidy-up song", created_by=w.coach)
    client.force_login(w.pm_a)
    response = client.post(plan_url(plan, "group-plan-pull-tips"))
    assert response.status_code == 302
    assert plan.tips.filter(source="visit", visit_tip__visit=visit).count() == 1
    # The PM takes part in the visit, so the tip links to it.
    assert visit.get_absolute_url() in client.get(plan_url(plan)).content.decode()


def test_the_team_checks_whether_a_tip_was_applied(client, coached, plan):
    w = coached
    tip = plan.tips.get()
    client.force_login(w.pm_a)
    url = plan_url(plan, "group-plan-tip-check", tip_id=tip.pk)
    response = client.post(
        url, {"applied": "partly", "checked_on": TODAY().isoformat(), "note": "Most days"}
    )
    assert response.status_code == 302
    tip.refresh_from_db()
    assert (tip.applied, tip.checked_on, tip.check_note) == ("partly", TODAY(), "Most days")
    assert tip.history.first().history_user == w.pm_a
    assert 'data-applied="partly"' in client.get(plan_url(plan)).content.decode()


# --- bad input changes nothing ------------------------------------------------------------------


def test_a_day_part_that_ends_before_it_starts_saves_no_row(client, coached, plan):
    w = coached
    before = list(plan.staffing.values_list("pk", flat=True))
    history = GroupPlanStaffing.history.count()
    client.force_login(w.pm_a)
    rows = [
        _row(staffing_row(2)),
        _row(staffing_row(3, starts_at=datetime.time(12, 0), ends_at=datetime.time(9, 0))),
    ]
    response = client.post(plan_url(plan, "group-plan-staffing"), formset_data("staffing", rows))
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    assert response.context["formset"].forms[1].errors["ends_at"]
    assert list(plan.staffing.values_list("pk", flat=True)) == before
    assert GroupPlanStaffing.history.count() == history


def test_overlapping_day_parts_are_refused_by_the_service_and_nothing_is_saved(
    client, coached, plan
):
    w = coached
    before = list(plan.staffing.values_list("pk", "weekday"))
    client.force_login(w.pm_a)
    rows = [
        _row(staffing_row(4, starts_at=datetime.time(8, 0), ends_at=datetime.time(13, 0))),
        _row(staffing_row(4, starts_at=datetime.time(12, 0), ends_at=datetime.time(18, 0))),
    ]
    response = client.post(plan_url(plan, "group-plan-staffing"), formset_data("staffing", rows))
    assert response.status_code == 200
    assert response.context["errors"].non_field_errors()
    assert list(plan.staffing.values_list("pk", "weekday")) == before


def test_a_period_that_ends_before_it_starts_changes_nothing(client, coached, plan):
    w = coached
    client.force_login(w.pm_a)
    data = {
        "period_start": TODAY().isoformat(),
        "period_end": (TODAY() - datetime.timedelta(days=1)).isoformat(),
        "evaluation_date": TODAY().isoformat(),
        "approach": "Changed",
        "room_arrangements": "",
        **formset_data("goals", [{"description": "A new goal"}]),
    }
    response = client.post(plan_url(plan, "group-plan-edit"), data)
    assert response.status_code == 200
    assert response.context["form"].errors
    plan.refresh_from_db()
    assert plan.approach == "Rust en ritme."
    assert list(plan.goals.values_list("description", flat=True)) == [
        "Every child joins the circle"
    ]


def test_a_child_row_without_the_extra_attention_is_refused(client, coached, plan):
    w = coached
    client.force_login(w.pm_a)
    data = formset_data("children", [{"case": w.case_a.uuid, "extra_attention": ""}])
    response = client.post(plan_url(plan, "group-plan-children"), data)
    assert response.status_code == 200
    assert plan.children.get().extra_attention == "A calm start of the day"


def test_a_case_of_another_group_cannot_be_chosen(client, coached, plan):
    w = coached
    client.force_login(w.manager)
    data = formset_data("children", [{"case": w.case_b.uuid, "extra_attention": "Help"}])
    response = client.post(plan_url(plan, "group-plan-children"), data)
    assert response.status_code == 200
    assert list(plan.children.values_list("case", flat=True)) == [w.case_a.pk]


# --- children the reader may not see ------------------------------------------------------------


def test_a_child_whose_case_the_coach_may_not_see_is_absent(client, coached, plan):
    w = coached
    case_c = add_child(w, "Noor")
    add_parents(case_c.child, actor=w.manager)
    grant_consent(case_c.child, actor=w.pm_a, scope="observation_by_coach")
    services.group_plan_set_children(
        actor=w.pm_a,
        plan=plan,
        children=[(w.case_a, "A calm start"), (case_c, "Words for feelings")],
    )
    client.force_login(w.coach)
    page = client.get(plan_url(plan)).content.decode()
    assert f'data-case="{case_c.uuid}"' in page
    assert f'data-case="{w.case_a.uuid}"' not in page
    assert str(w.case_a.uuid) not in page
    assert "Mieke" not in page and "A calm start" not in page

    client.force_login(w.manager)
    page = client.get(plan_url(plan)).content.decode()
    assert f'data-case="{w.case_a.uuid}"' in page and f'data-case="{case_c.uuid}"' in page


def test_reading_the_plan_is_logged_for_each_child_shown(client, coached, plan):
    from casework.models import AccessLogEntry

    w = coached
    client.force_login(w.pm_a)
    client.get(plan_url(plan))
    assert AccessLogEntry.objects.filter(user=w.pm_a, case=w.case_a, action="view").exists()


def test_a_tip_from_a_childs_plan_does_not_name_the_child(client, coached, plan):
    w = coached
    GroupPlanTip.objects.create(
        plan=plan, text="Use pictures for the day", source="child_plan", position=9
    )
    client.force_login(w.coach)
    page = client.get(plan_url(plan)).content.decode()
    assert "Use pictures for the day" in page
    assert "Mieke" not in page


# --- query counts -------------------------------------------------------------------------------


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _grow(w, plan, size):
    """Give `plan` `size` goals, children, tips from a visit, day parts and reviews."""
    cases = [w.case_a] + [add_child(w, f"Kind{n}") for n in range(size - 1)]
    visit = make_visit(w, starts_at=at(days=-2, minutes=size), status="held")
    VisitTip.objects.bulk_create(
        VisitTip(visit=visit, text=f"Tip {size}-{n}", created_by=w.coach) for n in range(size)
    )
    services.group_plan_pull_tips(actor=w.pm_a, plan=plan)
    services.group_plan_update(
        actor=w.pm_a,
        plan=plan,
        period_start=plan.period_start,
        period_end=plan.period_end,
        evaluation_date=plan.evaluation_date,
        approach="Rust",
        room_arrangements="",
        goals=[f"Goal {n}" for n in range(size)],
    )
    services.group_plan_set_children(
        actor=w.pm_a, plan=plan, children=[(case, "Extra attention") for case in cases]
    )
    rows = [staffing_row(n % 5, day_kind=("school", "holiday")[n // 5]) for n in range(size)]
    services.group_plan_set_staffing(actor=w.pm_a, plan=plan, rows=rows)
    while plan.reviews.count() < size:
        services.group_plan_submit(actor=w.pm_a, plan=plan)
        services.group_plan_return(actor=w.manager, plan=plan, comment="Again")


@pytest.mark.parametrize("persona", ["manager", "pm_a"])
def test_the_plan_page_costs_the_same_queries_for_a_small_and_a_large_plan(
    client, coached, persona
):
    w = coached
    plan = services.group_plan_start(actor=w.pm_a, group=w.group_a)
    _grow(w, plan, 1)
    client.force_login(getattr(w, persona))
    small = _count(client, plan_url(plan))
    _grow(w, plan, 10)
    assert plan.children.count() == 10 and plan.staffing.count() == 10
    assert plan.tips.count() == 11 and plan.goals.count() == 10
    assert _count(client, plan_url(plan)) == small


def test_the_versions_list_costs_the_same_queries_for_one_and_ten_versions(client, coached):
    w = coached
    first = filled_plan(w)
    services.group_plan_submit(actor=w.pm_a, plan=first)
    services.group_plan_approve(actor=w.manager, plan=first)
    client.force_login(w.manager)
    one = _count(client, group_url(w.group_a))
    GroupPlan.objects.bulk_create(
        GroupPlan(
            group=w.group_a,
            version=n,
            status="approved",
            period_start=first.period_start,
            period_end=first.period_end,
            evaluation_date=first.evaluation_date,
            created_by=[w.pm_a, w.manager, w.coordinator][n % 3],
        )
        for n in range(2, 11)
    )
    assert _count(client, group_url(w.group_a)) == one


def test_an_after_school_group_plans_its_staffing_in_the_two_school_age_bands(client, coached):
    w = coached
    bso = Group.objects.create(
        location=w.location, name="Bengels", age_band=Group.AgeBand.SCHOOL_AGE, capacity=22
    )
    plan = services.group_plan_start(actor=w.manager, group=bso)
    client.force_login(w.manager)
    page = client.get(plan_url(plan, "group-plan-staffing")).content.decode()
    assert 'name="staffing-0-children_4_7"' in page
    assert 'name="staffing-0-children_0_1"' not in page
    row = {
        "weekday": 2,
        "day_kind": "school",
        "starts_at": "14:00",
        "ends_at": "18:00",
        "children_4_7": 10,
        "children_7_plus": 12,
        "children_0_1": 5,  # not asked for this group: ignored
        "staff_planned": 2,
    }
    response = client.post(plan_url(plan, "group-plan-staffing"), formset_data("staffing", [row]))
    assert response.status_code == 302
    saved = plan.staffing.get()
    assert (saved.children_4_7, saved.children_7_plus, saved.children_0_1) == (10, 12, 0)
    page = client.get(plan_url(plan)).content.decode()
    assert 'data-staffing-status="ok"' in page
    assert "data-per-location" in page  # counted per location since July 2024
