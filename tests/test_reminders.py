"""Reminders: recorded in the outbox first, sent once, in the recipient's language,
with nothing about a child the recipient may not see."""

import datetime
import smtplib
import threading

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from alert4you import reminder_kinds, reminders, tasks
from alert4you.celery import app
from alert4you.models import Reminder, ReminderPreference
from casework.models import Plan
from casework.services import case_team_add
from casework.services.plans import plan_start_version
from coaching import services as coaching_services
from coaching.models import AgendaItem, Visit
from pilots.models import Role
from tests.conftest import add_membership, add_parents, grant_consent, make_user

Status = Reminder.Status
DAY = datetime.timedelta(days=1)


def today():
    return timezone.localdate()


def at(day, hour=12, minute=0):
    return datetime.datetime.combine(
        day, datetime.time(hour, minute), tzinfo=timezone.get_default_timezone()
    )


def make_visit(world, day, *, groups=None):
    visit = Visit.objects.create(
        coach=world.coach,
        location=world.location,
        starts_at=at(day, 9, 30),
        ends_at=at(day, 11, 30),
    )
    visit.groups.set(groups or [world.group_a, world.group_b])
    return visit


def mails_to(user):
    return [m for m in mail.outbox if m.to == [user.email]]


def html_of(message):
    return next(content for content, mimetype in message.alternatives if mimetype == "text/html")


def login(client, user):
    client.force_login(user)


class Clock:
    """Time stands still at noon on a Wednesday (in the coming week) unless a test
    moves it: no Monday digest or weekend sneaks into a test by the calendar."""

    def __init__(self, moment):
        self.moment = moment

    def now(self):
        return self.moment

    def set(self, moment):
        self.moment = moment

    def advance(self, delta):
        self.moment += delta


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    real_today = timezone.localdate()
    frozen = Clock(at(real_today + datetime.timedelta(days=(2 - real_today.weekday()) % 7)))
    monkeypatch.setattr(timezone, "now", frozen.now)
    return frozen


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    """Run one sweep as beat would, with its after-commit publishing (tasks run eagerly)."""

    def run():
        with django_capture_on_commit_callbacks(execute=True):
            return reminders.sweep()

    return run


@pytest.fixture
def broker_down():
    """Point Celery at a port where no broker listens; `back()` restores it."""
    saved = (app.conf.task_always_eager, app.conf.broker_url)

    def reset_pools():
        app._pool = None
        app.amqp._producer_pool = None

    def restore():
        app.conf.task_always_eager, app.conf.broker_url = saved
        reset_pools()

    app.conf.task_always_eager = False
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    reset_pools()

    class Broker:
        back = staticmethod(restore)

    yield Broker()
    restore()


@pytest.fixture
def coach_consent(cases):
    """The parents of child A allow observation by the coach; the coach joins the team."""
    w = cases
    add_parents(w.child_a, actor=w.pm_a)
    consent = grant_consent(w.child_a, actor=w.pm_a, scope="observation_by_coach")
    case_team_add(actor=w.pm_a, case=w.case_a, user=w.coach, role="coach")
    return consent


def evaluate_plan_on(world, case, day):
    plan = plan_start_version(actor=world.pm_a, case=case)
    Plan.objects.filter(pk=plan.pk).update(next_evaluation_date=day)
    return plan


# --- recorded once, sent once -------------------------------------------------------------------


