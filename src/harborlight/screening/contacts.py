"""Keyed hashes and masked display forms for contact identifiers.

The people in screened ads are often victims, so raw phone numbers, emails and handles are
never persisted. Each identifier is kept as ``HMAC-SHA256(key, "kind:value")`` (linking
needs only equality) plus a masked form an analyst can read (``+1-XXX-XXX-XX43``). Without
the key nobody can test a guessed number against stored hashes, which a plain hash would
allow for the small space of phone numbers.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import lru_cache

from harborlight.screening.errors import ConfigProblem

KEY_BYTES = 32


def check_key(key: bytes) -> bytes:
    """Return ``key`` if it is long enough to resist guessing; raise otherwise."""
    if not isinstance(key, (bytes, bytearray)) or len(key) < 16:
        raise ConfigProblem("the screening key must be at least 16 bytes")
    return bytes(key)


def new_key() -> bytes:
    """A fresh random key for a deployment that has none yet."""
    return secrets.token_bytes(KEY_BYTES)


def key_fingerprint(key: bytes) -> str:
    """A public fingerprint that tells whether two runs used the same key (not the key)."""
    return hmac.new(key, b"harborlight-screening-key-check", hashlib.sha256).hexdigest()[:16]


def identifier_hash(key: bytes, kind: str, value: str) -> str:
    """The keyed hash of one identifier, hex, 128 bits."""
    message = f"{kind}:{value}".encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


@lru_cache(maxsize=65_536)
def mask_phone(e164: str) -> str:
    """``+12025550143`` -> ``+1-XXX-XXX-XX43``: country code and the last two digits."""
    import phonenumbers

    try:
        country = str(phonenumbers.parse(e164).country_code)
    except phonenumbers.NumberParseException:
        country = ""
    national = e164[1 + len(country):]
    hidden = "X" * max(len(national) - 2, 0) + national[-2:]
    if len(hidden) == 10:
        hidden = f"{hidden[:3]}-{hidden[3:6]}-{hidden[6:]}"
    return f"+{country}-{hidden}"


def mask_email(email: str) -> str:
    """``jane.doe@example.com`` -> ``j***@***.com``."""
    local, _, domain = email.partition("@")
    tld = domain.rsplit(".", 1)[-1] if "." in domain else ""
    return f"{local[:1]}***@***.{tld}"


def mask_handle(handle: str) -> str:
    """``@jane_doe`` -> ``@ja***``."""
    return f"@{handle[:2]}***"


def mask_url(url: str) -> str:
    """Keep the top-level domain only: ``https://example.com/x`` -> ``***.com/***``."""
    host = url.split("//", 1)[-1].split("/", 1)[0]
    tld = host.rsplit(".", 1)[-1] if "." in host else ""
    return f"***.{tld}/***"


def mask_image(image_hash: str) -> str:
    """Image hashes are not personal on their own; show a short prefix for reading."""
    return f"img:{image_hash[:8]}"


MASKERS = {"phone": mask_phone, "email": mask_email, "handle": mask_handle,
           "url": mask_url, "image": mask_image}
