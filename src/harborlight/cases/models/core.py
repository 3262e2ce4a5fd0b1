"""Cases and the people in them, named after the HTCDS v2.0 fields they hold.

Identifying values are encrypted at rest (:mod:`harborlight.security.fields`); exact-match
lookups go through keyed blind indexes, and phonetic keys (:mod:`harborlight.cases.phonetic`)
go through blind indexes too, so duplicate search never needs plaintext in the database.
Categorical HTCDS values (picklists: status, methods of control, types of exploitation)
stay in the clear: they identify nobody alone, and de-identified statistics need them.
The map from every HTCDS field to its home is data: ``cases/data/htcds_map.json``.
HTCDS content: Human Trafficking Case Data Standard v2.0, IOM and partners, CC BY 4.0.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from harborlight.accounts.models import User
from harborlight.cases.phonetic import name_key
from harborlight.cases.references import next_case_reference
from harborlight.cases.validators import HtcdsCode, check_own_values
from harborlight.errors import DomainError
from harborlight.notifications.models import Notice, NoticeKind
from harborlight.security.audit.versions import keep as keep_version
from harborlight.security.audit.log import audited, record
from harborlight.security.fields import (BlindIndexField, EncryptedCharField,
                                         EncryptedDateField, EncryptedTextField)
from harborlight.security.policy import role_allows

HOLD_ACTION = "case.hold"


class CaseStatus(models.TextChoices):
    """HTCDS cas_Status."""

    ACTIVE = "Active", _("Active")
    FOLLOW_UP = "FollowUp", _("Follow up")
    CLOSED = "Closed", _("Closed")
    CLOSED_REFERRED = "ClosedReferred", _("Closed, referred")


OPEN_STATUSES = (CaseStatus.ACTIVE, CaseStatus.FOLLOW_UP)
CLOSED_STATUSES = (CaseStatus.CLOSED, CaseStatus.CLOSED_REFERRED)


class TraffickingStatus(models.TextChoices):
    """HTCDS vic_TraffickingStatus."""

    POSSIBLE = "PossibleVictimOfTrafficking", _("Possible victim of trafficking")
    ACTUAL = "ActualVictimOfTrafficking", _("Actual victim of trafficking")
    NOT_A_VICTIM = "NotAVictimOfTrafficking", _("Not a victim of trafficking")


class WorkflowError(DomainError):
    """A case transition that is not allowed from the case's current state."""

    code = "workflow"


def may_hold_cases(user) -> bool:
    """Whether ``user``'s role may be a case's caseworker (``case.hold`` in policy.toml)."""
    return bool(getattr(user, "role", "")) and role_allows(user.role, HOLD_ACTION)


def check_holder(user, organisation_id: int) -> None:
    """Refuse to give a case to someone who may not hold it here."""
    if user.organisation_id != organisation_id or not user.is_active:
        raise WorkflowError("Assign the case to an active colleague in this organisation.")
    if not may_hold_cases(user):
        raise WorkflowError(f"{user} cannot hold cases in their role.")


class OrganisationRecord(models.Model):
    """A sensitive record that belongs to one organisation and is read as part of a case:
    audited by the trail's backstop, opened by break-glass through ``case.view``."""

    audit_sensitive = True
    view_action = "case.view"

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT,
                                     related_name="+")

    class Meta:
        abstract = True


class OnACase:
    """For records that belong to a case: they follow the case's restriction (the
    permission layer's hooks, see :mod:`harborlight.security.permissions`)."""

    @property
    def restricted(self) -> bool:
        return self.case.restricted

    def is_assigned_to(self, user) -> bool:
        return self.case.is_assigned_to(user)

    @staticmethod
    def restricted_filter(user) -> Q:
        return Q(case__restricted=False) | Q(case__owner=user)


