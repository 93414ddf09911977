"""Two-step login (namespace "two-factor") and the organisation admin's
"People" page (namespace "people")."""

from django.urls import include, path

from . import two_factor_views as views

two_factor_patterns = [
    path("set-up/", views.enrol, name="enrol"),
    path("verify/", views.verify, name="verify"),
]

people_patterns = [
    path("", views.people_list, name="people-list"),
    path(
        "<uuid:membership_uuid>/reset-two-step/",
        views.person_two_factor_reset,
        name="two-factor-reset",
    ),
]

urlpatterns = [
    path("account/two-factor/", include((two_factor_patterns, "two-factor"))),
    path("account/people/", include((people_patterns, "people"))),
]
