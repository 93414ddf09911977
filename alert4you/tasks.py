from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone


@shared_task
def clear_expired_sessions() -> int:
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@shared_task
def clear_old_login_failures(days: int = 30) -> int:
    from axes.models import AccessAttempt

    cutoff = timezone.now() - timezone.timedelta(days=days)
    deleted, _ = AccessAttempt.objects.filter(attempt_time__lt=cutoff).delete()
    return deleted


@shared_task
def sync_access_for_membership_dates() -> int:
    """Memberships start and end on dates: re-derive access for those that did today."""
    from alert4you import access_policy

    return access_policy.on_memberships_expired()
