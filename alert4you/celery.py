"""The Celery application and every periodic schedule, in one place."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alert4you.settings.base")

app = Celery("alert4you")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # Access follows memberships; one that started today or ended yesterday
    # must open or close the cases it covers without anyone saving it.
    "sync-access-for-membership-dates": {
        "task": "alert4you.tasks.sync_access_for_membership_dates",
        "schedule": crontab(hour=0, minute=5),
    },
    # A consent that expired overnight, or a child who turned 12 without having
    # given their own consent, must close access without anyone acting.
    "sync-access-for-consent-dates": {
        "task": "alert4you.tasks.sync_access_for_consent_dates",
        "schedule": crontab(hour=0, minute=10),
    },
    # Expired sessions hold who was logged in where; remove them nightly.
    "clear-expired-sessions": {
        "task": "alert4you.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=15),
    },
    # Old failed-login records are only needed while a lockout can still apply.
    "clear-old-login-failures": {
        "task": "alert4you.tasks.clear_old_login_failures",
        "schedule": crontab(hour=3, minute=30),
    },
    # Closed cases past their retention period are erased (casework.retention);
    # weekly is soon enough for terms counted in years.
    "erase-expired-cases": {
        "task": "casework.tasks.erase_expired_cases",
        "schedule": crontab(hour=2, minute=45, day_of_week="sunday"),
    },
    # Reminders: record today's in the outbox and queue the due ones. Safe to run
    # twice at once; a sweep that waited longer than a minute is dropped, the next
    # one does its work.
    "sweep-reminders": {
        "task": "alert4you.tasks.sweep_reminders",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
}
