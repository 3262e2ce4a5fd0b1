from django.urls import path

from harborlight.insights import screening_views, views

app_name = "insights"
urlpatterns = [
    path("", views.insights_dashboard, name="dashboard"),
    path("charts/<slug:chart_id>.csv", views.chart_csv, name="chart_csv"),
    path("charts/<slug:chart_id>.svg", views.chart_svg, name="chart_svg"),
    path("screening/", screening_views.screening_home, name="screening"),
    path("screening/runs/<int:run_id>/", screening_views.screening_run, name="screening_run"),
    path("screening/leads/<int:lead_id>/", screening_views.lead_detail, name="lead"),
    path("screening/leads/<int:lead_id>/tip/", screening_views.lead_to_tip, name="lead_to_tip"),
]
