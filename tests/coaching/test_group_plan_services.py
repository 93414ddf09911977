"""The group plan services: versions, the flow of tips for the whole group from
visit reports and child plans, drafting section by section, the applied-check,
review and evaluation, and the history every write leaves."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from casework import services as casework_services
from casework.models import PlanStatus
from casework.selectors import cases_for_user
from coaching import group_plan_selectors as selectors
from coaching import services
from coaching.models import (
    GroupPlan,
    GroupPlanChild,
    GroupPlanGoal,
    GroupPlanReview,
    GroupPlanStaffing,
    GroupPlanTip,
    VisitTip,
)
from pilots.models import Group
from tests.conftest import grant_consent, log_concern

from .conftest import at, make_visit

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate  # called each time: a run may pass midnight


def on_day(days_from_today: int | None) -> datetime.date | None:
    """A date counted from today when the test runs (a parameter is worked out
    when the tests are collected, maybe the day before)."""
    return None if days_from_today is None else TODAY() + datetime.timedelta(days=days_from_today)


APPROACH = "A fixed rhythm with a quiet corner after lunch."
ROOMS = "The sleeping room doubles as a quiet room in the morning."
GOALS = ["Every child has a buddy at the table.", "Transitions are announced with a song."]


def day_part(weekday=0, starts_at="07:30", ends_at="18:00", staff=1, day_kind="school", **counts):
    """One staffing row as the form sends it (times parsed, counts per band)."""
    return {
        "weekday": weekday,
        "day_kind": day_kind,
        "starts_at": datetime.time.fromisoformat(starts_at),
        "ends_at": datetime.time.fromisoformat(ends_at),
        "staff_planned": staff,
        **counts,
    }


# Six children aged 2 to 3 need one member of staff: within the ratio all day.
ENOUGH_STAFF = [day_part(children_2_3=6, staff=1)]


def fill(actor, plan, *, goals=GOALS, staffing=ENOUGH_STAFF):
    """Give the plan what submitting needs: the approach, goals and staffing."""
    services.group_plan_update(
        actor=actor,
        plan=plan,
        period_start=plan.period_start,
        period_end=plan.period_end,
        evaluation_date=plan.evaluation_date,
        approach=APPROACH,
        room_arrangements=ROOMS,
        goals=list(goals),
    )
    services.group_plan_set_staffing(actor=actor, plan=plan, rows=list(staffing))
    return plan


def approved_plan(w, **fill_kwargs):
    """Group A's plan, drafted by its PM and approved by the location manager."""
    plan = fill(w.pm_a, services.group_plan_start(actor=w.pm_a, group=w.group_a), **fill_kwargs)
    services.group_plan_submit(actor=w.pm_a, plan=plan)
    return services.group_plan_approve(actor=w.manager, plan=plan)


def child_with_case(w, first_name, group=None):
    child = casework_services.child_register(
        actor=w.manager,
        first_name=first_name,
        last_name="Groepskind",
        date_of_birth=datetime.date(2022, 1, 10),
        group=group or w.group_a,
    )
    return log_concern(w.manager, child).case


def held_visit_with_tip(w, text, *, groups=None, days_ago=3):
    """A visit that took place, reported by the coach with one tip for the group."""
    visit = make_visit(w, starts_at=at(days=-days_ago), groups=groups)
    services.visit_report(actor=w.coach, visit=visit, notes_by_item={}, tips=[text])
    return visit.tips.get()


def child_plan_draft(w, case, actions):
    """A new version of the child's plan; `actions` are (description, for_whole_group)."""
    plan = casework_services.plan_start_version(actor=w.manager, case=case)
    return casework_services.plan_update(
        actor=w.manager,
        plan=plan,
        whole_group_learning="",
        next_evaluation_date=TODAY() + datetime.timedelta(weeks=6),
        goals=[{"description": "Plays with one other child.", "owner_party": "childcare"}],
        actions=[
            {
                "description": text,
                "owner_party": "childcare",
                "owner_name": "Anna",
                "due_date": TODAY() + datetime.timedelta(weeks=2),
                "for_whole_group": whole_group,
            }
            for text, whole_group in actions
        ],
    )


def approved_child_plan(w, case, actions):
    plan = child_plan_draft(w, case, actions)
    casework_services.plan_submit(actor=w.manager, plan=plan)
    return casework_services.plan_approve(actor=w.manager, plan=plan)


def tips_of(plan):
    return list(GroupPlanTip.objects.filter(plan=plan).order_by("position", "id"))


def reload(plan):
    return GroupPlan.objects.get(pk=plan.pk)


# --- versions ----------------------------------------------------------------------------------


def test_a_pm_of_the_group_starts_a_draft(cases):
    w = cases
    plan = services.group_plan_start(actor=w.pm_a, group=w.group_a)
    plan = reload(plan)
    assert (plan.group, plan.version, plan.status) == (w.group_a, 1, PlanStatus.DRAFT)
    assert plan.created_by == w.pm_a
    assert plan.period_start == TODAY()
    assert plan.period_start <= plan.evaluation_date <= plan.period_end


