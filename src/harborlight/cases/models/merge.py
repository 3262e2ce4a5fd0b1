"""A record of two person records merged into one, so the merge can be undone.

Merging never moves or deletes anything: the duplicate keeps its own history (consents,
events, plans, audit entries) and points at the record it was merged into through
``Person.merged_into``; pages of the surviving person show both histories. Undoing clears
that pointer. Every merge and undo is audited, and this row keeps who did what and when.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from harborlight.cases.models.core import OrganisationRecord, Person, WorkflowError
from harborlight.security.audit.log import audited, record


class PersonMergeQuerySet(models.QuerySet):
    def active(self) -> "PersonMergeQuerySet":
        return self.filter(undone_at__isnull=True)


class PersonMerge(OrganisationRecord):
    kept = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="merges_kept")
    merged = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="merges_in")
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")
    merged_at = models.DateTimeField(default=timezone.now)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="+")
    undone_at = models.DateTimeField(null=True, blank=True)

    objects = PersonMergeQuerySet.as_manager()

    class Meta:
        ordering = ["-merged_at"]

    def __str__(self) -> str:
        return f"merge {self.pk}"

    @property
    def restricted(self) -> bool:
        return self.kept.case.restricted or self.merged.case.restricted

    def is_assigned_to(self, user) -> bool:
        return self.kept.case.is_assigned_to(user) and self.merged.case.is_assigned_to(user)

    @staticmethod
    def restricted_filter(user) -> Q:
        return ((Q(kept__case__restricted=False) | Q(kept__case__owner=user))
                & (Q(merged__case__restricted=False) | Q(merged__case__owner=user)))

    @classmethod
    def merge(cls, kept: Person, merged: Person, by, now=None) -> "PersonMerge":
        """Merge ``merged`` into ``kept`` (same organisation, both current), audited once
        on the record kept."""
        if kept.pk == merged.pk:
            raise WorkflowError("A record cannot be merged into itself.")
        if kept.organisation_id != merged.organisation_id:
            raise WorkflowError("Only records of one organisation can be merged.")
        for person in (kept, merged):
            if person.merged_into_id or person.erased_at:
                raise WorkflowError("Merge only current records (not merged or erased).")
        with audited():
            merged.merged_into = kept
            merged.save(update_fields=["merged_into"])
            merge = cls.objects.create(organisation_id=kept.organisation_id, kept=kept,
                                       merged=merged, merged_by=by,
                                       merged_at=now or timezone.now())
            record("update", actor=by, obj=kept,
                   details={"change": "person_merge", "merge": merge.pk, "merged": merged.pk})
        return merge

    def undo(self, by, now=None) -> None:
        """Separate the two records again, audited once on the record kept."""
        if self.undone_at is not None:
            raise WorkflowError("This merge was already undone.")
        with audited():
            Person.objects.filter(pk=self.merged_id, merged_into_id=self.kept_id).update(
                merged_into=None)
            self.undone_at = now or timezone.now()
            self.undone_by = by
            self.save(update_fields=["undone_at", "undone_by"])
            record("update", actor=by, obj=self.kept,
                   details={"change": "person_merge_undone", "merge": self.pk,
                            "merged": self.merged_id})
