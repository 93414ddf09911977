"""Two-step login: every signed-in session passes a code before it sees
anything; enrolment, verification, backup codes, throttling, the organisation
admin's reset, and the demo codes (demo mode only, never in production)."""

import datetime
import importlib.util
import re
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from alert4you import two_factor
from alert4you.models import AuditEntry, UserSession
from pilots.models import Membership, Role
from tests.conftest import PASSWORD, add_membership, make_user, verified_device

VERIFY = reverse("two-factor:verify")
ENROL = reverse("two-factor:enrol")


def code_for(device) -> str:
    device.refresh_from_db()
    return two_factor.current_code(device)


def is_verified(client) -> bool:
    return DEVICE_ID_SESSION_KEY in client.session


def password_only(client, user):
    """Signed in with the password, the second step still to take."""
    client.force_login(user, verified=False)


# Unverified sessions reach nothing


def test_an_unverified_session_is_sent_to_the_second_step_from_every_kind_of_page(client, cases):
    w = cases
    superuser = make_user("root", is_staff=True, is_superuser=True)
    verified_device(w.manager)
    verified_device(superuser)
    pages = [
        (w.manager, reverse("home")),
        (w.manager, reverse("casework:case-detail", kwargs={"case_uuid": w.case_a.uuid})),
        (w.manager, reverse("casework:case-list")),
        (w.manager, reverse("sessions:session-list")),
        (w.manager, reverse("dashboards:index")),
        (superuser, reverse("admin:index")),
        (superuser, reverse("admin:auth_user_changelist")),
    ]
    for user, url in pages:
        password_only(client, user)
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"{VERIFY}?next={url.replace('/', '%2F')}", url
        assert w.child_a.first_name.encode() not in response.content
        # A POST changes nothing either.
        assert client.post(url).status_code == 302


def test_without_an_authenticator_the_second_step_is_setting_one_up(client, world):
    password_only(client, world.pm_a)
    response = client.get(reverse("home"))
    assert response["Location"].startswith(ENROL)
    # Verification without an app sends on to enrolment.
    assert client.get(VERIFY)["Location"].startswith(ENROL)


def test_an_htmx_request_of_an_unverified_session_gets_401_and_a_redirect(client, cases):
    verified_device(cases.manager)
    password_only(client, cases.manager)
    response = client.get(
        reverse("casework:case-list"),
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/cases/?q=x",
    )
    assert response.status_code == 401
    assert response["HX-Redirect"] == f"{VERIFY}?next=%2Fcases%2F%3Fq%3Dx"
    assert response.content == b""


def test_login_logout_password_reset_and_language_stay_open(client, world):
    password_only(client, world.pm_a)
    assert client.get(reverse("login")).status_code == 200
    assert client.get(reverse("password_reset")).status_code == 200
    assert client.post(reverse("set_language"), {"language": "en"}).status_code == 302
    assert client.get(reverse("healthz")).status_code in (200, 503)
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_password_login_leaves_the_session_unverified(client, world):
    verified_device(world.pm_a)
    response = client.post(reverse("login"), {"username": "pm_a", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("home"))["Location"].startswith(VERIFY)
    assert not is_verified(client)


# Enrolment


def test_enrolment_with_a_real_code_verifies_and_shows_ten_backup_codes_once(client, cases):
    w = cases
    password_only(client, w.pm_a)
    page = client.get(ENROL, {"next": "/cases/"})
    assert page.status_code == 200
    body = page.content.decode()
    device = TOTPDevice.objects.get(user=w.pm_a, confirmed=False)
    # The QR code is inline SVG (no image request, no data: URI) and the key is there in text.
    assert re.search(r"<svg [^>]*role=\"img\"", body)
    assert "data:" not in body
    assert two_factor.secret_for_manual_entry(device) in body
    # A reload shows the same key: the app may have scanned it already.
    assert client.get(ENROL).status_code == 200
    assert TOTPDevice.objects.filter(user=w.pm_a).count() == 1

    code = f"{totp(device.bin_key):06d}"
    response = client.post(ENROL, {"code": code, "next": "/cases/"})
    assert response.status_code == 200
    codes = re.findall(r"data-backup-code>([a-z2-7]{8})<", response.content.decode())
    assert len(codes) == 10
    assert set(codes) == set(StaticToken.objects.values_list("token", flat=True))
    assert 'href="/cases/"' in response.content.decode()
    assert "js/print-button.js" in response.content.decode()
    device.refresh_from_db()
    assert device.confirmed
    assert is_verified(client)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.TWO_FACTOR_ENROLLED)
    assert (entry.user, entry.subject) == (w.pm_a, "pm_a")
    assert client.get(reverse("casework:case-list")).status_code == 200
    # Set up once: the page does not offer a new key (or the codes) again.
    assert client.get(ENROL)["Location"] == reverse("home")
    assert b"data-backup-code" not in client.get(ENROL, follow=True).content


