from celery import shared_task
from django.utils import timezone


@shared_task
def clear_expired_sessions() -> int:
    """Daily: drop expired sessions from the store and the "Your sessions" rows
    of sessions that ended; safe to run twice."""
    from alert4you import sessions

    return sessions.sessions_clear_ended()


@shared_task
def clear_old_login_failures(days: int = 30) -> int:
    from axes.models import AccessAttempt

    cutoff = timezone.now() - timezone.timedelta(days=days)
    deleted, _ = AccessAttempt.objects.filter(attempt_time__lt=cutoff).delete()
    return deleted


@shared_task
def sync_access_for_membership_dates() -> int:
    """Memberships and coach assignments start and end on dates: re-derive access
    for those that did."""
    from alert4you import access_policy

    return access_policy.on_memberships_expired() + access_policy.on_assignment_dates()


@shared_task
def sync_access_for_consent_dates() -> int:
    """Consents expire, and children turn 12 (then their own consent is needed):
    re-derive access for the children whose consents changed overnight."""
    from parents import services

    return services.consents_changed_by_the_calendar()


@shared_task(ignore_result=True)
def sweep_reminders() -> int:
    """Record today's reminders and queue the due ones (every minute; two
    sweeps at once, or a second beat, still send each reminder once)."""
    from alert4you import reminders

    return reminders.sweep()


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def send_reminders_task(reminder_ids: list[int]) -> dict[int, str]:
    """Send a batch of claimed reminders. Only ids travel: the rows are re-read
    and locked, so a redelivered task (a lost worker's) sends nothing twice.
    Retries back off through the outbox rows, never through an ETA task."""
    from alert4you import reminders

    return reminders.deliver_batch(reminder_ids)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def send_reminder_task(reminder_id: int) -> str:
    """Send one reminder (tasks queued before batches existed still run)."""
    from alert4you import reminders

    return reminders.deliver(reminder_id)
