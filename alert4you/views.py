from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import audit, health, two_factor
from . import sql as sql_parts
from .forms import LoginForm
from .home_selectors import home_context


@require_GET
@never_cache
def healthz(request):
    checks = {"database": health.database_ok(), "broker": health.broker_ok()}
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "error"}
    body.update({name: "ok" if up else "error" for name, up in checks.items()})
    return JsonResponse(body, status=200 if healthy else 503)


@login_required
@sql_parts.prepared("home")  # the same queries on every visit
def home(request):
    memberships = audit.current_memberships(request.user, request)
    context = home_context(request.user, memberships)
    # Every case the page names (a child's open case, a concern, an expiring
    # consent's child) is logged as seen in a list, as the case list does.
    audit.cases_listed(
        user=request.user,
        case_uuids=context.pop("listed_case_uuids"),
        child_ids=context.pop("listed_child_ids"),
        request=request,
    )
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
