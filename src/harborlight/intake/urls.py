"""The operator console, mounted at /tips/ (staff only; the public form is /report/)."""

from django.urls import path

from harborlight.intake import views

app_name = "intake"
urlpatterns = [
    path("", views.tip_list, name="list"),
    path("new/", views.tip_create, name="create"),
    path("catalog/", views.catalog, name="catalog"),
    path("<str:reference>/", views.tip_detail, name="detail"),
    path("<str:reference>/answers/", views.tip_answers, name="answers"),
    path("<str:reference>/review/", views.tip_review, name="review"),
    path("<str:reference>/assign/", views.tip_assign, name="assign"),
    path("<str:reference>/note/", views.tip_add_note, name="add_note"),
    path("<str:reference>/reply/", views.tip_reply, name="reply"),
    path("<str:reference>/close/", views.tip_close, name="close"),
    path("<str:reference>/merge/", views.tip_merge, name="merge"),
    path("<str:reference>/convert/", views.tip_convert, name="convert"),
    path("<str:reference>/hand-off/", views.tip_handoff, name="handoff"),
]
