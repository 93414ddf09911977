"""The benchmark report judges each page against its targets, and a list page's
SQL against the floor by what the page runs beyond a bare signed-in page."""

from bench import report


def row(page, **figures):
    base = {
        "page": page,
        "role": "pedagogical staff",
        "p50_ms": 10.0,
        "p95_ms": 12.0,
        "queries": 7,
        "sql_ms": 4.0,
        "floor_ms": None,
        "admin_ms": None,
    }
    return {**base, **figures}


BARE = row("bare page (layout only)", sql_ms=1.0, queries=3)


def test_own_sql_is_what_the_page_runs_beyond_a_bare_page():
    assert report._own_sql(row("case list", sql_ms=4.0), BARE) == 3.0
    assert report._own_sql(BARE, BARE) is None
    assert report._own_sql(row("case list"), None) is None


def test_a_list_page_within_three_times_its_floor_and_faster_than_the_admin_is_met():
    page = row("case list", sql_ms=4.0, floor_ms=1.0, admin_ms=11.0)
    assert report._page_gaps(page, BARE) == []


def test_each_missed_target_is_named():
    page = row(
        "case list", queries=21, p95_ms=151.0, sql_ms=5.5, floor_ms=1.0, p50_ms=12, admin_ms=11
    )
    gaps = report._page_gaps(page, BARE)
    assert gaps == [
        "21 queries > 20",
        "p95 > 150 ms",
        "own SQL 4.5× floor",
        "not faster than the admin",
    ]


def test_without_a_bare_page_the_whole_sql_is_compared():
    assert report._page_gaps(row("case list", sql_ms=4.0, floor_ms=1.0)) == ["own SQL 4.0× floor"]


def test_dashboards_are_judged_cold_by_their_95th_percentile():
    slow = row("pilot dashboard (cold cache)", p50_ms=250.0, p95_ms=301.0)
    assert report._page_gaps(slow, BARE) == ["cold p95 301 ms > 300"]
    assert report._page_gaps(row("pilot dashboard (cold cache)", p95_ms=300.0), BARE) == []
