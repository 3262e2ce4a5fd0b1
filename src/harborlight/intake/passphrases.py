"""Follow-up passphrases for anonymous reporters: generated here, stored only as a hash.

A passphrase looks like ``K7QM-3XPD-RW9T-HN4A``: 16 characters from the same 30-letter
alphabet as references (no 0/O, 1/I/L), about 78 bits from :mod:`secrets`. Only an
Argon2id hash is stored, so a copy of the database cannot open anyone's follow-up page.

Why these Argon2 parameters (2 MiB, one pass, about 1 ms of CPU) and not Django's defaults
(100 MiB, two passes, about 0.6 s here): the passphrase is machine-generated with 78 bits of entropy, so
the slow hash is defence in depth, not what stops guessing; the defaults would cap the
public endpoint at a couple of reports a second on a small server. Online guessing is
stopped by the per-tip throttle in :meth:`harborlight.intake.models.Tip.check_passphrase`.
Passphrases are compared case-insensitively, ignoring spaces and dashes.
"""

from __future__ import annotations

import re
import secrets

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from harborlight.cases.references import ALPHABET

GROUPS, GROUP_LENGTH = 4, 4
HASHER = PasswordHasher(time_cost=1, memory_cost=2048, parallelism=1, hash_len=32,
                        salt_len=16, type=Type.ID)
# A hash of a random value, verified against when the reference is unknown, so that an
# unknown reference and a wrong passphrase take about the same time to answer.
_DECOY_HASH = HASHER.hash(secrets.token_hex(16))


def generate() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_LENGTH))
    return "-".join(body[i:i + GROUP_LENGTH] for i in range(0, len(body), GROUP_LENGTH))


def normalise(passphrase: str) -> str:
    return re.sub(r"[\s\-]+", "", passphrase or "").upper()


def make_hash(passphrase: str) -> str:
    return HASHER.hash(normalise(passphrase))


def matches(passphrase: str, stored_hash: str) -> bool:
    """Constant-time check; any malformed input or hash is simply a mismatch."""
    try:
        return HASHER.verify(stored_hash or _DECOY_HASH, normalise(passphrase))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def burn_time(passphrase: str) -> None:
    """Spend the time of one verification (for unknown references)."""
    matches(passphrase, _DECOY_HASH)
