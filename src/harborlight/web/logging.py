"""Logging filters that keep people's traces out of logs."""

from __future__ import annotations

import logging


class DropRequestDetails(logging.Filter):
    """Strip the request (and with it IP address and user agent) from log records.

    Django attaches the request to error records, and error reporters print its META.
    A reporter's address must never reach a log, so the attribute is removed and the
    message kept.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if hasattr(record, "request"):
            record.request = None
        return True
