"""Every user × every case × every case URL: access exactly as the policy says.

The organisation has two locations; location 1 has groups A and B, location 2
group C. Each group has a child with a case.
"""

import datetime

import pytest
from django.urls import reverse

from casework import services
from pilots.models import Group, Location, Role
from tests.conftest import log_concern

pytestmark = pytest.mark.django_db


@pytest.fixture
def matrix(cases):
    w = cases
    from tests.conftest import add_membership, make_user

    w.location2 = Location.objects.create(
        organisation=w.childcare, name="BSO De Boomhut", location_type=Location.Type.BSO
    )
    w.group_c = Group.objects.create(
        location=w.location2, name="Eekhoorns", age_band="4-12", capacity=20
    )
    w.pm_c = make_user("pm_c", first_name="Cees")
    add_membership(w.pm_c, w.childcare, Role.PEDAGOGICAL_STAFF, groups=[w.group_c])
    w.manager2 = make_user("manager2", first_name="Marco")
    add_membership(w.manager2, w.childcare, Role.LOCATION_MANAGER, locations=[w.location2])
    w.child_c = services.child_register(
        actor=w.manager2,
        first_name="Rosa",
        last_name="Fictief",
        date_of_birth=datetime.date(2017, 4, 4),
        group=w.group_c,
    )
    w.case_c = log_concern(w.pm_c, w.child_c).case
    return w


# who: (cases they see, cases they may change, may they see the access log)
EXPECTED = {
    "pm_a": ({"a"}, {"a"}, False),
    "pm_b": ({"b"}, {"b"}, False),
    "pm_c": ({"c"}, {"c"}, False),
    "manager": ({"a", "b"}, {"a", "b"}, True),
    "manager2": ({"c"}, {"c"}, True),
    "coordinator": ({"a", "b"}, {"a", "b"}, False),
    "coach": (set(), set(), False),
    "project_leader": (set(), set(), False),
    "org_admin": (set(), set(), False),
    "school_user": (set(), set(), False),
    "outsider": (set(), set(), False),
}

READ_URLS = ["case-detail", "case-history", "case-print", "case-export", "plan-detail"]
CHANGE_URLS = ["observation-create", "placement-create", "referral-create", "case-team"]


def _expected_status(persona, case_key, url_name):
    sees, changes, access_log = EXPECTED[persona]
    if case_key not in sees:
        return 404
    if url_name in CHANGE_URLS:
        return 200 if case_key in changes else 403
    if url_name == "case-access-log":
        return 200 if access_log else 403
    return 200


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_every_case_url_answers_exactly_as_the_policy_says(client, matrix, persona):
    w = matrix
    client.force_login(getattr(w, persona))
    case_of = {"a": w.case_a, "b": w.case_b, "c": w.case_c}
    results, expected = {}, {}
    for key, case in case_of.items():
        for name in READ_URLS + CHANGE_URLS + ["case-access-log"]:
            url = reverse(f"casework:{name}", kwargs={"case_uuid": case.uuid})
            results[(key, name)] = client.get(url).status_code
            expected[(key, name)] = _expected_status(persona, key, name)
        post = client.post(
            reverse("casework:case-status", kwargs={"case_uuid": case.uuid}), {"status": "open"}
        )
        results[(key, "status")] = post.status_code
        expected[(key, "status")] = _expected_status(persona, key, "case-team")
        if expected[(key, "status")] == 200:
            expected[(key, "status")] = 302
    assert results == expected


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_denied_cases_never_appear_in_lists_search_or_home(client, matrix, persona):
    w = matrix
    client.force_login(getattr(w, persona))
    cases = {"a": w.case_a, "b": w.case_b, "c": w.case_c}
    names = {"a": "Mieke", "b": "Ayoub", "c": "Rosa"}
    sees = EXPECTED[persona][0]
    list_url = reverse("casework:case-list")
    pages = [
        client.get(list_url).content.decode(),
        client.get(list_url, {"q": "e"}).content.decode(),
        client.get(list_url, {"status": "open"}).content.decode(),
        client.get(list_url, {"domain": "social_emotional"}).content.decode(),
    ]
    for key, case in cases.items():
        link = case.get_absolute_url()
        found = client.get(list_url, {"q": names[key]}).content.decode()
        assert (link in found) == (key in sees), (persona, key)
        for page in pages:
            assert (link in page) == (key in sees), (persona, key)
    assert client.get(list_url).context["page"].count == len(sees)
    home = client.get("/").content.decode()
    for key, case in cases.items():
        if key not in sees:
            assert case.get_absolute_url() not in home, (persona, key)
            assert names[key] not in home, (persona, key)


def test_anonymous_visitors_are_sent_to_log_in_for_every_case_url(client, matrix):
    for name in READ_URLS + CHANGE_URLS + ["case-access-log"]:
        url = reverse(f"casework:{name}", kwargs={"case_uuid": matrix.case_a.uuid})
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