def htcds_code_field(htcds_name: str, max_length: int = 40) -> models.CharField:
    """An optional picklist value of the HTCDS field ``htcds_name`` (code, checked)."""
    return models.CharField(max_length=max_length, blank=True, default="",
                            validators=[HtcdsCode(htcds_name)], help_text=htcds_name)


def caseworker_name_field(htcds_name: str) -> EncryptedCharField:
    """The name of a caseworker elsewhere (HTCDS referral fields), encrypted."""
    return EncryptedCharField(max_length=200, blank=True, default="", help_text=htcds_name)


class CaseQuerySet(models.QuerySet):
    def open(self) -> "CaseQuerySet":
        return self.filter(status__in=OPEN_STATUSES)

    def awaiting_closure_approval(self) -> "CaseQuerySet":
        return self.filter(closure_requested_at__isnull=False, status__in=OPEN_STATUSES)


class CaseManager(models.Manager.from_queryset(CaseQuerySet)):  # type: ignore[misc]
    def open_new(self, organisation, by, *, tip=None, owner=None, unassigned: bool = False,
                 victim: dict | None = None, origin: dict | None = None, **fields) -> "Case":
        """The one way to open a case: from scratch, from a tip or from a referral.

        ``owner`` (cas_CaseOwner) must be able to hold cases in the organisation; when it
        is not given (and the case is not left ``unassigned`` on purpose), the opener
        becomes the owner only if their role holds cases (``case.hold``). So a hotline
        operator converting a tip opens a case that nobody owns yet, for a supervisor to
        assign. ``victim`` adds the person the case is about (their fields); a ``tip`` is
        linked to the new case. Audited once (``create``), with ``origin`` (a referral, a
        transfer) and the tip in the entry's details. A caseworker given the case by
        someone else gets a notice; a case nobody holds is a notice for those who assign.
        """
        if tip is not None and tip.organisation_id != organisation.pk:
            raise WorkflowError(gettext("A tip can only become a case of its own "
                                        "organisation."))
        if owner is None and not unassigned and by is not None \
                and by.organisation_id == organisation.pk and may_hold_cases(by):
            owner = by
        if owner is not None:
            check_holder(owner, organisation.pk)
        with audited():
            case = self.create(organisation=organisation, reference=next_case_reference(),
                               owner=owner, **fields)
            person = None
            if victim:
                person = Person.objects.create(organisation=organisation, case=case,
                                               role=PersonRole.VICTIM, **victim)
            if tip is not None:
                tip.case = case
                tip.save(update_fields=["case"])
            details = dict(origin or {})
            if tip is not None:
                details["from_tip"] = tip.reference
            if victim:
                details["person"] = True
            entry = record("create", actor=by, obj=case, details=details)
            if person is not None:  # opened with the case, by the same act
                keep_version(person, entry)
            case.notify_holders(by)
        return case

    def open_many(self, organisation, cases: list["Case"]) -> list["Case"]:
        """Open many cases at once (an import, the demo): the bulk twin of :meth:`open_new`.

        Each unsaved case gets the organisation and a fresh reference; owners must be able
        to hold cases there; a case that arrives closed is closed when opened. Bulk
        inserts send no signals, so the caller records the act once for the whole batch.
        """
        for case in cases:
            if case.owner_id is not None:
                check_holder(case.owner, organisation.pk)
            case.organisation = organisation
            case.reference = next_case_reference()
            if case.status in CLOSED_STATUSES and case.closed_at is None:
                case.closed_at = case.opened_at
        return self.bulk_create(cases)


