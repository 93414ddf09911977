"""Dashboard URLs, mounted at /dashboards/ (see alert4you/urls.py), in their own
namespace: dashboards:index, dashboards:pilot, dashboards:pilot-export, ..."""

from django.urls import path, register_converter

from . import dashboard_views as views


class ExportFormatConverter:
    regex = "csv|xlsx"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(ExportFormatConverter, "export_format")

app_name = "dashboards"

urlpatterns = [
    path("", views.dashboard_index, name="index"),
    path("pilots/<uuid:pilot_uuid>/", views.pilot_dashboard, name="pilot"),
    path(
        "pilots/<uuid:pilot_uuid>/export.<export_format:format>",
        views.pilot_dashboard,
        name="pilot-export",
    ),
    path("locations/<uuid:location_uuid>/", views.location_dashboard, name="location"),
    path(
        "locations/<uuid:location_uuid>/export.<export_format:format>",
        views.location_dashboard,
        name="location-export",
    ),
    path("national/", views.national_dashboard, name="national"),
    path(
        "national/export.<export_format:format>",
        views.national_dashboard,
        name="national-export",
    ),
]
