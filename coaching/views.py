"""Visit pages: the calendar, one visit with its agenda and report, and a group's
coaching. Every visit is fetched through `permissions.get_visit_for_user`
(missing or not taking part: 404)."""

from __future__ import annotations

import calendar as month_calendar
import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from alert4you import audit
from alert4you import sql as sql_parts
from alert4you.forms import form_errors_from
from alert4you.pagination import paginate
from casework.models import CaseStatus
from casework.selectors import cases_for_user
from casework.services import access_log_record_cases
from pilots.models import Role

from . import group_plan_selectors, permissions, selectors, services
from .forms import (
    AgendaQuestionForm,
    FollowUpFormSet,
    TipFormSet,
    VisitCancelForm,
    VisitMoveForm,
    VisitReportForm,
)
from .models import VisitStatus

PAGE_SIZE = 25


def _to_visit(visit):
    return redirect("coaching:visit-detail", visit_uuid=visit.uuid)


def _date_from(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _period(view: str, day: datetime.date):
    """First and last day shown, the days of the grid, and the previous and next date."""
    if view == "month":
        first = day.replace(day=1)
        last = first.replace(day=month_calendar.monthrange(first.year, first.month)[1])
        grid_first, _sunday = selectors.week_bounds(first)
        _monday, grid_last = selectors.week_bounds(last)
        previous = (first - datetime.timedelta(days=1)).replace(day=1)
        following = last + datetime.timedelta(days=1)
    else:
        first, last = selectors.week_bounds(day)
        grid_first, grid_last = first, last
        previous, following = (
            first - datetime.timedelta(weeks=1),
            first + datetime.timedelta(weeks=1),
        )
    return first, last, grid_first, grid_last, previous, following


@login_required
@never_cache
@sql_parts.prepared("calendar")  # the same queries on every visit
def calendar(request):
    """The user's visits in a week (default: this week) or a month."""
    view = "month" if request.GET.get("view") == "month" else "week"
    today = timezone.localdate()
    day = _date_from(request.GET.get("date")) or today
    first, last, grid_first, grid_last, previous, following = _period(view, day)
    roles = {role for role, _organisation, _id in audit.current_memberships(request.user, request)}
    visits = selectors.visits_between(request.user, grid_first, grid_last, roles=roles)
    by_day: dict[datetime.date, list] = {}
    for visit in visits:
        starts = timezone.localtime(visit.starts_at)
        # Shown as the time filter would ("H:i"), once per visit rather than per view.
        visit.start_time = f"{starts:%H:%M}"
        visit.end_time = f"{timezone.localtime(visit.ends_at):%H:%M}"
        by_day.setdefault(starts.date(), []).append(visit)
    days = []
    current = grid_first
    while current <= grid_last:
        days.append(
            {
                "date": current,
                "iso": current.isoformat(),
                "visits": by_day.get(current, []),
                "in_period": first <= current <= last,
                "is_today": current == today,
            }
        )
        current += datetime.timedelta(days=1)
    is_coach = Role.COACH in roles
    open_requests = []
    if is_coach:
        # Read as they are: the list shows no more than requests_to_decide joins.
        open_requests = selectors.request_rows(
            list(selectors.requests_to_decide(request.user)), request.user
        )
    context = {
        "view": view,
        "first": first,
        "last": last,
        "days": days,
        "weeks": [days[i : i + 7] for i in range(0, len(days), 7)],
        "visit_count": sum(len(d["visits"]) for d in days if d["in_period"]),
        "previous": previous,
        "following": following,
        "today": today,
        "is_coach": is_coach,
        "open_requests": open_requests,
    }
    return render(request, "coaching/calendar.html", context)


@login_required
@never_cache
def visit_list(request):
    """Coming visits (or past ones with ?past=1) of the user's groups and locations."""
    past = request.GET.get("past") == "1"
    roles = {role for role, _organisation, _id in audit.current_memberships(request.user, request)}
    visits = selectors.visit_list(request.user, upcoming=not past, roles=roles)
    page = paginate(visits, request.GET.get("page"), PAGE_SIZE)
    context = {"page": page, "past": past, "query": "past=1" if past else ""}
    return render(request, "coaching/visit_list.html", context)


def _log_children_shown(request, items) -> None:
    """A page that names a child or shows notes about one is a view of that
    child's case: write it to the case's access log."""
    access_log_record_cases(
        user=request.user,
        case_ids=[item.case_id for item in items if item.case_id and item.child_visible],
        action="view",
        request=request,
    )


@login_required
@never_cache
@sql_parts.prepared("visit_page")  # the same queries on every visit
def visit_detail(request, visit_uuid):
    user = request.user
    # The navigation reads the same (kept) memberships: the roles cost no query here.
    roles = {role for role, _organisation, _id in audit.current_memberships(user, request)}
    visit = permissions.get_visit_for_user(user, visit_uuid, roles=roles)
    groups = list(visit.groups.order_by("name"))
    items = selectors.agenda_for_user(visit, user)
    _log_children_shown(request, items)
    context = {
        "visit": visit,
        "groups": groups,
        "group_page_ids": selectors.groups_with_page(user, groups, roles=roles),
        "items": items,
        "is_visit_coach": visit.coach_id == user.pk,
        "can_plan": visit.status == VisitStatus.PLANNED
        and permissions.can_plan_visit(user, visit, roles=roles),
        "can_ask": permissions.can_ask(user, visit, roles=roles),
        "can_report": permissions.can_report(user, visit),
        "tips": list(visit.tips.all()) if visit.status == VisitStatus.HELD else [],
        "follow_ups": list(visit.follow_ups.all()) if visit.status == VisitStatus.HELD else [],
    }
    return render(request, "coaching/visit_detail.html", context)


def _visit_form_page(request, visit, form, texts):
    """One small form about a visit. `texts`: title and submit label."""
    context = {"visit": visit, "form": form, "title": texts[0], "submit_label": texts[1]}
    return render(request, "coaching/visit_form.html", context)


def _plannable_visit(request, visit_uuid):
    visit = permissions.get_visit_for_user(request.user, visit_uuid)
    if not permissions.can_plan_visit(request.user, visit):
        raise PermissionDenied
    return visit


@login_required
@never_cache
def visit_move(request, visit_uuid):
    visit = _plannable_visit(request, visit_uuid)
    starts, ends = timezone.localtime(visit.starts_at), timezone.localtime(visit.ends_at)
    initial = {"day": starts.date(), "start_time": starts.time(), "end_time": ends.time()}
    form = VisitMoveForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.visit_move(
                actor=request.user,
                visit=visit,
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("The visit is moved."))
            return _to_visit(visit)
    return _visit_form_page(request, visit, form, (_("Move the visit"), _("Move the visit")))


@login_required
@never_cache
def visit_cancel(request, visit_uuid):
    visit = _plannable_visit(request, visit_uuid)
    form = VisitCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.visit_cancel(
                actor=request.user, visit=visit, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("The visit is cancelled."))
            return _to_visit(visit)
    return _visit_form_page(request, visit, form, (_("Cancel the visit"), _("Cancel the visit")))


@login_required
@require_POST
def agenda_prefill(request, visit_uuid):
    visit = _plannable_visit(request, visit_uuid)
    try:
        added = services.agenda_prefill(actor=request.user, visit=visit)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if added:
            messages.success(
                request, _("%(count)s open items are added to the agenda.") % {"count": len(added)}
            )
        else:
            messages.info(request, _("There are no new open items for the agenda."))
    return _to_visit(visit)


@login_required
@never_cache
def agenda_question(request, visit_uuid):
    """A PM of one of the visit's groups (or its manager) adds a question."""
    visit = permissions.get_visit_for_user(request.user, visit_uuid)
    if visit.status != VisitStatus.PLANNED:
        messages.info(request, _("Questions can only be added to a planned visit."))
        return _to_visit(visit)
    if not permissions.can_ask(request.user, visit):
        raise PermissionDenied
    groups = visit.groups.order_by("name")
    cases = (
        cases_for_user(request.user)
        .filter(child__group__in=groups)
        .exclude(status=CaseStatus.CLOSED)
        .select_related("child__group")
        .order_by("child__first_name", "child__last_name")
    )
    form = AgendaQuestionForm(request.POST or None, cases=cases, groups=groups)
    if request.method == "POST" and form.is_valid():
        try:
            services.agenda_item_add(actor=request.user, visit=visit, **form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("Your question is on the agenda."))
            return _to_visit(visit)
    return _visit_form_page(request, visit, form, (_("Add a question"), _("Add the question")))


@login_required
@require_POST
def agenda_item_move(request, visit_uuid, item_uuid):
    visit = permissions.get_visit_for_user(request.user, visit_uuid)
    if visit.coach_id != request.user.pk:
        raise PermissionDenied
    try:
        services.agenda_item_move(
            actor=request.user,
            visit=visit,
            item_uuid=item_uuid,
            up=request.POST.get("direction") == "up",
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(f"{visit.get_absolute_url()}#item-{item_uuid}")


@login_required
@never_cache
def visit_report(request, visit_uuid):
    """The coach writes the report; the visit is then held."""
    visit = permissions.get_visit_for_user(request.user, visit_uuid)
    if visit.coach_id != request.user.pk:
        raise PermissionDenied
    if not permissions.can_report(request.user, visit):
        messages.info(request, _("The report can be written once, after the visit has started."))
        return _to_visit(visit)
    items = selectors.agenda_for_user(visit, request.user)
    data = request.POST or None
    form = VisitReportForm(data, items=items)
    tips = TipFormSet(data, prefix="tips")
    follow_ups = FollowUpFormSet(data, prefix="follow_ups")
    if request.method == "POST" and all([form.is_valid(), tips.is_valid(), follow_ups.is_valid()]):
        try:
            services.visit_report(
                actor=request.user,
                visit=visit,
                notes_by_item=form.notes_by_item(),
                general_notes=form.cleaned_data["general_notes"],
                tips=[tip.cleaned_data.get("text", "") for tip in tips],
                follow_ups=[f.cleaned_data for f in follow_ups if f.cleaned_data],
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("The report is saved. The group can read it now."))
            return _to_visit(visit)
    context = {
        "visit": visit,
        "groups": list(visit.groups.order_by("name")),
        "form": form,
        "tips": tips,
        "follow_ups": follow_ups,
    }
    return render(request, "coaching/visit_report.html", context)


@login_required
@never_cache
def group_detail(request, group_uuid):
    """A group's coaching: coming visits, and held visits with tips and follow-ups."""
    group = permissions.get_group_for_user(request.user, group_uuid)
    upcoming, held = selectors.group_visits(request.user, group, page=request.GET.get("page"))
    _log_children_shown(request, [i for visit in held.object_list for i in visit.shown_items])
    context = {"group": group, "upcoming": upcoming, "page": held}
    context["current_plan"] = group_plan_selectors.current_group_plans([group.pk]).first()
    return render(request, "coaching/group_detail.html", context)
