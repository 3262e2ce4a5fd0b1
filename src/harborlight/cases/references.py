"""Human-readable, non-identifying record references such as ``C-7K3M-9QXD``.

References are random rather than sequential, so they reveal neither how many cases an
organisation has nor when one was opened. The alphabet has no 0/O or 1/I/L.
"""

from __future__ import annotations

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def random_reference(prefix: str) -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"{prefix}-{body[:4]}-{body[4:]}"


def next_case_reference() -> str:
    return random_reference("C")


def next_tip_reference() -> str:
    return random_reference("T")
