from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "harborlight.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from harborlight.accounts import signals  # noqa: F401  (connects receivers)