def test_planning_twice_records_each_reminder_once(world):
    make_visit(world, today() + DAY)
    assert reminders.plan_reminders(today()) == 3
    assert reminders.plan_reminders(today()) == 0
    assert set(Reminder.objects.values_list("recipient__username", flat=True)) == {
        "coach",
        "pm_a",
        "pm_b",
    }
    row = Reminder.objects.filter(recipient=world.pm_a).get()
    assert (row.kind, row.for_date, row.event_on) == ("visit_tomorrow", today(), today() + DAY)
    assert row.status == Status.PENDING and row.due_at == at(today(), 7)
    duplicate = Reminder(
        kind=row.kind,
        content_type=row.content_type,
        object_id=row.object_id,
        recipient=row.recipient,
        for_date=row.for_date,
        due_at=row.due_at,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_a_sweep_run_twice_sends_each_reminder_once(world, sweep):
    make_visit(world, today() + DAY)
    make_visit(world, today() + 3 * DAY, groups=[world.group_a])
    assert sweep() == 4  # tomorrow: coach, pm_a, pm_b; in three days: pm_a
    assert sweep() == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [world.coach.email, world.pm_a.email, world.pm_b.email, world.pm_a.email]
    )
    assert set(Reminder.objects.values_list("status", "emailed", "attempts")) == {
        (Status.SENT, True, 1)
    }


def test_a_redelivered_task_sends_once(world, monkeypatch, sweep):
    """A lost worker's task comes back (acks_late): the second run finds the row sent."""
    make_visit(world, today() + DAY)
    monkeypatch.setattr(reminders, "publish", lambda ids, claimed_at: 0)  # queued, not run
    sweep()
    ids = list(Reminder.objects.values_list("pk", flat=True))
    assert set(Reminder.objects.values_list("status", flat=True)) == {Status.SENDING}
    for reminder_id in ids + ids:
        tasks.send_reminder_task.delay(reminder_id)
    assert len(mail.outbox) == 3


def test_a_row_whose_worker_died_is_claimed_again_and_sent_once(world, monkeypatch, sweep, clock):
    make_visit(world, today() + DAY)
    lost = []
    with monkeypatch.context() as patch:
        patch.setattr(reminders, "publish", lambda ids, claimed_at: lost.extend(ids))
        sweep()
    assert len(lost) == 3 and not mail.outbox
    clock.advance(datetime.timedelta(minutes=5))
    assert sweep() == 0  # it may still be running
    clock.advance(reminders.SENDING_TIMEOUT)
    assert sweep() == 3
    for reminder_id in lost:  # the lost tasks turn up after all: nothing more is sent
        tasks.send_reminder_task.delay(reminder_id)
    assert len(mail.outbox) == 3


def test_a_send_that_fails_once_is_retried_and_sent_once(world, monkeypatch, sweep, clock):
    from django.core.mail.backends.locmem import EmailBackend

    make_visit(world, today() + DAY, groups=[world.group_a])
    real_send = EmailBackend.send_messages
    failures = []

    def send_or_fail_once(self, messages):
        if not failures:
            failures.append(messages)
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", send_or_fail_once)
    sweep()
    failed = Reminder.objects.get(status=Status.PENDING)
    assert failed.attempts == 1 and "SMTPServerDisconnected" in failed.last_error
    assert failed.due_at == timezone.now() + datetime.timedelta(minutes=1)
    assert len(mail.outbox) == 1  # the other recipient got theirs
    clock.advance(datetime.timedelta(seconds=30))
    assert sweep() == 0  # backing off
    clock.advance(datetime.timedelta(minutes=1))
    assert sweep() == 1
    assert len(mail.outbox) == 2 and len(mails_to(failed.recipient)) == 1
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.last_error) == (Status.SENT, 2, "")


def test_a_send_that_keeps_failing_backs_off_and_ends_failed_with_the_error(
    world, monkeypatch, sweep, clock
):
    from django.core.mail.backends.locmem import EmailBackend

    def refuse(self, messages):
        raise smtplib.SMTPRecipientsRefused({"coach@example.org": (550, b"No such user")})

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    make_visit(world, today() + DAY, groups=[world.group_a])
    delays = []
    for _ in range(reminders.MAX_ATTEMPTS):
        sweep()
        row = Reminder.objects.get(recipient=world.coach)
        delays.append(row.due_at - timezone.now())
        clock.set(row.due_at)
    assert row.status == Status.FAILED and row.attempts == reminders.MAX_ATTEMPTS
    assert "SMTPRecipientsRefused" in row.last_error
    # 1, 2, 4 … minutes, never more than an hour apart.
    assert delays[:3] == [datetime.timedelta(minutes=m) for m in (1, 2, 4)]
    assert max(delays) == datetime.timedelta(seconds=reminders.RETRY_MAX_SECONDS)
    clock.advance(datetime.timedelta(days=1))
    assert sweep() == 0
    assert not mail.outbox


