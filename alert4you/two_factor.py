"""Two-step login: a password, then a code from an authenticator app (TOTP) or
one of ten single-use backup codes. django-otp keeps the devices and marks a
session verified (`request.user.is_verified()`); this module decides who must
take the second step, enrols and verifies, and lets an organisation admin
reset the two-step login of someone in their organisation.

Every account takes both steps: everyone here reaches either children's case
files or the Django admin. `TwoFactorMiddleware` sends a signed-in session that
has not passed its second step to enrolment (no confirmed app yet) or to
verification, whatever page it asked for.

Demo mode shows the demo accounts' current codes on the login page, so the
tour works without a phone; `demo_codes_visible` refuses under production
settings even if DEMO_MODE were set.
"""

import hashlib
import time
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from pilots.models import Membership
from pilots.selectors import organisations_administered_by

from . import audit, sessions
from .models import AuditEntry

BACKUP_CODE_COUNT = 10
TOTP_DEVICE_NAME = "authenticator"
BACKUP_DEVICE_NAME = "backup"
DEMO_DEVICE_NAME = "demo"

#: URL names a signed-in but unverified session may still reach (besides the
#: two-step pages themselves): logging in and out, a forgotten password, the
#: language switch and the health check.
EXEMPT_URL_NAMES = frozenset(
    {
        "login",
        "logout",
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
        "set_language",
        "healthz",
    }
)
TWO_FACTOR_NAMESPACE = "two-factor"


# Selectors


def is_verified(user) -> bool:
    """Did this request's session pass its second step? (OTPMiddleware sets it.)"""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def confirmed_totp_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_confirmed_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def backup_device(user) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def safe_next(request, candidate: str | None) -> str:
    """Where to go after the second step: `candidate` if it stays on this site,
    else the home page."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def step_url(user, next_url: str | None = None) -> str:
    """The two-step page this user needs: enrolment or verification."""
    name = "verify" if has_confirmed_device(user) else "enrol"
    url = reverse(f"{TWO_FACTOR_NAMESPACE}:{name}")
    if next_url:
        url += "?" + urlencode({"next": next_url})
    return url


@dataclass
class Person:
    """A person with a current membership in an organisation the admin runs."""

    membership: Membership
    roles: list[str]
    enrolled: bool
    backup_codes_left: int


def people_for_admin(admin) -> list[Person]:
    """The people with a current membership in the organisations `admin` is an
    organisation admin of, one row per person and organisation, with their
    two-step status. A fixed number of queries however many people."""
    memberships = (
        Membership.objects.current()
        .filter(organisation__in=organisations_administered_by(admin))
        .select_related("user", "organisation")
        .order_by("organisation__name", "user__last_name", "user__first_name", "user__username")
    )
    rows: dict[tuple[int, int], Person] = {}
    for membership in memberships:
        key = (membership.organisation_id, membership.user_id)
        if key not in rows:
            rows[key] = Person(membership, [], enrolled=False, backup_codes_left=0)
        rows[key].roles.append(membership.get_role_display())
    user_ids = {user_id for _org, user_id in rows}
    enrolled = set(
        TOTPDevice.objects.filter(user_id__in=user_ids, confirmed=True).values_list(
            "user_id", flat=True
        )
    )
    codes_left: dict[int, int] = {}
    for user_id in StaticToken.objects.filter(
        device__user_id__in=user_ids, device__confirmed=True
    ).values_list("device__user_id", flat=True):
        codes_left[user_id] = codes_left.get(user_id, 0) + 1
    for (_org, user_id), person in rows.items():
        person.enrolled = user_id in enrolled
        person.backup_codes_left = codes_left.get(user_id, 0)
    return list(rows.values())


def membership_for_reset(admin, membership_uuid) -> Membership:
    """The membership through which `admin` may reset someone's two-step login:
    a current one in an organisation they administer (404 otherwise), not their
    own and not a superuser's (403)."""
    membership = (
        Membership.objects.current()
        .filter(organisation__in=organisations_administered_by(admin), uuid=membership_uuid)
        .select_related("user", "organisation")
        .first()
    )
    if membership is None:
        raise Http404
    if membership.user_id == admin.pk or membership.user.is_superuser:
        raise PermissionDenied
    return membership