def test_a_second_start_while_a_version_is_in_progress_is_refused(cases):
    w = cases
    plan = fill(w.pm_a, services.group_plan_start(actor=w.pm_a, group=w.group_a))
    with pytest.raises(ValidationError):
        services.group_plan_start(actor=w.manager, group=w.group_a)
    services.group_plan_submit(actor=w.pm_a, plan=plan)
    with pytest.raises(ValidationError):
        services.group_plan_start(actor=w.pm_a, group=w.group_a)
    assert GroupPlan.objects.filter(group=w.group_a).count() == 1


@pytest.mark.parametrize("persona", ["pm_b", "coach", "outsider", "school_user"])
def test_who_does_not_draft_for_the_group_cannot_start_its_plan(coached, persona):
    w = coached
    with pytest.raises(PermissionDenied):
        services.group_plan_start(actor=getattr(w, persona), group=w.group_a)
    assert not GroupPlan.objects.exists()


@pytest.mark.parametrize("persona", ["manager", "coordinator"])
def test_the_locations_manager_and_care_coordinator_may_start_a_draft(cases, persona):
    w = cases
    plan = services.group_plan_start(actor=getattr(w, persona), group=w.group_a)
    assert plan.status == PlanStatus.DRAFT


def test_a_new_version_copies_the_approved_one_and_resets_the_applied_check(coached):
    w = coached
    case_gone = child_with_case(w, "Sem")
    visit_tip = held_visit_with_tip(w, "Name what you see before you correct.")
    v1 = fill(w.pm_a, services.group_plan_start(actor=w.pm_a, group=w.group_a))
    services.group_plan_set_children(
        actor=w.pm_a,
        plan=v1,
        children=[(w.case_a, "Land in the quiet room first."), (case_gone, "A buddy at lunch.")],
    )
    pulled = tips_of(v1)[0]
    services.group_plan_set_tips(
        actor=w.pm_a,
        plan=v1,
        tips=[{"id": pulled.pk, "text": pulled.text}, {"text": "Sing before tidying up."}],
    )
    services.group_plan_submit(actor=w.pm_a, plan=v1)
    services.group_plan_approve(actor=w.manager, plan=v1)
    services.group_plan_check_tip(
        actor=w.pm_a, tip=tips_of(v1)[0], applied="applied", checked_on=TODAY(), note="Works."
    )
    casework_services.case_set_status(actor=w.manager, case=case_gone, status="closed")

    v2 = services.group_plan_start(actor=w.pm_a, group=w.group_a)

    assert v2.version == 2 and v2.status == PlanStatus.DRAFT
    assert v2.period_start == v1.period_end + datetime.timedelta(days=1)
    assert (v2.approach, v2.room_arrangements) == (APPROACH, ROOMS)
    assert [g.description for g in v2.goals.all()] == GOALS
    assert [(c.case, c.extra_attention) for c in v2.children.all()] == [
        (w.case_a, "Land in the quiet room first.")
    ]
    copied = [(t.text, t.source, t.visit_tip_id, t.applied, t.checked_on) for t in tips_of(v2)]
    assert copied == [
        (visit_tip.text, "visit", visit_tip.pk, "not_checked", None),
        ("Sing before tidying up.", "team", None, "not_checked", None),
    ]
    fields = ("weekday", "day_kind", "starts_at", "ends_at", "children_2_3", "staff_planned")
    assert list(v2.staffing.values_list(*fields)) == list(v1.staffing.values_list(*fields))
    # The approved version itself is left as it was.
    assert tips_of(v1)[0].applied == "applied"
    assert v1.children.count() == 2


def test_a_new_version_leaves_out_a_child_who_moved_to_another_group(cases):
    w = cases
    case_moved = child_with_case(w, "Lotte")
    plan = fill(w.pm_a, services.group_plan_start(actor=w.pm_a, group=w.group_a))
    services.group_plan_set_children(
        actor=w.pm_a, plan=plan, children=[(w.case_a, "Quiet room."), (case_moved, "Buddy.")]
    )
    services.group_plan_submit(actor=w.pm_a, plan=plan)
    services.group_plan_approve(actor=w.manager, plan=plan)
    casework_services.child_move(actor=w.manager, child=case_moved.child, group=w.group_b)
    new = services.group_plan_start(actor=w.pm_a, group=w.group_a)
    assert [c.case for c in new.children.all()] == [w.case_a]


# --- tips flowing in -----------------------------------------------------------------------------


def test_a_tip_from_a_held_visit_to_the_group_flows_into_the_new_draft(cases):
    w = cases
    visit_tip = held_visit_with_tip(w, "Give a two-minute warning before tidying up.")
    plan = services.group_plan_start(actor=w.pm_a, group=w.group_a)
    [tip] = tips_of(plan)
    assert (tip.text, tip.source, tip.visit_tip) == (visit_tip.text, "visit", visit_tip)
    assert tip.applied == "not_checked"


