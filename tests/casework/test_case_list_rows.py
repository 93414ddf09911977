"""The case list's rows and filter read groups once, as plain values; the grant
subquery is written out in SQL. Same rows, same access, as before."""

import pytest

from casework import selectors

pytestmark = pytest.mark.django_db

LIST = "/cases/"


def test_the_manager_sees_each_cases_group_and_location(client, cases):
    w = cases
    client.force_login(w.manager)
    content = client.get(LIST).content.decode()
    for name in ("Mieke Testkind", "Ayoub Proefkind", "Dolfijnen", "Zeepaardjes", "KDV De Kikker"):
        assert name in content
    assert w.case_a.get_absolute_url() in content and w.case_b.get_absolute_url() in content


def test_the_group_filter_offers_only_groups_of_visible_cases_and_filters_by_them(client, cases):
    w = cases
    client.force_login(w.pm_a)
    form = client.get(LIST).context["form"]
    assert [label for value, label in form.fields["group"].choices if value] == [
        "KDV De Kikker – Dolfijnen"
    ]

    client.force_login(w.manager)
    page = client.get(LIST, {"group": str(w.group_b.uuid)}).context["page"]
    assert [case.pk for case in page] == [w.case_b.pk]


def test_a_group_the_user_may_not_filter_on_shows_an_error_and_no_cases(client, cases):
    w = cases
    client.force_login(w.pm_a)
    response = client.get(LIST, {"group": str(w.group_b.uuid)})
    assert list(response.context["page"]) == []
    assert response.context["form"].errors["group"]


def test_case_permissions_are_read_from_own_and_group_grants(cases):
    w = cases
    assert "view_case" in selectors.case_perms_for_user(w.pm_a, w.case_a)
    assert selectors.case_perms_for_user(w.pm_a, w.case_b) == set()
    assert "approve_plan" in selectors.case_perms_for_user(w.manager, w.case_b)


def test_an_inactive_user_holds_no_grants(cases):
    w = cases
    w.manager.is_active = False
    assert not selectors.cases_for_user(w.manager).exists()
    assert selectors.case_perms_for_user(w.manager, w.case_a) == set()


def test_children_for_concerns_follow_current_memberships_only(cases):
    w = cases
    assert set(selectors.concern_child_ids(w.pm_a)) == {w.child_a.pk}
    assert set(selectors.concern_child_ids(w.manager)) == {w.child_a.pk, w.child_b.pk}
    assert list(selectors.children_for_concerns(w.outsider)) == []
