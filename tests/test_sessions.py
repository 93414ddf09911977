"""Sessions: a new one at login, gone at logout, 30 idle minutes and 12 hours
at most, the "Your sessions" page, and a new password ending the others."""

import datetime
from contextlib import contextmanager
from types import SimpleNamespace
from unittest import mock

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.core.cache.backends import locmem
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from alert4you.models import UserSession
from alert4you.sessions import LOGIN_AT_KEY, SEEN_EVERY_SECONDS
from tests.conftest import PASSWORD, enter_code

NEW_PASSWORD = "Bright-otter-climbs-42"


@contextmanager
def clock_at(moment):
    """Everything that asks Django for the time gets `moment`, the cache's expiry
    clock too: sessions are read from the cache (a session expires there when
    its idle time is up, as it does in Redis in production)."""
    cache_clock = SimpleNamespace(time=moment.timestamp)
    with (
        mock.patch("django.utils.timezone.now", return_value=moment),
        mock.patch.object(locmem, "time", cache_clock),
    ):
        yield


def log_in(client, username, **extra):
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD}, **extra)
    assert response.status_code == 302
    user = get_user_model().objects.get(username=username)
    assert enter_code(client, user, **extra).status_code == 302  # the second step
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def is_logged_out(response):
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


def session_list(client):
    return client.get(reverse("sessions:session-list"))


def test_login_starts_a_new_session(client, world):
    before = client.session
    before["chosen_before_login"] = True
    before.save()
    old_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    new_key = log_in(client, "pm_a")
    assert new_key != old_key
    assert not Session.objects.filter(session_key=old_key).exists()
    assert Session.objects.filter(session_key=new_key).exists()


def test_logout_deletes_the_session_from_the_store(client, world):
    key = log_in(client, "pm_a")
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()
    assert not UserSession.objects.filter(session_key=key).exists()
    # The old cookie, replayed, gets the login page.
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = key
    assert is_logged_out(session_list(replay))


def test_the_limits_are_thirty_idle_minutes_and_twelve_hours():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    # Saved (and its expiry moved on) at most once a minute, by SessionLimitsMiddleware.
    assert not settings.SESSION_SAVE_EVERY_REQUEST
    assert SEEN_EVERY_SECONDS == 60
    assert settings.SESSION_ABSOLUTE_SECONDS == 12 * 60 * 60


def test_session_ends_after_thirty_idle_minutes(client, world):
    start = timezone.now()
    log_in(client, "pm_a")
    with clock_at(start + datetime.timedelta(minutes=29)):
        assert session_list(client).status_code == 200
    # Activity moved the expiry on: 29 minutes later it is still there.
    with clock_at(start + datetime.timedelta(minutes=58)):
        assert session_list(client).status_code == 200
    with clock_at(start + datetime.timedelta(minutes=58 + 31)):
        assert is_logged_out(session_list(client))


def session_writes(client, moment) -> int:
    """How many times one request at `moment` writes the session store."""
    with clock_at(moment), CaptureQueriesContext(connection) as queries:
        assert session_list(client).status_code == 200
    return sum(
        query["sql"].startswith(("UPDATE", "INSERT")) and '"django_session"' in query["sql"]
        for query in queries.captured_queries
    )


def test_requests_within_a_minute_write_the_session_once(client, world):
    start = timezone.now()
    key = log_in(client, "pm_a")
    # Login saved it: the next requests within a minute only read it.
    assert session_writes(client, start + datetime.timedelta(seconds=20)) == 0
    assert session_writes(client, start + datetime.timedelta(seconds=50)) == 0
    # A minute on, one request saves it and moves its expiry on; the next does not.
    later = start + datetime.timedelta(seconds=70)
    assert session_writes(client, later) == 1
    assert session_writes(client, later + datetime.timedelta(seconds=30)) == 0
    expire_date = Session.objects.get(session_key=key).expire_date
    assert expire_date == later + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)


def test_idle_limit_counts_from_the_last_save_so_within_a_minute_of_thirty(client, world):
    start = timezone.now()
    log_in(client, "pm_a")
    with clock_at(start + datetime.timedelta(minutes=20)):
        assert session_list(client).status_code == 200  # saved: expires at 50 minutes
    with clock_at(start + datetime.timedelta(minutes=20, seconds=59)):
        assert session_list(client).status_code == 200  # not saved
    # 29 minutes and a second after the last request, 30 after the last save.
    with clock_at(start + datetime.timedelta(minutes=50, seconds=1)):
        assert is_logged_out(session_list(client))


def test_session_ends_twelve_hours_after_login_however_active(client, world):
    start = timezone.now()
    key = log_in(client, "pm_a")
    step = datetime.timedelta(minutes=25)
    moment = start
    while moment + step < start + datetime.timedelta(hours=12):
        moment += step
        with clock_at(moment):
            assert session_list(client).status_code == 200, moment - start
    with clock_at(moment + step):
        assert is_logged_out(session_list(client))
    assert not UserSession.objects.filter(user=world.pm_a).exists()
    assert not Session.objects.filter(session_key=key).exists()


def test_force_login_records_the_login_time(client, world):
    client.force_login(world.pm_a)
    assert LOGIN_AT_KEY in client.session
    assert session_list(client).status_code == 200


