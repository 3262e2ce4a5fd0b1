"""Targets for the HTTP permission matrix (see tests/security/test_permission_matrix.py):
a notice of the own organisation's caseworker, or of the other organisation's."""

from harborlight.accounts.models import Role


def targets(cast, whose: str) -> dict:
    from harborlight.notifications.models import Notice, NoticeKind

    user = cast.role(Role.CASEWORKER) if whose == "own" else cast.outsiders[Role.CASEWORKER]
    notice = Notice.objects.filter(recipient=user).first() or Notice.objects.send(
        [user], NoticeKind.CASE_ASSIGNED, "case:matrix", ("cases:list", []),
        reference="C-MATRIX", by="matrix")[0]
    return {"web:dismiss_notice": {"notice_id": notice.pk}}