def test_tips_of_other_groups_and_of_visits_not_held_stay_out(cases):
    w = cases
    held_visit_with_tip(w, "A tip for the other group.", groups=[w.group_b])
    # Tips are only written with a report; these rows stand for stray data.
    for status in ("planned", "cancelled"):
        visit = make_visit(w, starts_at=at(days=-2), status=status)
        VisitTip.objects.create(visit=visit, text=f"A tip of a {status} visit.", created_by=w.coach)
    plan = services.group_plan_start(actor=w.pm_a, group=w.group_a)
    assert tips_of(plan) == []
    assert services.group_plan_pull_tips(actor=w.pm_a, plan=plan) == 0


def test_a_whole_group_action_of_a_childs_current_plan_flows_in(cases):
    w = cases
    child_plan = approved_child_plan(
        w, w.case_a, [("Use picture cards for the daily rhythm.", True), ("Call the GP.", False)]
    )
    plan = services.group_plan_start(actor=w.pm_a, group=w.group_a)
    [tip] = tips_of(plan)
    action = child_plan.actions.get(for_whole_group=True)
    assert (tip.text, tip.source, tip.plan_action) == (action.description, "child_plan", action)


def test_only_the_newest_approved_child_plan_version_speaks_for_the_child(cases):
    w = cases
    approved_child_plan(w, w.case_a, [("Old: sing at every transition.", True)])
    approved_child_plan(w, w.case_a, [("New: use picture cards.", True)])
    # A draft is not agreed yet: its actions wait for the approval.
    child_plan_draft(w, w.case_a, [("Draft: a timer on the wall.", True)])
    # A child in another group does not speak for this group.
    approved_child_plan(w, w.case_b, [("Other group: quiet corner.", True)])
    plan = services.group_plan_start(actor=w.pm_a, group=w.group_a)
    assert [t.text for t in tips_of(plan)] == ["New: use picture cards."]


def test_an_action_of_a_closed_case_does_not_flow_in(cases):
    w = cases
    approved_child_plan(w, w.case_a, [("Use picture cards.", True)])
    casework_services.case_set_status(actor=w.manager, case=w.case_a, status="closed")
    plan = services.group_plan_start(actor=w.pm_a, group=w.group_a)
    assert tips_of(plan) == []


def test_pulling_again_adds_only_what_is_new_and_never_the_same_text_twice(cases):
    w = cases
    held_visit_with_tip(w, "Use picture cards for the daily rhythm.")
    approved_child_plan(w, w.case_a, [("Use picture cards for the daily rhythm.", True)])
    plan = services.group_plan_start(actor=w.pm_a, group=w.group_a)
    assert [(t.source, t.text) for t in tips_of(plan)] == [
        ("visit", "Use picture cards for the daily rhythm.")
    ]
    assert services.group_plan_pull_tips(actor=w.pm_a, plan=plan) == 0

    held_visit_with_tip(w, "Sit at the children's height.", days_ago=2)
    second = held_visit_with_tip(w, "  use PICTURE cards for the daily rhythm. ", days_ago=1)
    approved_child_plan(w, w.case_a, [("Announce each transition with a song.", True)])
    assert services.group_plan_pull_tips(actor=w.pm_a, plan=plan) == 2
    assert services.group_plan_pull_tips(actor=w.pm_a, plan=plan) == 0
    texts = [t.text for t in tips_of(plan)]
    assert texts == [
        "Use picture cards for the daily rhythm.",
        "Sit at the children's height.",
        "Announce each transition with a song.",
    ]
    assert not GroupPlanTip.objects.filter(visit_tip=second).exists()


def test_pulling_is_only_for_who_drafts_and_only_into_an_editable_version(coached):
    w = coached
    plan = fill(w.pm_a, services.group_plan_start(actor=w.pm_a, group=w.group_a))
    for persona in (w.coach, w.pm_b):
        with pytest.raises(PermissionDenied):
            services.group_plan_pull_tips(actor=persona, plan=plan)
    services.group_plan_submit(actor=w.pm_a, plan=plan)
    with pytest.raises(ValidationError):
        services.group_plan_pull_tips(actor=w.pm_a, plan=plan)


# --- drafting, section by section --------------------------------------------------------------


def _update(w, plan, **changes):
    values = {
        "period_start": plan.period_start,
        "period_end": plan.period_end,
        "evaluation_date": plan.evaluation_date,
        "approach": "A new approach.",
        "room_arrangements": "A new room.",
        "goals": ["A new goal."],
    }
    values.update(changes)
    return services.group_plan_update(actor=w.pm_a, plan=plan, **values)


@pytest.mark.parametrize(
    "changes",
    [
        {"period_end": TODAY() - datetime.timedelta(days=1)},
        {"evaluation_date": TODAY() - datetime.timedelta(days=1)},
        {"evaluation_date": TODAY() + datetime.timedelta(weeks=26 + 5)},
        {"evaluation_date": None},
        {"goals": ["x" * 1001]},
    ],
    ids=["end-before-start", "evaluation-before", "evaluation-long-after", "no-evaluation", "goal"],
)
def test_an_invalid_update_changes_nothing(cases, changes):
    w = cases
    plan = fill(w.pm_a, services.group_plan_start(actor=w.pm_a, group=w.group_a))
    before = reload(plan)
    with pytest.raises(ValidationError):
        _update(w, plan, **changes)
    after = reload(plan)
    fields = ("period_start", "period_end", "evaluation_date", "approach", "room_arrangements")
    assert [getattr(after, f) for f in fields] == [getattr(before, f) for f in fields]
    assert [g.description for g in GroupPlanGoal.objects.filter(plan=plan)] == GOALS