class Case(models.Model):
    """One survivor-centred case, owned by one organisation (HTCDS Case section).

    Workflow methods (``assign``, ``set_status``, ``decide_trafficking_status``,
    ``request_closure``, ``approve_closure``, ``reject_closure``, ``reopen``) check the
    transition, save, and write the act's one audit entry (``update``, with the change in
    its details) in one transaction. Whether the person acting may do it at all is asked
    of :mod:`harborlight.security.permissions` before the method is called.
    """

    audit_sensitive = True
    view_action = "case.view"
    keeps_versions = True
    # Changed by the workflow's own steps (with their checks), never by a restore.
    workflow_fields = ("reference", "external_id", "status", "owner", "restricted",
                       "trafficking_status", "trafficking_status_decision_org",
                       "trafficking_status_decided_by", "trafficking_status_decided_at",
                       "closure_requested_status", "closure_requested_by",
                       "closure_requested_at", "closure_approved_by", "closed_at",
                       "opened_at")

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT,
                                     related_name="cases")
    reference = models.CharField(max_length=32, unique=True)
    external_id = models.CharField(max_length=100, blank=True, default="",
                                   help_text="Id in the system a case was imported from; "
                                             "re-imports match on it.")
    status = models.CharField(max_length=20, choices=CaseStatus.choices,
                              default=CaseStatus.ACTIVE, db_index=True)
    trafficking_status = models.CharField(max_length=40, choices=TraffickingStatus.choices,
                                          default=TraffickingStatus.POSSIBLE)
    trafficking_status_decision_org = models.CharField(
        max_length=60, blank=True, default="",
        validators=[HtcdsCode("vic_TraffickingStatusDecisionMakingOrg")],
        help_text="HTCDS vic_TraffickingStatusDecisionMakingOrg")
    trafficking_status_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", help_text="Who recorded the decision in Harborlight.")
    trafficking_status_decided_at = models.DateTimeField(null=True, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                              null=True, blank=True, related_name="owned_cases",
                              help_text="HTCDS cas_CaseOwner")
    restricted = models.BooleanField(
        default=False,
        help_text="Only the case owner may open it; others need break-glass with a reason.")
    summary = EncryptedTextField(blank=True)
    reason_for_closure = EncryptedTextField(blank=True,
                                            help_text="HTCDS cas_ReasonForCaseClosure")
    closure_requested_status = models.CharField(max_length=20, blank=True, default="",
                                                choices=[(s.value, s.label) for s in
                                                         CLOSED_STATUSES])
    closure_requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                             on_delete=models.SET_NULL, related_name="+")
    closure_requested_at = models.DateTimeField(null=True, blank=True)
    closure_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                            on_delete=models.SET_NULL, related_name="+")
    # HTCDS Referral Details (cas_): model fields only; the referrals app runs the workflow.
    referring_organisation = models.CharField(max_length=200, blank=True, default="",
                                              help_text="cas_ReferringOrganisation")
    incoming_referral_date = models.DateField(null=True, blank=True,
                                              help_text="cas_IncomingReferralDate")
    referring_primary_caseworker = caseworker_name_field("cas_ReferringPrimaryCaseWorker")
    reason_for_incoming_referral = htcds_code_field("cas_ReasonForIncomingReferral")
    incoming_referral_details = EncryptedTextField(blank=True, default="",
                                                   help_text="cas_IncomingReferralDetails")
    referred_organisation = models.CharField(max_length=200, blank=True, default="",
                                             help_text="cas_ReferredOrganisation")
    referred_primary_caseworker = caseworker_name_field("cas_ReferredPrimaryCaseWorker")
    reason_for_outgoing_referral = htcds_code_field("cas_ReasonForOutgoingReferral")
    outgoing_referral_date = models.DateField(null=True, blank=True,
                                              help_text="cas_OutgoingReferralDate")
    outgoing_referral_details = EncryptedTextField(blank=True, default="",
                                                   help_text="cas_OutgoingReferralDetails")
    opened_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Versions kept beside the audit trail (security/audit/versions.py), deleted with the row.
    versions = GenericRelation("audit.RecordVersion")

    objects = CaseManager()

    class Meta:
        ordering = ["-opened_at"]
        indexes = [models.Index(fields=["organisation", "status", "-opened_at"]),
                   models.Index(fields=["organisation", "owner", "status"]),
                   models.Index(fields=["organisation", "external_id"]),
                   # Lets PostgreSQL count a list page (organisation, not restricted or
                   # mine) from the index alone instead of scanning the wide table.
                   models.Index(fields=["organisation", "restricted", "owner"],
                                name="cases_case_list_count_idx")]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    # A case is never shared with another organisation: a referral carries a copy of the
    # consented fields, and a transfer gives the receiver a case of its own
    # (docs/architecture.md). So a case has no sharing hooks for the permission layer.

    def is_assigned_to(self, user) -> bool:
        return self.owner_id is not None and self.owner_id == user.pk

    @property
    def audit_label(self) -> str:
        """How the audit trail names the case: its reference, never a person."""
        return self.reference

    @property
    def notice_subject(self) -> str:
        """What notices about this case name (harborlight.notifications)."""
        return f"case:{self.reference}"

    def notify_holders(self, by) -> None:
        """Tell the caseworker given this case, or those who assign cases that it waits for
        one; settle the notices that no longer apply. Part of the act that changed it."""
        Notice.objects.settle(self.notice_subject, kinds=[NoticeKind.CASE_WAITING,
                                                          NoticeKind.CASE_ASSIGNED])
        link = ("cases:detail", [self.reference])
        if self.owner is not None:
            Notice.objects.send([self.owner], NoticeKind.CASE_ASSIGNED, self.notice_subject,
                                link, exclude=by, reference=self.reference, by=by)
        else:
            Notice.objects.send(User.objects.allowed_to("case.assign", self.organisation_id),
                                NoticeKind.CASE_WAITING, self.notice_subject, link,
                                exclude=by, reference=self.reference)

    @staticmethod
    def restricted_filter(user) -> Q:
        return Q(restricted=False) | Q(owner=user)

    def add_note(self, body: str, by) -> "CaseNote":
        """Add a note (HTCDS Case Comment), audited once."""
        with audited():
            note = CaseNote.objects.create(organisation_id=self.organisation_id, case=self,
                                           author=by, body=body)
            record("create", actor=by, obj=note, details={"case": self.reference})
        return note

    def _act(self, by, fields: list[str], **details) -> None:
        """Save ``fields`` and record the one ``update`` entry of this act."""
        with audited():
            self.save(update_fields=[*fields, "updated_at"])
            record("update", actor=by, obj=self, details=details)

    # -- workflow ----------------------------------------------------------------------

    def assign(self, to, by) -> None:
        """Make ``to`` the caseworker (cas_CaseOwner); they must hold cases here."""
        check_holder(to, self.organisation_id)
        previous = self.owner_id
        self.owner = to
        with audited():
            self._act(by, ["owner"], change="assign", previous_owner=previous, owner=to.pk)
            self.notify_holders(by)

    def set_status(self, status: str, by) -> None:
        """Move between the open statuses; closing goes through request/approve."""
        if status not in OPEN_STATUSES:
            raise WorkflowError("Close a case by requesting closure with a reason.")
        if not self.is_open:
            raise WorkflowError("Reopen a closed case first.")
        previous, self.status = self.status, status
        self._act(by, ["status"], change="status", previous=previous, status=status)

    def decide_trafficking_status(self, status: str, decision_org: str, by,
                                  now=None) -> None:
        """Record a trafficking status and who decided it (HTCDS decision-making org)."""
        if status not in TraffickingStatus.values:
            raise WorkflowError(f"unknown trafficking status {status!r}")
        HtcdsCode("vic_TraffickingStatusDecisionMakingOrg")(decision_org)
        if status != TraffickingStatus.POSSIBLE and not decision_org:
            raise WorkflowError("Say which organisation decided the trafficking status.")
        self.trafficking_status = status
        self.trafficking_status_decision_org = decision_org
        self.trafficking_status_decided_by = by
        self.trafficking_status_decided_at = now or timezone.now()
        self._act(by, ["trafficking_status", "trafficking_status_decision_org",
                       "trafficking_status_decided_by", "trafficking_status_decided_at"],
                  change="trafficking_status", status=status, decision_org=decision_org)

    def request_closure(self, reason: str, by, referred: bool = False, now=None) -> None:
        """Ask to close with a reason (cas_ReasonForCaseClosure); a supervisor approves."""
        reason = (reason or "").strip()
        if not self.is_open:
            raise WorkflowError("The case is already closed.")
        if len(reason) < 5:
            raise WorkflowError("Give the reason for closing the case.")
        self.reason_for_closure = reason
        self.closure_requested_status = (CaseStatus.CLOSED_REFERRED if referred
                                         else CaseStatus.CLOSED)
        self.closure_requested_by = by
        self.closure_requested_at = now or timezone.now()
        self._act(by, ["reason_for_closure", "closure_requested_status",
                       "closure_requested_by", "closure_requested_at"],
                  change="closure_requested", status=self.closure_requested_status)

    def approve_closure(self, by, now=None) -> None:
        if not self.is_open or self.closure_requested_at is None:
            raise WorkflowError("There is no closure request to approve.")
        self.status = self.closure_requested_status or CaseStatus.CLOSED
        self.closure_approved_by = by
        self.closed_at = now or timezone.now()
        self._act(by, ["status", "closure_approved_by", "closed_at"],
                  change="closure_approved", status=self.status,
                  requested_by=self.closure_requested_by_id)

    def reject_closure(self, by) -> None:
        if self.closure_requested_at is None or not self.is_open:
            raise WorkflowError("There is no closure request to reject.")
        self.closure_requested_at = None
        self.closure_requested_status = ""
        self.closure_requested_by = None
        self._act(by, ["closure_requested_at", "closure_requested_status",
                       "closure_requested_by"], change="closure_rejected")

    def reopen(self, by) -> None:
        if self.is_open:
            raise WorkflowError("The case is open.")
        self.status = CaseStatus.ACTIVE
        self.closed_at = self.closure_requested_at = None
        self.closure_requested_status = ""
        self.closure_requested_by = self.closure_approved_by = None
        self._act(by, ["status", "closed_at", "closure_requested_at",
                       "closure_requested_status", "closure_requested_by",
                       "closure_approved_by"], change="reopened")


