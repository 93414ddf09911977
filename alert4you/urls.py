from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("", include("alert4you.session_urls")),
    path("", include("alert4you.two_factor_urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("pilots/", include("pilots.urls")),
    path("dashboards/", include("pilots.dashboard_urls")),
    path("cases/", include("casework.urls")),
    path("parents/", include("parents.urls")),
    path("coaching/", include("coaching.urls")),
    path("", include("alert4you.reminder_urls")),
    path("audit/", include("alert4you.audit_urls")),
    path("admin/", admin.site.urls),
]