def test_an_unexpected_error_fails_at_once_with_the_error(world, monkeypatch, sweep):
    make_visit(world, today() + DAY, groups=[world.group_a])

    def broken(reminder, target, *batch):
        raise ValueError("template is broken")

    monkeypatch.setattr(reminders, "render_mail", broken)
    sweep()
    assert set(Reminder.objects.values_list("status", "last_error")) == {
        (Status.FAILED, "ValueError: template is broken")
    }


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_claim_each_reminder_once(world):
    make_visit(world, today() + DAY)
    reminders.plan_reminders(today())
    now = at(today())
    claimed, release, first = threading.Event(), threading.Event(), []

    def first_sweep():
        try:
            with transaction.atomic():
                first.extend(reminders.claim_due(now))
                claimed.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=first_sweep)
    thread.start()
    assert claimed.wait(10)
    with transaction.atomic():
        second = reminders.claim_due(now)  # SKIP LOCKED: does not wait, takes nothing
    release.set()
    thread.join(10)
    assert len(first) == 3 and second == []
    with transaction.atomic():
        assert reminders.claim_due(now) == []  # claimed rows are not claimed again


@pytest.mark.django_db(transaction=True)
def test_a_second_beat_started_by_mistake_sends_nothing_twice(world):
    make_visit(world, today() + DAY)
    make_visit(world, today() + 3 * DAY)
    start = threading.Barrier(2)
    errors = []

    def beat():
        try:
            start.wait(10)
            reminders.sweep()
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    beats = [threading.Thread(target=beat) for _ in range(2)]
    for thread in beats:
        thread.start()
    for thread in beats:
        thread.join(30)
    assert errors == []
    assert Reminder.objects.count() == 5
    assert len(mail.outbox) == 5
    assert len({(m.to[0], m.subject) for m in mail.outbox}) == 5


def test_tasks_are_queued_only_after_the_claim_commits(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(tasks.send_reminders_task, "delay", queued.append)
    make_visit(world, today() + DAY)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert reminders.sweep() == 3
    assert queued == [] and len(callbacks) == 1
    callbacks[0]()
    assert [sorted(batch) for batch in queued] == [
        sorted(Reminder.objects.values_list("pk", flat=True))
    ]


def test_tasks_carry_only_row_ids_in_batches_and_never_an_eta(world, monkeypatch, sweep):
    calls = []
    monkeypatch.setattr(
        tasks.send_reminders_task,
        "apply_async",
        lambda *args, **kwargs: calls.append((args, kwargs)),
    )
    monkeypatch.setattr(reminders, "SEND_BATCH", 2)
    make_visit(world, today() + DAY)
    sweep()
    ids = set(Reminder.objects.values_list("pk", flat=True))
    batches = [args[0][0] for args, _ in calls]
    assert [len(batch) for batch in batches] == [2, 1]
    assert sorted(pk for batch in batches for pk in batch) == sorted(ids)
    for args, options in calls:
        assert all(isinstance(pk, int) for pk in args[0][0]) and not any(args[1:])
        assert not {"eta", "countdown"} & set(options)
    for task in (tasks.send_reminders_task, tasks.send_reminder_task):
        assert task.acks_late and task.reject_on_worker_lost
    entry = app.conf.beat_schedule["sweep-reminders"]
    assert entry["task"] == tasks.sweep_reminders.name and entry["schedule"] == 60.0


# --- the broker is down -------------------------------------------------------------------------


def test_with_the_broker_down_planning_a_visit_works_and_the_next_sweep_sends_it(
    world, broker_down, sweep, clock
):
    day = today()
    while (day + DAY).weekday() > 4:  # visits fall on weekdays
        day += DAY
    assignment = coaching_services.assignment_save(
        actor=world.manager,
        coach=world.coach,
        location=world.location,
        kind="structural",
        starts_on=day,
        weekday=(day + DAY).weekday(),
        every_weeks=1,
        start_time=datetime.time(9, 30),
        end_time=datetime.time(11, 30),
    )
    visits = coaching_services.visits_generate(
        actor=world.manager, assignment=assignment, weeks=1, today=day
    )
    assert [v.starts_at.date() for v in visits] == [day + DAY]

    clock.set(at(day))
    assert sweep() == 3  # claimed, but the broker refuses them
    assert not mail.outbox
    assert set(Reminder.objects.values_list("status", "claimed_at")) == {(Status.PENDING, None)}

    broker_down.back()
    clock.advance(datetime.timedelta(minutes=1))
    assert sweep() == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        u.email for u in (world.coach, world.pm_a, world.pm_b)
    )
    clock.advance(datetime.timedelta(minutes=1))
    assert sweep() == 0 and len(mail.outbox) == 3