def test_an_update_replaces_the_text_and_the_goals(cases):
    w = cases
    plan = fill(w.pm_a, services.group_plan_start(actor=w.pm_a, group=w.group_a))
    end = plan.period_start + datetime.timedelta(weeks=10)
    _update(w, plan, period_end=end, evaluation_date=end, goals=["  First.  ", "", "Second."])
    plan = reload(plan)
    assert (plan.period_end, plan.evaluation_date, plan.approach) == (end, end, "A new approach.")
    assert [g.description for g in plan.goals.all()] == ["First.", "Second."]


def test_the_evaluation_may_fall_shortly_after_the_period(cases):
    w = cases
    plan = services.group_plan_start(actor=w.pm_a, group=w.group_a)
    _update(w, plan, evaluation_date=plan.period_end + datetime.timedelta(weeks=2))
    assert reload(plan).evaluation_date == plan.period_end + datetime.timedelta(weeks=2)


def test_children_must_be_open_cases_in_the_group_the_actor_may_see(cases):
    w = cases
    plan = services.group_plan_start(actor=w.pm_a, group=w.group_a)
    services.group_plan_set_children(actor=w.pm_a, plan=plan, children=[(w.case_a, "Quiet.")])
    attempts = [
        # The manager sees group B's child, but it is not in this group.
        (w.manager, [(w.case_a, "Quiet."), (w.case_b, "Buddy.")]),
        # Group A's PM may not see group B's child at all.
        (w.pm_a, [(w.case_b, "Buddy.")]),
        (w.pm_a, [(w.case_a, "Quiet."), (w.case_a, "Twice.")]),
        (w.pm_a, [(w.case_a, "")]),
    ]
    for actor, children in attempts:
        with pytest.raises(ValidationError):
            services.group_plan_set_children(actor=actor, plan=plan, children=children)
    assert [(c.case, c.extra_attention) for c in GroupPlanChild.objects.filter(plan=plan)] == [
        (w.case_a, "Quiet.")
    ]


def test_a_closed_case_cannot_be_added_as_a_child(cases):
    w = cases
    case = child_with_case(w, "Fenna")
    casework_services.case_set_status(actor=w.manager, case=case, status="closed")
    plan = services.group_plan_start(actor=w.pm_a, group=w.group_a)
    with pytest.raises(ValidationError):
        services.group_plan_set_children(actor=w.pm_a, plan=plan, children=[(case, "Buddy.")])


def test_setting_children_leaves_the_children_the_actor_may_not_see_alone(cases):
    w = cases
    case_moved = child_with_case(w, "Lotte")
    plan = services.group_plan_start(actor=w.pm_a, group=w.group_a)
    services.group_plan_set_children(
        actor=w.pm_a, plan=plan, children=[(w.case_a, "Quiet."), (case_moved, "Buddy.")]
    )
    # Lotte moves to group B: group A's PM no longer sees her case.
    casework_services.child_move(actor=w.manager, child=case_moved.child, group=w.group_b)
    assert not cases_for_user(w.pm_a).filter(pk=case_moved.pk).exists()

    services.group_plan_set_children(actor=w.pm_a, plan=plan, children=[])

    assert [(c.case, c.extra_attention) for c in plan.children.all()] == [(case_moved, "Buddy.")]
    assert selectors.visible_children(plan, w.pm_a) == []


def test_each_reader_sees_only_the_children_whose_case_they_may_see(coached):
    w = coached
    case_c = child_with_case(w, "Daan")
    grant_consent(w.child_a, actor=w.pm_a, scope="observation_by_coach")
    plan = services.group_plan_start(actor=w.pm_a, group=w.group_a)
    services.group_plan_set_children(
        actor=w.pm_a, plan=plan, children=[(w.case_a, "Quiet."), (case_c, "Buddy.")]
    )
    assert {c.case for c in selectors.visible_children(plan, w.pm_a)} == {w.case_a, case_c}
    assert [c.case for c in selectors.visible_children(plan, w.coach)] == [w.case_a]
    assert selectors.visible_children(plan, w.pm_b) == []


def test_editing_a_pulled_tip_keeps_its_source_and_removed_tips_are_deleted(cases):
    w = cases
    visit_tip = held_visit_with_tip(w, "Name what you see.")
    plan = services.group_plan_start(actor=w.pm_a, group=w.group_a)
    services.group_plan_set_tips(
        actor=w.pm_a,
        plan=plan,
        tips=[{"id": tips_of(plan)[0].pk, "text": "Name what you see."}, {"text": "Sing."}],
    )
    pulled, team = tips_of(plan)

    services.group_plan_set_tips(
        actor=w.pm_a,
        plan=plan,
        tips=[{"id": str(pulled.pk), "text": "Name what you see, then wait."}, {"text": "  "}],
    )

    [tip] = tips_of(plan)
    assert (tip.pk, tip.text, tip.source, tip.visit_tip) == (
        pulled.pk,
        "Name what you see, then wait.",
        "visit",
        visit_tip,
    )
    assert not GroupPlanTip.objects.filter(pk=team.pk).exists()


