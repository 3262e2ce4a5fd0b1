from django.urls import path

from harborlight.referrals import views

app_name = "referrals"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("providers/new/", views.provider_new, name="provider_new"),
    path("providers/<int:provider_id>/", views.provider_edit, name="provider_edit"),
    path("providers/<int:provider_id>/delete/", views.provider_delete,
         name="provider_delete"),
    path("providers/import/", views.provider_import, name="provider_import"),
    path("referrals/", views.referral_list, name="list"),
    path("referrals/<str:reference>/", views.referral_detail, name="detail"),
    path("referrals/<str:reference>/respond/", views.referral_respond, name="respond"),
    path("referrals/<str:reference>/letter/", views.referral_letter, name="letter"),
    path("referrals/<str:reference>/open-case/", views.referral_open_case, name="open_case"),
    path("cases/<str:reference>/refer/", views.referral_new, name="new"),
    path("cases/<str:reference>/transfer/", views.transfer_new, name="transfer"),
]
