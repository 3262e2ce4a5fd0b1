"""The URL map of the whole site, as one table: what every page's address is, who serves
it, and its name (``namespace:name``, as templates and tests reverse it).

One table makes the site reviewable in one read: every row's view declares its policy
(``@requires``, ``@public`` or ``@signed_in``), and a test walks every row. Rows are
grouped into Django namespaces by :func:`namespaced`; the HTTP API is mounted apart.
"""

from __future__ import annotations

from collections import defaultdict

from django.urls import include, path

from harborlight.accounts import access_views as approvals
from harborlight.accounts import member_views as members
from harborlight.accounts import views as accounts
from harborlight.cases.views import cases, history, people, records, vocabulary
from harborlight.fieldintake import form_views as field_forms
from harborlight.fieldintake import views as field
from harborlight.insights import export_views as export_pages
from harborlight.insights import screening_views as screening
from harborlight.insights import views as insights
from harborlight.intake import indicator_views as own_indicators
from harborlight.intake import public_views as public
from harborlight.intake import views as tips
from harborlight.referrals import views as referrals
from harborlight.security import views as security
from harborlight.web import views
from harborlight.web.api import api

SITE = ""
CASE = "cases/<str:reference>/"
PERSON = CASE + "people/<int:pk>/"
TIP = "tips/<str:reference>/"
REFERRAL = "directory/referrals/<str:reference>/"
MEMBER = "accounts/users/<int:user_id>/"
APPROVAL = "accounts/approvals/<int:request_id>/"
PROVIDER = "directory/providers/<int:provider_id>/"
GLASS = "security/break-glass/"
SCREENING = "insights/screening/"
EXPORT = "insights/export/"
DIRECTORY_CASE = "directory/" + CASE
OPENROSA = "openrosa/<slug:organisation>/"  # ODK Collect / KoboCollect: the "server URL"

