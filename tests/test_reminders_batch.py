"""Reminders sent in batches: each still sent once, a failing mail holds up no
other, access is checked again for every recipient, and a batch costs the same
number of queries however many reminders it holds."""

import datetime
import smtplib
import threading

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alert4you import reminder_kinds, reminders, tasks
from alert4you.models import Reminder, ReminderPreference
from alert4you.reminder_kinds.visits import visit_url
from casework.models import Case, Child
from casework.selectors import cases_for_user, children_for_concerns
from coaching.models import AgendaItem
from tests import test_reminders
from tests.test_reminders import DAY, evaluate_plan_on, mails_to, make_visit, today

# The frozen clock (a Wednesday noon), the sweep as beat runs it and the coach
# on child A's team with the parents' consent, shared with the other reminder tests.
clock = test_reminders.clock
sweep = test_reminders.sweep
coach_consent = test_reminders.coach_consent

Status = Reminder.Status


def claimed_ids() -> list[int]:
    """Plan and claim everything due now, as a sweep does, without sending."""
    reminders.plan_reminders(today())
    with transaction.atomic():
        return reminders.claim_due(timezone.now())


def test_two_batch_tasks_for_the_same_ids_send_each_reminder_once(world):
    make_visit(world, today() + DAY)
    ids = claimed_ids()
    assert len(ids) == 3
    tasks.send_reminders_task.delay(ids)
    tasks.send_reminders_task.delay(ids)  # redelivered after a lost worker
    tasks.send_reminder_task.delay(ids[0])  # and the single-row task as well
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        u.email for u in (world.coach, world.pm_a, world.pm_b)
    )
    assert set(Reminder.objects.values_list("status", "attempts")) == {(Status.SENT, 1)}


@pytest.mark.django_db(transaction=True)
def test_a_batch_running_alongside_the_same_batch_sends_nothing_twice(world, monkeypatch):
    """The first batch holds its rows while its mails go out; the second skips
    them at once (SKIP LOCKED) instead of waiting or sending them again."""
    make_visit(world, today() + DAY)
    ids = claimed_ids()
    sending, release = threading.Event(), threading.Event()
    real_send = EmailBackend.send_messages

    def slow_send(self, messages):
        sending.set()
        release.wait(10)
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", slow_send)
    first = {}

    def first_batch():
        try:
            first.update(reminders.deliver_batch(ids))
        finally:
            connection.close()

    thread = threading.Thread(target=first_batch)
    thread.start()
    assert sending.wait(10)
    assert reminders.deliver_batch(ids) == {}  # every row is the first batch's
    release.set()
    thread.join(10)
    assert sorted(first) == sorted(ids) and set(first.values()) == {Status.SENT}
    assert len(mail.outbox) == 3
    assert reminders.deliver_batch(ids) == {}  # and once sent, they stay sent


def test_a_failing_mail_leaves_the_others_sent_and_itself_pending_with_backoff(world, monkeypatch):
    make_visit(world, today() + DAY)
    ids = claimed_ids()
    real_send = EmailBackend.send_messages

    def refuse_pm_b(self, messages):
        if any(m.to == [world.pm_b.email] for m in messages):
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", refuse_pm_b)
    outcome = reminders.deliver_batch(ids)
    failed = Reminder.objects.get(recipient=world.pm_b)
    assert outcome[failed.pk] == Status.PENDING
    assert (failed.status, failed.attempts, failed.claimed_at) == (Status.PENDING, 1, None)
    assert "SMTPServerDisconnected" in failed.last_error
    assert failed.due_at == timezone.now() + datetime.timedelta(minutes=1)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.coach.email, world.pm_a.email])
    assert set(Reminder.objects.exclude(pk=failed.pk).values_list("status", flat=True)) == {
        Status.SENT
    }


def test_a_recipient_who_lost_access_is_skipped_inside_a_batch(cases, coach_consent, clock):
    from parents.services import consent_withdraw

    w = cases
    evaluate_plan_on(w, w.case_a, today())
    make_visit(w, today() + DAY)
    ids = claimed_ids()
    kinds = set(Reminder.objects.filter(pk__in=ids).values_list("kind", flat=True))
    assert kinds == {"plan_evaluation", "visit_tomorrow"}
    consent_withdraw(actor=w.pm_a, consent=coach_consent)  # the coach loses the case
    outcome = reminders.deliver_batch(ids)  # one batch, both kinds
    lost = Reminder.objects.get(recipient=w.coach, kind="plan_evaluation")
    assert outcome[lost.pk] == Status.SKIPPED
    assert lost.last_error == "The recipient may no longer see this child's case."
    visit_row = Reminder.objects.get(recipient=w.coach, kind="visit_tomorrow")
    assert outcome[visit_row.pk] == Status.SENT
    assert len(mails_to(w.coach)) == 1  # the visit, not the plan
    assert {m.to[0] for m in mail.outbox} == {w.coach.email, w.pm_a.email, w.pm_b.email}
    assert set(outcome.values()) == {Status.SENT, Status.SKIPPED}


