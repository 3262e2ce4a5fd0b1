from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SecurityConfig(AppConfig):
    name = "harborlight.security"
    label = "security"
    verbose_name = "Security"

    def ready(self) -> None:
        # Registers the keyring system checks; writes key canaries once tables exist.
        from harborlight.security import checks

        post_migrate.connect(checks.record_canaries_after_migrate, sender=self,
                             dispatch_uid="harborlight.security.key_canaries")
