"""Time-based one-time passwords (TOTP) through django-otp.

Every staff role needs a second factor. A user without a confirmed device is sent to
enrolment straight after the password step and can do nothing else until it is done.
"""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.svg

from harborlight.accounts.models import Authenticator


def confirmed_device(user) -> Authenticator | None:
    return Authenticator.objects.filter(user=user, confirmed=True).first()


def pending_device(user) -> Authenticator:
    """The unconfirmed device shown during enrolment, created once and reused."""
    device = Authenticator.objects.filter(user=user, confirmed=False).first()
    return device or Authenticator.objects.create(user=user, name="authenticator",
                                               confirmed=False)


def enrol_confirmed(user, secret_hex: str | None = None) -> Authenticator:
    """Create a confirmed device at once (demo users and tests); returns the device."""
    Authenticator.objects.filter(user=user).delete()
    kwargs = {"key": secret_hex} if secret_hex else {}
    return Authenticator.objects.create(user=user, name="authenticator", confirmed=True, **kwargs)


def base32_secret(device: Authenticator) -> str:
    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


def qr_code_data_uri(device: Authenticator) -> str:
    """An SVG QR code as a data: URI, drawn here so nothing is fetched from elsewhere."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def reset(user) -> int:
    """Remove a user's devices so they must enrol again; returns how many were removed."""
    deleted, _ = Authenticator.objects.filter(user=user).delete()
    return deleted


def current_code(device: Authenticator, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows for ``device`` now (or ``steps_ahead`` later).

    Used by the demo (to print codes for people without an authenticator app) and by tests.
    django-otp refuses a code it has already accepted, so a second sign-in within the same
    30 seconds needs the next step's code, which its tolerance of one step accepts.
    """
    totp = device.totp()
    totp.time = totp.time + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def check_code(device: Authenticator, token: str, now: float | None = None) -> str | None:
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
