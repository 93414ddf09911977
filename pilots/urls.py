from django.urls import include, path

from . import views

app_name = "pilots"

urlpatterns = [
    path("import/", views.import_upload, name="import"),
    path("", include("pilots.monitoring_urls")),
]