def test_nothing_waits_long_on_a_broker_that_is_down():
    """A sweep or a page that publishes while the broker is away gives up within
    seconds (the work stays in the outbox): bounded by configuration, not timed."""
    policy = app.conf.task_publish_retry_policy
    attempts = policy["max_retries"] + 1
    waits = policy["interval_start"] + policy["interval_max"] * policy["max_retries"]
    assert attempts * app.conf.broker_connection_timeout + waits <= 5


def test_with_the_broker_down_an_admin_can_still_resend(client, world, broker_down):
    row = _failed_digest_for(world.manager, world)
    login(client, world.org_admin)
    response = client.post(reverse("reminders:reminder-resend", args=[row.uuid]))
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == Status.PENDING


# --- what the mail says, and to whom ------------------------------------------------------------


def test_a_visit_mail_names_only_the_children_the_recipient_may_see(cases, sweep):
    w = cases
    visit = make_visit(w, today() + DAY)
    AgendaItem.objects.create(
        visit=visit,
        topic="one_child",
        case=w.case_a,
        question="She bites other children at lunch.",
        submitted_by=w.pm_a,
    )
    AgendaItem.objects.create(
        visit=visit, topic="group_climate", question="The group is restless after naps."
    )
    sweep()
    (to_a,), (to_b,), (to_coach,) = mails_to(w.pm_a), mails_to(w.pm_b), mails_to(w.coach)
    for content in (to_a.body, html_of(to_a)):
        assert "Mieke T." in content and "bites other children" in content
        assert "Testkind" not in content
    for message in (to_b, to_coach):  # neither may see child A's case
        for content in (message.body, html_of(message)):
            assert "Mieke" not in content and "bites" not in content
            assert "restless after naps" in content
        assert "Een kind in de groep" in message.body


def test_consent_expiring_goes_to_the_childs_pms_only(cases, sweep):
    w = cases
    add_parents(w.child_a, actor=w.pm_a)
    grant_consent(
        w.child_a,
        actor=w.pm_a,
        scope="observation_by_coach",
        valid_until=today() + datetime.timedelta(days=20),
    )
    sweep()
    assert set(Reminder.objects.values_list("kind", "recipient__username")) == {
        ("consent_expiring", "pm_a")
    }
    (message,) = mail.outbox
    assert message.to == [w.pm_a.email]
    assert "Mieke T." in message.body and "Testkind" not in message.body
    assert "Mieke" not in message.subject
    # Planned again on a later day of that month: still the one reminder.
    reminders.plan_reminders(today() + 3 * DAY)
    assert Reminder.objects.count() == 1