# Services


def enrolment_device(user) -> TOTPDevice:
    """The unconfirmed authenticator the user is setting up; the same one on
    every visit, so a reload keeps the QR code the app may have scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def _code_error(device, code: str) -> ValidationError | None:
    """None when `device` accepts `code`, else the error to show. django-otp
    throttles: after a wrong code the next try must wait 1, 2, 4, 8... seconds,
    a try too soon is refused whatever the code. The caller raises the error
    only after its transaction committed: a rollback would undo the count."""
    allowed, info = device.verify_is_allowed()
    if not allowed:
        return ValidationError(_throttled_message(info), code="throttled")
    if not device.verify_token(code):
        return ValidationError(
            _("That code is not right. Check the code and try again."), code="invalid"
        )
    return None


def _throttled_message(info: dict | None) -> str:
    locked_until = (info or {}).get("locked_until")
    seconds = 1
    if locked_until is not None:
        seconds = max(1, int((locked_until - timezone.now()).total_seconds() + 0.999))
    return ngettext(
        "Too many wrong codes. Wait %(seconds)d second, then try again.",
        "Too many wrong codes. Wait %(seconds)d seconds, then try again.",
        seconds,
    ) % {"seconds": seconds}


def _normalise(code: str) -> str:
    return "".join(code.split()).lower()


def enrolment_confirm(*, request, device: TOTPDevice, code: str) -> list[str]:
    """Confirm the authenticator with a code it shows, verify this session, and
    return fresh backup codes (to be shown once). Raises ValidationError."""
    user = request.user
    if device.user_id != user.pk or device.confirmed:
        raise PermissionDenied
    with transaction.atomic():
        # Locked: two requests at once must not both try a code.
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        error = _code_error(device, _normalise(code))
        if error is None:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            # One authenticator per person: others left from earlier tries go.
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            codes = backup_codes_replace(user=user)
            audit.audit_record(
                user=user,
                action=AuditEntry.Action.TWO_FACTOR_ENROLLED,
                subject=user.get_username(),
                request=request,
            )
    if error is not None:
        raise error
    otp_login(request, device)
    return codes


def backup_codes_replace(*, user) -> list[str]:
    """Give the user BACKUP_CODE_COUNT new single-use codes; old ones stop working."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def verify_code(*, request, code: str):
    """Pass the second step with the authenticator's 6-digit code or a backup
    code (used up). Raises ValidationError with a message for the user."""
    user = request.user
    code = _normalise(code)
    if code.isdigit() and len(code) == 6:
        device = confirmed_totp_device(user)
    else:
        device = backup_device(user)
    if device is None:
        raise ValidationError(
            _("That code is not right. Check the code and try again."), code="invalid"
        )
    with transaction.atomic():
        # Locked: two requests at once must not both try a code.
        device = type(device).objects.select_for_update().get(pk=device.pk)
        error = _code_error(device, code)
    if error is not None:
        raise error
    otp_login(request, device)
    return device


def two_factor_reset(*, actor, membership: Membership, request=None) -> None:
    """An organisation admin resets a person's two-step login: their
    authenticator and backup codes go and every session of theirs ends. They
    set it up again at their next login (with their password)."""
    person = membership.user
    if person.pk == actor.pk:
        raise PermissionDenied
    with transaction.atomic():
        TOTPDevice.objects.filter(user=person).delete()
        StaticDevice.objects.filter(user=person).delete()
        audit.audit_record(
            user=actor,
            organisation=membership.organisation,
            action=AuditEntry.Action.TWO_FACTOR_RESET,
            subject=person.get_username(),
            request=request,
        )
        sessions.user_sessions_end_others(user=person)
    sessions.security_log.info("Two-step login of user %s reset by user %s", person.pk, actor.pk)


