from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from casework import selectors as case_selectors
from coaching import selectors as coaching_selectors
from parents import selectors as parent_selectors
from pilots import selectors

from . import health, two_factor
from .forms import LoginForm


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
    memberships = list(selectors.memberships_for_user(user))
    staff_groups = list(selectors.groups_for_staff(user))
    children = case_selectors.children_in_groups_for_home(user, staff_groups)
    for group in staff_groups:
        group.home_children = children.get(group.id, [])
    managed_locations = list(selectors.locations_for_role(user, "location_manager"))
    expiring = (
        parent_selectors.consents_expiring_for_user(user)
        if staff_groups or managed_locations
        else None
    )
    context = {
        "memberships": memberships,
        "staff_groups": staff_groups,
        "my_concerns": list(case_selectors.concerns_logged_by(user)) if staff_groups else [],
        "review_count": case_selectors.review_queue_for_user(user).count(),
        "managed_locations": managed_locations,
        "expiring_consents": list(expiring[:5]) if expiring is not None else [],
        "expiring_consents_count": expiring.count() if expiring is not None else 0,
        "coordinated_locations": list(selectors.locations_for_role(user, "care_coordinator")),
        "led_pilots": list(selectors.pilots_led_by(user)),
        "administered_organisations": list(selectors.organisations_administered_by(user)),
    }
    # The coach's week and requests, the groups' next visits: a fixed number of queries.
    context.update(
        coaching_selectors.home_for_user(
            user, roles={m.role for m in memberships}, staff_groups=staff_groups
        )
    )
    # The review queue holds the group plans too.
    context["review_count"] += context.get("group_plans_waiting", 0)
    return render(request, "home.html", context)


class LoginView(auth_views.LoginView):
    """Django's login (the first of two steps: `alert4you.two_factor` asks for
    the code next), plus the demo accounts and their current codes on the page
    in demo mode only."""

    authentication_form = LoginForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if settings.DEMO_MODE:
            from pilots.demo import DEMO_ACCOUNTS, DEMO_PASSWORD

            context["demo_accounts"] = DEMO_ACCOUNTS
            context["demo_password"] = DEMO_PASSWORD
            # Never under production settings, whatever DEMO_MODE says.
            context["demo_codes"] = two_factor.demo_codes(a.username for a in DEMO_ACCOUNTS)
        return context