def test_a_consent_withdrawn_before_sending_is_not_sent(cases, sweep):
    from parents.services import consent_withdraw

    w = cases
    add_parents(w.child_a, actor=w.pm_a)
    consent = grant_consent(
        w.child_a,
        actor=w.pm_a,
        scope="observation_by_coach",
        valid_until=today() + datetime.timedelta(days=20),
    )
    reminders.plan_reminders(today())
    consent_withdraw(actor=w.pm_a, consent=consent)
    sweep()
    assert not mail.outbox
    row = Reminder.objects.get()
    assert row.status == Status.SKIPPED and "withdrawn" in row.last_error


def test_plan_evaluation_goes_to_the_team_who_may_see_the_case(cases, coach_consent, sweep):
    w = cases
    evaluate_plan_on(w, w.case_a, today() + 7 * DAY)
    sweep()
    assert set(Reminder.objects.values_list("kind", "recipient__username")) == {
        ("plan_evaluation", "pm_a"),  # the mentor
        ("plan_evaluation", "coach"),  # on the team, with the parents' consent
    }
    assert {m.to[0] for m in mail.outbox} == {w.pm_a.email, w.coach.email}
    for message in mail.outbox:
        assert "Mieke T." in message.body and "Testkind" not in message.body
        assert "Mieke" not in message.subject


def test_a_team_member_who_lost_access_gets_no_plan_evaluation(cases, coach_consent, sweep):
    from parents.services import consent_withdraw

    w = cases
    evaluate_plan_on(w, w.case_a, today())
    reminders.plan_reminders(today())
    assert Reminder.objects.filter(recipient=w.coach).exists()
    consent_withdraw(actor=w.pm_a, consent=coach_consent)  # the coach loses the case
    sweep()
    assert [m.to for m in mail.outbox] == [[w.pm_a.email]]
    coach_row = Reminder.objects.get(recipient=w.coach)
    assert coach_row.status == Status.SKIPPED
    assert coach_row.last_error == "The recipient may no longer see this child's case."
    # Planned after the withdrawal, the coach gets no row at all.
    Reminder.objects.all().delete()
    reminders.plan_reminders(today())
    assert not Reminder.objects.filter(recipient=w.coach).exists()


def test_a_next_step_with_the_parents_reminds_the_staff_on_its_day(cases, sweep):
    from parents import conversation_services

    w = cases
    conversation = conversation_services.conversation_plan(
        actor=w.pm_a,
        case=w.case_a,
        planned_on=today() - DAY,
        form="staff_alone",
        expected_difficulty=1,
        staff_participants=[w.pm_a, w.manager],
    )
    conversation_services.conversation_record_outcome(
        actor=w.pm_a,
        conversation=conversation,
        outcome="The parents recognise it at home.",
        next_step="Call the parents about the speech therapist.",
        next_step_on=today(),
    )
    sweep()
    assert {m.to[0] for m in mail.outbox} == {w.pm_a.email, w.manager.email}
    for message in mail.outbox:
        assert "speech therapist" in message.body and "Mieke T." in message.body
        assert "Mieke" not in message.subject


def test_an_overdue_report_reminds_the_coach_until_it_is_written(world, sweep):
    visit = make_visit(world, today() - 2 * DAY)
    reminders.plan_reminders(today())
    Visit.objects.filter(pk=visit.pk).update(reported_at=timezone.now())
    sweep()
    assert not mail.outbox
    assert Reminder.objects.get().status == Status.SKIPPED
    unreported = make_visit(world, today() - 2 * DAY)
    sweep()
    assert [m.to for m in mail.outbox] == [[world.coach.email]]
    assert Reminder.objects.get(object_id=unreported.pk).status == Status.SENT


