from django.urls import path

from harborlight.intake import views

app_name = "intake"
urlpatterns = [
    path("", views.tip_list, name="list"),
    path("<str:reference>/", views.tip_detail, name="detail"),
]