# The QR code for enrolment: inline SVG, no image request and no data: URI.


def qr_code_svg(device: TOTPDevice) -> str:
    image = qrcode.make(
        device.config_url,
        image_factory=qrcode.image.svg.SvgPathFillImage,
        box_size=12,
        border=4,
    )
    svg = image.to_string(encoding="unicode")
    svg = svg.replace(
        "<svg ", '<svg role="img" aria-labelledby="qr-code-label" class="qr-code" ', 1
    )
    return mark_safe(svg)  # noqa: S308 - generated by qrcode from our own URL


def secret_for_manual_entry(device: TOTPDevice) -> str:
    """The key as an app asks for it: base32, in groups of four."""
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


# Demo mode


def demo_codes_visible() -> bool:
    """Whether pages may show the demo accounts' codes: demo mode, and never
    under production settings."""
    return bool(settings.DEMO_MODE) and not getattr(settings, "IS_PRODUCTION", False)


def demo_totp_key(username: str) -> str:
    """A demo account's TOTP key, derived from its username: the same on every
    `load_demo`, so the codes on the login page match."""
    return hashlib.sha256(f"alert4you-demo-two-step:{username}".encode()).hexdigest()[:40]


def demo_device_save(user) -> tuple[TOTPDevice, bool]:
    """Give a demo account its confirmed authenticator; (device, changed)."""
    key = demo_totp_key(user.get_username())
    device = TOTPDevice.objects.filter(user=user, name=DEMO_DEVICE_NAME).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name=DEMO_DEVICE_NAME, key=key, confirmed=True
        )
        return device, True
    if device.key != key or not device.confirmed:
        device.key, device.confirmed = key, True
        device.save(update_fields=["key", "confirmed"])
        return device, True
    return device, False


def current_code(device: TOTPDevice) -> str:
    """The code the device would accept now (the next one when this time step's
    code was used already, as after logging out and in within 30 seconds)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.t() <= device.last_t and device.last_t + 1 - totp.t() <= device.tolerance:
        totp.time = device.t0 + (device.last_t + 1 + device.drift) * device.step
    return f"{totp.token():0{device.digits}d}"


def demo_codes(usernames) -> dict[str, str]:
    """Current codes of the demo accounts, by username; empty unless visible."""
    if not demo_codes_visible():
        return {}
    devices = TOTPDevice.objects.filter(
        user__username__in=list(usernames), name=DEMO_DEVICE_NAME, confirmed=True
    ).select_related("user")
    return {device.user.get_username(): current_code(device) for device in devices}


# Middleware


class TwoFactorMiddleware:
    """Send a signed-in session that has not passed its second step to it.

    Comes after OTPMiddleware (request.user.is_verified) and HtmxMiddleware.
    Works in `process_view`, where the URL is resolved: only the two-step
    pages and EXEMPT_URL_NAMES answer such a session; everything else, the
    Django admin too, redirects (htmx requests get 401 with HX-Redirect)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or is_verified(user):
            return None
        match = request.resolver_match
        if match is not None and (
            TWO_FACTOR_NAMESPACE in match.namespaces
            or (not match.namespaces and match.url_name in EXEMPT_URL_NAMES)
        ):
            return None
        next_url = request.get_full_path() if request.method in ("GET", "HEAD") else None
        if request.headers.get("HX-Request") == "true":
            # htmx would swap a redirected page into a fragment: send the
            # whole window to the second step instead.
            current = urlsplit(request.headers.get("HX-Current-URL", ""))
            back = current.path + (f"?{current.query}" if current.query else "")
            target = step_url(user, safe_next(request, back) if current.path else None)
            response = HttpResponse(status=401)
            response["HX-Redirect"] = target
            return response
        return redirect(step_url(user, next_url))
