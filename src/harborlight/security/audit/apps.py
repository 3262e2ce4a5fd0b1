from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "harborlight.security.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from harborlight.security.audit import signals

        signals.connect()