def _visits_with_agenda(w, count):
    for _ in range(count):
        visit = make_visit(w, today() + DAY)
        AgendaItem.objects.create(
            visit=visit, topic="one_child", case=w.case_a, question="How to calm her?"
        )


def _batch_queries(count, w) -> tuple[int, int]:
    Reminder.objects.all().delete()
    _visits_with_agenda(w, count)
    ids = claimed_ids()
    with CaptureQueriesContext(connection) as queries:
        outcome = reminders.send_batch(ids)
    assert set(outcome.values()) == {Status.SENT}
    return len(ids), len(queries)


def test_a_batch_of_3_and_of_30_reminders_costs_the_same_queries(cases, monkeypatch):
    monkeypatch.setattr(reminders, "CLAIM_BATCH", 100)
    few, few_queries = _batch_queries(1, cases)
    many, many_queries = _batch_queries(9, cases)  # ten visits in all
    assert (few, many) == (3, 30)
    assert many_queries == few_queries
    assert few_queries <= 12, few_queries


def test_mails_rendered_once_for_several_recipients_equal_mails_rendered_each(cases):
    w = cases
    _visits_with_agenda(w, 1)
    ids = claimed_ids()
    w.pm_b.last_name = "O'Brien & <Zn>"  # escaped in HTML: rendered apart
    w.pm_b.save()
    rows = list(Reminder.objects.filter(pk__in=ids).select_related("recipient"))
    spec = reminder_kinds.spec("visit_tomorrow")
    targets = spec.load_many(r.object_id for r in rows)
    facts = spec.prepare(rows, targets)
    cache = reminders.MailCache()
    for row in rows:
        shared = reminders.render_mail(row, targets[row.object_id], facts, cache)
        alone = reminders.render_mail(row, targets[row.object_id])
        assert (shared.subject, shared.body, shared.alternatives) == (
            alone.subject,
            alone.body,
            alone.alternatives,
        )
        assert reminder_kinds.person(row.recipient) in shared.body
    (to_b,) = [r for r in rows if r.recipient == w.pm_b]
    message = reminders.render_mail(to_b, targets[to_b.object_id], facts, cache)
    assert "Bram O&#x27;Brien &amp; &lt;Zn&gt;" in test_reminders.html_of(message)
    assert len(cache.parts) == 2  # the coach's mail and the staff's


def test_mails_about_different_visits_share_one_rendering_equal_to_each_rendered_alone(cases):
    w = cases
    _visits_with_agenda(w, 3)
    ids = claimed_ids()
    rows = list(Reminder.objects.filter(pk__in=ids).select_related("recipient").order_by("pk"))
    spec = reminder_kinds.spec("visit_tomorrow")
    targets = spec.load_many(r.object_id for r in rows)
    for visit in targets.values():
        visit.location.name = "De Zon & <Maan>"  # escaped in HTML: in the key, not filled in
    facts = spec.prepare(rows, targets)
    cache = reminders.MailCache()
    for row in rows:
        shared = reminders.render_mail(row, targets[row.object_id], facts, cache)
        alone = reminders.render_mail(row, targets[row.object_id])
        assert (shared.subject, shared.body, shared.alternatives) == (
            alone.subject,
            alone.body,
            alone.alternatives,
        )
        assert reminder_kinds.site_url(visit_url(targets[row.object_id])) in shared.body
    assert "De Zon &amp; &lt;Maan&gt;" in test_reminders.html_of(shared)
    first = reminders.MailCache()
    for row in rows:
        if row.object_id == rows[0].object_id:
            reminders.render_mail(row, targets[row.object_id], facts, first)
    assert len(cache.parts) == len(first.parts) < len(rows)  # as many as for one visit


PERSONAS = (
    "pm_a",
    "pm_b",
    "manager",
    "coordinator",
    "coach",
    "project_leader",
    "org_admin",
    "school_user",
    "outsider",
)