def test_a_tip_id_of_another_plan_only_adds_a_team_tip(cases):
    w = cases
    held_visit_with_tip(w, "Name what you see.", groups=[w.group_b])
    other = services.group_plan_start(actor=w.pm_b, group=w.group_b)
    foreign = tips_of(other)[0]
    plan = services.group_plan_start(actor=w.pm_a, group=w.group_a)
    services.group_plan_set_tips(
        actor=w.pm_a, plan=plan, tips=[{"id": foreign.pk, "text": "Own text."}]
    )
    [tip] = tips_of(plan)
    assert (tip.text, tip.source, tip.visit_tip) == ("Own text.", "team", None)
    assert GroupPlanTip.objects.get(pk=foreign.pk).plan == other


@pytest.mark.parametrize(
    "rows",
    [
        [day_part(ends_at="12:30"), day_part(starts_at="12:00", ends_at="18:00")],
        [day_part(), day_part(starts_at="07:30", ends_at="09:00")],
        [day_part(starts_at="12:00", ends_at="09:00")],
        [day_part(starts_at="09:00", ends_at="09:00")],
        [day_part(staff=None)],
        [day_part(weekday=6)],
    ],
    ids=["overlap", "same-start", "end-before-start", "no-length", "no-staff", "weekend"],
)
def test_invalid_staffing_changes_nothing(cases, rows):
    w = cases
    plan = fill(w.pm_a, services.group_plan_start(actor=w.pm_a, group=w.group_a))
    before = list(plan.staffing.values_list("pk", "starts_at", "ends_at", "staff_planned"))
    with pytest.raises(ValidationError):
        services.group_plan_set_staffing(
            actor=w.pm_a, plan=plan, rows=[day_part(weekday=2, children_2_3=4)] + rows
        )
    after = list(plan.staffing.values_list("pk", "starts_at", "ends_at", "staff_planned"))
    assert after == before and len(after) == 1


def test_day_parts_on_different_days_or_kinds_of_day_may_share_hours(cases):
    w = cases
    plan = services.group_plan_start(actor=w.pm_a, group=w.group_a)
    rows = [
        day_part(weekday=0, ends_at="13:00"),
        day_part(weekday=0, starts_at="13:00"),
        day_part(weekday=1),
        day_part(weekday=0, day_kind="holiday"),
    ]
    services.group_plan_set_staffing(actor=w.pm_a, plan=plan, rows=rows)
    assert plan.staffing.count() == 4


def test_day_care_staffing_ignores_the_after_school_age_bands(cases):
    w = cases
    plan = services.group_plan_start(actor=w.pm_a, group=w.group_a)
    rows = [day_part(children_1_2=3, children_4_7=5, children_7_plus=2)]
    services.group_plan_set_staffing(actor=w.pm_a, plan=plan, rows=rows)
    row = plan.staffing.get()
    assert row.day_care_counts == (0, 3, 0, 0)
    assert row.after_school_counts == (0, 0)


def test_after_school_staffing_ignores_the_day_care_age_bands(cases):
    w = cases
    bso = Group.objects.create(
        location=w.location, name="Bso Uilen", age_band=Group.AgeBand.SCHOOL_AGE, capacity=20
    )
    plan = services.group_plan_start(actor=w.manager, group=bso)
    rows = [day_part(starts_at="14:00", children_0_1=2, children_3_4=4, children_4_7=8)]
    services.group_plan_set_staffing(actor=w.manager, plan=plan, rows=rows)
    row = plan.staffing.get()
    assert row.day_care_counts == (0, 0, 0, 0)
    assert row.after_school_counts == (8, 0)


def test_a_submitted_plan_cannot_be_edited(cases):
    w = cases
    plan = fill(w.pm_a, services.group_plan_start(actor=w.pm_a, group=w.group_a))
    services.group_plan_submit(actor=w.pm_a, plan=plan)
    with pytest.raises(ValidationError):
        _update(w, plan)
    with pytest.raises(ValidationError):
        services.group_plan_set_tips(actor=w.pm_a, plan=plan, tips=[{"text": "New."}])
    with pytest.raises(ValidationError):
        services.group_plan_set_staffing(actor=w.pm_a, plan=plan, rows=[])
    assert reload(plan).approach == APPROACH


def test_a_pm_of_another_group_cannot_edit_the_plan(cases):
    w = cases
    plan = services.group_plan_start(actor=w.pm_a, group=w.group_a)
    with pytest.raises(PermissionDenied):
        services.group_plan_set_tips(actor=w.pm_b, plan=plan, tips=[{"text": "New."}])
    with pytest.raises(PermissionDenied):
        services.group_plan_set_staffing(actor=w.pm_b, plan=plan, rows=ENOUGH_STAFF)
    assert not plan.tips.exists() and not plan.staffing.exists()


# --- the applied-check --------------------------------------------------------------------------


