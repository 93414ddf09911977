"""Requests for help between visits, and intervision between coaches."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from alert4you.forms import form_errors_from
from alert4you.pagination import paginate
from casework.models import CaseStatus
from casework.selectors import cases_for_user

from . import permissions, selectors, services
from .forms import CoachingRequestForm, DeclineRequestForm, IntervisionForm, ScheduleRequestForm

PAGE_SIZE = 25


@login_required
@never_cache
def request_list(request):
    requests = selectors.request_list_for_user(request.user)
    page = paginate(requests, request.GET.get("page"), PAGE_SIZE)
    page.object_list = selectors.request_rows(page.object_list, request.user)
    can_ask = selectors.staff_groups(request.user).exists()
    return render(request, "coaching/request_list.html", {"page": page, "can_ask": can_ask})


@login_required
@never_cache
def request_create(request):
    """A PM asks the coach of one of their groups for help."""
    groups = selectors.staff_groups(request.user).select_related("location").order_by("name")
    if not groups.exists():
        raise Http404
    cases = (
        cases_for_user(request.user)
        .filter(child__group__in=groups)
        .exclude(status=CaseStatus.CLOSED)
        .select_related("child__group")
        .order_by("child__first_name", "child__last_name")
    )
    form = CoachingRequestForm(request.POST or None, groups=groups, cases=cases)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.coaching_request_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("Your request is sent to the coach."))
            return redirect("coaching:request-detail", request_uuid=created.uuid)
    return render(request, "coaching/request_form.html", {"form": form})


@login_required
@never_cache
def request_detail(request, request_uuid):
    """The request, and for the group's coach: accept, schedule or decline it."""
    coaching_request = permissions.get_request_for_user(request.user, request_uuid)
    can_decide = coaching_request.status in ("open", "accepted") and (
        permissions.can_decide_request(request.user, coaching_request)
    )
    action = request.POST.get("action") if request.method == "POST" else None
    visits = selectors.planned_visits_for_request(request.user, coaching_request)
    schedule_form = ScheduleRequestForm(
        request.POST if action == "schedule" else None, visits=visits
    )
    decline_form = DeclineRequestForm(request.POST if action == "decline" else None)
    if action:
        if not can_decide:
            raise PermissionDenied
        if _decide(request, coaching_request, action, schedule_form, decline_form):
            return redirect("coaching:request-detail", request_uuid=coaching_request.uuid)
    context = {
        "coaching_request": coaching_request,
        "can_decide": can_decide,
        "schedule_form": schedule_form,
        "decline_form": decline_form,
        "has_visits": visits.exists() if can_decide else False,
    }
    return render(request, "coaching/request_detail.html", context)


def _decide(request, coaching_request, action, schedule_form, decline_form) -> bool:
    """Carry out the coach's decision; False (with the errors on the form) if it failed."""
    actor = request.user
    try:
        if action == "accept":
            services.coaching_request_accept(actor=actor, request=coaching_request)
            messages.success(request, _("You accepted the request."))
            return True
        if action == "schedule" and schedule_form.is_valid():
            services.coaching_request_schedule(
                actor=actor, request=coaching_request, visit=schedule_form.cleaned_data["visit"]
            )
            messages.success(request, _("The request is on the agenda of the visit."))
            return True
        if action == "decline" and decline_form.is_valid():
            services.coaching_request_decline(
                actor=actor, request=coaching_request, reason=decline_form.cleaned_data["reason"]
            )
            messages.success(request, _("You declined the request."))
            return True
    except ValidationError as error:
        if action == "accept":
            messages.error(request, " ".join(error.messages))
        else:
            form_errors_from(decline_form if action == "decline" else schedule_form, error)
    return False


@login_required
@never_cache
def intervision_list(request):
    if not selectors.is_coach(request.user):
        raise Http404
    page = Paginator(selectors.intervisions_for_user(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "coaching/intervision_list.html", {"page": page})


@login_required
@never_cache
def intervision_create(request):
    if not selectors.is_coach(request.user):
        raise Http404
    coaches = selectors.coaches_for_intervision(request.user).exclude(pk=request.user.pk)
    form = IntervisionForm(request.POST or None, coaches=coaches)
    if request.method == "POST" and form.is_valid():
        try:
            services.intervision_record(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("The intervision is recorded."))
            return redirect("coaching:intervision-list")
    return render(request, "coaching/intervision_form.html", {"form": form})
