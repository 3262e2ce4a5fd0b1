"""Separation of duties: how an account comes to read survivor records.

No single person can give themselves, or anyone, access to survivor records. Which roles
read them is data (``survivor_records`` actions in ``security/policy.toml``). An
administrator adds people and asks for role changes; every step below is one act,
audited once:

1. **Ask** (:func:`add_member`, :func:`change_role`, :func:`reactivate`,
   :func:`new_link`). A change that gives survivor-record access a person did not have
   opens an :class:`~harborlight.accounts.models.AccessRequest` that waits for a
   supervisor. Where the person must set their own secrets (a new account; an account
   that did not read survivor records before; a reactivation; a lost password), the
   administrator is shown a single-use set-up link, once. A change that gives nothing
   new (away from survivor records, or to a role whose actions the person already holds)
   happens at once.
2. **Approve or refuse** (:func:`approve`, :func:`refuse`): a supervisor of the same
   organisation who neither asked for it nor is its subject. Approving a request with a
   set-up shows the supervisor an approval code, once.
3. **Set up** (:func:`open_setup`, :func:`check_code`, :func:`complete_setup`): the person
   opens the link, types the supervisor's code, chooses a password and enrols their own
   authenticator. Only then is the account active in its new role.

Who sees what: the administrator sees the link and never the code; the supervisor sees
the code and never the link; neither sees the password or the authenticator's secret,
which only the person chooses or scans. The database holds digests of the link and the
code (keyed with the server secret), a password hash and the encrypted authenticator
secret. An administrator who kept the link cannot finish without the code, which the
supervisor tells the person directly; a supervisor who kept the code cannot finish
without the link. The server operator can do anything (``createadmin``,
``createsupervisor``): that is where the first administrator and supervisor come from.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from harborlight.accounts import lockout
from harborlight.accounts.models import (AccessKind, AccessRequest, AccessStatus,
                                         Authenticator, User)
from harborlight.errors import DomainError
from harborlight.notifications.models import Notice, NoticeKind
from harborlight.security.audit.log import audited, record
from harborlight.security.policy import load_policy

LINK_LIFETIME = timedelta(hours=72)
APPROVAL_WAIT = timedelta(days=14)
MAX_CODE_FAILURES = 5
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud safely
CODE_LENGTH = 8
_LINK_SALT = "harborlight.accounts.access.link"
_CODE_SALT = "harborlight.accounts.access.code"


class AccessError(DomainError):
    """An account step that does not apply to the account or request as it is."""

    code = "access"


@dataclass(frozen=True)
class Issued:
    """What a step hands out, shown once: the request, and its set-up link's token
    (empty when the person keeps their secrets)."""

    request: AccessRequest
    token: str = ""


def reads_survivor_records(role: str) -> bool:
    return load_policy().reads_survivor_records(role)


def gains_survivor_records(member: User, role: str) -> bool:
    """Whether holding ``role`` gives ``member`` survivor-record access or an action they
    do not hold now: such a change waits for a supervisor."""
    if not reads_survivor_records(role):
        return False
    if not (member.is_active and reads_survivor_records(member.role)):
        return True
    policy = load_policy()
    return not policy.roles[role] <= policy.roles[member.role]


# -- 1. ask ---------------------------------------------------------------------------------

def add_member(organisation, *, by, username: str, role: str, display_name: str = "",
               email: str = "") -> Issued:
    """A new, inactive account with no password, and the request that sets it up."""
    with audited():
        member = User.objects.create_user(username=username, organisation=organisation,
                                          role=role, display_name=display_name,
                                          email=email, is_active=False)
        issued = _open_request(member, AccessKind.NEW_ACCOUNT, role, by)
        record("user_create", actor=by, obj=member, details=_details(issued.request))
    return issued


def change_role(member: User, role: str, *, by) -> Issued | None:
    """Change ``member``'s role at once, or ask a supervisor when it gains access. An
    account not set up yet gets a new request (and link) for the new role."""
    if not member.is_active:
        if member.has_usable_password():
            raise AccessError(_("Reactivate the account before changing its role."),
                              field="role")
        return _ask(member, AccessKind.NEW_ACCOUNT, role, by)
    if role == member.role:
        raise AccessError(_("%(user)s already has that role.") % {"user": member.username},
                          field="role")
    if gains_survivor_records(member, role):
        return _ask(member, AccessKind.ROLE_CHANGE, role, by)
    with audited():
        previous, member.role = member.role, role
        member.save(update_fields=["role"])
        _cancel_open_requests(member)
        record("update", actor=by, obj=member,
               details={"change": "role", "from": previous, "to": role})
    return None


def set_language(member: User, language: str) -> None:
    """Record ``member``'s own choice of language for the staff pages ("" follows the
    browser), audited as a change to their account."""
    allowed = {code for code, _label in User._meta.get_field("language").choices}
    if language and language not in allowed:
        raise AccessError(_("Choose English or Spanish."), field="language")
    if language == member.language:
        return
    with audited():
        previous, member.language = member.language, language
        member.save(update_fields=["language"])
        record("update", actor=member, obj=member,
               details={"change": "language", "from": previous, "to": language})


def deactivate(member: User, *, by) -> None:
    """End ``member``'s access now: sign-in, sessions and API tokens stop working."""
    if member.pk == by.pk:
        raise AccessError(_("You cannot deactivate your own account."))
    if not member.is_active and not member.access_requests.open().exists():
        raise AccessError(_("%(user)s is already deactivated.") % {"user": member.username})
    with audited():
        member.is_active = False
        member.save(update_fields=["is_active"])
        _cancel_open_requests(member)
        record("update", actor=by, obj=member, details={"change": "deactivate"})


