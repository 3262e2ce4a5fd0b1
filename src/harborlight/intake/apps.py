from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "harborlight.intake"
    label = "intake"
