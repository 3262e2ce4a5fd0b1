from django.apps import AppConfig


class FieldIntakeConfig(AppConfig):
    name = "harborlight.fieldintake"
    label = "fieldintake"
    verbose_name = "Field intake (OpenRosa)"
