from django.urls import path

from harborlight.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("<str:reference>/", views.case_detail, name="detail"),
    path("<str:reference>/notes/", views.add_note, name="add_note"),
]
