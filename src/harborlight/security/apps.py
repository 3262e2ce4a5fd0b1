from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "harborlight.security"
    label = "security"
    verbose_name = "Security"