def test_session_without_a_login_time_gets_one_on_first_sight(client, world):
    client.force_login(world.pm_a)
    session = client.session
    del session[LOGIN_AT_KEY]
    session.save()
    assert session_list(client).status_code == 200
    assert LOGIN_AT_KEY in client.session


def test_login_records_the_session_with_address_and_browser(client, world):
    key = log_in(client, "pm_a", REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT="B" * 400)
    user_session = UserSession.objects.get(session_key=key)
    assert user_session.user == world.pm_a
    assert user_session.ip_address == "10.1.2.3"
    assert user_session.user_agent == "B" * 300


def test_activity_is_recorded_at_most_once_a_minute(client, world):
    start = timezone.now()
    key = log_in(client, "pm_a")
    first_seen = UserSession.objects.get(session_key=key).last_seen_at
    with clock_at(start + datetime.timedelta(seconds=30)):
        session_list(client)
    assert UserSession.objects.get(session_key=key).last_seen_at == first_seen
    later = start + datetime.timedelta(seconds=90)
    with clock_at(later):
        session_list(client)
    assert UserSession.objects.get(session_key=key).last_seen_at == later


def test_anonymous_users_are_sent_to_login_from_the_sessions_page(client, db):
    assert is_logged_out(session_list(client))


def test_users_see_only_their_own_sessions_with_this_one_marked(client, world):
    this_key = log_in(client, "pm_a")
    other_key = log_in(Client(), "pm_a")
    colleague_key = log_in(Client(), "pm_b")
    content = session_list(client).content.decode()
    this = UserSession.objects.get(session_key=this_key)
    other = UserSession.objects.get(session_key=other_key)
    colleague = UserSession.objects.get(session_key=colleague_key)
    assert f'data-session-uuid="{this.uuid}" data-current="true"' in content
    assert f'data-session-uuid="{other.uuid}">' in content
    assert str(colleague.uuid) not in content
    # The session key is a credential: it never appears on the page.
    assert this_key not in content and other_key not in content


def test_users_end_another_session_of_their_own(client, world):
    log_in(client, "pm_a")
    elsewhere = Client()
    other_key = log_in(elsewhere, "pm_a")
    other = UserSession.objects.get(session_key=other_key)
    response = client.post(reverse("sessions:session-end", args=[other.uuid]))
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=other_key).exists()
    assert not UserSession.objects.filter(pk=other.pk).exists()
    assert is_logged_out(session_list(elsewhere))
    assert session_list(client).status_code == 200


def test_ending_another_users_session_answers_404(client, world):
    log_in(client, "pm_a")
    colleague_key = log_in(Client(), "pm_b")
    colleague = UserSession.objects.get(session_key=colleague_key)
    response = client.post(reverse("sessions:session-end", args=[colleague.uuid]))
    assert response.status_code == 404
    assert Session.objects.filter(session_key=colleague_key).exists()
    assert UserSession.objects.filter(pk=colleague.pk).exists()


def test_sessions_are_ended_by_post_only(client, world):
    log_in(client, "pm_a")
    other = UserSession.objects.get(session_key=log_in(Client(), "pm_a"))
    response = client.get(reverse("sessions:session-end", args=[other.uuid]))
    assert response.status_code == 405
    assert UserSession.objects.filter(pk=other.pk).exists()


def test_password_change_ends_every_other_session(client, world):
    log_in(client, "pm_a")
    elsewhere = Client()
    other_key = log_in(elsewhere, "pm_a")
    colleague_key = log_in(Client(), "pm_b")
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=other_key).exists()
    assert is_logged_out(session_list(elsewhere))
    # This session goes on, under a new key, and is the only one listed.
    assert session_list(client).status_code == 200
    current_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert list(
        UserSession.objects.filter(user=world.pm_a).values_list("session_key", flat=True)
    ) == [current_key]
    # Colleagues are not touched.
    assert Session.objects.filter(session_key=colleague_key).exists()


def test_password_reset_ends_every_session(client, world):
    elsewhere = Client()
    other_key = log_in(elsewhere, "pm_a")
    uid = urlsafe_base64_encode(force_bytes(world.pm_a.pk))
    world.pm_a.refresh_from_db()  # the token covers the last login
    token = default_token_generator.make_token(world.pm_a)
    form_url = client.get(reverse("password_reset_confirm", args=[uid, token]))["Location"]
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_complete")
    assert not Session.objects.filter(session_key=other_key).exists()
    assert not UserSession.objects.filter(user=world.pm_a).exists()
    assert is_logged_out(session_list(elsewhere))


def test_sessions_are_read_from_the_cache_without_a_query(client, world):
    log_in(client, "pm_a")
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    assert not any('"django_session"' in q["sql"] for q in queries.captured_queries)


def test_an_ended_session_is_gone_from_the_cache_too(world):
    mine, other = Client(), Client()
    log_in(mine, "pm_a")
    other_key = log_in(other, "pm_a")
    assert session_list(other).status_code == 200  # cached now
    row = UserSession.objects.get(session_key=other_key)
    mine.post(reverse("sessions:session-end", args=[row.uuid]))
    assert is_logged_out(session_list(other))