def test_the_weekly_digest_goes_to_the_location_manager_on_mondays(cases, sweep, clock):
    w = cases
    monday = today() + datetime.timedelta(days=(7 - today().weekday()) % 7)
    add_parents(w.child_a, actor=w.pm_a)
    grant_consent(
        w.child_a,
        actor=w.pm_a,
        scope="observation_by_coach",
        valid_until=monday + datetime.timedelta(days=10),
    )
    make_visit(w, monday + 2 * DAY)
    assert not reminder_kinds.weekly_digest_due(monday + DAY)
    clock.set(at(monday))
    sweep()
    (digest,) = mails_to(w.manager)
    assert "KDV De Kikker" in digest.subject and "Mieke" not in digest.subject
    assert "Carla (Dolfijnen, Zeepaardjes)" in digest.body  # the visit of the week
    assert "Mieke T." in digest.body and "Testkind" not in digest.body
    assert not Reminder.objects.filter(kind="weekly_digest").exclude(recipient=w.manager)


def test_no_subject_ever_names_a_child(cases, coach_consent, sweep, clock):
    from parents import conversation_services

    w = cases
    monday = today() + datetime.timedelta(days=(7 - today().weekday()) % 7)
    for day in (monday + DAY, monday + 3 * DAY, monday - 2 * DAY):
        AgendaItem.objects.create(
            visit=make_visit(w, day), topic="one_child", case=w.case_a, question="Mieke?"
        )
    evaluate_plan_on(w, w.case_a, monday)
    from tests.test_group_plan_reminders import approved_group_plan

    approved_group_plan(w, w.group_a, evaluation_on=monday)
    from pilots.models import EvaluationMoment

    EvaluationMoment.objects.create(pilot=w.pilot, kind="interim", date=monday + DAY)
    grant_consent(
        w.child_a,
        actor=w.pm_a,
        scope="multidisciplinary_meeting",
        valid_until=today() + datetime.timedelta(days=20),
    )
    conversation = conversation_services.conversation_plan(
        actor=w.pm_a,
        case=w.case_a,
        planned_on=today(),
        form="together",
        expected_difficulty=2,
        staff_participants=[w.pm_a],
    )
    conversation_services.conversation_record_outcome(
        actor=w.pm_a,
        conversation=conversation,
        outcome="Agreed",
        next_step="Mieke Testkind: call back",
        next_step_on=monday,
    )
    clock.set(at(monday))
    sweep()
    kinds = set(Reminder.objects.filter(status=Status.SENT).values_list("kind", flat=True))
    assert kinds == set(Reminder.Kind.values)
    for message in mail.outbox:
        assert "Mieke" not in message.subject and "Testkind" not in message.subject
        assert "\n" not in message.subject


def test_mail_is_written_in_the_recipients_language(world, sweep):
    reminders.preferences_save(
        actor=world.pm_a, language="en", by_email=dict.fromkeys(Reminder.Kind.values, True)
    )
    tomorrow = today() + DAY
    make_visit(world, tomorrow)
    sweep()
    (english,), (dutch,) = mails_to(world.pm_a), mails_to(world.pm_b)
    with translation.override("en"):
        english_day = date_format(tomorrow, "l j F")
    with translation.override("nl"):
        dutch_day = date_format(tomorrow, "l j F")
    assert english_day != dutch_day
    assert english.extra_headers["Content-Language"] == "en"
    assert dutch.extra_headers["Content-Language"] == "nl"
    for content in (english.body, html_of(english)):
        assert english_day in content and dutch_day not in content
    for content in (dutch.body, html_of(dutch)):
        assert dutch_day in content and english_day not in content
    assert '<html lang="nl">' in html_of(dutch)


def test_a_reminder_not_wanted_by_email_shows_in_the_app_only(client, world, sweep):
    ReminderPreference.objects.create(user=world.pm_b, kind="visit_tomorrow", by_email=False)
    make_visit(world, today() + DAY)
    sweep()
    assert not mails_to(world.pm_b) and mails_to(world.pm_a)
    row = Reminder.objects.get(recipient=world.pm_b)
    assert (row.status, row.emailed) == (Status.SENT, False)
    login(client, world.pm_b)
    response = client.get(reverse("reminders:reminder-list"))
    assert list(response.context["page"].object_list) == [row]
    assert "Alleen in de app" in response.content.decode()


