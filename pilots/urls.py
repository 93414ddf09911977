from django.urls import path

from . import views

app_name = "pilots"

urlpatterns = [
    path("import/", views.import_upload, name="import"),
]
