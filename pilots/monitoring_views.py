"""Pages of pilot monitoring: a pilot's evaluation moments (for its project
leaders and programme staff; anyone else gets 404) and the quarterly
competence questionnaire (for the PM themselves; nobody else sees answers)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from alert4you.forms import form_errors_from

from . import monitoring
from .monitoring_forms import CompetenceRatingForm, EvaluationMomentForm


def _to_list(pilot):
    return redirect("pilots:evaluation-list", pilot_uuid=pilot.uuid)


@login_required
@never_cache
def evaluation_list(request, pilot_uuid):
    pilot = monitoring.get_pilot_for_evaluations(request.user, pilot_uuid)
    today = timezone.localdate()
    moments = list(monitoring.evaluation_moments_for_pilot(pilot))
    context = {
        "pilot": pilot,
        "upcoming": [m for m in moments if m.date >= today],
        "past": [m for m in reversed(moments) if m.date < today],
    }
    return render(request, "pilots/monitoring_evaluation_list.html", context)


def _moment_form_page(request, pilot, moment=None):
    form = EvaluationMomentForm(request.POST or None, instance=moment)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in monitoring.MOMENT_FIELDS}
        try:
            if moment is None:
                monitoring.evaluation_moment_create(actor=request.user, pilot=pilot, **fields)
            else:
                monitoring.evaluation_moment_update(actor=request.user, moment=moment, **fields)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("The evaluation moment is saved."))
            return _to_list(pilot)
    context = {"pilot": pilot, "moment": moment, "form": form}
    return render(request, "pilots/monitoring_evaluation_form.html", context)


@login_required
@never_cache
def evaluation_create(request, pilot_uuid):
    pilot = monitoring.get_pilot_for_evaluations(request.user, pilot_uuid)
    return _moment_form_page(request, pilot)


@login_required
@never_cache
def evaluation_edit(request, pilot_uuid, moment_uuid):
    pilot = monitoring.get_pilot_for_evaluations(request.user, pilot_uuid)
    moment = monitoring.get_evaluation_moment_for_user(request.user, pilot, moment_uuid)
    return _moment_form_page(request, pilot, moment)


@login_required
@require_POST
def evaluation_delete(request, pilot_uuid, moment_uuid):
    pilot = monitoring.get_pilot_for_evaluations(request.user, pilot_uuid)
    moment = monitoring.get_evaluation_moment_for_user(request.user, pilot, moment_uuid)
    monitoring.evaluation_moment_delete(actor=request.user, moment=moment)
    messages.success(request, _("The evaluation moment is removed."))
    return _to_list(pilot)


@login_required
@never_cache
def questionnaire(request):
    """The PM's own answer for this quarter, per pilot they work in."""
    pilots = list(monitoring.questionnaire_pilots_for(request.user))
    if not pilots:
        raise Http404
    chosen = request.POST.get("pilot") or request.GET.get("pilot")
    pilot = next((p for p in pilots if str(p.uuid) == chosen), pilots[0])
    rating = monitoring.competence_rating_for(request.user, pilot)
    initial = (
        {field: getattr(rating, field) for field in monitoring.SCORE_FIELDS} if rating else None
    )
    form = CompetenceRatingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            monitoring.competence_rating_save(actor=request.user, pilot=pilot, scores=form.scores())
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("Thank you. Your answers for this quarter are saved."))
            return redirect(f"{request.path}?pilot={pilot.uuid}")
    context = {
        "pilots": pilots,
        "pilot": pilot,
        "rating": rating,
        "form": form,
        "quarter": monitoring.quarter_label(monitoring.quarter_start(timezone.localdate())),
    }
    return render(request, "pilots/monitoring_questionnaire.html", context)
