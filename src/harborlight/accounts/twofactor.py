"""Time-based one-time passwords (TOTP) through django-otp.

Every staff role needs a second factor. A user without a confirmed device is sent to
enrolment straight after the password step and can do nothing else until it is done.
"""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.svg
from django_otp.plugins.otp_totp.models import TOTPDevice

ISSUER = "Harborlight"


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_device(user) -> TOTPDevice:
    """The unconfirmed device shown during enrolment, created once and reused."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator",
                                               confirmed=False)


def enrol_confirmed(user, secret_hex: str | None = None) -> TOTPDevice:
    """Create a confirmed device at once (demo users and tests); returns the device."""
    TOTPDevice.objects.filter(user=user).delete()
    kwargs = {"key": secret_hex} if secret_hex else {}
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True, **kwargs)


def base32_secret(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


def qr_code_data_uri(device: TOTPDevice) -> str:
    """An SVG QR code as a data: URI, drawn here so nothing is fetched from elsewhere."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def reset(user) -> int:
    """Remove a user's devices so they must enrol again; returns how many were removed."""
    deleted, _ = TOTPDevice.objects.filter(user=user).delete()
    return deleted


def current_code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows for ``device`` now (or ``steps_ahead`` later).

    Used by the demo (to print codes for people without an authenticator app) and by tests.
    django-otp refuses a code it has already accepted, so a second sign-in within the same
    30 seconds needs the next step's code, which its tolerance of one step accepts.
    """
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def check_code(device: TOTPDevice, token: str, now: float | None = None) -> str | None:
    """Verify ``token`` for ``device``; return None if accepted, else what to tell the user.

    django-otp throttles a device after a failure (1 s, doubling each time), so a right
    code sent too soon is refused too; the message then says to wait, not that it is wrong.
    """
    allowed, details = device.verify_is_allowed()
    if not allowed:
        return "Too many wrong codes. Wait a few seconds, then enter the current code."
    if device.verify_token(token):
        return None
    return "That code is not right, or it has expired. Enter the current code."
