"""Dashboards: aggregated figures per pilot, per location and nationally.

Who opens what is decided in `pilots.dashboard_selectors`; anything else
answers 404. The pages show indicators only — tables of suppressed, rounded
figures — and never link to a child or a case.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from alert4you import audit
from alert4you.models import AuditEntry

from . import charts, dashboard_exports, dashboard_selectors, monitoring
from .dashboard_forms import DashboardFilterForm
from .dashboard_types import DashboardFilters, Indicator, Scope
from .indicators import compute_uncached
from .models import Location, LocationType, Municipality

#: Figures change slowly and dashboards are opened in meetings: a few minutes is fresh enough.
CACHE_SECONDS = getattr(settings, "DASHBOARD_CACHE_SECONDS", 60)
FORMATS = ("csv", "xlsx")


def dashboard_indicators(scope: Scope, filters: DashboardFilters) -> list[Indicator]:
    """Every indicator of the scope under the filters, cached briefly per filter
    set (and language: titles and labels are translated)."""
    indicators = cache.get(_cache_key("dashboard", scope, filters))
    if indicators is None:
        indicators = [indicator for indicator, _chart in _compute(scope, filters, draw=None)]
    return indicators


def _compute(scope: Scope, filters: DashboardFilters, *, draw) -> list[tuple[Indicator, object]]:
    """Every indicator computed now and cached, each paired with its chart when
    `draw` is given (drawn in the thread that computed it, see compute_uncached)."""

    def with_chart(indicator):
        return indicator, draw(indicator) if draw else None

    pairs = compute_uncached(scope, filters, then=with_chart)
    pairs.append(with_chart(monitoring.competence_indicator(scope, filters)))
    # Cached here only (not again inside): one cache entry per page view.
    indicators = [indicator for indicator, _chart in pairs]
    cache.set(_cache_key("dashboard", scope, filters), indicators, CACHE_SECONDS)
    return pairs


def dashboard_panels_html(scope: Scope, filters: DashboardFilters) -> str:
    """The indicator panels (charts and tables) as HTML, cached like the figures
    they are drawn from: an open dashboard is read far more often than its
    figures change, and drawing is most of its work."""
    key = _cache_key("dashboard-panels", scope, filters)
    html = cache.get(key)
    if html is None:
        indicators = cache.get(_cache_key("dashboard", scope, filters))
        if indicators is None:
            panels = _compute(scope, filters, draw=charts.chart_svg)
        else:
            panels = [(indicator, charts.chart_svg(indicator)) for indicator in indicators]
        html = render_to_string("pilots/includes/_indicator_panels.html", {"panels": panels})
        cache.set(key, html, CACHE_SECONDS)
    # Our own rendering, escaped when it was drawn (a cache may hand back a plain str).
    return mark_safe(html)  # noqa: S308


def _cache_key(kind: str, scope: Scope, filters: DashboardFilters) -> str:
    # Per language: titles, labels and chart texts are translated.
    return f"{kind}:{scope.key}:{filters.key}:{get_language()}"


# --- who may open what --------------------------------------------------------------------------


def _pilot_for(user, pilot_uuid, *, national: bool):
    pilots = dashboard_selectors.pilots_for_dashboard(user, national=national)
    pilot = pilots.filter(uuid=pilot_uuid).first()
    if pilot is None:
        audit.access_denied(user, "pilot dashboard", pilot_uuid)
        raise Http404
    return pilot


def _location_for(user, location_uuid):
    """A location the user manages; programme staff: any location in a pilot."""
    if dashboard_selectors.can_see_national(user):
        locations = Location.objects.filter(pilot__isnull=False)
    else:
        locations = dashboard_selectors.locations_for_dashboard(user)
    location = locations.select_related("pilot").filter(uuid=location_uuid).first()
    if location is None:
        audit.access_denied(user, "location dashboard", location_uuid)
        raise Http404
    return location


def _national_for(user):
    if not dashboard_selectors.can_see_national(user):
        audit.access_denied(user, "national dashboard", "")
        raise Http404


# --- pages --------------------------------------------------------------------------------------


@login_required
@require_GET
def dashboard_index(request):
    user = request.user
    national = dashboard_selectors.can_see_national(user)
    pilots = dashboard_selectors.pilots_for_dashboard(user, national=national)
    context = {
        "pilots": list(pilots.select_related("municipality")),
        "locations": list(
            dashboard_selectors.locations_for_dashboard(user).select_related("pilot")
        ),
        "national": national,
    }
    return render(request, "pilots/dashboard_index.html", context)


@login_required
@require_GET
def pilot_dashboard(request, pilot_uuid, format=None):
    national = dashboard_selectors.can_see_national(request.user)
    pilot = _pilot_for(request.user, pilot_uuid, national=national)
    scope = dashboard_selectors.scope_for_pilot(pilot)
    urls = _urls("dashboards:pilot", pilot_uuid=pilot.uuid)
    extra = {"pilot": pilot}
    if national:
        extra["location_links"] = list(pilot.locations.order_by("name"))
    return _dashboard(request, scope, urls, format, subject=f"pilot:{pilot.name}", extra=extra)


@login_required
@require_GET
def location_dashboard(request, location_uuid, format=None):
    location = _location_for(request.user, location_uuid)
    scope = dashboard_selectors.scope_for_location(location)
    urls = _urls("dashboards:location", location_uuid=location.uuid)
    extra = {"location": location}
    return _dashboard(
        request, scope, urls, format, subject=f"location:{location.name}", extra=extra
    )


@login_required
@require_GET
def national_dashboard(request, format=None):
    _national_for(request.user)
    scope = dashboard_selectors.national_scope()
    urls = _urls("dashboards:national")
    return _dashboard(request, scope, urls, format, subject="national", extra={})


def _urls(name: str, **kwargs) -> dict:
    return {
        "page": reverse(name, kwargs=kwargs),
        "csv": reverse(f"{name}-export", kwargs={**kwargs, "format": "csv"}),
        "xlsx": reverse(f"{name}-export", kwargs={**kwargs, "format": "xlsx"}),
    }


def _dashboard(request, scope: Scope, urls: dict, format, *, subject: str, extra: dict):
    format = format or request.GET.get("format")
    form = DashboardFilterForm(request.GET, scope=scope)
    filters = form.filters()
    if format in FORMATS:
        indicators = dashboard_indicators(scope, filters)
        return _export(request, scope, filters, indicators, format, subject=subject)
    query = urlencode(_filter_query(filters))
    context = {
        "scope": scope,
        "form": form,
        "filters": filters,
        "panels_html": dashboard_panels_html(scope, filters),
        "moments": list(monitoring.evaluation_moments_for_scope(scope)),
        "export_csv_url": f"{urls['csv']}?{query}",
        "export_xlsx_url": f"{urls['xlsx']}?{query}",
        "page_url": urls["page"],
        **extra,
    }
    return render(request, "pilots/dashboard.html", context)


def _filter_query(filters: DashboardFilters) -> dict:
    query = {
        "period_start": filters.period_start.isoformat(),
        "period_end": filters.period_end.isoformat(),
    }
    if filters.location_type:
        query["location_type"] = filters.location_type
    if filters.municipality_id:
        query["municipality"] = filters.municipality_id
    return query


# --- exports ------------------------------------------------------------------------------------


def filters_description(filters: DashboardFilters) -> list[tuple[str, str]]:
    """The filters as readable pairs: for the export's header and the audit log."""
    period = "{} – {}".format(
        date_format(filters.period_start, "j F Y"), date_format(filters.period_end, "j F Y")
    )
    location_type = (
        str(LocationType(filters.location_type).label) if filters.location_type else _("All")
    )
    municipality = _("All")
    if filters.municipality_id:
        found = Municipality.objects.filter(pk=filters.municipality_id).first()
        municipality = found.name if found else str(filters.municipality_id)
    return [
        (_("Period"), period),
        (_("Type of location"), location_type),
        (_("Municipality"), municipality),
    ]


