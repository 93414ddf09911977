"""URLs of the child's plan: versions, editing, review and comparison.

Included under /cases/ in the casework namespace. The plain words (review/,
overview/, plan/) never clash with the case URLs, which start with a UUID.
"""

from django.urls import path

from . import plan_views as views

urlpatterns = [
    path("review/", views.review_queue, name="review-queue"),
    path("overview/", views.open_cases_per_group, name="open-cases-per-group"),
    path("<uuid:case_uuid>/plan/", views.plan_detail, name="plan-detail"),
    path("<uuid:case_uuid>/plan/start/", views.plan_start, name="plan-start"),
    path("<uuid:case_uuid>/plan/compare/", views.plan_compare, name="plan-compare"),
    path("plan/<uuid:plan_uuid>/", views.plan_version, name="plan-version"),
    path("plan/<uuid:plan_uuid>/edit/", views.plan_edit, name="plan-edit"),
    path("plan/<uuid:plan_uuid>/submit/", views.plan_submit, name="plan-submit"),
    path("plan/<uuid:plan_uuid>/approve/", views.plan_approve, name="plan-approve"),
    path("plan/<uuid:plan_uuid>/return/", views.plan_return, name="plan-return"),
    path("plan/<uuid:plan_uuid>/parents/", views.plan_parents, name="plan-parents"),
]