def reactivate(member: User, *, by) -> Issued | None:
    """Reactivate at once, or, for a role with survivor records, ask a supervisor (the
    person then sets new secrets)."""
    if member.is_active:
        raise AccessError(_("%(user)s is already active.") % {"user": member.username})
    if reads_survivor_records(member.role):
        return _ask(member, AccessKind.REACTIVATION, member.role, by)
    with audited():
        member.is_active = True
        member.save(update_fields=["is_active"])
        record("update", actor=by, obj=member, details={"change": "reactivate"})
    return None


def new_link(member: User, *, by) -> Issued:
    """A new set-up link (a forgotten password, a lost phone, an expired link)."""
    if not member.is_active and member.has_usable_password():
        raise AccessError(_("%(user)s is deactivated: reactivate the account instead.")
                          % {"user": member.username})
    kind = AccessKind.NEW_LINK if member.is_active else AccessKind.NEW_ACCOUNT
    return _ask(member, kind, member.role, by)


def _ask(member: User, kind: str, role: str, by) -> Issued:
    with audited():
        issued = _open_request(member, kind, role, by)
        record("access_request", actor=by, obj=issued.request,
               details=_details(issued.request))
    return issued


def _open_request(member: User, kind: str, role: str, by) -> Issued:
    """Cancel what was open for ``member`` and open one request (inside the caller's act)."""
    _cancel_open_requests(member)
    keeps_secrets = (kind == AccessKind.ROLE_CHANGE and member.is_active
                     and reads_survivor_records(member.role))
    approval = gains_survivor_records(member, role) or (
        kind == AccessKind.NEW_LINK and reads_survivor_records(role))
    token = "" if keeps_secrets else secrets.token_urlsafe(32)
    now = timezone.now()
    request = AccessRequest.objects.create(
        organisation_id=member.organisation_id, member=member, kind=kind, role=role,
        needs_approval=approval, needs_setup=not keeps_secrets,
        status=AccessStatus.WAITING if approval else AccessStatus.READY,
        requested_by=by if getattr(by, "pk", None) else None, requested_at=now,
        link_digest=_digest(_LINK_SALT, token) if token else "",
        expires_at=now + (APPROVAL_WAIT if approval else LINK_LIFETIME))
    if approval:
        _notify_approvers(request, by)
    return Issued(request, token)


def _notify_approvers(request: AccessRequest, by) -> None:
    """A notice for each supervisor who may decide it (not the person, not the asker)."""
    approvers = User.objects.allowed_to("user.approve", request.member.organisation) \
        .exclude(pk=request.member_id)
    Notice.objects.send(approvers, NoticeKind.ACCESS_WAITING, _subject(request),
                        ("accounts:approvals", []), exclude=by,
                        by=getattr(by, "username", "") or _("the server"),
                        member=request.member.username, role=request.role_label)


def _subject(request: AccessRequest) -> str:
    return f"access:{request.pk}"


def _cancel_open_requests(member: User) -> None:
    open_requests = member.access_requests.filter(status__in=[AccessStatus.WAITING,
                                                              AccessStatus.READY])
    for request in open_requests.filter(status=AccessStatus.WAITING):
        Notice.objects.settle(_subject(request))
    open_requests.update(status=AccessStatus.CANCELLED, code_digest="")


