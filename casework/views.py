"""Case pages. Every case is fetched through `permissions.get_case_for_user`
(missing or forbidden: 404) and every view of one is written to the access log."""

import csv

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from alert4you import sql as sql_parts
from alert4you.forms import form_errors_from
from alert4you.pagination import paginate
from parents import selectors as parent_selectors
from pilots.models import Membership, Role

from . import history, permissions, selectors, services
from .forms import (
    CaseFilterForm,
    CaseStatusForm,
    ConcernForm,
    ObservationForm,
    PlacementForm,
    ReferralForm,
    TeamMemberForm,
)
from .models import AccessLogEntry

PAGE_SIZE = 25


@login_required
@never_cache
def case_list(request):
    with sql_parts.prepared("case_list"):  # the same queries on every visit
        groups = selectors.visible_groups_for_filter(request.user)
    form = CaseFilterForm(request.GET or None, groups=groups)
    # An invalid filter shows no cases (and its error), never all of them.
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    cases = selectors.case_list_for_user(
        request.user,
        status=filters.get("status") or None,
        group=filters.get("group"),
        domain=filters.get("domain") or None,
        worry_level=filters.get("worry_level"),
        search=filters.get("q") or None,
    )
    if form.is_bound and form.errors:
        cases = cases.none()
    with sql_parts.prepared("case_list"):
        page = paginate(cases, request.GET.get("page"), PAGE_SIZE)
    selectors.case_list_rows(page.object_list, groups)
    # Every child shown is logged, as a search when filters picked them (the
    # search term itself is not kept: it may be a child's name).
    searched = any(filters.values())
    services.access_log_record_cases(
        user=request.user,
        case_ids=[case.pk for case in page.object_list],
        action=AccessLogEntry.Action.SEARCH if searched else AccessLogEntry.Action.LISTED,
        request=request,
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "casework/case_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@login_required
@never_cache
def concern_create(request, child_uuid):
    child = permissions.get_child_for_concern(request.user, child_uuid)
    form = ConcernForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            concern = services.concern_log(actor=request.user, child=child, **form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("The concern is logged."))
            return redirect(concern.case)
    return render(request, "casework/concern_form.html", {"form": form, "child": child})


@login_required
@never_cache
def case_detail(request, case_uuid):
    case = permissions.get_case_page_for_user(request.user, case_uuid)
    services.access_log_record(user=request.user, case=case, action="view", request=request)
    plans = selectors.plans_with_reviews(case)
    context = {
        "case": case,
        "child": case.child,
        "timeline": selectors.case_timeline(case, plans),
        "team": selectors.case_team(case),
        "plan": selectors.plan_for_case_page(plans),
        "can_change": "change_case" in case.user_perms,
        "can_view_access_log": "view_access_log" in case.user_perms,
        "status_form": CaseStatusForm(initial={"status": case.status}),
        # What is and is not shared, for those who work on the case.
        "consents": parent_selectors.consent_panel_for_case(request.user, case)
        if "change_case" in case.user_perms
        else None,
    }
    return render(request, "casework/case_detail.html", context)


@login_required
@never_cache
def case_history(request, case_uuid):
    case = permissions.get_case_for_user(request.user, case_uuid)
    services.access_log_record(user=request.user, case=case, action="history", request=request)
    return render(
        request, "casework/case_history.html", {"case": case, "changes": history.case_changes(case)}
    )


@login_required
@never_cache
def case_print(request, case_uuid):
    case = permissions.get_case_for_user(request.user, case_uuid)
    services.access_log_record(user=request.user, case=case, action="print", request=request)
    context = {
        "case": case,
        "child": case.child,
        "timeline": selectors.case_timeline(case),
        "plan": services.latest_approved_plan(case),
        "printed_at": timezone.now(),
    }
    return render(request, "casework/case_print.html", context)


@login_required
@never_cache
def case_export(request, case_uuid):
    case = permissions.get_case_for_user(request.user, case_uuid)
    services.access_log_record(user=request.user, case=case, action="export", request=request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="case-{case.uuid}.csv"'
    response.write("\ufeff")  # lets spreadsheet programs read UTF-8
    writer = csv.writer(response, delimiter=";")
    writer.writerow([_("Date"), _("Kind"), _("Summary"), _("By")])
    for entry in selectors.case_timeline(case):
        summary, by = history.timeline_summary(entry)
        writer.writerow([entry.on.isoformat(), entry.kind, _csv_safe(summary), _csv_safe(by)])
    return response


def _csv_safe(value: str) -> str:
    # Spreadsheet programs run cells that start with these as formulas.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@login_required
@never_cache
def case_access_log(request, case_uuid):
    case = permissions.get_case_for_user(request.user, case_uuid, "view_access_log")
    services.access_log_record(user=request.user, case=case, action="access_log", request=request)
    entries = Paginator(
        AccessLogEntry.objects.filter(case=case).select_related("user"), 50
    ).get_page(request.GET.get("page"))
    return render(request, "casework/case_access_log.html", {"case": case, "page": entries})


def _case_form_view(request, case_uuid, form_class, save, texts):
    """A form that adds one thing to a case. `texts`: title, submit label, success message."""
    case = permissions.get_case_for_user(request.user, case_uuid, "change_case")
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            save(case, form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, texts[2])
            return redirect(case)
    context = {"case": case, "form": form, "title": texts[0], "submit_label": texts[1]}
    return render(request, "casework/case_form.html", context)


@login_required
@never_cache
def observation_create(request, case_uuid):
    return _case_form_view(
        request,
        case_uuid,
        ObservationForm,
        lambda case, data: services.observation_record(actor=request.user, case=case, **data),
        (_("Record an observation"), _("Save the observation"), _("The observation is saved.")),
    )


@login_required
@never_cache
def placement_create(request, case_uuid):
    return _case_form_view(
        request,
        case_uuid,
        PlacementForm,
        lambda case, data: services.placement_record(actor=request.user, case=case, **data),
        (_("Record a placement"), _("Save the placement"), _("The placement is saved.")),
    )


@login_required
@never_cache
def referral_create(request, case_uuid):
    return _case_form_view(
        request,
        case_uuid,
        ReferralForm,
        lambda case, data: services.referral_record(actor=request.user, case=case, **data),
        (_("Record a referral"), _("Save the referral"), _("The referral is saved.")),
    )


def _team_candidates(case):
    """Colleagues at the child's organisation, and the partners of its pilot."""
    location = case.child.group.location
    organisations = Q(organisation=location.organisation_id)
    if location.pilot_id:
        organisations |= Q(organisation__pilots=location.pilot_id)
    user_ids = (
        Membership.objects.current()
        .filter(organisations)
        .filter(
            role__in=[
                Role.PEDAGOGICAL_STAFF,
                Role.CARE_COORDINATOR,
                Role.LOCATION_MANAGER,
                Role.COACH,
                Role.EXTERNAL_EXPERT,
                Role.SCHOOL_STAFF,
            ]
        )
        .values("user_id")
    )
    return (
        get_user_model()
        .objects.filter(id__in=user_ids, is_active=True)
        .order_by("first_name", "last_name")
    )


@login_required
@never_cache
def team_manage(request, case_uuid):
    case = permissions.get_case_for_user(request.user, case_uuid, "change_case")
    form = TeamMemberForm(request.POST or None, candidates=_team_candidates(case))
    if request.method == "POST" and form.is_valid():
        try:
            services.case_team_add(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("Added to the case team."))
            return redirect("casework:case-team", case_uuid=case.uuid)
    team = case.team_members.select_related("user", "added_by")
    return render(request, "casework/case_team.html", {"case": case, "form": form, "team": team})


@login_required
@require_POST
def team_remove(request, case_uuid, user_id):
    case = permissions.get_case_for_user(request.user, case_uuid, "change_case")
    member = case.team_members.filter(user_id=user_id).select_related("user").first()
    if member is not None:
        services.case_team_remove(actor=request.user, case=case, user=member.user)
        messages.success(request, _("Removed from the case team."))
    return redirect("casework:case-team", case_uuid=case.uuid)


@login_required
@require_POST
def case_status(request, case_uuid):
    case = permissions.get_case_for_user(request.user, case_uuid, "change_case")
    form = CaseStatusForm(request.POST)
    if form.is_valid():
        try:
            services.case_set_status(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The status is saved."))
    return redirect(case)
