"""URLs of pilot monitoring, included by `pilots.urls` (namespace "pilots")."""

from django.urls import path

from . import monitoring_views as views

urlpatterns = [
    path("questionnaire/", views.questionnaire, name="questionnaire"),
    path("<uuid:pilot_uuid>/evaluations/", views.evaluation_list, name="evaluation-list"),
    path("<uuid:pilot_uuid>/evaluations/new/", views.evaluation_create, name="evaluation-create"),
    path(
        "<uuid:pilot_uuid>/evaluations/<uuid:moment_uuid>/edit/",
        views.evaluation_edit,
        name="evaluation-edit",
    ),
    path(
        "<uuid:pilot_uuid>/evaluations/<uuid:moment_uuid>/delete/",
        views.evaluation_delete,
        name="evaluation-delete",
    ),
]
