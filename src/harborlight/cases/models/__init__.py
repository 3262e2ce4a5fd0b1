"""Case management models (HTCDS v2.0), one module per concern; import from here."""

from harborlight.cases.models.core import (CLOSED_STATUSES, HOLD_ACTION, OPEN_STATUSES, Case,
                                           CaseNote, CaseQuerySet, CaseStatus, Person,
                                           PersonRole, TraffickingStatus, WorkflowError,
                                           check_holder, may_hold_cases)
from harborlight.cases.models.merge import PersonMerge
from harborlight.cases.models.records import (EventType, GoalStatus, OrganisationProfile,
                                              SafetyPlan, ServiceKind, ServiceReceived,
                                              SupportPlan, Task, TaskKind, TraffickingEvent)
from harborlight.cases.models.vocabulary import LocalValue, LocalValueVersion

__all__ = [
    "CLOSED_STATUSES", "HOLD_ACTION", "OPEN_STATUSES", "Case", "CaseNote", "CaseQuerySet",
    "CaseStatus", "EventType", "GoalStatus", "LocalValue", "LocalValueVersion",
    "OrganisationProfile", "Person", "PersonMerge",
    "PersonRole", "SafetyPlan", "ServiceKind", "ServiceReceived", "SupportPlan", "Task",
    "TaskKind", "TraffickingEvent", "TraffickingStatus", "WorkflowError", "check_holder",
    "may_hold_cases",
]
