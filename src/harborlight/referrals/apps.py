
from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "harborlight.referrals"
    label = "referrals"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from harborlight.referrals.erasure import on_person_saved

        post_save.connect(on_person_saved, sender="cases.Person",
                          dispatch_uid="referrals.forget_erased_person")
