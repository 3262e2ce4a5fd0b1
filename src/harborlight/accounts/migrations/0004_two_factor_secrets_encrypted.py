"""Move every TOTP secret out of django-otp's clear-text table into the encrypted one.

Each ``otp_totp.TOTPDevice`` row is copied to ``accounts.Authenticator`` (whose ``key``
column the keyring encrypts on save), then deleted, in one transaction: no secret stays in
clear, none is lost. Sessions verified with an old device sign in with a code again.
The old table stays (django-otp's app keeps its migrations) and stays empty. On SQLite,
freed pages may keep old bytes until the file is vacuumed (``VACUUM``).
"""

from django.db import migrations

COPIED = ["name", "confirmed", "key", "step", "t0", "digits", "tolerance", "drift", "last_t",
          "throttling_failure_timestamp", "throttling_failure_count", "created_at",
          "last_used_at"]


def encrypt_secrets(apps, schema_editor):
    Old = apps.get_model("otp_totp", "TOTPDevice")
    New = apps.get_model("accounts", "Authenticator")
    for device in Old.objects.order_by("pk"):
        New.objects.create(user_id=device.user_id,
                           **{name: getattr(device, name) for name in COPIED})
    Old.objects.all().delete()


def decrypt_secrets(apps, schema_editor):
    Old = apps.get_model("otp_totp", "TOTPDevice")
    New = apps.get_model("accounts", "Authenticator")
    for device in New.objects.order_by("pk"):
        Old.objects.create(user_id=device.user_id,
                           **{name: getattr(device, name) for name in COPIED})
    New.objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0003_authenticator"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(encrypt_secrets, decrypt_secrets)]
