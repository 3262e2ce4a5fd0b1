from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "harborlight.security.audit"
    label = "audit"
    verbose_name = "Audit trail"
