from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "harborlight.cases"
    label = "cases"
