"""Reminders: recorded in an outbox first, then sent once by short tasks.

The life of a reminder, and the guarantee each step gives:

1. *Plan* (`plan_reminders`): the producers of `alert4you.reminder_kinds` list
   what is due today; new rows are bulk-inserted with ``ignore_conflicts`` on
   the unique key (kind, object, recipient, date). Planning twice — or two beats
   started by mistake — records each reminder once. Child-related reminders are
   recorded only for recipients who may see that child.
2. *Claim* (`sweep`, every minute from beat): due ``pending`` rows are locked
   with ``SELECT … FOR UPDATE SKIP LOCKED`` and marked ``sending``; two sweeps
   never claim the same row. After commit, one short task per row id is
   published. No task carries an ETA or countdown: Redis would redeliver such a
   task after its visibility timeout and it would run twice.
3. *Publish*: when the broker is down, publishing fails fast (settings bound
   the retries and timeouts), the rows go back to ``pending`` and the next
   sweep tries again. No web request ever waits for the broker.
4. *Send* (`deliver`): the row is locked; only a ``sending`` row is sent, so a
   task delivered twice (a lost worker's task is redelivered: ``acks_late``,
   ``reject_on_worker_lost``) sends once. The reminder is checked again —
   still relevant, recipient may still see the child — rendered in the
   recipient's language, mailed if they want it by e-mail, and marked ``sent``
   in the same transaction.
5. *Retry*: a failed send puts the row back to ``pending`` with a due time
   that backs off exponentially (bounded); after `MAX_ATTEMPTS` it is
   ``failed`` with the error, for an organisation admin to resend. A row whose
   worker died mid-send is reclaimed by the sweep after `SENDING_TIMEOUT`.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
from functools import partial

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import OperationalError, transaction
from django.db.models import Count, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import reminder_kinds
from .models import Reminder, ReminderKind, ReminderPreference, ReminderStatus, UserProfile

logger = logging.getLogger(__name__)

Status = ReminderStatus

#: A row claimed this long ago and still ``sending`` lost its worker: claim it again.
SENDING_TIMEOUT = datetime.timedelta(minutes=10)
#: Rows claimed per sweep; the rest wait a minute.
CLAIM_BATCH = 200
#: Retries back off from a minute, doubling, to at most an hour; then the row fails.
RETRY_BASE_SECONDS = 60
RETRY_MAX_SECONDS = 60 * 60
MAX_ATTEMPTS = 8
#: Errors worth another try: the mail server, the network or the database was away.
TRANSIENT_ERRORS = (smtplib.SMTPException, OSError, OperationalError)


# --- plan ---------------------------------------------------------------------------------------


def plan_reminders(on: datetime.date | None = None) -> int:
    """Record every reminder due on day `on` that is not recorded yet (idempotent).

    Cheap to run every minute: what exists is subtracted first, so the access
    checks run only for reminders new today.
    """
    on = on or timezone.localdate()
    due = {d for producer in reminder_kinds.PRODUCERS for d in producer(on)}
    if not due:
        return 0
    types = ContentType.objects.get_for_models(*{d.model for d in due})
    existing = set(
        Reminder.objects.filter(
            for_date__in={d.for_date for d in due}, kind__in={d.kind for d in due}
        ).values_list("kind", "content_type_id", "object_id", "recipient_id", "for_date")
    )
    new = [
        d
        for d in due
        if (d.kind, types[d.model].pk, d.object_id, d.recipient_id, d.for_date) not in existing
    ]
    # In key order: two sweeps inserting the same rows at once then wait on each
    # other in the same order, and cannot deadlock.
    new.sort(key=lambda d: (d.kind, types[d.model].pk, d.object_id, d.recipient_id, d.for_date))
    rows = [
        Reminder(
            kind=d.kind,
            content_type=types[d.model],
            object_id=d.object_id,
            recipient_id=d.recipient_id,
            for_date=d.for_date,
            event_on=d.event_on,
            due_at=d.due_at,
        )
        for d in reminder_kinds.visible_subjects(new)
    ]
    Reminder.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


# --- claim and publish --------------------------------------------------------------------------


def claim_due(now: datetime.datetime, limit: int = CLAIM_BATCH) -> list[int]:
    """Claim due rows for sending (call inside a transaction). Rows another
    sweep holds are skipped, not waited for; each row is claimed once."""
    claimable = Q(status=Status.PENDING, due_at__lte=now) | Q(
        status=Status.SENDING, claimed_at__lt=now - SENDING_TIMEOUT
    )
    ids = list(
        Reminder.objects.select_for_update(skip_locked=True)
        .filter(claimable)
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    if not ids:
        return []
    Reminder.objects.filter(claimable, pk__in=ids).update(status=Status.SENDING, claimed_at=now)
    # Keep what this claim won. With row locks that is every row; SQLite (the
    # embedded mode) has none, and there the conditional update decides.
    return list(
        Reminder.objects.filter(pk__in=ids, status=Status.SENDING, claimed_at=now)
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)
    )


def publish(ids: list[int], claimed_at: datetime.datetime) -> int:
    """Queue one send task per claimed row. When the broker refuses, stop and
    hand the rest back to the next sweep. Returns how many were queued."""
    from .tasks import send_reminder_task

    for done, reminder_id in enumerate(ids):
        try:
            send_reminder_task.delay(reminder_id)
        except Exception:  # the broker is down: the rows wait in the outbox
            logger.warning(
                "Broker unavailable: %d reminder(s) wait for the next sweep",
                len(ids) - done,
                exc_info=True,
            )
            Reminder.objects.filter(
                pk__in=ids[done:], status=Status.SENDING, claimed_at=claimed_at
            ).update(status=Status.PENDING, claimed_at=None)
            return done
    return len(ids)


def sweep(now: datetime.datetime | None = None) -> int:
    """Plan today's reminders, claim the due ones and queue them after commit."""
    now = now or timezone.now()
    plan_reminders(on=timezone.localdate(now))
    with transaction.atomic():
        ids = claim_due(now)
        if ids:
            transaction.on_commit(partial(publish, ids, now))
    return len(ids)


