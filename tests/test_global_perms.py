"""Model-wide ("global") permissions never open a child's file: only the access
policy's per-case grants do. A staff user holding `casework.view_case`,
`casework.change_case` and `pilots.view_group` — directly or through an auth
group — sees no more than without them."""

import pytest
from django.contrib.auth.models import Group as AuthGroup
from django.contrib.auth.models import Permission
from django.urls import reverse

from casework import selectors
from pilots.models import Role

from .conftest import add_membership, make_user

pytestmark = pytest.mark.django_db

CHILD_NAMES = ("Mieke", "Testkind", "Ayoub", "Proefkind")
GLOBAL_PERMS = [("casework", "view_case"), ("casework", "change_case"), ("pilots", "view_group")]


def _perms():
    return [
        Permission.objects.get(content_type__app_label=app, codename=codename)
        for app, codename in GLOBAL_PERMS
    ]


def _directly(user):
    user.user_permissions.add(*_perms())
    return user


def _through_a_group(user):
    readers, _ = AuthGroup.objects.get_or_create(name="Everyone's files")
    readers.permissions.add(*_perms())
    user.groups.add(readers)
    return user


@pytest.fixture(params=[_directly, _through_a_group], ids=["directly", "via-auth-group"])
def global_user(request, cases):
    user = request.param(make_user("global", is_staff=True))
    user = type(user).objects.get(pk=user.pk)  # no cached permissions
    assert not user.is_superuser
    assert all(user.has_perm(f"{app}.{codename}") for app, codename in GLOBAL_PERMS)
    return user


def _names_in(body: str) -> list[str]:
    return [name for name in CHILD_NAMES if name in body]


def test_the_case_list_is_empty(client, cases, global_user):
    client.force_login(global_user)
    response = client.get(reverse("casework:case-list"))
    assert response.status_code == 200
    assert _names_in(response.content.decode()) == []
    assert list(response.context["page"].object_list) == []
    assert not selectors.cases_for_user(global_user).exists()
    assert not selectors.cases_for_user(global_user, "change_case").exists()


@pytest.mark.parametrize(
    "name", ["case-detail", "case-history", "case-print", "case-export", "observation-create"]
)
def test_case_pages_answer_404(client, cases, global_user, name):
    client.force_login(global_user)
    url = reverse(f"casework:{name}", kwargs={"case_uuid": cases.case_a.uuid})
    assert client.get(url).status_code == 404


def test_group_and_child_pages_answer_404(client, cases, global_user):
    w = cases
    client.force_login(global_user)
    for url in (
        reverse("coaching:group-detail", kwargs={"group_uuid": w.group_a.uuid}),
        reverse("coaching:group-plans", kwargs={"group_uuid": w.group_a.uuid}),
        reverse("parents:child-consents", kwargs={"child_uuid": w.child_a.uuid}),
        reverse("casework:concern-create", kwargs={"child_uuid": w.child_a.uuid}),
    ):
        assert client.get(url).status_code == 404, url


def test_home_and_dashboards_show_nothing_child_level(client, cases, global_user):
    w = cases
    client.force_login(global_user)
    for url in (
        reverse("home"),
        reverse("dashboards:index"),
        reverse("dashboards:pilot", kwargs={"pilot_uuid": w.pilot.uuid}),
        reverse("parents:consents-expiring"),
        reverse("casework:review-queue"),
    ):
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert _names_in(response.content.decode()) == [], url


def test_a_pm_with_global_permissions_still_sees_only_their_own_group(client, cases):
    w = cases
    pm = _through_a_group(_directly(make_user("pm_global", is_staff=True)))
    add_membership(pm, w.childcare, Role.PEDAGOGICAL_STAFF, groups=[w.group_b])
    client.force_login(pm)
    body = client.get(reverse("casework:case-list")).content.decode()
    assert "Ayoub" in body and "Mieke" not in body
    assert client.get(w.case_a.get_absolute_url()).status_code == 404
    assert client.get(w.case_b.get_absolute_url()).status_code == 200
