"""Case management models (HTCDS v2.0), one module per concern; import from here."""

from harborlight.cases.models.consent import (Consent, ConsentMethod, ConsentPurpose,
                                              ConsentQuerySet)
from harborlight.cases.models.core import (CLOSED_STATUSES, OPEN_STATUSES, Case, CaseNote,
                                           CaseQuerySet, CaseStatus, Person, PersonRole,
                                           TraffickingStatus, WorkflowError)
from harborlight.cases.models.merge import PersonMerge
from harborlight.cases.models.records import (EventType, GoalStatus, OrganisationProfile,
                                              SafetyPlan, ServiceKind, ServiceReceived,
                                              SupportPlan, Task, TaskKind, TraffickingEvent)

__all__ = [
    "CLOSED_STATUSES", "OPEN_STATUSES", "Case", "CaseNote", "CaseQuerySet", "CaseStatus",
    "Consent", "ConsentMethod", "ConsentPurpose", "ConsentQuerySet", "EventType",
    "GoalStatus", "OrganisationProfile", "Person", "PersonMerge", "PersonRole",
    "SafetyPlan", "ServiceKind", "ServiceReceived", "SupportPlan", "Task", "TaskKind",
    "TraffickingEvent", "TraffickingStatus", "WorkflowError",
]
