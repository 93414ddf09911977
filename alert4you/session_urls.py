"""Your sessions (namespace "sessions"), and the password views that end the
other sessions: they take Django's URL names and paths, so this module is
included before `django.contrib.auth.urls`."""

from django.urls import include, path

from . import session_views as views

session_patterns = [
    path("", views.session_list, name="session-list"),
    path("<uuid:session_uuid>/end/", views.session_end, name="session-end"),
]

urlpatterns = [
    path("account/sessions/", include((session_patterns, "sessions"))),
    path(
        "accounts/password_change/",
        views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
]
