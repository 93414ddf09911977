"""Passwords and failed logins: Django's validators refuse short and common
passwords; failures lock a username on one address only, and a lockout is
logged and kept."""

import logging

import pytest
from axes.models import AccessFailureLog
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD

IP_1 = "10.0.0.1"
IP_2 = "10.0.0.2"


def change_password(client, new_password):
    return client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )


def error_codes(response, field):
    return [error.code for error in response.context["form"].errors.as_data().get(field, [])]


@pytest.mark.parametrize(
    ("new_password", "code"),
    [
        ("Xq7!mZp2#kL", "password_too_short"),  # 11 characters
        ("password12345", "password_too_common"),
        ("739184620573", "password_entirely_numeric"),
        ("pm_a@example.org", "password_too_similar"),
    ],
)
def test_password_change_refuses_weak_passwords(client, world, new_password, code):
    client.force_login(world.pm_a)
    response = change_password(client, new_password)
    assert response.status_code == 200
    assert code in error_codes(response, "new_password2")
    world.pm_a.refresh_from_db()
    assert world.pm_a.check_password(PASSWORD)


def test_password_change_accepts_a_long_uncommon_password(client, world):
    client.force_login(world.pm_a)
    response = change_password(client, "Bright-otter-climbs-42")
    assert response.status_code == 302
    world.pm_a.refresh_from_db()
    assert world.pm_a.check_password("Bright-otter-climbs-42")


def fail_logins(client, username, ip_address, times):
    for _ in range(times):
        response = client.post(
            reverse("login"), {"username": username, "password": "wrong"}, REMOTE_ADDR=ip_address
        )
    return response


def log_in(client, username, ip_address):
    return client.post(
        reverse("login"), {"username": username, "password": PASSWORD}, REMOTE_ADDR=ip_address
    )


def test_failures_lock_the_username_on_that_address_only(client, world):
    assert fail_logins(client, "pm_a", IP_1, 5).status_code == 429
    assert log_in(Client(), "pm_a", IP_1).status_code == 429
    # The same user from elsewhere, and a colleague behind the same address, get in.
    assert log_in(Client(), "pm_a", IP_2).status_code == 302
    assert log_in(Client(), "pm_b", IP_1).status_code == 302


def test_four_failures_do_not_lock(client, world):
    fail_logins(client, "pm_a", IP_1, 4)
    assert log_in(client, "pm_a", IP_1).status_code == 302


def test_a_lockout_is_logged_and_kept(client, world, caplog):
    with caplog.at_level(logging.WARNING, logger="alert4you.security"):
        fail_logins(client, "pm_a", IP_1, 5)
    warnings = [r for r in caplog.records if r.name == "alert4you.security"]
    assert len(warnings) == 1
    assert "pm_a" in warnings[0].getMessage() and IP_1 in warnings[0].getMessage()
    assert AccessFailureLog.objects.filter(
        username="pm_a", ip_address=IP_1, locked_out=True
    ).exists()
    # Every failure is kept, not only the one that locked.
    assert AccessFailureLog.objects.filter(username="pm_a", ip_address=IP_1).count() == 5
