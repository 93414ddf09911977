"""What every signed-in page costs before its own work: reading the session, the
user and the second step's device, and the user's roles once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casework.models import AccessLogEntry

pytestmark = pytest.mark.django_db


def page_queries(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in queries.captured_queries]


def test_navigation_and_audit_trail_read_the_roles_with_one_query(client, cases):
    client.force_login(cases.pm_a)
    client.get(reverse("casework:case-list"))
    sql = page_queries(client, reverse("casework:case-list"))
    # The navigation shows the Cases link, the access log names the role.
    assert AccessLogEntry.objects.filter(user=cases.pm_a).latest("at").acting_as
    role_queries = [
        q for q in sql if '"pilots_membership"' in q or q.startswith("EXECUTE current_memberships_")
    ]
    assert len(role_queries) == 1


def test_a_signed_in_page_reads_the_session_without_saving_it(client, world):
    client.force_login(world.pm_a)
    client.get(reverse("home"))
    sql = page_queries(client, reverse("home"))
    assert not [q for q in sql if '"django_session"' in q and not q.startswith("SELECT")]
    assert not [q for q in sql if q in ("BEGIN", "COMMIT")]


def test_navigation_shows_the_links_of_the_users_roles(client, world):
    client.force_login(world.pm_a)
    content = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("casework:case-list")}"' in content
    assert f'href="{reverse("parents:consents-expiring")}"' in content
    assert f'href="{reverse("casework:review-queue")}"' not in content
    client.force_login(world.manager)
    content = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("casework:review-queue")}"' in content