def test_set_based_access_agrees_with_the_selectors(cases, coach_consent):
    w = cases
    people = [getattr(w, name) for name in PERSONAS]
    w.pm_b.is_active = False
    w.pm_b.save()
    case_ids = set(Case.objects.values_list("pk", flat=True))
    child_ids = set(Child.objects.values_list("pk", flat=True))
    case_pairs = {(u.pk, c) for u in people for c in case_ids}
    child_pairs = {(u.pk, c) for u in people for c in child_ids}
    expected_cases = {
        (u.pk, c) for u in people for c in cases_for_user(u).values_list("pk", flat=True)
    }
    expected_children = {
        (u.pk, c)
        for u in people
        if u.is_active
        for c in children_for_concerns(u).values_list("pk", flat=True)
    }
    assert expected_cases and expected_children
    assert reminder_kinds.visible_case_pairs(case_pairs) == expected_cases
    assert reminder_kinds.visible_child_pairs(child_pairs) == expected_children


def test_a_claim_takes_the_rows_due_longest_first_up_to_its_limit(world, clock):
    make_visit(world, today() + DAY)
    make_visit(world, today() + 3 * DAY)
    reminders.plan_reminders(today())
    now = timezone.now()
    first, *middle, last = Reminder.objects.order_by("pk").values_list("pk", flat=True)
    assert len(middle) >= 2
    Reminder.objects.filter(pk=first).update(due_at=now + DAY)  # not due yet
    Reminder.objects.filter(pk=last).update(due_at=now - DAY)
    Reminder.objects.filter(pk__in=middle).update(due_at=now - datetime.timedelta(hours=1))
    with transaction.atomic():
        taken = reminders.claim_due(now, limit=2)
        rest = reminders.claim_due(now)
        assert reminders.claim_due(now) == []
    assert taken == [last, middle[0]]  # by due time, then in the order of the outbox
    assert rest == middle[1:]
    assert Reminder.objects.get(pk=first).status == Status.PENDING
    claimed = Reminder.objects.filter(pk__in=taken + rest)
    assert set(claimed.values_list("status", "claimed_at")) == {(Status.SENDING, now)}


def test_a_reminder_refused_by_email_is_refused_for_its_own_kind_only(world, clock):
    make_visit(world, today() + DAY)
    make_visit(world, today() + 3 * DAY)
    ReminderPreference.objects.create(user=world.pm_b, kind="visit_tomorrow", by_email=False)
    ids = claimed_ids()
    assert set(reminders.deliver_batch(ids).values()) == {Status.SENT}
    to_b = Reminder.objects.filter(recipient=world.pm_b)
    assert dict(to_b.values_list("kind", "emailed")) == {
        "visit_tomorrow": False,
        "submit_questions": True,
    }
    assert len(mails_to(world.pm_b)) == 1
    assert len(mails_to(world.pm_a)) == 2


def test_a_reminder_that_fails_for_good_keeps_its_due_time_and_is_not_claimed_again(
    world, monkeypatch, clock
):
    make_visit(world, today() + DAY)
    ids = claimed_ids()
    due = dict(Reminder.objects.values_list("pk", "due_at"))

    def broken(reminder, target, *batch):
        raise ValueError("template is broken")

    monkeypatch.setattr(reminders, "render_mail", broken)
    assert set(reminders.deliver_batch(ids).values()) == {Status.FAILED}
    rows = Reminder.objects.values_list("pk", "status", "attempts", "claimed_at", "due_at")
    assert {
        (status, attempts, claimed_at, due_at == due[pk])
        for pk, status, attempts, claimed_at, due_at in rows
    } == {(Status.FAILED, 1, None, True)}
    with transaction.atomic():
        assert reminders.claim_due(timezone.now() + 7 * DAY) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the INSERT's PostgreSQL form")
def test_outbox_columns_reach_postgresql_exactly_as_given(db):
    texts = ["plain", 'say "hi"', "back\\slash", "NULL", "", " spaced ", "a, {b}", "Zoë", None]
    moment, day = timezone.now(), today()
    with connection.cursor() as cursor:
        cursor.execute("SELECT unnest(%s::text[])", [reminders._array_text(texts)])
        assert [text for (text,) in cursor.fetchall()] == texts
        cursor.execute(
            "SELECT unnest(%s::timestamptz[]), unnest(%s::date[])",
            [reminders._array_text([moment]), reminders._array_text([day])],
        )
        assert cursor.fetchone() == (moment, day)
