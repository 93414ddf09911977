"""The nightly session sweep: the store drops expired sessions, and the
"Your sessions" rows of sessions that ended go with them."""

from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session

from alert4you import tasks
from alert4you.models import UserSession


def session(expiry=None):
    store = SessionStore()
    if expiry is not None:
        store.set_expiry(expiry)
    store.create()
    return store.session_key


def test_the_sweep_forgets_ended_sessions_and_keeps_live_ones(world):
    live = session()
    expired = session(expiry=-10)
    UserSession.objects.create(user=world.pm_a, session_key=live)
    UserSession.objects.create(user=world.pm_a, session_key=expired)
    UserSession.objects.create(user=world.pm_b, session_key="gone-from-the-store")

    assert tasks.clear_expired_sessions.delay().get() == 1

    assert list(Session.objects.values_list("session_key", flat=True)) == [live]
    assert list(UserSession.objects.values_list("session_key", flat=True)) == [live]
    # Safe to run twice.
    assert tasks.clear_expired_sessions.delay().get() == 0
    assert UserSession.objects.count() == 1


def test_the_sweep_runs_daily():
    from alert4you.celery import app

    entries = [
        e for e in app.conf.beat_schedule.values() if e["task"].endswith("clear_expired_sessions")
    ]
    assert len(entries) == 1
    schedule = entries[0]["schedule"]
    assert schedule.hour == {3} and len(schedule.minute) == 1
