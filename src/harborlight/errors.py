"""The one base of every error a domain rule raises: :class:`DomainError`.

A domain error means "this step does not apply to the record as it is" (a closed tip, a
referral already answered, a disclosure without consent). It is not a bug and not an
access refusal: the person acting can read the message and do something about it. Each
subclass lives beside the rule that raises it and names itself with a ``code``::

    DomainError                     code "domain"
      WorkflowError                 "workflow"          cases: a case transition refused
      TipStateError                 "tip_state"         intake: a tip step that does not apply
      ReferralError                 "referral"          referrals: sending or answering refused
      ConsentRequired               "consent_required"  consent: no basis for a disclosure
      BreakGlassRefused             "break_glass"       security: no emergency access
      InputError                    "invalid"           a request names something not there
        UnknownPlace                                    referrals: a place we cannot find

Adapters map a domain error exactly once each: pages through
:func:`harborlight.pages.show_error` (a message on the page, on ``field`` when the form has
it), the HTTP API through its exception handler in :mod:`harborlight.web.api` (status
``status`` and ``{"errors": [{"field", "message", "code"}]}``). Views and endpoints never
catch them one by one.

This module imports nothing of Harborlight, so every layer may raise these.
"""

from __future__ import annotations


class DomainError(Exception):
    """A domain rule refused a step; ``str(error)`` is written for the person acting.

    ``code`` names the kind of refusal for programs, ``status`` is the HTTP status the API
    answers with (409: the record's state does not allow it), and ``field`` names the
    input the message belongs to, when there is one.
    """

    code = "domain"
    status = 409
    field = ""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        if field is not None:
            self.field = field

    def as_api_error(self) -> dict[str, str]:
        """The item this error adds to the API's one error shape."""
        return {"field": self.field, "message": self.message, "code": self.code}


class InputError(DomainError):
    """The request names something that is not there or cannot be used here (a place no
    gazetteer knows, an entry that is not in your directory): the input is wrong, not
    the record's state."""

    code = "invalid"
    status = 400
