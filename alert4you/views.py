from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from pilots import selectors

from . import health


@require_GET
@never_cache
def healthz(request):
    checks = {"database": health.database_ok(), "broker": health.broker_ok()}
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "error"}
    body.update({name: "ok" if up else "error" for name, up in checks.items()})
    return JsonResponse(body, status=200 if healthy else 503)


@login_required
def home(request):
    user = request.user
    context = {
        "memberships": list(selectors.memberships_for_user(user)),
        "staff_groups": list(selectors.groups_for_staff(user)),
        "managed_locations": list(selectors.locations_for_role(user, "location_manager")),
        "coordinated_locations": list(selectors.locations_for_role(user, "care_coordinator")),
        "coached_locations": list(selectors.locations_for_role(user, "coach")),
        "led_pilots": list(selectors.pilots_led_by(user)),
        "administered_organisations": list(selectors.organisations_administered_by(user)),
    }
    return render(request, "home.html", context)