# --- send ---------------------------------------------------------------------------------------


def language_of(user) -> str:
    language = UserProfile.objects.filter(user=user).values_list("language", flat=True).first()
    known = {code for code, _name in settings.LANGUAGES}
    return language if language in known else settings.LANGUAGE_CODE


def wants_email(user, kind: str) -> bool:
    if not user.email:
        return False
    return not ReminderPreference.objects.filter(user=user, kind=kind, by_email=False).exists()


def render_mail(reminder: Reminder, target) -> EmailMultiAlternatives:
    """The reminder as an e-mail in the recipient's language: plain text and HTML."""
    recipient = reminder.recipient
    language = language_of(recipient)
    with translation.override(language):
        context = reminder_kinds.spec(reminder.kind).context(reminder, target)
        context.update(
            {
                "recipient_name": reminder_kinds.person(recipient),
                "kind_label": reminder.get_kind_display(),
                "profile_url": reminder_kinds.site_url(reverse("reminders:profile")),
                "language": language,
            }
        )
        template = f"emails/reminder_{reminder.kind}"
        subject = render_to_string(f"{template}.subject.txt", context)
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),  # one line, whatever the template did
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        headers={"Content-Language": language, "Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(html, "text/html")
    return message


def _why_not_send(reminder: Reminder, target) -> str | None:
    if not reminder.recipient.is_active:
        return "The recipient's account is no longer active."
    if target is None:
        return "What the reminder was about no longer exists."
    return reminder_kinds.spec(reminder.kind).check(reminder, target)


def send_reminder(reminder_id: int, *, now: datetime.datetime | None = None) -> str:
    """Send one claimed reminder, at most once. Returns the row's new status.

    The row stays locked while the mail goes out, so a second task for the same
    row waits, then finds it sent and does nothing.
    """
    with transaction.atomic():
        reminder = (
            Reminder.objects.select_for_update(of=("self",))
            .select_related("recipient")
            .filter(pk=reminder_id)
            .first()
        )
        if reminder is None or reminder.status != Status.SENDING:
            # Sent already, or handed back to the sweep: nothing to do.
            return reminder.status if reminder else "missing"
        target = reminder_kinds.spec(reminder.kind).load(reminder.object_id)
        reason = _why_not_send(reminder, target)
        if reason:
            reminder.status, reminder.last_error = Status.SKIPPED, reason
            reminder.save(update_fields=["status", "last_error"])
            return reminder.status
        by_email = wants_email(reminder.recipient, reminder.kind)
        if by_email:
            render_mail(reminder, target).send()
        reminder.status, reminder.emailed, reminder.last_error = Status.SENT, by_email, ""
        reminder.sent_at = now or timezone.now()
        reminder.attempts += 1
        reminder.save(update_fields=["status", "emailed", "last_error", "sent_at", "attempts"])
        return reminder.status


def retry_delay(attempts: int) -> datetime.timedelta:
    """Exponential backoff, bounded: 1, 2, 4 … minutes, at most an hour."""
    seconds = RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return datetime.timedelta(seconds=min(seconds, RETRY_MAX_SECONDS))


def record_failure(reminder_id: int, error: Exception, *, now=None) -> str:
    """Note a failed attempt: back to the outbox for a later try, or failed."""
    now = now or timezone.now()
    with transaction.atomic():
        reminder = Reminder.objects.select_for_update().filter(pk=reminder_id).first()
        if reminder is None or reminder.status != Status.SENDING:
            return reminder.status if reminder else "missing"
        reminder.attempts += 1
        reminder.last_error = f"{type(error).__name__}: {error}"[:1000]
        if isinstance(error, TRANSIENT_ERRORS) and reminder.attempts < MAX_ATTEMPTS:
            reminder.status = Status.PENDING
            reminder.due_at = now + retry_delay(reminder.attempts)
        else:
            reminder.status = Status.FAILED
        reminder.claimed_at = None
        reminder.save(update_fields=["attempts", "last_error", "status", "due_at", "claimed_at"])
        return reminder.status


def deliver(reminder_id: int, *, now: datetime.datetime | None = None) -> str:
    """What the send task does: send, and record a failure for a later retry."""
    try:
        return send_reminder(reminder_id, now=now)
    except Exception as error:  # every failure is recorded on the row, none is lost
        logger.warning("Reminder %s not sent", reminder_id, exc_info=True)
        return record_failure(reminder_id, error, now=now)


# --- writes from the pages ----------------------------------------------------------------------


def reminder_resend(*, actor, reminder: Reminder) -> Reminder:
    """Send a reminder again: back to the outbox; the next sweep sends it."""
    with transaction.atomic():
        reminder = Reminder.objects.select_for_update().get(pk=reminder.pk)
        if reminder.status in (Status.PENDING, Status.SENDING):
            raise ValidationError(_("This reminder is already waiting to be sent."))
        reminder.status, reminder.due_at = Status.PENDING, timezone.now()
        reminder.attempts, reminder.last_error = 0, ""
        reminder.claimed_at = reminder.sent_at = None
        reminder.emailed = False
        reminder.save()
    logger.info("Reminder %s queued again by user %s", reminder.pk, actor.pk)
    return reminder


def reminders_mark_read(*, actor, reminders: QuerySet) -> int:
    return reminders.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())


