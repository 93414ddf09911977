"""Location managers assign coaches to their locations, plan the rhythm's visits
and keep the location's holidays and closing days."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from alert4you.forms import form_errors_from

from . import permissions, selectors, services
from .forms import AssignmentForm, ClosedPeriodForm
from .models import ClosedPeriod, CoachAssignment


@login_required
@never_cache
def assignment_list(request):
    locations = selectors.assignments_for_manager(request.user)
    if not locations:
        raise Http404
    return render(request, "coaching/assignment_list.html", {"locations": locations})


def _assignment_form(request, location, assignment=None):
    coaches = selectors.coach_candidates(location)
    if assignment is not None:
        # The current coach stays choosable, also when no longer a partner's coach.
        coaches = coaches | coaches.model.objects.filter(pk=assignment.coach_id)
    initial = {}
    if assignment is not None:
        initial = {
            field: getattr(assignment, field)
            for field in (
                "coach",
                "kind",
                "weekday",
                "every_weeks",
                "start_time",
                "end_time",
                "starts_on",
                "ends_on",
            )
        }
        initial["groups"] = list(assignment.groups.all())
    form = AssignmentForm(
        request.POST or None,
        initial=initial,
        coaches=coaches.distinct(),
        groups=location.groups.order_by("name"),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.assignment_save(
                actor=request.user,
                location=location,
                assignment=assignment,
                groups=list(data.pop("groups")),
                **data,
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("The coach assignment is saved."))
            return redirect("coaching:assignment-list")
    title = _("Change the coach assignment") if assignment else _("Assign a coach")
    context = {"location": location, "assignment": assignment, "form": form, "title": title}
    return render(request, "coaching/assignment_form.html", context)


@login_required
@never_cache
def assignment_create(request, location_uuid):
    location = permissions.get_location_for_manager(request.user, location_uuid)
    return _assignment_form(request, location)


@login_required
@never_cache
def assignment_edit(request, assignment_uuid):
    assignment = permissions.get_assignment_for_manager(request.user, assignment_uuid)
    return _assignment_form(request, assignment.location, assignment)


@login_required
@require_POST
def visits_generate(request, assignment_uuid):
    """Plan the coming 8 weeks of the rhythm (the location's manager or the coach)."""
    assignment = (
        CoachAssignment.objects.filter(uuid=assignment_uuid).select_related("location").first()
    )
    if assignment is None or not permissions.can_plan_assignment(request.user, assignment):
        raise Http404
    try:
        created = services.visits_generate(actor=request.user, assignment=assignment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if created:
            messages.success(request, _("%(count)s visits are planned.") % {"count": len(created)})
        else:
            messages.info(request, _("The coming 8 weeks were already planned."))
    next_url = "coaching:assignment-list"
    if assignment.coach_id == request.user.pk:
        next_url = "coaching:calendar"
    return redirect(next_url)


@login_required
@never_cache
def closed_periods(request, location_uuid):
    """The location's holidays and closing days, and a form to add one."""
    location = permissions.get_location_for_manager(request.user, location_uuid)
    form = ClosedPeriodForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.closed_period_save(actor=request.user, location=location, **form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("The closing days are saved."))
            return redirect("coaching:closed-periods", location_uuid=location.uuid)
    periods = ClosedPeriod.objects.filter(location=location).order_by("-starts_on")
    everywhere = ClosedPeriod.objects.filter(location__isnull=True).order_by("-starts_on")[:20]
    context = {"location": location, "form": form, "periods": periods, "everywhere": everywhere}
    return render(request, "coaching/closed_periods.html", context)


@login_required
@require_POST
def closed_period_delete(request, location_uuid, period_id):
    location = permissions.get_location_for_manager(request.user, location_uuid)
    period = ClosedPeriod.objects.filter(pk=period_id, location=location).first()
    if period is None:
        raise Http404
    services.closed_period_delete(actor=request.user, period=period)
    messages.success(request, _("The closing days are removed."))
    return redirect("coaching:closed-periods", location_uuid=location.uuid)