def test_enrolment_with_a_wrong_code_shows_an_error_and_verifies_nothing(client, world):
    password_only(client, world.pm_a)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=world.pm_a)
    wrong = f"{(totp(device.bin_key) + 1) % 1_000_000:06d}"
    response = client.post(ENROL, {"code": wrong})
    assert response.status_code == 200
    assert 'id="id_code_error"' in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert not StaticDevice.objects.exists()
    assert not AuditEntry.objects.exists()
    assert not is_verified(client)
    assert client.get(reverse("home"))["Location"].startswith(ENROL)


def test_someone_with_an_authenticator_cannot_set_up_another_without_it(client, world):
    verified_device(world.pm_a)
    password_only(client, world.pm_a)
    assert client.get(ENROL)["Location"].startswith(VERIFY)
    assert client.post(ENROL, {"code": "123456"})["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=world.pm_a).count() == 1


# Verification


def test_the_right_code_verifies_and_a_wrong_one_does_not(client, world):
    device = verified_device(world.pm_a)
    password_only(client, world.pm_a)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    response = client.post(VERIFY, {"code": wrong})
    assert response.status_code == 200
    assert 'id="id_code_error"' in response.content.decode()
    assert not is_verified(client)
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)
    response = client.post(VERIFY, {"code": code_for(device)})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert is_verified(client)
    assert client.get(reverse("home")).status_code == 200


def test_a_code_is_accepted_once(client, world):
    device = verified_device(world.pm_a)
    password_only(client, world.pm_a)
    code = code_for(device)
    assert client.post(VERIFY, {"code": code}).status_code == 302
    other = Client()
    other.force_login(world.pm_a, verified=False)
    assert other.post(VERIFY, {"code": code}).status_code == 200
    assert DEVICE_ID_SESSION_KEY not in other.session


def test_a_backup_code_works_once_only(client, world):
    verified_device(world.pm_a)
    codes = two_factor.backup_codes_replace(user=world.pm_a)
    password_only(client, world.pm_a)
    response = client.post(VERIFY, {"code": f" {codes[0].upper()} "})
    assert response.status_code == 302
    assert is_verified(client)
    assert StaticToken.objects.count() == 9

    other = Client()
    other.force_login(world.pm_a, verified=False)
    response = other.post(VERIFY, {"code": codes[0]})
    assert response.status_code == 200
    assert 'id="id_code_error"' in response.content.decode()
    assert DEVICE_ID_SESSION_KEY not in other.session


def test_repeated_wrong_codes_are_throttled_with_a_clear_error(client, world):
    from django.utils import translation

    translation.activate("en")
    device = verified_device(world.pm_a)
    password_only(client, world.pm_a)
    right = code_for(device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(4):
        TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)
        client.post(VERIFY, {"code": wrong})
    device.refresh_from_db()
    assert device.throttling_failure_count == 4
    # Now the wait is 8 seconds: even the right code is refused, and the page says why.
    response = client.post(VERIFY, {"code": right}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Too many wrong codes" in response.content.decode()
    assert not is_verified(client)
    # Backup codes are throttled too.
    codes = two_factor.backup_codes_replace(user=world.pm_a)
    StaticDevice.objects.update(
        throttling_failure_count=3, throttling_failure_timestamp=timezone.now()
    )
    response = client.post(VERIFY, {"code": codes[0]}, HTTP_ACCEPT_LANGUAGE="en")
    assert "Too many wrong codes" in response.content.decode()
    assert StaticToken.objects.count() == 10
    # After the wait, the right code works.
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    TOTPDevice.objects.update(throttling_failure_timestamp=an_hour_ago)
    assert client.post(VERIFY, {"code": right}).status_code == 302
    assert is_verified(client)


def test_next_is_kept_through_the_steps(client, cases):
    device = verified_device(cases.manager)
    password_only(client, cases.manager)
    case_url = reverse("casework:case-detail", kwargs={"case_uuid": cases.case_a.uuid})
    step = client.get(case_url)["Location"]
    page = client.get(step)
    assert f'name="next" value="{case_url}"' in page.content.decode()
    response = client.post(step, {"code": code_for(device), "next": case_url})
    assert response["Location"] == case_url
    assert client.get(case_url).status_code == 200


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"]
)
def test_next_to_another_site_is_refused(client, world, next_url):
    device = verified_device(world.pm_a)
    password_only(client, world.pm_a)
    page = client.get(VERIFY, {"next": next_url})
    assert f'name="next" value="{reverse("home")}"' in page.content.decode()
    response = client.post(VERIFY, {"code": code_for(device), "next": next_url})
    assert response["Location"] == reverse("home")