def _details(request: AccessRequest) -> dict:
    return {"access_request": request.pk, "kind": request.kind, "role": request.role,
            "member": request.member.username, "needs_approval": request.needs_approval,
            "needs_setup": request.needs_setup}


# -- 2. approve or refuse -------------------------------------------------------------------

def approve(request: AccessRequest, *, by) -> str:
    """Approve a waiting request; return the approval code for the person ("" when the
    change applies at once, with no set-up)."""
    _check_waiting(request)
    now = timezone.now()
    code = _new_code() if request.needs_setup else ""
    with audited():
        request.decided_by, request.decided_at = by, now
        if request.needs_setup:
            request.status = AccessStatus.READY
            request.code_digest = _digest(_CODE_SALT, code)
            request.expires_at = now + LINK_LIFETIME
        else:
            _apply(request, now)
        request.save()
        Notice.objects.settle(_subject(request))
        record("access_approve", actor=by, obj=request, details=_details(request))
    return code


def refuse(request: AccessRequest, *, by) -> None:
    _check_waiting(request)
    with audited():
        request.status = AccessStatus.REFUSED
        request.decided_by, request.decided_at = by, timezone.now()
        request.save(update_fields=["status", "decided_by", "decided_at"])
        Notice.objects.settle(_subject(request))
        record("access_refuse", actor=by, obj=request, details=_details(request))


def _check_waiting(request: AccessRequest) -> None:
    if request.status != AccessStatus.WAITING or not request.is_open():
        raise AccessError(_("This request is no longer waiting for a decision."))


def _apply(request: AccessRequest, now) -> None:
    """The member takes the request's role (inside the caller's act)."""
    member = request.member
    member.role = request.role
    member.save(update_fields=["role"])
    request.status, request.completed_at = AccessStatus.DONE, now


# -- 3. set up -----------------------------------------------------------------------------

def link_digest(token: str) -> str:
    return _digest(_LINK_SALT, token)


def open_setup(digest: str) -> AccessRequest | None:
    """The request a set-up link's digest names, if it still needs setting up."""
    if not digest:
        return None
    return (AccessRequest.objects.filter(link_digest=digest, needs_setup=True)
            .select_related("member").first())


def check_code(request: AccessRequest, code: str) -> bool:
    """Whether ``code`` is the supervisor's approval code; after MAX_CODE_FAILURES wrong
    codes the request is cancelled (the administrator asks again)."""
    if not request.needs_approval:
        return True
    typed = "".join(ch for ch in code.upper() if ch.isalnum())
    if request.code_digest and hmac.compare_digest(request.code_digest,
                                                   _digest(_CODE_SALT, typed)):
        return True
    AccessRequest.objects.filter(pk=request.pk).update(code_failures=F("code_failures") + 1)
    request.refresh_from_db(fields=["code_failures", "status"])
    if request.code_failures >= MAX_CODE_FAILURES and request.status == AccessStatus.READY:
        with audited():
            request.status, request.code_digest = AccessStatus.CANCELLED, ""
            request.save(update_fields=["status", "code_digest"])
            record("update", actor=request.member, obj=request,
                   details={"change": "cancel", "reason": "wrong approval codes"})
    return False


def complete_setup(request: AccessRequest, password_hash: str, device: Authenticator) -> User:
    """The person's own password and authenticator: the account is active in its role."""
    now = timezone.now()
    with audited():
        request = AccessRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != AccessStatus.READY or not request.is_open(now):
            raise AccessError(_("This set-up link no longer works."))
        member = request.member
        member.password, member.role, member.is_active = password_hash, request.role, True
        member.save(update_fields=["password", "role", "is_active"])
        Authenticator.objects.filter(user=member).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        request.status, request.completed_at, request.code_digest = \
            AccessStatus.DONE, now, ""
        request.save(update_fields=["status", "completed_at", "code_digest"])
        lockout.unlock(member.username)
        record("account_setup", actor=member, obj=member, details=_details(request))
    return member


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code: str) -> str:
    """``7KQM3XD9`` as ``7KQM-3XD9``, to read aloud."""
    return f"{code[:4]}-{code[4:]}" if code else ""


def _digest(salt: str, value: str) -> str:
    return salted_hmac(salt, value, algorithm="sha256").hexdigest()
