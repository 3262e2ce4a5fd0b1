from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "harborlight.insights"
    label = "insights"
