"""The case list pages without counting every case: previous / next, page number in
the query string, and no COUNT(*) over the cases a user may see."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alert4you.pagination import paginate
from casework import views
from casework.models import Plan, PlanReview

from .test_query_counts import _bulk_cases

pytestmark = pytest.mark.django_db

LIST = "/cases/"
SOON = datetime.date(2030, 1, 1)


def _get(client, params=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST, params or {})
    assert response.status_code == 200
    return response, [q["sql"] for q in queries.captured_queries]


def test_the_case_list_pages_without_counting_the_cases(client, world, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 4)
    _bulk_cases(world, 10)
    client.force_login(world.pm_a)
    shown = set()
    for number, (size, has_next) in enumerate([(4, True), (4, True), (2, False)], start=1):
        response, queries = _get(client, {"page": number})
        page = response.context["page"]
        assert (page.number, len(page), page.has_next) == (number, size, has_next)
        assert not any("COUNT(" in sql.upper() for sql in queries)
        shown |= {case.pk for case in page}
    visible = response.context["page"].count
    assert len(shown) == visible >= 10  # every case once, and the last page tells how many


def test_the_pager_keeps_the_filters_and_links_both_ways(client, world, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    _bulk_cases(world, 6)
    client.force_login(world.pm_a)
    content = client.get(LIST, {"status": "open", "page": 2}).content.decode()
    assert 'href="?status=open&amp;page=1"' in content
    assert 'href="?status=open&amp;page=3"' in content
    assert "Pagina 2" in content and "Dossiers 3 tot en met 4" in content


@pytest.mark.parametrize("asked", ["0", "-3", "x", "999"])
def test_a_page_that_is_not_there_shows_the_first(client, world, monkeypatch, asked):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    _bulk_cases(world, 5)
    client.force_login(world.pm_a)
    first = [case.pk for case in client.get(LIST).context["page"]]
    page = client.get(LIST, {"page": asked}).context["page"]
    assert page.number == 1 and [case.pk for case in page] == first


def test_a_short_list_is_one_page_with_its_count():
    page = paginate(list(range(3)), "1", 25)
    assert (list(page), page.count, page.has_other_pages) == ([0, 1, 2], 3, False)
    assert paginate([], None, 25).count == 0


def _case_page_queries(client, case):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(case.get_absolute_url())
    assert response.status_code == 200
    return len(queries), response


def test_the_case_page_stays_within_twenty_queries_with_plans_and_reviews(client, world):
    case = _bulk_cases(world, 1)[0]
    client.force_login(world.pm_a)
    without_plans, response = _case_page_queries(client, case)
    assert response.context["plan"] is None
    approved, submitted = Plan.objects.bulk_create(
        Plan(case=case, version=version, status=status, next_evaluation_date=SOON, created_by=by)
        for version, status, by in [(1, "approved", world.pm_a), (2, "submitted", world.pm_a)]
    )
    PlanReview.objects.bulk_create(
        PlanReview(plan=plan, action=action, by=by)
        for plan, action, by in [
            (approved, "submitted", world.pm_a),
            (approved, "approved", world.manager),
            (submitted, "submitted", world.pm_a),
        ]
    )
    with_plans, response = _case_page_queries(client, case)
    assert response.context["plan"] == submitted  # the version being worked on
    reviews = [e for e in response.context["timeline"] if e.kind == "plan_review"]
    assert len(reviews) == 3
    assert with_plans == without_plans + 1 <= 20  # the reviews, with their authors
