import datetime

from django.utils import timezone

from alert4you import tasks
from alert4you.celery import app
from casework import selectors
from pilots.models import Membership


def test_every_periodic_task_is_registered():
    app.loader.import_default_modules()  # the worker's autodiscovery of <app>/tasks.py
    registered = set(app.tasks)
    for entry in app.conf.beat_schedule.values():
        assert entry["task"] in registered


def test_the_nightly_sweep_closes_access_of_a_membership_that_ended(cases):
    w = cases
    today = timezone.localdate()
    Membership.objects.filter(user=w.coordinator).update(
        start_date=today - datetime.timedelta(days=10), end_date=today - datetime.timedelta(days=1)
    )
    assert selectors.cases_for_user(w.coordinator).exists()
    tasks.sync_access_for_membership_dates.delay()
    assert not selectors.cases_for_user(w.coordinator).exists()


def test_expired_sessions_are_cleared(db):
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session

    old = SessionStore()
    old.set_expiry(-10)
    old.create()
    fresh = SessionStore()
    fresh.create()
    assert tasks.clear_expired_sessions.delay().get() == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == [fresh.session_key]


def test_the_nightly_sweep_closes_access_when_a_consent_expired(cases):
    from casework import services
    from tests.conftest import add_parents, grant_consent

    w = cases
    today = timezone.localdate()
    add_parents(w.child_a, actor=w.pm_a)
    grant_consent(
        w.child_a,
        actor=w.pm_a,
        scope="observation_by_coach",
        decided_on=today - datetime.timedelta(days=30),
        valid_until=today,
    )
    services.case_team_add(actor=w.pm_a, case=w.case_a, user=w.coach, role="coach")
    assert selectors.cases_for_user(w.coach).exists()

    from parents import services as parent_services
    from parents.models import Consent

    assert parent_services.consents_changed_by_the_calendar(on=today) == 0
    # A night passes: the consent's last day was yesterday.
    Consent.objects.update(valid_until=today - datetime.timedelta(days=1))
    assert selectors.cases_for_user(w.coach).exists()
    assert tasks.sync_access_for_consent_dates.delay().get() == 1
    assert not selectors.cases_for_user(w.coach).exists()
