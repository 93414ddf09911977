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
from pilots.models import Location

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

#: The order in which the indicators are started side by side: the longest
#: first (as measured on national figures), so that the short ones at the end
#: even out when the threads finish.
LONGEST_FIRST = (
    casework.concerns_by_domain,
    parents.consents,
    casework.lead_time,
    coaching.visit_coverage,
    parents.conversations_by_form,
    casework.placements,
    casework.open_cases,
    casework.plans_on_time,
    casework.wellbeing_trend,
    coaching.agenda_topics,
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


def compute_uncached(scope: Scope, filters: DashboardFilters, then=None) -> list:
    """Every indicator, computed now: for callers that cache the result
    themselves (the dashboard pages cache it with the competence trend).
    Given `then`, each indicator is passed through it in the thread that
    computed it, and its results are returned instead (a page draws each chart
    there, while the other thread waits for the database).

    Each indicator is one or two aggregate queries over the whole scope; on
    PostgreSQL they run side by side on `DASHBOARD_QUERY_THREADS` connections
    (a national overview on a cold cache takes half the time on two cores).
    Inside a transaction they run one after another on its connection: another
    connection would not see what the transaction has not committed."""
    locations = locations_in_scope(scope, filters)
    if _every_location_counts(scope, filters):
        locations = Location.objects.all()  # the same locations, without a filter to apply
    tasks = [
        functools.partial(_compute, compute, scope, filters, locations.all(), then)
        for compute in INDICATORS
    ]
    threads = getattr(settings, "DASHBOARD_QUERY_THREADS", 2)
    if threads < 2 or connection.vendor != "postgresql" or connection.in_atomic_block:
        return [task() for task in tasks]
    rank = {compute: n for n, compute in enumerate(LONGEST_FIRST)}
    order = sorted(range(len(tasks)), key=lambda n: rank.get(INDICATORS[n], len(rank)))
    return _side_by_side(tasks, threads, order)


def _compute(compute, scope, filters, locations, then):
    indicator = compute(scope, filters, locations)
    return indicator if then is None else then(indicator)


def _every_location_counts(scope: Scope, filters: DashboardFilters) -> bool:
    """Whether the figures cover every location: a national overview without
    location filters, when no location is outside a pilot (one small query).
    The indicators then count every child's rows without joining each row's
    child to its group, which nationally is most of their work."""
    if scope.kind != "national" or filters.location_type or filters.municipality_id:
        return False
    return not Location.objects.filter(pilot__isnull=True).exists()


def _side_by_side(tasks: list, threads: int, order: list[int]) -> list:
    """Run `tasks` on `threads` threads (this one among them), each taking the
    next task in `order` (indexes into `tasks`) as it is free; the results in
    the tasks' order. Each helper thread opens its own database connection and
    closes it when done.

    This thread takes the first (longest) task itself, before a helper can:
    its connection is open and warm, while a helper first connects (a few
    milliseconds) and its new server process plans its first queries with
    cold catalog caches."""
    results: list = [None] * len(tasks)
    errors: list[BaseException] = []
    pending = iter(order)
    first = next(pending, None)
    lock = threading.Lock()
    language = translation.get_language()
    zone = timezone.get_current_timezone()

    def run(index):
        try:
            results[index] = tasks[index]()
        except BaseException as error:  # raised again in the calling thread
            errors.append(error)

    def work():
        while not errors:
            with lock:
                index = next(pending, None)
            if index is None:
                return
            run(index)

    def helper():
        try:
            with translation.override(language), timezone.override(zone):
                work()
        finally:
            connections.close_all()  # this thread's own connections

    helpers = [threading.Thread(target=helper, daemon=True) for _ in range(threads - 1)]
    for thread in helpers:
        thread.start()
    if first is not None:
        run(first)
    work()
    for thread in helpers:
        thread.join()
    if errors:
        raise errors[0]
    return results


__all__ = [
    "CACHE_SECONDS",
    "INDICATORS",
    "LONGEST_FIRST",
    "cache_key",
    "compute_indicators",
    "compute_uncached",
]