def _export(request, scope, filters, indicators, format, *, subject: str):
    context = [
        (_("Dashboard"), scope.label),
        *filters_description(filters),
        (_("Exported"), date_format(timezone.localtime(), "j F Y H:i")),
        (_("Privacy"), _("Counts under 5 are shown as <5; other counts are rounded to 5.")),
    ]
    heading = _("Alert4you dashboard: %(scope)s") % {"scope": scope.label}
    if format == "csv":
        body = dashboard_exports.indicators_csv(indicators, heading=heading, context=context)
        content_type = dashboard_exports.CSV_CONTENT_TYPE
    else:
        body = dashboard_exports.indicators_xlsx(indicators, heading=heading, context=context)
        content_type = dashboard_exports.XLSX_CONTENT_TYPE
    detail = "; ".join(
        [
            f"period={filters.period_start.isoformat()}..{filters.period_end.isoformat()}",
            f"location_type={filters.location_type or 'all'}",
            f"municipality={filters.municipality_id or 'all'}",
            f"format={format}",
        ]
    )
    audit.audit_record(
        user=request.user,
        action=AuditEntry.Action.DASHBOARD_EXPORT,
        subject=subject,
        detail=detail,
        request=request,
    )
    name = slugify(f"alert4you-{scope.label}-{filters.period_start}-{filters.period_end}")
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{format}"'
    response["Cache-Control"] = "private, no-store"
    return response
