from django.urls import path

from harborlight.insights import views

app_name = "insights"
urlpatterns = [
    path("", views.insights_dashboard, name="dashboard"),
    path("charts/<slug:chart_id>.csv", views.chart_csv, name="chart_csv"),
    path("charts/<slug:chart_id>.svg", views.chart_svg, name="chart_svg"),
]