class PersonRole(models.TextChoices):
    VICTIM = "victim", _("Victim or survivor")
    PERPETRATOR = "perpetrator", _("Perpetrator")
    CONNECTED = "connected", _("Connected person")


class PersonQuerySet(models.QuerySet):
    def current(self) -> "PersonQuerySet":
        """People not merged into another record and not erased."""
        return self.filter(merged_into__isnull=True, erased_at__isnull=True)


class Person(OnACase, models.Model):
    """A person in a case: HTCDS Person, with the Victim (vic_) and Perpetrator (per_)
    contexts on the same row, used according to ``role``. Identifying fields are encrypted.
    """

    audit_sensitive = True
    view_action = "case.view"
    keeps_versions = True
    workflow_fields = ("role", "external_id", "merged_into", "erased_at")

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT,
                                     related_name="persons")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="persons")
    role = models.CharField(max_length=20, choices=PersonRole.choices)
    external_id = models.CharField(max_length=100, blank=True, default="")
    salutation = EncryptedCharField(max_length=40, blank=True, default="",
                                    help_text="prs_Salutation")
    first_name = EncryptedCharField(max_length=200, blank=True, help_text="prs_FirstName")
    middle_name = EncryptedCharField(max_length=200, blank=True, default="",
                                     help_text="prs_MiddleName")
    second_name = EncryptedCharField(max_length=200, blank=True, help_text="prs_SecondName")
    birthdate = EncryptedDateField(null=True, blank=True, help_text="prs_Birthdate")
    gender = models.CharField(max_length=30, blank=True, help_text="prs_Gender",
                              validators=[HtcdsCode("prs_Gender")])
    deceased = models.BooleanField(null=True, blank=True, help_text="prs_Deceased")
    marital_status = models.CharField(max_length=30, blank=True, default="",
                                      validators=[HtcdsCode("prs_MaritalStatus")],
                                      help_text="prs_MaritalStatus")
    number_of_children = models.PositiveSmallIntegerField(null=True, blank=True,
                                                          help_text="prs_NumberOfChildren")
    primary_language = models.CharField(max_length=10, blank=True, default="",
                                        help_text="prs_PrimaryLanguage (ISO 639)")
    secondary_language = models.CharField(max_length=10, blank=True, default="",
                                          help_text="prs_SecondaryLanguage (ISO 639)")
    highest_level_of_education = models.CharField(
        max_length=40, blank=True, default="",
        validators=[HtcdsCode("prs_HighestLevelOfEducation")],
        help_text="prs_HighestLevelOfEducation")
    citizenship = models.CharField(max_length=3, blank=True,
                                   help_text="prs_Citizenship (first), ISO 3166")
    other_citizenships = models.JSONField(default=list, blank=True,
                                          help_text="prs_Citizenship (further values)")
    identity_number = EncryptedCharField(max_length=80, blank=True,
                                         help_text="prs_IdentityNumber")
    title = EncryptedCharField(max_length=120, blank=True, default="", help_text="prs_Title")
    email = EncryptedCharField(max_length=254, blank=True, help_text="prs_Email")
    home_phone = EncryptedCharField(max_length=40, blank=True, default="",
                                    help_text="prs_HomePhone")
    mobile_phone = EncryptedCharField(max_length=40, blank=True, help_text="prs_MobilePhone")
    mailing_street = EncryptedCharField(max_length=300, blank=True,
                                        help_text="prs_MailingStreet")
    mailing_city = EncryptedCharField(max_length=120, blank=True, help_text="prs_MailingCity")
    mailing_state = EncryptedCharField(max_length=120, blank=True, default="",
                                       help_text="prs_MailingState")
    mailing_postal_code = EncryptedCharField(max_length=20, blank=True, default="",
                                             help_text="prs_MailingPostalCode")
    mailing_country = models.CharField(max_length=3, blank=True, default="",
                                       help_text="prs_MailingCountry, ISO 3166")
    mailing_latitude = EncryptedCharField(max_length=32, blank=True, default="",
                                          help_text="prs_MailingLatitude")
    mailing_longitude = EncryptedCharField(max_length=32, blank=True, default="",
                                           help_text="prs_MailingLongitude")
    htcds_consent = models.BooleanField(
        null=True, blank=True,
        help_text="con_Consent as received (e.g. imported). Disclosures never rely on it: "
                  "only Consent records open the disclosure gate.")
    # Victim context (vic_)
    agreement_to_manage_personal_data = models.BooleanField(
        null=True, blank=True, help_text="vic_AgreementToManagePersonalData (deprecated)")
    relationship_to_trafficker = models.CharField(
        max_length=20, blank=True, default="",
        validators=[HtcdsCode("vic_RelationshipToTrafficker")])
    age_when_trafficked = models.PositiveSmallIntegerField(null=True, blank=True)
    recruitment_websites_and_apps = models.JSONField(
        default=list, blank=True, validators=[HtcdsCode("vic_RecruitmentWebsitesAndApps")])
    methods_of_recruitment = models.JSONField(
        default=list, blank=True, validators=[HtcdsCode("vic_MethodOfRecruitment")])
    location_of_recruitment = EncryptedCharField(max_length=300, blank=True, default="")
    methods_of_control = models.JSONField(default=list, blank=True,
                                          validators=[HtcdsCode("vic_MethodsOfControl")])
    types_of_exploitation = models.JSONField(
        default=list, blank=True, validators=[HtcdsCode("vic_TypeOfExploitation")])
    forced_labour_industry = models.CharField(
        max_length=60, blank=True, default="",
        validators=[HtcdsCode("vic_ForcedLabourIndustry")])
    types_of_sex_exploitation = models.JSONField(
        default=list, blank=True, validators=[HtcdsCode("vic_TypeOfSexExploitation")])
    location_of_exploitation = EncryptedCharField(max_length=300, blank=True, default="")
    exploitation_websites_and_apps = models.JSONField(
        default=list, blank=True, validators=[HtcdsCode("vic_ExploitationWebsitesAndApps")])
    vulnerabilities = models.JSONField(default=list, blank=True,
                                       validators=[HtcdsCode("vic_Vulnerabilities")])
    details_of_vulnerabilities = EncryptedTextField(blank=True, default="")
    # Perpetrator context (per_)
    roles_in_process = models.JSONField(default=list, blank=True,
                                        validators=[HtcdsCode("per_RoleInProcess")])
    role_details = EncryptedTextField(blank=True, default="")
    # Blind indexes: exact lookups, and phonetic keys for duplicate search.
    second_name_index = BlindIndexField(source="second_name", normalizer="name")
    birthdate_index = BlindIndexField(source="birthdate", normalizer="date")
    email_index = BlindIndexField(source="email", normalizer="email")
    mobile_phone_index = BlindIndexField(source="mobile_phone", normalizer="phone")
    identity_number_index = BlindIndexField(source="identity_number", normalizer="name")
    phonetic_name_index = BlindIndexField(source="phonetic_name_key", normalizer="exact")
    phonetic_birth_index = BlindIndexField(source="phonetic_birth_key", normalizer="exact")
    merged_into = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="merged_from")
    erased_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Versions kept beside the audit trail (security/audit/versions.py), deleted with the row.
    versions = GenericRelation("audit.RecordVersion")

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        # Search and duplicate blocking read (index value -> case) from the index alone.
        indexes = [models.Index(fields=["organisation", "phonetic_birth_index"]),
                   models.Index(fields=["organisation", "phonetic_name_index"]),
                   models.Index(fields=["phonetic_name_index", "organisation", "case"],
                                name="cases_person_phonetic_case"),
                   models.Index(fields=["second_name_index", "organisation", "case"],
                                name="cases_person_second_case"),
                   models.Index(fields=["mobile_phone_index", "organisation", "case"],
                                name="cases_person_mobile_case"),
                   models.Index(fields=["email_index", "organisation", "case"],
                                name="cases_person_email_case")]

    def __str__(self) -> str:
        # Never a name: this string reaches logs and the audit trail.
        return f"{self.case.reference} person {self.pk}"

    @property
    def audit_label(self) -> str:
        return f"person #{self.pk}"

    @property
    def display_name(self) -> str:
        name = " ".join(p for p in (self.first_name, self.middle_name, self.second_name) if p)
        return name or f"person #{self.pk}"

    @property
    def phonetic_name_key(self) -> str:
        """Phonetic first + second name: the blocking key for fuzzy duplicate search."""
        if not (self.first_name and self.second_name):
            return ""
        return "n:" + name_key(self.first_name) + "|" + name_key(self.second_name)

    @property
    def phonetic_birth_key(self) -> str:
        """Phonetic second name + birth year: catches a changed or misspelled first name."""
        if not (self.second_name and self.birthdate):
            return ""
        return "b:" + name_key(self.second_name) + "|" + str(self.birthdate.year)

    def clean(self) -> None:
        super().clean()
        check_own_values(self)  # only this organisation's own values (issue 17)

    def save(self, *args, **kwargs) -> None:
        # Every path that writes a person, validated or not (API, transfer, scripts).
        check_own_values(self)
        super().save(*args, **kwargs)


class CaseNote(models.Model):
    """A free-text note on a case (HTCDS Case Comment, cco_CaseComment), encrypted."""

    audit_sensitive = True

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    body = EncryptedTextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"note {self.pk} on {self.case.reference}"
