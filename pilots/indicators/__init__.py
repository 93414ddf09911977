"""The dashboard's indicators for one scope and filter set.

Every figure is computed with SQL aggregates over the locations in scope (used
as a subquery, so the number of queries never depends on the number of
locations or children: one or two per indicator) and goes through
`pilots.suppression` before it leaves this package. The one per-case list
fetched is the pair of dates behind the median lead time.

Definitions (each indicator's docstring has the details):
- open_cases: cases open at the end of the period's last day.
- concerns_by_domain: per month and domain, children about whom a concern was logged.
- lead_time: median days from a case's first concern (in the period) to the first
  held visit whose agenda had an item about that case.
- visit_coverage: per location, structural visits in the period, held, held/planned.
- agenda_topics: agenda items of visits held in the period, by topic.
- conversations_by_form: parent conversations held in the period, by form.
- consents: consents granted, refused, withdrawn with a date in the period.
- placements: of children with a case open during the period, who stayed, moved, returned.
- plans_on_time: approved plan versions due for evaluation in the period, and how
  many a newer version approved by the due date followed.
- wellbeing_trend: per month, the mean of each well-being scale (from 5 children on).
"""

from __future__ import annotations

from django.core.cache import cache
from django.utils.translation import get_language

from pilots.dashboard_selectors import locations_in_scope
from pilots.dashboard_types import DashboardFilters, Indicator, Scope

from . import casework, coaching, parents

CACHE_SECONDS = 60

INDICATORS = (
    casework.open_cases,
    casework.concerns_by_domain,
    casework.lead_time,
    coaching.visit_coverage,
    coaching.agenda_topics,
    parents.conversations_by_form,
    parents.consents,
    casework.placements,
    casework.plans_on_time,
    casework.wellbeing_trend,
)


def cache_key(scope: Scope, filters: DashboardFilters) -> str:
    return f"pilots:indicators:{scope.key}:{filters.key}:{get_language() or ''}"


def compute_indicators(scope: Scope, filters: DashboardFilters) -> list[Indicator]:
    """Every indicator of the dashboard, safe to show; cached for a minute per
    scope, filter set and language (titles and numbers are formatted for it)."""
    key = cache_key(scope, filters)
    indicators = cache.get(key)
    if indicators is None:
        indicators = compute_uncached(scope, filters)
        cache.set(key, indicators, CACHE_SECONDS)
    return indicators


def compute_uncached(scope: Scope, filters: DashboardFilters) -> list[Indicator]:
    """Every indicator, computed now: for callers that cache the result
    themselves (the dashboard pages cache it with the competence trend)."""
    locations = locations_in_scope(scope, filters)
    return [compute(scope, filters, locations) for compute in INDICATORS]


__all__ = ["CACHE_SECONDS", "INDICATORS", "cache_key", "compute_indicators", "compute_uncached"]