def test_a_verified_session_is_sent_on_from_the_two_step_pages(client, world):
    client.force_login(world.pm_a)
    assert client.get(VERIFY, {"next": "/cases/"})["Location"] == "/cases/"
    assert client.get(ENROL)["Location"] == reverse("home")


# The organisation admin's reset


def people_url():
    return reverse("people:people-list")


def reset_url(membership):
    return reverse("people:two-factor-reset", kwargs={"membership_uuid": membership.uuid})


def membership_of(user):
    return Membership.objects.get(user=user)


def test_the_people_page_lists_the_organisation_with_two_step_status(client, world):
    verified_device(world.pm_a)
    two_factor.backup_codes_replace(user=world.pm_a)
    client.force_login(world.org_admin)
    response = client.get(people_url())
    assert response.status_code == 200
    body = response.content.decode()
    pm_a_row = f'data-membership-uuid="{membership_of(world.pm_a).uuid}" data-enrolled="true"'
    assert pm_a_row in body
    assert f'data-membership-uuid="{membership_of(world.pm_b).uuid}" data-enrolled="false"' in body
    # Only their own organisation: the coach (youth care) and the outsider are not there.
    assert str(membership_of(world.coach).uuid) not in body
    assert str(membership_of(world.outsider).uuid) not in body
    # No reset button for themselves.
    assert reset_url(membership_of(world.org_admin)) not in body
    assert reset_url(membership_of(world.pm_a)) in body


def test_the_people_page_takes_the_same_queries_for_more_people(client, world):
    client.force_login(world.org_admin)
    client.get(people_url())
    with CaptureQueriesContext(connection) as few:
        client.get(people_url())
    for number in range(5):
        person = make_user(f"extra_{number}")
        add_membership(person, world.childcare, Role.PEDAGOGICAL_STAFF, groups=[world.group_a])
        verified_device(person)
        two_factor.backup_codes_replace(user=person)
    with CaptureQueriesContext(connection) as many:
        response = client.get(people_url())
    assert response.content.decode().count("data-membership-uuid") == 6 + 5
    assert len(many) == len(few)


def test_an_org_admin_resets_two_step_login_and_ends_every_session(client, world):
    verified_device(world.pm_a)
    two_factor.backup_codes_replace(user=world.pm_a)
    pm_client = Client()
    pm_client.force_login(world.pm_a)
    assert pm_client.get(reverse("home")).status_code == 200
    pm_session_key = pm_client.session.session_key
    assert UserSession.objects.filter(user=world.pm_a).exists()

    client.force_login(world.org_admin)
    response = client.post(reset_url(membership_of(world.pm_a)), REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 302 and response["Location"] == people_url()

    assert not TOTPDevice.objects.filter(user=world.pm_a).exists()
    assert not StaticDevice.objects.filter(user=world.pm_a).exists()
    assert not Session.objects.filter(session_key=pm_session_key).exists()
    assert not UserSession.objects.filter(user=world.pm_a).exists()
    assert pm_client.get(reverse("home"))["Location"].startswith(reverse("login"))
    entry = AuditEntry.objects.get(action=AuditEntry.Action.TWO_FACTOR_RESET)
    assert entry.user == world.org_admin
    assert entry.subject == "pm_a"
    assert entry.organisation == world.childcare
    assert world.childcare.name in entry.acting_as
    assert entry.ip_address == "10.0.0.9"
    # The admin's own session and devices are untouched.
    assert client.get(people_url()).status_code == 200
    # At their next login, the person sets up an authenticator again.
    fresh = Client()
    fresh.post(reverse("login"), {"username": "pm_a", "password": PASSWORD})
    assert fresh.get(reverse("home"))["Location"].startswith(ENROL)


def test_an_org_admin_cannot_reset_someone_of_another_organisation(client, world):
    verified_device(world.outsider)
    client.force_login(world.org_admin)
    assert client.post(reset_url(membership_of(world.outsider))).status_code == 404
    assert client.post(reset_url(membership_of(world.coach))).status_code == 404
    assert TOTPDevice.objects.filter(user=world.outsider).exists()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.TWO_FACTOR_RESET).exists()


def test_an_org_admin_cannot_reset_themselves(client, world):
    client.force_login(world.org_admin)
    assert client.post(reset_url(membership_of(world.org_admin))).status_code == 403
    assert TOTPDevice.objects.filter(user=world.org_admin).exists()