def _plan_with_tip(w):
    plan = services.group_plan_start(actor=w.pm_a, group=w.group_a)
    services.group_plan_set_tips(actor=w.pm_a, plan=plan, tips=[{"text": "Sing first."}])
    fill(w.pm_a, plan)
    return plan


def test_the_applied_check_is_recorded_on_the_current_plan_with_history(cases):
    w = cases
    plan = _plan_with_tip(w)
    services.group_plan_submit(actor=w.pm_a, plan=plan)
    services.group_plan_approve(actor=w.manager, plan=plan)
    tip = tips_of(plan)[0]
    services.group_plan_check_tip(
        actor=w.coordinator, tip=tip, applied="partly", checked_on=TODAY(), note=" On Mondays. "
    )
    tip = GroupPlanTip.objects.get(pk=tip.pk)
    assert (tip.applied, tip.checked_on, tip.check_note) == ("partly", TODAY(), "On Mondays.")
    record = tip.history.first()
    assert record.history_user == w.coordinator
    assert record.history_change_reason == "applied-check recorded"


def test_the_applied_check_is_refused_on_a_submitted_plan(cases):
    w = cases
    plan = _plan_with_tip(w)
    services.group_plan_submit(actor=w.pm_a, plan=plan)
    with pytest.raises(ValidationError):
        services.group_plan_check_tip(
            actor=w.pm_a, tip=tips_of(plan)[0], applied="applied", checked_on=TODAY()
        )
    assert tips_of(plan)[0].applied == "not_checked"


def test_the_applied_check_is_refused_on_an_older_approved_version(cases):
    w = cases
    old = _plan_with_tip(w)
    services.group_plan_submit(actor=w.pm_a, plan=old)
    services.group_plan_approve(actor=w.manager, plan=old)
    new = services.group_plan_start(actor=w.pm_a, group=w.group_a)
    services.group_plan_submit(actor=w.pm_a, plan=new)
    services.group_plan_approve(actor=w.manager, plan=new)
    with pytest.raises(ValidationError):
        services.group_plan_check_tip(
            actor=w.pm_a, tip=tips_of(old)[0], applied="applied", checked_on=TODAY()
        )
    services.group_plan_check_tip(
        actor=w.pm_a, tip=tips_of(new)[0], applied="applied", checked_on=TODAY()
    )
    assert [tips_of(old)[0].applied, tips_of(new)[0].applied] == ["not_checked", "applied"]


@pytest.mark.parametrize(
    "applied, days_from_today",
    [("applied", 1), ("applied", None), ("maybe", 0)],
    ids=["future", "undated", "unknown-answer"],
)
def test_an_invalid_applied_check_is_refused(cases, applied, days_from_today):
    w = cases
    checked_on = on_day(days_from_today)
    plan = _plan_with_tip(w)
    with pytest.raises(ValidationError):
        services.group_plan_check_tip(
            actor=w.pm_a, tip=tips_of(plan)[0], applied=applied, checked_on=checked_on
        )
    assert tips_of(plan)[0].applied == "not_checked"


def test_who_does_not_draft_for_the_group_cannot_check_a_tip(coached):
    w = coached
    plan = _plan_with_tip(w)
    for persona in (w.coach, w.pm_b, w.outsider):
        with pytest.raises(PermissionDenied):
            services.group_plan_check_tip(
                actor=persona, tip=tips_of(plan)[0], applied="applied", checked_on=TODAY()
            )


# --- review -------------------------------------------------------------------------------------


def test_submitting_needs_the_approach_a_goal_and_the_staffing(cases):
    w = cases
    plan = services.group_plan_start(actor=w.pm_a, group=w.group_a)
    with pytest.raises(ValidationError) as error:
        services.group_plan_submit(actor=w.pm_a, plan=plan)
    assert len(error.value.messages) == 3
    fill(w.pm_a, plan, goals=[])
    with pytest.raises(ValidationError) as error:
        services.group_plan_submit(actor=w.pm_a, plan=plan)
    assert len(error.value.messages) == 1
    assert reload(plan).status == PlanStatus.DRAFT
    assert not GroupPlanReview.objects.exists()


@pytest.mark.parametrize("persona", ["pm_a", "coordinator", "pm_b", "coach", "outsider"])
def test_only_the_location_manager_approves_or_returns(coached, persona):
    w = coached
    plan = fill(w.pm_a, services.group_plan_start(actor=w.pm_a, group=w.group_a))
    services.group_plan_submit(actor=w.pm_a, plan=plan)
    with pytest.raises(PermissionDenied):
        services.group_plan_approve(actor=getattr(w, persona), plan=plan)
    with pytest.raises(PermissionDenied):
        services.group_plan_return(actor=getattr(w, persona), plan=plan, comment="Redo it.")
    assert reload(plan).status == PlanStatus.SUBMITTED


def test_returning_needs_a_comment(cases):
    w = cases
    plan = fill(w.pm_a, services.group_plan_start(actor=w.pm_a, group=w.group_a))
    services.group_plan_submit(actor=w.pm_a, plan=plan)
    with pytest.raises(ValidationError):
        services.group_plan_return(actor=w.manager, plan=plan, comment="   ")
    assert reload(plan).status == PlanStatus.SUBMITTED


