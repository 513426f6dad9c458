"""The second factor in tests, scripts and the demo: TOTP codes from a base32 secret, and
a test client's session marked as having passed the second step (issue 12 point 1)."""

from __future__ import annotations

import base64
import time
from typing import Any

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice


def totp_code(secret_base32: str, at: float | None = None) -> str:
    """The 6-digit code an authenticator app shows for `secret_base32` at `at` (now)."""
    padded = secret_base32 + "=" * (-len(secret_base32) % 8)
    key = base64.b32decode(padded.upper())
    counter = int(at if at is not None else time.time()) // 30  # RFC 6238: 30 s steps
    return f"{hotp(key, counter):06d}"


def enrolled_authenticator(user: Any, secret_hex: str | None = None) -> TOTPDevice:
    """The user's confirmed authenticator, made if they have none (with `secret_hex`)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        extra = {"key": secret_hex} if secret_hex else {}
        device = TOTPDevice.objects.create(
            user=user, name="Authenticator app", confirmed=True, **extra
        )
    return device


def verify_session(client: Any, user: Any) -> None:
    """Mark a signed-in test client's session as having passed the second factor."""
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = enrolled_authenticator(user).persistent_id
    session.save()