def test_an_ended_membership_is_not_on_the_page_and_cannot_be_reset(client, world):
    verified_device(world.pm_b)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Membership.objects.filter(user=world.pm_b).update(
        start_date=yesterday - datetime.timedelta(days=30), end_date=yesterday
    )
    client.force_login(world.org_admin)
    assert str(membership_of(world.pm_b).uuid) not in client.get(people_url()).content.decode()
    assert client.post(reset_url(membership_of(world.pm_b))).status_code == 404


def test_who_is_not_an_org_admin_gets_404(client, world):
    verified_device(world.pm_a)
    for user in (world.pm_b, world.manager, world.outsider):
        client.force_login(user)
        assert client.get(people_url()).status_code == 404
        assert client.post(reset_url(membership_of(world.pm_a))).status_code == 404
    assert TOTPDevice.objects.filter(user=world.pm_a).exists()


def test_anonymous_is_sent_to_login_and_get_is_not_a_reset(client, world):
    assert client.get(people_url())["Location"].startswith(reverse("login"))
    assert client.post(reset_url(membership_of(world.pm_a)))["Location"].startswith(
        reverse("login")
    )
    client.force_login(world.org_admin)
    assert client.get(reset_url(membership_of(world.pm_a))).status_code == 405


def test_the_navigation_links_the_people_page_for_org_admins_only(client, world):
    client.force_login(world.org_admin)
    assert f'href="{people_url()}"' in client.get(reverse("home")).content.decode()
    client.force_login(world.pm_a)
    assert f'href="{people_url()}"' not in client.get(reverse("home")).content.decode()


# Demo mode


@pytest.fixture
def demo_user(db):
    user = make_user("demo-pm")
    device, _ = two_factor.demo_device_save(user)
    return user, device


def demo_codes_on(response) -> dict[str, str]:
    return dict(re.findall(r'data-demo-code="([^"]+)">(\d{6})<', response.content.decode()))


@pytest.fixture
def still_clock(monkeypatch):
    """`time.time()` stands still: the code a page shows and the code the test
    works out are then of the same 30-second step, even when a slow request
    runs across the step's end."""
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now)


def test_demo_mode_shows_each_demo_account_its_current_code(
    client, settings, demo_user, still_clock
):
    user, device = demo_user
    settings.DEMO_MODE = True
    codes = demo_codes_on(client.get(reverse("login")))
    assert codes == {"demo-pm": code_for(device)}
    # …and the verification page of that demo account shows it too.
    client.post(reverse("login"), {"username": "demo-pm", "password": PASSWORD})
    page = client.get(VERIFY)
    assert code_for(device) in page.content.decode() and b"data-demo-code" in page.content
    assert client.post(VERIFY, {"code": code_for(device)}).status_code == 302


def test_the_demo_codes_are_not_shown_outside_demo_mode(client, settings, demo_user):
    settings.DEMO_MODE = False
    response = client.get(reverse("login"))
    assert demo_codes_on(response) == {} and b"data-demo-code" not in response.content
    client.force_login(demo_user[0], verified=False)
    assert b"data-demo-code" not in client.get(VERIFY).content


def load_production_settings(monkeypatch):
    monkeypatch.setenv("DJANGO_SECRET_KEY", "x" * 60)
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "alert4you.example")
    monkeypatch.setenv("ALERT4YOU_DEMO", "true")
    path = Path(django_settings.BASE_DIR) / "alert4you" / "settings" / "production.py"
    spec = importlib.util.spec_from_file_location("alert4you.settings._production_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_production_settings_never_show_demo_codes(client, settings, monkeypatch, demo_user):
    production = load_production_settings(monkeypatch)
    assert production.DEMO_MODE is False
    # Even were DEMO_MODE switched on, the production guard keeps the codes off.
    settings.DEMO_MODE = True
    settings.IS_PRODUCTION = production.IS_PRODUCTION
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b"data-demo-code" not in response.content
    assert code_for(demo_user[1]) not in response.content.decode()
    assert not two_factor.demo_codes_visible()
    client.force_login(demo_user[0], verified=False)
    assert b"data-demo-code" not in client.get(VERIFY).content


def test_demo_devices_are_deterministic_and_loading_twice_changes_nothing(db):
    user = make_user("demo-coach")
    device, created = two_factor.demo_device_save(user)
    assert created and device.confirmed
    assert device.key == two_factor.demo_totp_key("demo-coach")
    again, changed = two_factor.demo_device_save(user)
    assert (again.pk, changed) == (device.pk, False)
    assert two_factor.demo_totp_key("demo-coach") != two_factor.demo_totp_key("demo-pm")
