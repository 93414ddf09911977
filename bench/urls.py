from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.views.decorators.cache import never_cache

from alert4you.urls import urlpatterns as app_patterns

from .comparison_admin import site


@login_required
@never_cache
def bare_page(request):
    """The app's layout with nothing in it, signed in: what every page pays
    before its own work (middleware, session, user, two-step device, roles,
    navigation)."""
    return render(request, "base.html")


urlpatterns = [
    path("bench-admin/", site.urls),
    path("bench-bare/", bare_page, name="bench-bare"),
    *app_patterns,
]
