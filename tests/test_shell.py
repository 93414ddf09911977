"""The UI shell: logging in and out, the role homes, language and throttling."""

import pytest
from django.core import mail
from django.urls import reverse

from tests.conftest import PASSWORD


def test_anonymous_users_are_sent_to_the_login_page(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_pages_are_dutch_by_default(client, db):
    response = client.get(reverse("login"))
    assert response.headers["Content-Language"] == "nl"
    assert '<html lang="nl">' in response.content.decode()
    assert "Inloggen" in response.content.decode()


def test_users_can_switch_to_english(client, world):
    client.force_login(world.pm_a)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get("/")
    assert response.headers["Content-Language"] == "en"
    assert "My groups" in response.content.decode()


def test_login_with_the_right_password_leads_home(client, world):
    response = client.post(
        reverse("login"), {"username": "pm_a", "password": PASSWORD}, REMOTE_ADDR="10.1.1.1"
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_logout_ends_the_session(client, world):
    client.force_login(world.pm_a)
    client.post(reverse("logout"))
    assert client.get("/").status_code == 302


def test_repeated_failed_logins_lock_that_username_on_that_address(client, world, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"), {"username": "pm_a", "password": "wrong"}, REMOTE_ADDR="10.0.0.5"
        )
    locked = client.post(
        reverse("login"), {"username": "pm_a", "password": PASSWORD}, REMOTE_ADDR="10.0.0.5"
    )
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_lockout_does_not_block_colleagues_behind_the_same_address(client, world, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"), {"username": "pm_a", "password": "wrong"}, REMOTE_ADDR="10.0.0.5"
        )
    colleague = client.post(
        reverse("login"), {"username": "pm_b", "password": PASSWORD}, REMOTE_ADDR="10.0.0.5"
    )
    assert colleague.status_code == 302


def test_sessions_expire_after_thirty_idle_minutes(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    # alert4you.sessions saves a signed-in session at most once a minute instead.
    assert settings.SESSION_SAVE_EVERY_REQUEST is False


def test_password_reset_sends_a_link_by_email(client, world):
    response = client.post(reverse("password_reset"), {"email": "pm_a@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body


def test_password_reset_does_not_reveal_unknown_addresses(client, world):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


HOME_SECTIONS = {
    "pm_a": ("Mijn groepen", "Dolfijnen"),
    "manager": ("Mijn locaties", "KDV De Kikker"),
    "coordinator": ("Locaties die ik ondersteun", "KDV De Kikker"),
    "coach": ("Locaties die ik coach", "Nog geen locaties"),
    "project_leader": ("Mijn pilots", "Alert4you Assen 0-4"),
    "org_admin": ("Organisaties die ik beheer", "Speelwerk"),
}


@pytest.mark.parametrize("persona", sorted(HOME_SECTIONS))
def test_each_role_sees_its_own_home(client, world, persona):
    client.force_login(getattr(world, persona))
    body = client.get("/").content.decode()
    heading, content = HOME_SECTIONS[persona]
    assert heading in body
    assert content in body
    other_headings = {h for p, (h, _) in HOME_SECTIONS.items() if p != persona}
    assert not any(h in body for h in other_headings)


def test_pm_home_lists_only_their_own_groups(client, world):
    client.force_login(world.pm_a)
    body = client.get("/").content.decode()
    assert "Dolfijnen" in body
    assert "Zeepaardjes" not in body


def test_user_without_membership_gets_an_explanatory_empty_state(client, db):
    from tests.conftest import make_user

    client.force_login(make_user("newcomer"))
    body = client.get("/").content.decode()
    assert "Je hebt nog geen rol" in body


def test_import_link_shows_only_for_organisation_admins(client, world):
    client.force_login(world.org_admin)
    assert reverse("pilots:import") in client.get("/").content.decode()
    client.force_login(world.pm_a)
    assert reverse("pilots:import") not in client.get("/").content.decode()


def test_demo_accounts_show_on_the_login_page_in_demo_mode_only(client, db, settings):
    settings.DEMO_MODE = True
    assert "demo-pm" in client.get(reverse("login")).content.decode()
    settings.DEMO_MODE = False
    assert "demo-pm" not in client.get(reverse("login")).content.decode()
