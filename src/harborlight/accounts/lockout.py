"""What django-axes may know about a failed sign-in: the username, nothing else.

Lockout counts failures per username (settings.AXES_LOCKOUT_PARAMETERS), so the caller's
address is never needed; giving axes none means none can reach a log or a table.
"""

from __future__ import annotations

from django.http import HttpRequest


def no_address(request: HttpRequest) -> None:
    return None
