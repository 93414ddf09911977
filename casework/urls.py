from django.urls import include, path

from . import views

app_name = "casework"

urlpatterns = [
    path("", views.case_list, name="case-list"),
    path("children/<uuid:child_uuid>/concern/", views.concern_create, name="concern-create"),
    path("<uuid:case_uuid>/", views.case_detail, name="case-detail"),
    path("<uuid:case_uuid>/history/", views.case_history, name="case-history"),
    path("<uuid:case_uuid>/print/", views.case_print, name="case-print"),
    path("<uuid:case_uuid>/export/", views.case_export, name="case-export"),
    path("<uuid:case_uuid>/access-log/", views.case_access_log, name="case-access-log"),
    path("<uuid:case_uuid>/status/", views.case_status, name="case-status"),
    path("<uuid:case_uuid>/observations/new/", views.observation_create, name="observation-create"),
    path("<uuid:case_uuid>/placements/new/", views.placement_create, name="placement-create"),
    path("<uuid:case_uuid>/referrals/new/", views.referral_create, name="referral-create"),
    path("<uuid:case_uuid>/team/", views.team_manage, name="case-team"),
    path("<uuid:case_uuid>/team/<int:user_id>/remove/", views.team_remove, name="team-remove"),
    path("", include("casework.plan_urls")),
    path("", include("casework.subject_access_urls")),
]
