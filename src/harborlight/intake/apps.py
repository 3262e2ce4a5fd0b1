from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "harborlight.intake"
    label = "intake"

    def ready(self) -> None:
        from harborlight.intake import checks  # noqa: F401  (registers the start-up check)
