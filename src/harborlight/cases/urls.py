from django.urls import path

from harborlight.cases.views import cases, people, records

app_name = "cases"
urlpatterns = [
    path("", cases.case_list, name="list"),
    path("new/", cases.case_new, name="new"),
    path("tasks/", cases.my_tasks, name="tasks"),
    path("<str:reference>/", cases.case_detail, name="detail"),
    path("<str:reference>/notes/", cases.add_note, name="add_note"),
    path("<str:reference>/assign/", cases.assign, name="assign"),
    path("<str:reference>/status/", cases.set_status, name="set_status"),
    path("<str:reference>/trafficking-status/", cases.trafficking_status,
         name="trafficking_status"),
    path("<str:reference>/closure/", cases.request_closure, name="request_closure"),
    path("<str:reference>/closure/approve/", cases.approve_closure, name="approve_closure"),
    path("<str:reference>/closure/reject/", cases.reject_closure, name="reject_closure"),
    path("<str:reference>/reopen/", cases.reopen, name="reopen"),
    path("<str:reference>/people/new/", people.person_add, name="person_add"),
    path("<str:reference>/people/<int:pk>/", people.person_detail, name="person"),
    path("<str:reference>/people/<int:pk>/edit/", people.person_edit, name="person_edit"),
    path("<str:reference>/people/<int:pk>/merge/", people.person_merge, name="person_merge"),
    path("<str:reference>/merges/<int:pk>/undo/", people.merge_undo, name="merge_undo"),
    path("<str:reference>/people/<int:pk>/export/", people.person_export,
         name="person_export"),
    path("<str:reference>/people/<int:pk>/erase/", people.person_erase, name="person_erase"),
    path("<str:reference>/safety-plans/new/", records.safety_plan_add, name="safety_plan_add"),
    path("<str:reference>/safety-plans/<int:pk>/", records.safety_plan_edit,
         name="safety_plan_edit"),
    path("<str:reference>/goals/new/", records.support_plan_add, name="support_plan_add"),
    path("<str:reference>/services/new/", records.service_add, name="service_add"),
    path("<str:reference>/tasks/new/", records.task_add, name="task_add"),
    path("<str:reference>/tasks/<int:pk>/done/", records.task_done, name="task_done"),
    path("<str:reference>/events/new/", records.event_add, name="event_add"),
    path("<str:reference>/consents/new/", records.consent_add, name="consent_add"),
    path("<str:reference>/consents/<int:pk>/withdraw/", records.consent_withdraw,
         name="consent_withdraw"),
]
