"""The group plan's evaluation reminder: recorded in the outbox a week before and
on the day, for the location's managers and the group's pedagogical staff, sent
once, naming the group and its location and never a child."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from alert4you import reminder_kinds, reminders
from alert4you.models import Reminder, ReminderKind
from coaching import services as coaching_services
from coaching.models import GroupPlan
from pilots.models import Role
from tests import test_reminders
from tests.conftest import add_membership, make_user
from tests.test_reminders import DAY, html_of, today

# The frozen clock (a Wednesday noon) and the sweep as beat runs it, shared with
# the other reminder tests.
clock = test_reminders.clock
sweep = test_reminders.sweep

KIND = ReminderKind.GROUP_PLAN_EVALUATION
Status = Reminder.Status
SLOT = {
    "weekday": 0,
    "day_kind": "school",
    "starts_at": datetime.time(8, 0),
    "ends_at": datetime.time(12, 0),
    "children_2_3": 4,
    "staff_planned": 1,
}


def approved_group_plan(world, group, *, evaluation_on, children=()):
    pm = world.pm_a if group == world.group_a else world.pm_b
    plan = coaching_services.group_plan_start(actor=pm, group=group)
    coaching_services.group_plan_update(
        actor=pm,
        plan=plan,
        period_start=today(),
        period_end=today() + datetime.timedelta(weeks=26),
        evaluation_date=evaluation_on,
        approach="A calm start: every morning begins in the circle.",
        room_arrangements="A quiet corner with cushions.",
        goals=["Every child has a place at the table."],
    )
    coaching_services.group_plan_set_staffing(actor=pm, plan=plan, rows=[SLOT])
    if children:
        coaching_services.group_plan_set_children(actor=pm, plan=plan, children=list(children))
    coaching_services.group_plan_submit(actor=pm, plan=plan)
    return coaching_services.group_plan_approve(actor=world.manager, plan=plan)


def group_plan_rows():
    return Reminder.objects.filter(kind=KIND)


def recipients():
    return sorted(group_plan_rows().values_list("recipient__username", flat=True))


@pytest.fixture
def in_a_week(world):
    return approved_group_plan(world, world.group_a, evaluation_on=today() + 7 * DAY)


def test_a_week_before_each_manager_and_pm_of_the_group_gets_one_reminder(world, in_a_week, sweep):
    sweep()
    assert recipients() == ["manager", "pm_a"]
    row = group_plan_rows().get(recipient=world.manager)
    assert (row.object_id, row.for_date, row.event_on) == (
        in_a_week.pk,
        today(),
        today() + 7 * DAY,
    )
    assert {m.to[0] for m in mail.outbox if "Dolfijnen" in m.subject} == {
        world.manager.email,
        world.pm_a.email,
    }
    assert set(group_plan_rows().values_list("status", flat=True)) == {Status.SENT}


def test_running_the_sweep_twice_records_and_sends_nothing_twice(world, in_a_week, sweep):
    sweep()
    sent = len(mail.outbox)
    sweep()
    reminders.plan_reminders(today())
    assert group_plan_rows().count() == 2
    assert len(mail.outbox) == sent


def test_on_the_day_it_reminds_once_more(world, sweep, clock):
    plan = approved_group_plan(world, world.group_a, evaluation_on=today() + 7 * DAY)
    sweep()
    clock.advance(7 * DAY)
    sweep()
    rows = group_plan_rows().filter(recipient=world.pm_a).order_by("for_date")
    assert [r.for_date for r in rows] == [plan.evaluation_date - 7 * DAY, plan.evaluation_date]
    reminders.plan_reminders(today() + DAY)
    assert group_plan_rows().count() == 4  # no reminder the day after


def test_the_mail_names_the_group_and_links_the_plan_but_no_child(cases, sweep):
    w = cases
    plan = approved_group_plan(
        w,
        w.group_a,
        evaluation_on=today() + 7 * DAY,
        children=[(w.case_a, "Mieke needs a quiet place to land in the morning.")],
    )
    assert plan.children.exists()
    sweep()
    messages = [m for m in mail.outbox if m.to == [w.pm_a.email] and "Dolfijnen" in m.subject]
    assert len(messages) == 1
    message = messages[0]
    link = reminder_kinds.site_url(plan.get_absolute_url())
    for content in (message.body, html_of(message)):
        assert "Dolfijnen" in content and "KDV De Kikker" in content
        assert link in content
        assert "Mieke" not in content and "Testkind" not in content
    assert "Mieke" not in message.subject


def test_only_a_current_approved_plan_reminds(world, sweep):
    evaluation_on = today() + 7 * DAY
    draft = coaching_services.group_plan_start(actor=world.pm_b, group=world.group_b)
    GroupPlan.objects.filter(pk=draft.pk).update(evaluation_date=evaluation_on)
    older = approved_group_plan(world, world.group_a, evaluation_on=evaluation_on)
    newer = approved_group_plan(world, world.group_a, evaluation_on=evaluation_on + DAY)
    assert newer.version == older.version + 1
    sweep()
    assert not group_plan_rows().exists()  # the draft does not, the older version is replaced


def test_an_evaluated_plan_is_not_reminded_of(world, in_a_week, sweep):
    coaching_services.group_plan_evaluate(
        actor=world.manager, plan=in_a_week, evaluated_on=today(), evaluation="Done early."
    )
    sweep()
    assert not group_plan_rows().exists()


def test_a_plan_whose_evaluation_moved_after_planning_is_not_sent(world, in_a_week, sweep):
    reminders.plan_reminders(today())
    assert group_plan_rows().count() == 2
    GroupPlan.objects.filter(pk=in_a_week.pk).update(evaluation_date=today() + 9 * DAY)
    sweep()
    assert set(group_plan_rows().values_list("status", flat=True)) == {Status.SKIPPED}
    assert not [m for m in mail.outbox if "Dolfijnen" in m.subject]


def test_a_pm_who_left_the_group_before_sending_gets_nothing(world, in_a_week, sweep):
    reminders.plan_reminders(today())
    add_membership(world.pm_a, world.childcare, Role.PEDAGOGICAL_STAFF, groups=[world.group_b])
    sweep()
    row = group_plan_rows().get(recipient=world.pm_a)
    assert row.status == Status.SKIPPED
    assert row.last_error == "The recipient no longer works in the group or manages its location."
    assert group_plan_rows().get(recipient=world.manager).status == Status.SENT


def test_managers_of_other_locations_and_other_roles_get_nothing(world, in_a_week, sweep):
    other = make_user("manager_elsewhere")
    add_membership(other, world.elsewhere, Role.LOCATION_MANAGER, locations=[world.other_location])
    sweep()
    assert recipients() == ["manager", "pm_a"]


def test_the_reminder_can_be_had_in_the_app_only(client, world, in_a_week, sweep):
    by_email = dict.fromkeys(ReminderKind.values, True)
    by_email[KIND] = False
    reminders.preferences_save(actor=world.pm_a, language="nl", by_email=by_email)
    sweep()
    row = group_plan_rows().get(recipient=world.pm_a)
    assert row.status == Status.SENT and not row.emailed
    assert not [m for m in mail.outbox if m.to == [world.pm_a.email]]
    assert reminders.link_for(row) == in_a_week.get_absolute_url()
    client.force_login(world.pm_a)
    profile = client.get(reverse("reminders:profile")).content.decode()
    assert f'name="email_{KIND}"' in profile
