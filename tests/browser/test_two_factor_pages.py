"""Setting up two-step login in a real browser: the pages pass axe-core, fit a
tablet, and the QR code, key, code and backup codes work end to end."""

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.conftest import PASSWORD

from .conftest import TABLET, assert_no_horizontal_scroll, submit

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_setting_up_two_step_login(page, live_server, world, assert_accessible):
    page.set_viewport_size(TABLET)
    page.goto(reverse("login"))
    page.locator("#id_username").fill("pm_a")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form[action$='/login/'] [type=submit]").click()
    page.wait_for_url(f"**{reverse('two-factor:enrol')}*")

    assert page.locator("[data-qr-code] svg[role=img]").is_visible()
    assert page.locator("[data-secret]").inner_text().strip()
    # The browser applies `autofocus` when it next renders, which may be after the load event.
    expect(page.locator("#id_code")).to_be_focused()
    assert_accessible(page)
    assert_no_horizontal_scroll(page)

    device = TOTPDevice.objects.get(user=world.pm_a, confirmed=False)
    wrong = f"{(totp(device.bin_key) + 500_000) % 1_000_000:06d}"
    page.locator("#id_code").fill(wrong)
    submit(page, page.locator("main form:not([action$='/logout/']) [type=submit]"))
    assert page.locator("#id_code_error").is_visible()
    assert page.locator("#id_code").get_attribute("aria-invalid") == "true"
    assert_accessible(page)

    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)
    page.locator("#id_code").fill(f"{totp(device.bin_key):06d}")
    submit(page, page.locator("main form:not([action$='/logout/']) [type=submit]"))
    assert page.locator("[data-backup-code]").count() == 10
    assert page.locator("[data-print-page]").is_visible()
    assert_accessible(page)
    assert_no_horizontal_scroll(page)

    page.locator("main a.btn-primary").click()
    page.wait_for_url(lambda url: url.rstrip("/") == live_server.url)
    assert page.get_by_role("heading", level=1).is_visible()
