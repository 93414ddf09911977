"""Signed-in sessions: when they start and end, how long they may last, and
which of them a user sees and may end on "Your sessions".

Django's session store holds the sessions; `UserSession` rows mirror the
signed-in ones so a user can see them. Three limits apply:

- idle: the store drops a session `SESSION_COOKIE_AGE` (30 minutes) after it
  was last saved. `SessionLimitsMiddleware` saves a signed-in session, which
  moves its expiry on, at most once a minute (`SEEN_EVERY_SECONDS`) rather than
  on every request (a write and a commit each time), so a session ends 29 to
  30 minutes after its last request;
- absolute: `SessionLimitsMiddleware` logs out a session older than
  `SESSION_ABSOLUTE_SECONDS` (12 hours), however active it was;
- a new password ends every other session of the user (the views in
  `alert4you.session_views` call `user_sessions_end_others`).

Lockouts by django-axes are logged here too (logger "alert4you.security").
"""

import logging
from importlib import import_module

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.dispatch import receiver
from django.utils import timezone

from .models import UserSession

security_log = logging.getLogger("alert4you.security")

#: Session keys (in the session's own data) for when it signed in and when
#: its `UserSession` row was last brought up to date, as POSIX timestamps.
LOGIN_AT_KEY = "_alert4you_login_at"
SEEN_AT_KEY = "_alert4you_seen_at"
#: Record activity, and save the session, at most once a minute: one write per
#: request is too many.
SEEN_EVERY_SECONDS = 60
USER_AGENT_LENGTH = UserSession._meta.get_field("user_agent").max_length


def _session_store(session_key: str):
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key)


def _request_origin(request) -> dict:
    meta = getattr(request, "META", {}) if request is not None else {}
    return {
        "ip_address": meta.get("REMOTE_ADDR") or None,
        "user_agent": (meta.get("HTTP_USER_AGENT") or "")[:USER_AGENT_LENGTH],
    }


# Selectors


def active_sessions_for_user(user) -> QuerySet[UserSession]:
    """The user's sessions that the store still holds and has not expired
    (rows of idle-expired sessions stay until the user's next login)."""
    alive = Session.objects.filter(
        session_key=OuterRef("session_key"), expire_date__gt=timezone.now()
    )
    return UserSession.objects.filter(user=user).filter(Exists(alive))


# Services


def user_session_start(*, request, user) -> UserSession | None:
    """Record a session that just signed in, and forget the user's sessions
    that no longer exist."""
    session_key = request.session.session_key
    if not session_key:
        return None
    now = timezone.now()
    request.session[LOGIN_AT_KEY] = now.timestamp()
    request.session[SEEN_AT_KEY] = now.timestamp()
    with transaction.atomic():
        UserSession.objects.filter(user=user).exclude(
            pk__in=active_sessions_for_user(user).values("pk")
        ).exclude(session_key=session_key).delete()
        user_session, _ = UserSession.objects.update_or_create(
            session_key=session_key,
            defaults={"user": user, "created_at": now, "last_seen_at": now},
            create_defaults={
                "user": user,
                "created_at": now,
                "last_seen_at": now,
                **_request_origin(request),
            },
        )
    return user_session


def user_session_seen(*, request) -> None:
    """Note activity on the signed-in session, at most once a minute; create
    its row if it has none yet (a session older than this feature). Noting it
    changes the session, so the session middleware saves it and moves its idle
    expiry on; in between, the session is only read."""
    now = timezone.now()
    seen_at = request.session.get(SEEN_AT_KEY)
    if seen_at is not None and now.timestamp() - seen_at < SEEN_EVERY_SECONDS:
        return
    request.session[SEEN_AT_KEY] = now.timestamp()
    session_key = request.session.session_key
    if not session_key:
        return
    updated = UserSession.objects.filter(session_key=session_key, user=request.user).update(
        last_seen_at=now
    )
    if not updated:
        UserSession.objects.get_or_create(
            session_key=session_key,
            defaults={"user": request.user, "last_seen_at": now, **_request_origin(request)},
        )


def user_session_end(*, actor, user_session: UserSession) -> None:
    """End one session: drop it from the session store, then its row. Only the
    session's own user may end it (views reach it through the user's list)."""
    if user_session.user_id != actor.pk:
        raise PermissionError("A user ends only their own sessions.")
    _session_store(user_session.session_key).delete()
    user_session.delete()


def user_sessions_end_others(*, user, keep_session_key: str | None = None) -> int:
    """End every session of `user` except `keep_session_key` (the one that
    changed the password). Django's session auth hash would refuse them on
    their next request anyway; this ends them now and clears the list."""
    others = UserSession.objects.filter(user=user)
    if keep_session_key:
        others = others.exclude(session_key=keep_session_key)
    ended = 0
    for user_session in others:
        _session_store(user_session.session_key).delete()
        user_session.delete()
        ended += 1
    if ended:
        security_log.info("Ended %d other session(s) of user %s", ended, user.pk)
    return ended


def user_session_rekey(*, user, old_session_key: str | None, new_session_key: str | None) -> None:
    """Follow a session whose key changed while signed in (Django cycles the
    key when the password changes)."""
    if old_session_key and new_session_key and old_session_key != new_session_key:
        UserSession.objects.filter(user=user, session_key=old_session_key).update(
            session_key=new_session_key
        )


def sessions_clear_ended() -> int:
    """Nightly: let the session store drop its expired sessions, then delete the
    `UserSession` rows whose session is gone or expired (a session that timed
    out leaves its row behind). Returns how many sessions the store dropped."""
    now = timezone.now()
    expired = Session.objects.filter(expire_date__lt=now).count()
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    alive = Session.objects.filter(session_key=OuterRef("session_key"), expire_date__gt=now)
    ended, _ = UserSession.objects.exclude(Exists(alive)).delete()
    if ended:
        security_log.info("Forgot %d ended session(s)", ended)
    return expired


# Signal receivers: thin, they only call the services above.


@receiver(user_logged_in, dispatch_uid="alert4you_user_session_start")
def _on_logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        user_session_start(request=request, user=user)


@receiver(user_logged_out, dispatch_uid="alert4you_user_session_end")
def _on_logged_out(sender, request, user, **kwargs):
    # Django flushes the session from the store right after this signal.
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()


@receiver(user_locked_out, dispatch_uid="alert4you_log_lockout")
def _on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    # Axes keeps the record (AccessFailureLog, locked_out=True); this is the alert.
    security_log.warning("Login locked out: username=%r ip_address=%s", username, ip_address)


# Middleware


class SessionLimitsMiddleware:
    """Log out a session older than `SESSION_ABSOLUTE_SECONDS`, and note
    activity on the others. Comes after AuthenticationMiddleware. A session
    without a login time (signed in before this existed) gets one now."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = timezone.now().timestamp()
            login_at = request.session.get(LOGIN_AT_KEY)
            if login_at is None:
                request.session[LOGIN_AT_KEY] = login_at = now
            if now - login_at > settings.SESSION_ABSOLUTE_SECONDS:
                # The request goes on anonymous: a page that needs a login
                # sends the user to it, with `next` back to where they were.
                auth.logout(request)
            else:
                user_session_seen(request=request)
        return self.get_response(request)
