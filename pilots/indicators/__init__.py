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

import functools
import threading

from django.conf import settings
from django.core.cache import cache
from django.db import connection, connections
from django.utils import timezone, translation
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
    themselves (the dashboard pages cache it with the competence trend).

    Each indicator is one or two aggregate queries over the whole scope; on
    PostgreSQL they run side by side on `DASHBOARD_QUERY_THREADS` connections
    (a national overview on a cold cache takes half the time on two cores).
    Inside a transaction they run one after another on its connection: another
    connection would not see what the transaction has not committed."""
    locations = locations_in_scope(scope, filters)
    tasks = [functools.partial(compute, scope, filters, locations.all()) for compute in INDICATORS]
    threads = getattr(settings, "DASHBOARD_QUERY_THREADS", 2)
    if threads < 2 or connection.vendor != "postgresql" or connection.in_atomic_block:
        return [task() for task in tasks]
    return _side_by_side(tasks, threads)


def _side_by_side(tasks: list, threads: int) -> list:
    """Run `tasks` on `threads` threads (this one among them), each taking the
    next task as it is free; the results in the tasks' order. Each helper
    thread opens its own database connection and closes it when done."""
    results: list = [None] * len(tasks)
    errors: list[BaseException] = []
    pending = iter(range(len(tasks)))
    lock = threading.Lock()
    language = translation.get_language()
    zone = timezone.get_current_timezone()

    def work():
        while not errors:
            with lock:
                index = next(pending, None)
            if index is None:
                return
            try:
                results[index] = tasks[index]()
            except BaseException as error:  # raised again in the calling thread
                errors.append(error)

    def helper():
        try:
            with translation.override(language), timezone.override(zone):
                work()
        finally:
            connections.close_all()  # this thread's own connections

    helpers = [threading.Thread(target=helper, daemon=True) for _ in range(threads - 1)]
    for thread in helpers:
        thread.start()
    work()
    for thread in helpers:
        thread.join()
    if errors:
        raise errors[0]
    return results


__all__ = ["CACHE_SECONDS", "INDICATORS", "cache_key", "compute_indicators", "compute_uncached"]
