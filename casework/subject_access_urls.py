from django.urls import path

from . import subject_access_views as views

urlpatterns = [
    path(
        "<uuid:case_uuid>/subject-access/",
        views.subject_access_page,
        name="case-subject-access",
    ),
    path(
        "<uuid:case_uuid>/subject-access.json",
        views.subject_access_json,
        name="case-subject-access-json",
    ),
]
