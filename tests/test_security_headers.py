"""Pages with child data stay out of every cache; the usual security headers hold."""

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from coaching.models import Visit
from tests.conftest import add_parents


def assert_not_stored(response):
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"no-store", "no-cache", "private", "max-age=0"} <= directives
    assert "public" not in directives
    assert response["Pragma"] == "no-cache"
    assert "Expires" in response


@pytest.fixture
def visit(cases):
    starts_at = timezone.now().replace(microsecond=0) + datetime.timedelta(days=2)
    visit = Visit.objects.create(
        coach=cases.coach,
        location=cases.location,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=2),
    )
    visit.groups.set([cases.group_a])
    return visit


def test_case_page_is_never_stored(client, cases):
    client.force_login(cases.pm_a)
    response = client.get(reverse("casework:case-detail", args=[cases.case_a.uuid]))
    assert response.status_code == 200
    assert_not_stored(response)


def test_consent_page_is_never_stored(client, cases):
    add_parents(cases.child_a, actor=cases.manager)
    client.force_login(cases.manager)
    response = client.get(reverse("parents:child-consents", args=[cases.child_a.uuid]))
    assert response.status_code == 200
    assert_not_stored(response)


def test_visit_page_is_never_stored(client, cases, visit):
    client.force_login(cases.pm_a)
    response = client.get(reverse("coaching:visit-detail", args=[visit.uuid]))
    assert response.status_code == 200
    assert_not_stored(response)


def test_refusals_to_signed_in_users_are_never_stored_either(client, cases):
    client.force_login(cases.outsider)
    forbidden = client.get(reverse("casework:case-detail", args=[cases.case_a.uuid]))
    missing = client.get(reverse("casework:case-detail", args=[uuid.uuid4()]))
    for response in (forbidden, missing):
        assert response.status_code == 404
        assert_not_stored(response)


def test_pages_without_child_data_are_not_stored_either(client, world):
    """The rule is "signed in", not a list of paths: a new page cannot be missed."""
    client.force_login(world.project_leader)
    response = client.get(reverse("reminders:profile"))
    assert response.status_code == 200
    assert_not_stored(response)


def test_anonymous_responses_are_left_to_their_views(client, db):
    response = client.get(reverse("password_reset"))
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "Pragma" not in response


def test_security_headers_on_every_page(client, cases):
    client.force_login(cases.pm_a)
    response = client.get(reverse("casework:case-list"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
