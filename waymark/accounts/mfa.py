"""The second factor, with django-otp: a TOTP device (an authenticator app) and recovery
codes (django-otp's static device, each code good once).

Staff enrol on their first sign-in (waymark.access.must_use_second_factor); patients and
supporters may enrol from their account page. An organization admin resets a lost device
(audited); the person enrols again at their next sign-in.
"""

from __future__ import annotations

import base64
import re

import segno
from django.db import transaction
from django_otp import verify_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from waymark.access import Actor
from waymark.accounts.models import User
from waymark.audit.models import AuditAction, AuditObject
from waymark.audit.services import record_account
from waymark.errors import ServiceError

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
_DIGITS = re.compile(r"^\d{6}$")


def authenticator(user: User) -> TOTPDevice | None:
    """The person's confirmed authenticator, if they have enrolled."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_second_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_authenticator(user: User) -> TOTPDevice:
    """The authenticator being enrolled: one unconfirmed device, kept across page loads so
    the QR code does not change while the person scans it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)


def secret_base32(device: TOTPDevice) -> str:
    """The key as an authenticator app types it in (RFC 4648 base32, no padding)."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def qr_code_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG QR code (no image request, no script)."""
    return str(
        segno.make(device.config_url, error="m").svg_inline(
            scale=5, border=2, title="QR code for your authenticator app"
        )
    )


def _check(user: User, device: Device, code: str) -> Device:
    """`device` if `code` is right for it (django-otp throttles repeated wrong codes)."""
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        raise ServiceError(
            "Too many wrong codes. Wait a minute, then try again.",
            field="code",
            status=429,
            code="throttled",
        )
    verified = verify_token(user, device.persistent_id, code)  # its own transaction
    if verified is None:
        raise ServiceError("That code is not right. Try the newest code.", field="code")
    return verified


def confirm_enrolment(user: User, device: TOTPDevice, code: str) -> list[str]:
    """Confirm the authenticator with a code it shows, and make a fresh set of recovery
    codes; returns them (shown once: only the person keeps them)."""
    _check(user, device, " ".join(code.split()))
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return new_recovery_codes(user)


def new_recovery_codes(user: User) -> list[str]:
    recovery, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
    )
    recovery.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=code) for code in codes)
    return codes


def verify_second_factor(user: User, code: str) -> Device:
    """The device that accepts `code`: six digits are the authenticator's, anything else a
    recovery code (which is then used up). A ServiceError on the `code` field otherwise."""
    code = "".join(code.split())
    if _DIGITS.match(code):
        device: Device | None = authenticator(user)
    else:
        device = StaticDevice.objects.filter(user=user, confirmed=True).first()
        code = code.lower()
    if device is None:
        raise ServiceError("That code is not right. Try the newest code.", field="code")
    return _check(user, device, code)


@transaction.atomic
def reset_second_factor(actor: Actor, member: User) -> None:
    """An organization admin removes a member of staff's lost authenticator and recovery
    codes, and signs them out everywhere; they enrol again at their next sign-in."""
    TOTPDevice.objects.filter(user=member).delete()
    StaticDevice.objects.filter(user=member).delete()
    member.end_every_session()
    record_account(
        actor, AuditAction.DELETE, subject=member, object_type=AuditObject.SECOND_FACTOR_RESET
    )
