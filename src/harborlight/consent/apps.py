from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "harborlight.consent"
    label = "consent"
    verbose_name = "Consent and disclosure"
