"""Notices: what waits for whom, where it leads, and when it was done.

Each notice belongs to one person (``recipient``) and names its ``subject`` (the record
it is about, as ``"referral:R-7K3M-9QXD"``) so that the act that settles it marks every
copy done at once: when one member of the shelter answers a referral, the notice leaves
every colleague's dashboard. The sentence is written when it is read, in the reader's
language, from ``kind`` and ``params`` (references and organisation or staff names,
never a survivor's detail).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NoticeKind(models.TextChoices):
    REFERRAL_RECEIVED = "referral_received", _("New referral")
    TRANSFER_WAITING = "transfer_waiting", _("Transfer waiting")
    REFERRAL_ACCEPTED = "referral_accepted", _("Referral accepted")
    REFERRAL_DECLINED = "referral_declined", _("Referral declined")
    TIP_ASSIGNED = "tip_assigned", _("Tip assigned to you")
    CASE_ASSIGNED = "case_assigned", _("Case assigned to you")
    CASE_WAITING = "case_waiting", _("Case waiting for a caseworker")
    BREAK_GLASS = "break_glass_review", _("Break-glass access to review")
    ACCESS_WAITING = "access_waiting", _("Access waiting for your approval")


SENTENCES = {
    NoticeKind.REFERRAL_RECEIVED: _("New referral %(reference)s from %(organisation)s: "
                                    "answer it."),
    NoticeKind.TRANSFER_WAITING: _("Transfer %(reference)s from %(organisation)s waits for "
                                   "your answer."),
    NoticeKind.REFERRAL_ACCEPTED: _("%(organisation)s accepted referral %(reference)s."),
    NoticeKind.REFERRAL_DECLINED: _("%(organisation)s declined referral %(reference)s."),
    NoticeKind.TIP_ASSIGNED: _("Tip %(reference)s (%(level)s) was assigned to you by "
                               "%(by)s."),
    NoticeKind.CASE_ASSIGNED: _("Case %(reference)s was assigned to you by %(by)s."),
    NoticeKind.CASE_WAITING: _("Case %(reference)s waits for a caseworker."),
    NoticeKind.BREAK_GLASS: _("%(by)s opened %(record)s with break-glass access: review "
                              "it."),
    NoticeKind.ACCESS_WAITING: _("%(by)s asks that %(member)s become %(role)s: approve or "
                                 "refuse it."),
}
# Notices that call for an act: shown first, and settled by that act.
NEEDS_ACTION = frozenset({NoticeKind.REFERRAL_RECEIVED, NoticeKind.TRANSFER_WAITING,
                          NoticeKind.TIP_ASSIGNED, NoticeKind.CASE_WAITING,
                          NoticeKind.BREAK_GLASS, NoticeKind.ACCESS_WAITING})


class NoticeQuerySet(models.QuerySet):
    def waiting(self) -> "NoticeQuerySet":
        return self.filter(done_at__isnull=True)

    def for_user(self, user) -> "NoticeQuerySet":
        return self.filter(recipient=user)


class NoticeManager(models.Manager.from_queryset(NoticeQuerySet)):  # type: ignore[misc]
    def send(self, recipients: Iterable, kind: str, subject: str, link: tuple[str, list],
             *, exclude=None, now=None, **params) -> list["Notice"]:
        """One notice per recipient (active, not ``exclude``), unless the same one is
        already waiting for them; return the new ones. Call it inside the act's
        transaction."""
        people = {person.pk: person for person in recipients
                  if person is not None and person.is_active
                  and (exclude is None or person.pk != exclude.pk)}
        waiting = set(self.waiting().filter(kind=kind, subject=subject,
                                            recipient_id__in=people)
                      .values_list("recipient_id", flat=True))
        url_name, url_args = link
        return self.bulk_create([
            Notice(recipient=person, organisation_id=person.organisation_id, kind=kind,
                   subject=subject, url_name=url_name, url_args=[str(a) for a in url_args],
                   params={key: str(value) for key, value in params.items()},
                   created_at=now or timezone.now())
            for pk, person in people.items() if pk not in waiting])

    def settle(self, subject: str, *, kinds: Iterable[str] | None = None, recipient=None,
               now=None) -> int:
        """Mark the waiting notices about ``subject`` done (of ``kinds``, for
        ``recipient``, when given): the act they asked for was performed."""
        notices = self.waiting().filter(subject=subject)
        if kinds is not None:
            notices = notices.filter(kind__in=list(kinds))
        if recipient is not None:
            notices = notices.filter(recipient=recipient)
        return notices.update(done_at=now or timezone.now())


class Notice(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="notices")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE,
                                     related_name="+")
    kind = models.CharField(max_length=30, choices=NoticeKind.choices)
    subject = models.CharField(max_length=80,
                               help_text="The record it is about, e.g. referral:R-7K3M-9QXD")
    url_name = models.CharField(max_length=80)
    url_args = models.JSONField(default=list, blank=True)
    params = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)

    objects = NoticeManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "done_at", "-created_at"]),
                   models.Index(fields=["subject"], condition=Q(done_at__isnull=True),
                                name="notice_waiting_subject")]

    def __str__(self) -> str:
        return f"notice {self.pk} ({self.kind}) for user {self.recipient_id}"

    @property
    def sentence(self) -> str:
        template = SENTENCES.get(self.kind)
        if template is None:
            return self.get_kind_display()
        try:
            return str(template) % self.params
        except (KeyError, ValueError, TypeError):
            return str(self.get_kind_display())

    @property
    def url(self) -> str:
        try:
            return reverse(self.url_name, args=self.url_args)
        except NoReverseMatch:
            return ""

    @property
    def needs_action(self) -> bool:
        return self.kind in NEEDS_ACTION

    def dismiss(self, now=None) -> None:
        """The person has seen it and wants it off their dashboard."""
        if self.done_at is None:
            self.done_at = now or timezone.now()
            self.save(update_fields=["done_at"])
