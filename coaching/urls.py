"""URLs of coaching (namespace "coaching")."""

from django.urls import path

from . import feed_views, group_plan_views, planning_views, request_views, views

app_name = "coaching"

urlpatterns = [
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/feed/", feed_views.feed_manage, name="feed-manage"),
    path("calendar/feed/<str:token>.ics", feed_views.feed, name="feed"),
    path("visits/", views.visit_list, name="visit-list"),
    path("visits/<uuid:visit_uuid>/", views.visit_detail, name="visit-detail"),
    path("visits/<uuid:visit_uuid>/move/", views.visit_move, name="visit-move"),
    path("visits/<uuid:visit_uuid>/cancel/", views.visit_cancel, name="visit-cancel"),
    path("visits/<uuid:visit_uuid>/prefill/", views.agenda_prefill, name="agenda-prefill"),
    path("visits/<uuid:visit_uuid>/questions/new/", views.agenda_question, name="agenda-question"),
    path(
        "visits/<uuid:visit_uuid>/agenda/<uuid:item_uuid>/move/",
        views.agenda_item_move,
        name="agenda-item-move",
    ),
    path("visits/<uuid:visit_uuid>/report/", views.visit_report, name="visit-report"),
    path("groups/<uuid:group_uuid>/", views.group_detail, name="group-detail"),
    path("groups/<uuid:group_uuid>/plans/", group_plan_views.group_plan_list, name="group-plans"),
    path(
        "groups/<uuid:group_uuid>/plans/start/",
        group_plan_views.group_plan_start,
        name="group-plan-start",
    ),
    path(
        "group-plans/<uuid:plan_uuid>/",
        group_plan_views.group_plan_detail,
        name="group-plan-detail",
    ),
    path(
        "group-plans/<uuid:plan_uuid>/edit/",
        group_plan_views.group_plan_edit,
        name="group-plan-edit",
    ),
    path(
        "group-plans/<uuid:plan_uuid>/children/",
        group_plan_views.group_plan_children,
        name="group-plan-children",
    ),
    path(
        "group-plans/<uuid:plan_uuid>/tips/",
        group_plan_views.group_plan_tips,
        name="group-plan-tips",
    ),
    path(
        "group-plans/<uuid:plan_uuid>/tips/pull/",
        group_plan_views.group_plan_pull_tips,
        name="group-plan-pull-tips",
    ),
    path(
        "group-plans/<uuid:plan_uuid>/tips/<int:tip_id>/check/",
        group_plan_views.group_plan_tip_check,
        name="group-plan-tip-check",
    ),
    path(
        "group-plans/<uuid:plan_uuid>/staffing/",
        group_plan_views.group_plan_staffing,
        name="group-plan-staffing",
    ),
    path(
        "group-plans/<uuid:plan_uuid>/submit/",
        group_plan_views.group_plan_submit,
        name="group-plan-submit",
    ),
    path(
        "group-plans/<uuid:plan_uuid>/approve/",
        group_plan_views.group_plan_approve,
        name="group-plan-approve",
    ),
    path(
        "group-plans/<uuid:plan_uuid>/return/",
        group_plan_views.group_plan_return,
        name="group-plan-return",
    ),
    path(
        "group-plans/<uuid:plan_uuid>/evaluate/",
        group_plan_views.group_plan_evaluate,
        name="group-plan-evaluate",
    ),
    path("assignments/", planning_views.assignment_list, name="assignment-list"),
    path(
        "locations/<uuid:location_uuid>/assignments/new/",
        planning_views.assignment_create,
        name="assignment-create",
    ),
    path(
        "assignments/<uuid:assignment_uuid>/",
        planning_views.assignment_edit,
        name="assignment-edit",
    ),
    path(
        "assignments/<uuid:assignment_uuid>/plan/",
        planning_views.visits_generate,
        name="visits-generate",
    ),
    path(
        "locations/<uuid:location_uuid>/closing-days/",
        planning_views.closed_periods,
        name="closed-periods",
    ),
    path(
        "locations/<uuid:location_uuid>/closing-days/<int:period_id>/delete/",
        planning_views.closed_period_delete,
        name="closed-period-delete",
    ),
    path("requests/", request_views.request_list, name="request-list"),
    path("requests/new/", request_views.request_create, name="request-create"),
    path("requests/<uuid:request_uuid>/", request_views.request_detail, name="request-detail"),
    path("intervision/", request_views.intervision_list, name="intervision-list"),
    path("intervision/new/", request_views.intervision_create, name="intervision-create"),
]