def preferences_for(user) -> dict[str, bool]:
    chosen = dict(ReminderPreference.objects.filter(user=user).values_list("kind", "by_email"))
    return {kind: chosen.get(kind, True) for kind in ReminderKind.values}


@transaction.atomic
def preferences_save(*, actor, language: str, by_email: dict[str, bool]) -> None:
    UserProfile.objects.update_or_create(user=actor, defaults={"language": language})
    for kind in ReminderKind.values:
        ReminderPreference.objects.update_or_create(
            user=actor, kind=kind, defaults={"by_email": bool(by_email.get(kind))}
        )


# --- reads --------------------------------------------------------------------------------------


def reminders_for_user(user, today: datetime.date | None = None) -> QuerySet[Reminder]:
    """The user's own reminders in the app: every one due, sent by e-mail or not,
    except those that turned out not to apply."""
    today = today or timezone.localdate()
    return (
        Reminder.objects.filter(recipient=user, for_date__lte=today)
        .exclude(status=Status.SKIPPED)
        .order_by("-for_date", "-due_at", "-pk")
    )


def reminders_for_admin(user) -> QuerySet[Reminder]:
    """Reminders to current members of the organisations `user` administers.
    Nothing about children: the page shows kind, recipient, date and status."""
    from pilots.models import Membership, Role

    administered = (
        Membership.objects.current()
        .filter(user=user, role=Role.ORGANISATION_ADMIN)
        .values("organisation")
    )
    members = Membership.objects.current().filter(organisation__in=administered).values("user")
    return Reminder.objects.filter(recipient__in=members).order_by("-due_at", "-pk")


def status_counts(reminders: QuerySet) -> dict[str, int]:
    counts = dict(reminders.order_by().values_list("status").annotate(n=Count("pk")))
    return {status: counts.get(status, 0) for status in Status.values}


def link_for(reminder: Reminder) -> str | None:
    """The page a reminder is about (its view decides who may open it)."""
    kind = reminder_kinds.spec(reminder.kind)
    target = kind.load(reminder.object_id)
    return kind.link(target) if target is not None else None