def test_an_inactive_recipient_is_not_sent_anything(world, sweep):
    make_visit(world, today() + DAY)
    reminders.plan_reminders(today())
    world.pm_b.is_active = False
    world.pm_b.save()
    sweep()
    assert not mails_to(world.pm_b)
    assert Reminder.objects.get(recipient=world.pm_b).status == Status.SKIPPED


# --- pages --------------------------------------------------------------------------------------


def _failed_digest_for(user, world, *, for_date=None, error="SMTPServerDisconnected: gone"):
    from pilots.models import Location

    return Reminder.objects.create(
        kind="weekly_digest",
        content_type=ContentType.objects.get_for_model(Location),
        object_id=world.location.pk,
        recipient=user,
        for_date=for_date or today(),
        event_on=for_date or today(),
        due_at=at(today(), 7),
        status=Status.FAILED,
        attempts=reminders.MAX_ATTEMPTS,
        last_error=error,
    )


def _many_reminders(world, user, count):
    from pilots.models import Location

    Reminder.objects.bulk_create(
        Reminder(
            kind="weekly_digest",
            content_type=ContentType.objects.get_for_model(Location),
            object_id=world.location.pk,
            recipient=user,
            for_date=today() - n * DAY,
            due_at=at(today() - n * DAY, 7),
            status=[Status.SENT, Status.FAILED, Status.PENDING][n % 3],
            last_error="SMTPServerDisconnected: gone" if n % 3 == 1 else "",
        )
        for n in range(count)
    )


