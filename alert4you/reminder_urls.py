"""Reminders in the app, the profile where users choose them, and the page
where organisation admins follow what was sent (namespace "reminders")."""

from django.urls import path

from . import reminder_views as views

app_name = "reminders"

urlpatterns = [
    path("reminders/", views.reminder_list, name="reminder-list"),
    path("reminders/read/", views.reminder_read_all, name="reminder-read-all"),
    path("reminders/<uuid:reminder_uuid>/open/", views.reminder_open, name="reminder-open"),
    path("reminders/<uuid:reminder_uuid>/read/", views.reminder_read, name="reminder-read"),
    path("reminders/admin/", views.reminder_admin, name="reminder-admin"),
    path(
        "reminders/admin/<uuid:reminder_uuid>/resend/",
        views.reminder_resend,
        name="reminder-resend",
    ),
    path("profile/", views.profile_edit, name="profile"),
]
