from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "harborlight.referrals"
    label = "referrals"