@pytest.mark.parametrize(
    "name, args",
    [
        ("reminders:reminder-list", []),
        ("reminders:profile", []),
        ("reminders:reminder-admin", []),
    ],
)
def test_anonymous_users_are_sent_to_the_login(client, db, name, args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302 and reverse("login") in response.url


def test_the_in_app_list_shows_only_ones_own_reminders(client, world, sweep):
    make_visit(world, today() + DAY)
    sweep()
    mine = Reminder.objects.get(recipient=world.pm_a)
    theirs = Reminder.objects.get(recipient=world.pm_b)
    login(client, world.pm_a)
    response = client.get(reverse("reminders:reminder-list"))
    assert list(response.context["page"].object_list) == [mine]
    assert str(theirs.uuid) not in response.content.decode()
    assert client.post(reverse("reminders:reminder-read", args=[theirs.uuid])).status_code == 404
    assert client.get(reverse("reminders:reminder-open", args=[theirs.uuid])).status_code == 404
    assert client.post(reverse("reminders:reminder-read", args=[mine.uuid])).status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None


def test_opening_a_reminder_goes_to_what_it_is_about(client, cases, sweep):
    w = cases
    evaluate_plan_on(w, w.case_a, today())
    sweep()
    row = Reminder.objects.get(recipient=w.pm_a)
    login(client, w.pm_a)
    response = client.get(reverse("reminders:reminder-open", args=[row.uuid]))
    assert response.status_code == 302
    assert response.url == reverse("casework:plan-detail", kwargs={"case_uuid": w.case_a.uuid})
    row.refresh_from_db()
    assert row.read_at is not None


def test_the_profile_chooses_language_and_reminders_by_email(client, world):
    login(client, world.pm_a)
    response = client.get(reverse("reminders:profile"))
    assert response.status_code == 200
    assert all(field.value() for field in response.context["form"].kind_fields())
    response = client.post(
        reverse("reminders:profile"), {"language": "en", "email_visit_tomorrow": "on"}
    )
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"
    chosen = reminders.preferences_for(world.pm_a)
    assert chosen["visit_tomorrow"] and not chosen["submit_questions"]
    assert reminders.language_of(world.pm_a) == "en"
    assert reminders.preferences_for(world.pm_b)["submit_questions"]  # others untouched


def test_the_admin_page_shows_reminders_of_the_own_organisation_only(client, cases):
    w = cases
    own = _failed_digest_for(w.manager, w)
    plan = evaluate_plan_on(w, w.case_a, today())
    about_child = Reminder.objects.create(
        kind="plan_evaluation",
        content_type=ContentType.objects.get_for_model(Plan),
        object_id=plan.pk,
        recipient=w.pm_a,
        for_date=today(),
        event_on=today(),
        due_at=at(today(), 7),
        status=Status.SENT,
    )
    coach_row = _failed_digest_for(w.coach, w)  # the coach works for youth care
    outsider_row = _failed_digest_for(w.outsider, w)
    login(client, w.org_admin)
    response = client.get(reverse("reminders:reminder-admin"))
    assert response.status_code == 200
    assert set(response.context["page"].object_list) == {own, about_child}
    html = response.content.decode()
    assert "SMTPServerDisconnected: gone" in html and "Evaluatie van het plan nadert" in html
    assert "Mieke" not in html and "Testkind" not in html
    failed_only = client.get(reverse("reminders:reminder-admin"), {"status": "failed"})
    assert list(failed_only.context["page"].object_list) == [own]
    for row in (coach_row, outsider_row):
        url = reverse("reminders:reminder-resend", args=[row.uuid])
        assert client.post(url).status_code == 404


@pytest.mark.parametrize("persona", ["pm_a", "manager", "outsider", "project_leader"])
def test_only_organisation_admins_see_the_admin_page(client, world, persona):
    row = _failed_digest_for(world.manager, world)
    login(client, getattr(world, persona))
    assert client.get(reverse("reminders:reminder-admin")).status_code == 404
    response = client.post(reverse("reminders:reminder-resend", args=[row.uuid]))
    assert response.status_code == 404
    row.refresh_from_db()
    assert row.status == Status.FAILED


def test_an_admin_of_another_organisation_sees_none_of_ours(client, world):
    _failed_digest_for(world.manager, world)
    other_admin = make_user("other_admin")
    add_membership(other_admin, world.elsewhere, Role.ORGANISATION_ADMIN)
    login(client, other_admin)
    response = client.get(reverse("reminders:reminder-admin"))
    assert response.status_code == 200 and not response.context["page"].object_list


def test_resend_puts_a_failed_reminder_back_and_the_sweep_sends_it(client, world, sweep):
    row = _failed_digest_for(world.manager, world)
    login(client, world.org_admin)
    response = client.post(
        reverse("reminders:reminder-resend", args=[row.uuid]), {"status": "failed"}
    )
    assert response.status_code == 302 and response.url.endswith("?status=failed")
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (Status.PENDING, 0, "")
    again = client.post(reverse("reminders:reminder-resend", args=[row.uuid]))
    assert again.status_code == 302  # already waiting: a message, no change
    sweep()
    assert [m.to for m in mail.outbox] == [[world.manager.email]]
    row.refresh_from_db()
    assert row.status == Status.SENT


def _queries(client, url):
    client.get(url)  # warm up: the first request may cache what later ones reuse
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


def test_the_in_app_list_uses_as_many_queries_for_5_as_for_200_reminders(client, world):
    login(client, world.manager)
    url = reverse("reminders:reminder-list")
    _many_reminders(world, world.manager, 5)
    few = _queries(client, url)
    Reminder.objects.all().delete()
    _many_reminders(world, world.manager, 200)
    assert _queries(client, url) == few


def test_the_admin_page_uses_as_many_queries_for_5_as_for_200_reminders(client, world):
    login(client, world.org_admin)
    url = reverse("reminders:reminder-admin")
    _many_reminders(world, world.manager, 5)
    few = _queries(client, url)
    Reminder.objects.all().delete()
    for user in (world.manager, world.pm_a, world.pm_b, world.coordinator):
        _many_reminders(world, user, 50)
    assert _queries(client, url) == few
