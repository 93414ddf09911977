from django.urls import path

from alert4you.urls import urlpatterns as app_patterns

from .comparison_admin import site

urlpatterns = [path("bench-admin/", site.urls), *app_patterns]
