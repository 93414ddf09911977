"""Changing your password: the app's own page (not Django's admin-styled one),
the validators' rules on it, errors linked to their fields, and the change."""

from django.urls import reverse

from tests.conftest import PASSWORD

NEW_PASSWORD = "Bright-otter-climbs-42"


def template_names(response):
    return [template.name for template in response.templates]


def test_the_password_change_page_is_the_apps_own(client, world):
    client.force_login(world.pm_a)
    response = client.get(reverse("password_change"))
    assert response.status_code == 200
    assert "account/password_change_form.html" in template_names(response)
    assert "base.html" in template_names(response)
    assert "admin/base.html" not in template_names(response)
    body = response.content.decode()
    # The rules of every validator, tied to the new password's field.
    assert 'aria-describedby="id_new_password1_helptext"' in body
    assert body.count("<li>", body.index('id="id_new_password1_helptext"')) >= 4
    assert 'id="id_old_password"' in body and 'autocomplete="current-password"' in body


def test_a_refused_password_shows_errors_linked_to_their_fields(client, world):
    client.force_login(world.pm_a)
    response = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": "other"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="password-change-errors"' in body
    assert 'href="#id_old_password"' in body and 'href="#id_new_password2"' in body
    assert 'id="id_old_password_error"' in body
    assert 'aria-describedby="id_old_password_error"' in body
    assert 'aria-invalid="true"' in body
    world.pm_a.refresh_from_db()
    assert world.pm_a.check_password(PASSWORD)


def test_changing_the_password_works_and_ends_on_the_apps_done_page(client, world):
    client.force_login(world.pm_a)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert response.redirect_chain == [(reverse("password_change_done"), 302)]
    assert "account/password_change_done.html" in template_names(response)
    assert b'id="password-changed"' in response.content
    world.pm_a.refresh_from_db()
    assert world.pm_a.check_password(NEW_PASSWORD)
    # Still signed in, both steps done.
    assert client.get(reverse("home")).status_code == 200


def test_the_sessions_page_links_the_password_change(client, world):
    client.force_login(world.pm_a)
    response = client.get(reverse("sessions:session-list"))
    assert f'href="{reverse("password_change")}"'.encode() in response.content


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("password_change"))
    assert response["Location"].startswith(reverse("login"))