def test_only_a_submitted_plan_is_approved_or_returned(cases):
    w = cases
    plan = fill(w.pm_a, services.group_plan_start(actor=w.pm_a, group=w.group_a))
    with pytest.raises(ValidationError):
        services.group_plan_approve(actor=w.manager, plan=plan)
    with pytest.raises(ValidationError):
        services.group_plan_return(actor=w.manager, plan=plan, comment="Redo it.")
    assert reload(plan).status == PlanStatus.DRAFT


# Eight children aged 1 to 2 need two staff; one all day is more than three hours below.
UNDERSTAFFED = [day_part(children_1_2=8, staff=1)]


def test_a_plan_below_the_ratio_is_not_approved_until_the_staffing_is_fixed(cases):
    w = cases
    plan = fill(w.pm_a, services.group_plan_start(actor=w.pm_a, group=w.group_a))
    services.group_plan_set_staffing(actor=w.pm_a, plan=plan, rows=UNDERSTAFFED)
    services.group_plan_submit(actor=w.pm_a, plan=plan)
    with pytest.raises(ValidationError):
        services.group_plan_approve(actor=w.manager, plan=plan)
    assert reload(plan).status == PlanStatus.SUBMITTED

    services.group_plan_return(actor=w.manager, plan=plan, comment="Two staff for eight.")
    services.group_plan_set_staffing(
        actor=w.pm_a, plan=plan, rows=[day_part(children_1_2=8, staff=2)]
    )
    services.group_plan_submit(actor=w.pm_a, plan=plan, comment="Fixed.")
    services.group_plan_approve(actor=w.manager, plan=plan, comment="Good.")

    assert reload(plan).status == PlanStatus.APPROVED
    reviews = list(plan.reviews.values_list("action", "by", "comment"))
    assert reviews == [
        ("submitted", w.pm_a.pk, ""),
        ("returned", w.manager.pk, "Two staff for eight."),
        ("submitted", w.pm_a.pk, "Fixed."),
        ("approved", w.manager.pk, "Good."),
    ]


def test_the_review_queue_holds_the_submitted_plans_of_the_managers_locations(cases):
    w = cases
    plan = fill(w.pm_a, services.group_plan_start(actor=w.pm_a, group=w.group_a))
    services.group_plan_submit(actor=w.pm_a, plan=plan)
    [queued] = selectors.group_plan_review_queue(w.manager)
    assert queued == plan and [r.by for r in queued.submissions] == [w.pm_a]
    for persona in (w.coordinator, w.pm_a, w.outsider):
        assert list(selectors.group_plan_review_queue(persona)) == []


def test_the_review_queue_puts_the_longest_waiting_submission_first(cases):
    w = cases
    plan_a = fill(w.pm_a, services.group_plan_start(actor=w.pm_a, group=w.group_a))
    plan_b = fill(w.pm_b, services.group_plan_start(actor=w.pm_b, group=w.group_b))
    services.group_plan_submit(actor=w.pm_a, plan=plan_a)
    services.group_plan_return(actor=w.manager, plan=plan_a, comment="Add a goal.")
    services.group_plan_submit(actor=w.pm_b, plan=plan_b)
    services.group_plan_submit(actor=w.pm_a, plan=plan_a)
    queue = list(selectors.group_plan_review_queue(w.manager))
    assert queue == [plan_b, plan_a]
    assert [len(plan.submissions) for plan in queue] == [1, 2]


def test_deciding_on_an_old_copy_of_the_plan_keeps_the_latest_text(cases):
    w = cases
    plan = fill(w.pm_a, services.group_plan_start(actor=w.pm_a, group=w.group_a))
    loaded_earlier = reload(plan)
    _update(w, plan, approach="The newest approach.")
    services.group_plan_submit(actor=w.pm_a, plan=loaded_earlier)
    assert reload(plan).approach == "The newest approach."
    assert reload(plan).status == PlanStatus.SUBMITTED


def test_evaluating_is_only_for_the_current_approved_plan(cases):
    w = cases
    old = approved_plan(w)
    draft = services.group_plan_start(actor=w.pm_a, group=w.group_a)
    with pytest.raises(ValidationError):
        services.group_plan_evaluate(
            actor=w.pm_a, plan=draft, evaluated_on=TODAY(), evaluation="Went well."
        )
    services.group_plan_submit(actor=w.pm_a, plan=draft)
    services.group_plan_approve(actor=w.manager, plan=draft)
    with pytest.raises(ValidationError):
        services.group_plan_evaluate(actor=w.pm_a, plan=old, evaluated_on=TODAY(), evaluation="Ok.")
    assert reload(old).evaluated_on is None


@pytest.mark.parametrize(
    "days_from_today, evaluation",
    [(1, "Went well."), (None, "Went well."), (0, " ")],
    ids=["future", "undated", "empty"],
)
def test_an_invalid_evaluation_is_refused(cases, days_from_today, evaluation):
    w = cases
    evaluated_on = on_day(days_from_today)
    plan = approved_plan(w)
    with pytest.raises(ValidationError):
        services.group_plan_evaluate(
            actor=w.pm_a, plan=plan, evaluated_on=evaluated_on, evaluation=evaluation
        )
    assert reload(plan).evaluated_on is None


