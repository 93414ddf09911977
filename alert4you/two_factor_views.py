"""Two-step login pages: set up an authenticator app, enter a code, and the
organisation admin's "People" page that resets someone's two-step login."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from pilots.demo import DEMO_ACCOUNTS

from . import two_factor


class CodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code"), max_length=32, strip=True)


def _next(request) -> str:
    return two_factor.safe_next(request, request.POST.get("next") or request.GET.get("next"))


def _demo_code(user) -> str | None:
    if not two_factor.demo_codes_visible():
        return None
    username = user.get_username()
    if username not in {account.username for account in DEMO_ACCOUNTS}:
        return None
    return two_factor.demo_codes([username]).get(username)


@never_cache
@sensitive_post_parameters("code")
@login_required
def enrol(request):
    next_url = _next(request)
    if two_factor.is_verified(request.user):
        return redirect(next_url)
    if two_factor.has_confirmed_device(request.user):
        # Setting up a new app needs the old one (or an admin's reset).
        return redirect(two_factor.step_url(request.user, next_url))
    device = two_factor.enrolment_device(request.user)
    form = CodeForm(request.POST or None)
    if form.is_valid():
        try:
            codes = two_factor.enrolment_confirm(
                request=request, device=device, code=form.cleaned_data["code"]
            )
        except ValidationError as error:
            form.add_error("code", error)
        else:
            # Shown once, in this response: they are not kept anywhere to show again.
            return render(
                request, "account/two_factor_backup_codes.html", {"codes": codes, "next": next_url}
            )
    context = {
        "form": form,
        "next": next_url,
        "qr_code": two_factor.qr_code_svg(device),
        "secret": two_factor.secret_for_manual_entry(device),
    }
    return render(request, "account/two_factor_enrol.html", context)


@never_cache
@sensitive_post_parameters("code")
@login_required
def verify(request):
    next_url = _next(request)
    if two_factor.is_verified(request.user):
        return redirect(next_url)
    if not two_factor.has_confirmed_device(request.user):
        return redirect(two_factor.step_url(request.user, next_url))
    form = CodeForm(request.POST or None)
    if form.is_valid():
        try:
            two_factor.verify_code(request=request, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
        else:
            return redirect(next_url)
    context = {"form": form, "next": next_url, "demo_code": _demo_code(request.user)}
    return render(request, "account/two_factor_verify.html", context)


@login_required
def people_list(request):
    people = two_factor.people_for_admin(request.user)
    if not people:
        # Not an organisation admin (an admin is a member of their own organisation).
        raise Http404
    return render(request, "account/people_list.html", {"people": people})


@login_required
@require_POST
def person_two_factor_reset(request, membership_uuid):
    membership = two_factor.membership_for_reset(request.user, membership_uuid)
    two_factor.two_factor_reset(actor=request.user, membership=membership, request=request)
    messages.success(
        request,
        _("The two-step login of %(name)s was reset. They set it up again at their next login.")
        % {"name": membership.user.get_full_name() or membership.user.get_username()},
    )
    return redirect("people:people-list")
