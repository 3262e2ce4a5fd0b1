"""Count events per key, and tell clients apart without knowing who they are.

A client is its network address, and Harborlight never stores or logs addresses. Where it
must tell one client from another (sign-in lockout, the public report flood limit, the
anonymous follow-up), it uses :func:`client_key`: an HMAC-SHA256 of the address under a
secret that exists only in this process's memory and is replaced every ``ROTATION``
seconds. Such keys are counted only in the process's memory cache (``caches["default"]``):
never in the database, never in a log line. Once the secret is replaced, nobody, the
server included, can tie an old key to an address.

With several server processes each has its own secret and counts; ``harborlight serve``
runs one process with threads, so one count holds for the whole server.

:func:`count` adds one event to a count that expires ``window`` seconds after the last
event, or counts per fixed window (``sliding=False``), in any Django cache.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time

from django.core.cache import BaseCache
from django.http import HttpRequest

ROTATION = 24 * 3600
_lock = threading.Lock()
_secret: tuple[int, bytes] = (-1, b"")


def client_key(request: HttpRequest, now: float | None = None) -> str:
    """A keyed digest of the request's address: the same all day, meaningless after."""
    period = int((time.time() if now is None else now) // ROTATION)
    address = request.META.get("REMOTE_ADDR", "") or ""
    return hmac.new(_secret_for(period), address.encode("utf-8"),
                    hashlib.sha256).hexdigest()[:32]


def _secret_for(period: int) -> bytes:
    global _secret
    with _lock:
        if _secret[0] != period:
            _secret = (period, secrets.token_bytes(32))
        return _secret[1]


def count(cache: BaseCache, key: str, window: int, *, sliding: bool = True,
          now: float | None = None) -> int:
    """Add one event under ``key``; return how many the count now holds.

    ``sliding``: the count expires ``window`` seconds after its last event (a lockout's
    cool-off). Otherwise it covers one fixed window (``window`` seconds from the epoch):
    a rate per minute. Concurrent calls may each read the same value on caches without
    an atomic ``incr`` (the database cache): a count may then run a little low.
    """
    if not sliding:
        key = f"{key}:{int((time.time() if now is None else now) // window)}"
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        value = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        return 1
    # The database cache's incr also resets the expiry to its default: set it again.
    cache.touch(key, timeout=window)
    return value


def peek(cache: BaseCache, key: str) -> int:
    """The events a sliding count holds now (0 once it expired)."""
    return int(cache.get(key, 0) or 0)