PAGES = [  # (prefix, rest of the address, view, namespace:name)
    (SITE, "dashboard/", views.dashboard, "web:dashboard"),
    (SITE, "notices/<int:notice_id>/dismiss/", views.dismiss_notice, "web:dismiss_notice"),
    (SITE, "accounts/login/", accounts.login_view, "accounts:login"),
    (SITE, "accounts/two-factor/", accounts.two_factor, "accounts:two_factor"),
    (SITE, "accounts/two-factor/enrol/", accounts.enrol, "accounts:enrol"),
    (SITE, "accounts/logout/", accounts.logout_view, "accounts:logout"),
    (SITE, "accounts/sso/start/", accounts.sso_start, "accounts:sso_start"),
    (SITE, "accounts/sso/callback/", accounts.sso_callback, "accounts:sso_callback"),
    (SITE, "accounts/setup/<str:token>/", approvals.setup_link, "accounts:setup_link"),
    (SITE, "accounts/setup/", approvals.setup, "accounts:setup"),
    (SITE, "accounts/users/", members.users, "accounts:users"),
    (MEMBER, "", members.member, "accounts:member"),
    (MEMBER, "role/", members.change_role, "accounts:change_role"),
    (MEMBER, "deactivate/", members.deactivate, "accounts:deactivate"),
    (MEMBER, "reactivate/", members.reactivate, "accounts:reactivate"),
    (MEMBER, "set-up-link/", members.new_link, "accounts:new_link"),
    (MEMBER, "reset-two-factor/", members.reset_two_factor, "accounts:reset_two_factor"),
    (MEMBER, "unlock/", members.unlock, "accounts:unlock"),
    (SITE, "accounts/tokens/", members.tokens, "accounts:tokens"),
    (SITE, "accounts/language/", members.language, "accounts:language"),
    (SITE, "accounts/tokens/<int:token_id>/revoke/", members.revoke_token,
     "accounts:revoke_token"),
    (SITE, "accounts/approvals/", approvals.approvals, "accounts:approvals"),
    (APPROVAL, "approve/", approvals.approve, "accounts:approve"),
    (APPROVAL, "refuse/", approvals.refuse, "accounts:refuse"),
    (SITE, "cases/", cases.case_list, "cases:list"),
    (SITE, "cases/new/", cases.case_new, "cases:new"),
    (SITE, "cases/tasks/", cases.my_tasks, "cases:tasks"),
    (CASE, "", cases.case_detail, "cases:detail"),
    (CASE, "notes/", cases.add_note, "cases:add_note"),
    (CASE, "assign/", cases.assign, "cases:assign"),
    (CASE, "status/", cases.set_status, "cases:set_status"),
    (CASE, "trafficking-status/", cases.trafficking_status, "cases:trafficking_status"),
    (CASE, "closure/", cases.request_closure, "cases:request_closure"),
    (CASE, "closure/approve/", cases.approve_closure, "cases:approve_closure"),
    (CASE, "closure/reject/", cases.reject_closure, "cases:reject_closure"),
    (CASE, "reopen/", cases.reopen, "cases:reopen"),
    (CASE, "people/new/", people.person_add, "cases:person_add"),
    (PERSON, "", people.person_detail, "cases:person"),
    (PERSON, "edit/", people.person_edit, "cases:person_edit"),
    (PERSON, "merge/", people.person_merge, "cases:person_merge"),
    (PERSON, "export/", people.person_export, "cases:person_export"),
    (PERSON, "erase/", people.person_erase, "cases:person_erase"),
    (CASE, "merges/<int:pk>/undo/", people.merge_undo, "cases:merge_undo"),
    (CASE, "safety-plans/new/", records.safety_plan_add, "cases:safety_plan_add"),
    (CASE, "safety-plans/<int:pk>/", records.safety_plan_edit, "cases:safety_plan_edit"),
    (CASE, "goals/new/", records.support_plan_add, "cases:support_plan_add"),
    (CASE, "goals/<int:pk>/", records.support_plan_edit, "cases:support_plan_edit"),
    (CASE, "services/new/", records.service_add, "cases:service_add"),
    (CASE, "tasks/new/", records.task_add, "cases:task_add"),
    (CASE, "tasks/<int:pk>/done/", records.task_done, "cases:task_done"),
    (CASE, "events/new/", records.event_add, "cases:event_add"),
    (CASE, "consents/new/", records.consent_add, "cases:consent_add"),
    (CASE, "consents/<int:pk>/withdraw/", records.consent_withdraw, "cases:consent_withdraw"),
    (CASE, "history/", history.record_history, "cases:history"),
    (CASE, "history/restore/", history.history_restore, "cases:history_restore"),
    (CASE, "history/<str:kind>/<int:pk>/", history.record_history, "cases:record_history"),
    (CASE, "history/<str:kind>/<int:pk>/restore/", history.history_restore,
     "cases:record_history_restore"),
    (SITE, "tips/", tips.tip_list, "intake:list"),
    (SITE, "tips/new/", tips.tip_create, "intake:create"),
    (SITE, "tips/catalog/", tips.catalog, "intake:catalog"),
    (SITE, "tips/catalog/own/", own_indicators.own_indicators, "intake:own_indicators"),
    (SITE, "tips/catalog/own/<int:pk>/", own_indicators.own_indicator, "intake:own_indicator"),
    (SITE, "tips/catalog/own/<int:pk>/retire/", own_indicators.own_indicator_retire,
     "intake:own_indicator_retire"),
    (SITE, "tips/catalog/own/<int:pk>/delete/", own_indicators.own_indicator_delete,
     "intake:own_indicator_delete"),
    (TIP, "", tips.tip_detail, "intake:detail"),
    (TIP, "answers/", tips.tip_answers, "intake:answers"),
    (TIP, "review/", tips.tip_review, "intake:review"),
    (TIP, "assign/", tips.tip_assign, "intake:assign"),
    (TIP, "note/", tips.tip_add_note, "intake:add_note"),
    (TIP, "reply/", tips.tip_reply, "intake:reply"),
    (TIP, "close/", tips.tip_close, "intake:close"),
    (TIP, "merge/", tips.tip_merge, "intake:merge"),
    (TIP, "convert/", tips.tip_convert, "intake:convert"),
    (TIP, "hand-off/", tips.tip_handoff, "intake:handoff"),
    (SITE, "report/", public.report, "report:report"),
    (SITE, "report/follow-up/", public.follow_up, "report:follow_up"),
    (SITE, "report/signs/", public.signs, "report:signs"),
    (SITE, "report/check/", public.self_check, "report:self_check"),
    (SITE, "report/card/", public.card, "report:card"),
    (SITE, "directory/", referrals.directory, "referrals:directory"),
    (SITE, "directory/providers/new/", referrals.provider_new, "referrals:provider_new"),
    (PROVIDER, "", referrals.provider_edit, "referrals:provider_edit"),
    (PROVIDER, "delete/", referrals.provider_delete, "referrals:provider_delete"),
    (SITE, "directory/providers/import/", referrals.provider_import, "referrals:provider_import"),
    (SITE, "directory/referrals/", referrals.referral_list, "referrals:list"),
    (REFERRAL, "", referrals.referral_detail, "referrals:detail"),
    (REFERRAL, "respond/", referrals.referral_respond, "referrals:respond"),
    (REFERRAL, "letter/", referrals.referral_letter, "referrals:letter"),
    (REFERRAL, "open-case/", referrals.referral_open_case, "referrals:open_case"),
    (DIRECTORY_CASE, "refer/", referrals.referral_new, "referrals:new"),
    (DIRECTORY_CASE, "transfer/", referrals.transfer_new, "referrals:transfer"),
    (GLASS, "", security.request_access, "security:break_glass"),
    (GLASS, "review/", security.break_glass_review, "security:break_glass_review"),
    (GLASS, "review/<int:grant_id>/", security.mark_reviewed, "security:mark_reviewed"),
    (SITE, "audit/", security.audit_log, "audit:log"),
    (SITE, "audit/verify/", security.verify_chain, "audit:verify"),
    (SITE, "insights/", insights.insights_dashboard, "insights:dashboard"),
    (SITE, "insights/charts/<slug:chart_id>.csv", insights.chart_csv, "insights:chart_csv"),
    (SITE, "insights/charts/<slug:chart_id>.svg", insights.chart_svg, "insights:chart_svg"),
    (SCREENING, "", screening.screening_home, "insights:screening"),
    (SCREENING, "runs/<int:run_id>/", screening.screening_run, "insights:screening_run"),
    (SCREENING, "leads/<int:lead_id>/", screening.lead_detail, "insights:lead"),
    (SCREENING, "leads/<int:lead_id>/tip/", screening.lead_to_tip, "insights:lead_to_tip"),
    (EXPORT, "", export_pages.export_home, "insights:export"),
    (EXPORT, "<int:job_id>/", export_pages.export_job, "insights:export_job"),
    (EXPORT, "<int:job_id>/<str:name>", export_pages.export_file, "insights:export_file"),
    (SITE, "vocabularies/", vocabulary.vocabulary, "cases:vocabulary"),
    (SITE, "vocabularies/<int:pk>/", vocabulary.vocabulary_value, "cases:vocabulary_value"),
    (SITE, "vocabularies/<int:pk>/retire/", vocabulary.vocabulary_retire,
     "cases:vocabulary_retire"),
    (SITE, "vocabularies/<int:pk>/delete/", vocabulary.vocabulary_delete,
     "cases:vocabulary_delete"),
    (SITE, "field-intake/", field_forms.field_forms, "fieldintake:forms"),
    (SITE, "field-intake/arrival/", field_forms.field_arrival, "fieldintake:arrival"),
    (SITE, "field-intake/import/", field_forms.field_import, "fieldintake:import"),
    (OPENROSA, "formList", field.form_list, "openrosa:form_list"),
    (OPENROSA, "forms/<str:form_id>.xml", field.form_download, "openrosa:form"),
    (OPENROSA, "submission", field.submission, "openrosa:submission"),
]


def namespaced(pages: list[tuple]) -> list:
    """Group ``namespace:name`` rows into one include per namespace, at the site root."""
    groups: dict[str, list] = defaultdict(list)
    for prefix, rest, view, full_name in pages:
        namespace, _, name = full_name.rpartition(":")
        groups[namespace].append(path(prefix + rest, view, name=name))
    return [path("", include((patterns, namespace))) for namespace, patterns in groups.items()]


urlpatterns = [
    path("", views.dashboard, name="home"),
    *namespaced(PAGES),
    path("api/v1/", api.urls),
]

handler400 = "harborlight.web.views.bad_request"
handler403 = "harborlight.web.views.permission_denied"
handler404 = "harborlight.web.views.page_not_found"
handler500 = "harborlight.web.views.server_error"