def test_the_evaluation_clears_the_overdue_warning(cases):
    w = cases
    plan = approved_plan(w)
    later = plan.evaluation_date + datetime.timedelta(days=1)
    assert selectors.overdue_group_plan_evaluations(w.manager, today=plan.evaluation_date) == []
    assert selectors.overdue_group_plan_evaluations(w.manager, today=later) == [plan]
    assert selectors.overdue_group_plan_evaluations(w.pm_a, today=later) == []

    services.group_plan_evaluate(
        actor=w.pm_a, plan=plan, evaluated_on=TODAY(), evaluation="The buddies worked."
    )

    assert selectors.overdue_group_plan_evaluations(w.manager, today=later) == []
    plan = reload(plan)
    assert (plan.evaluated_on, plan.evaluation) == (TODAY(), "The buddies worked.")
    assert plan.reviews.last().action == "evaluated"


def test_a_long_evaluation_is_kept_whole_on_the_plan(cases):
    w = cases
    plan = approved_plan(w)
    evaluation = "The buddies worked. " * 150
    services.group_plan_evaluate(
        actor=w.pm_a, plan=plan, evaluated_on=TODAY(), evaluation=evaluation
    )
    assert reload(plan).evaluation == evaluation.strip()
    assert len(plan.reviews.last().comment) <= 1000


def test_only_a_newer_approved_version_replaces_the_current_plan(cases):
    w = cases
    first = approved_plan(w)
    draft = services.group_plan_start(actor=w.pm_a, group=w.group_a)
    assert list(selectors.current_group_plans([w.group_a.pk])) == [first]
    services.group_plan_submit(actor=w.pm_a, plan=draft)
    services.group_plan_approve(actor=w.manager, plan=draft)
    assert list(selectors.current_group_plans([w.group_a.pk])) == [draft]


# --- history ------------------------------------------------------------------------------------


def test_every_write_records_who_made_it(coached):
    w = coached
    held_visit_with_tip(w, "Name what you see.")
    plan = services.group_plan_start(actor=w.pm_a, group=w.group_a)
    fill(w.coordinator, plan)
    services.group_plan_set_children(
        actor=w.manager, plan=plan, children=[(w.case_a, "Quiet room.")]
    )
    services.group_plan_set_tips(
        actor=w.coordinator,
        plan=plan,
        tips=[{"id": tips_of(plan)[0].pk, "text": "Name it."}, {"text": "Sing."}],
    )
    services.group_plan_submit(actor=w.pm_a, plan=plan)
    services.group_plan_approve(actor=w.manager, plan=plan)
    services.group_plan_check_tip(
        actor=w.coordinator, tip=tips_of(plan)[1], applied="applied", checked_on=TODAY()
    )
    services.group_plan_evaluate(actor=w.pm_a, plan=plan, evaluated_on=TODAY(), evaluation="Good.")
    services.group_plan_start(actor=w.manager, group=w.group_a)

    def who(model, reason):
        return {r.history_user for r in model.history.filter(history_change_reason=reason)}

    assert who(GroupPlan, "new group plan version") == {w.pm_a, w.manager}
    assert who(GroupPlan, "group plan edited") == {w.coordinator}
    assert who(GroupPlan, "submitted for approval") == {w.pm_a}
    assert who(GroupPlan, "approved") == {w.manager}
    assert who(GroupPlan, "evaluated") == {w.pm_a}
    assert who(GroupPlanGoal, "group plan edited") == {w.coordinator}
    assert who(GroupPlanGoal, "copied from the previous version") == {w.manager}
    assert who(GroupPlanChild, "children needing extra attention edited") == {w.manager}
    assert who(GroupPlanTip, "tip for the whole group pulled in") == {w.pm_a}
    assert who(GroupPlanTip, "tips edited") == {w.coordinator}
    assert who(GroupPlanTip, "applied-check recorded") == {w.coordinator}
    assert who(GroupPlanStaffing, "staffing edited") == {w.coordinator}
    for model in (GroupPlan, GroupPlanGoal, GroupPlanChild, GroupPlanTip, GroupPlanStaffing):
        assert model.history.exists()
        assert not model.history.filter(history_user=None).exists()


def test_replaced_rows_leave_a_deletion_in_the_history(cases):
    w = cases
    plan = fill(w.pm_a, services.group_plan_start(actor=w.pm_a, group=w.group_a))
    services.group_plan_set_staffing(actor=w.coordinator, plan=plan, rows=[day_part(weekday=3)])
    deleted = GroupPlanStaffing.history.filter(history_type="-")
    assert [(r.weekday, r.history_user) for r in deleted] == [(0, w.coordinator)]
    _update(w, plan, goals=["Only one."])
    deleted = GroupPlanGoal.history.filter(history_type="-")
    assert [(r.description, r.history_user) for r in deleted.order_by("history_id")] == [
        (goal, w.pm_a) for goal in GOALS
    ]
