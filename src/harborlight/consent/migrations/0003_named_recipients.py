"""Consents name their recipient: a directory entry, a name typed by hand, or any.

Before, ``recipient`` was free text and an empty one meant "any recipient". Each stored
row gets the kind it meant: empty -> ``any``; a name that is exactly the name of an entry
of the organisation's directory (or of the partner organisation it stands for) -> that
entry (``directory``); any other name -> ``named``, which covers only that name.
"""

import django.db.models.deletion
from django.db import migrations, models


def name_recipients(apps, schema_editor):
    Consent = apps.get_model("consent", "Consent")
    ServiceProvider = apps.get_model("referrals", "ServiceProvider")
    for consent in Consent.objects.filter(recipient_kind="").iterator():
        consent.recipient_kind = "named" if consent.recipient.strip() else "any"
        if consent.recipient.strip():
            wanted = " ".join(consent.recipient.split()).casefold()
            for provider in ServiceProvider.objects.filter(
                    organisation_id=consent.organisation_id).select_related("partner"):
                names = {provider.name, provider.partner.name if provider.partner else ""}
                if wanted in {" ".join(n.split()).casefold() for n in names if n}:
                    consent.recipient_kind = "directory"
                    consent.recipient_provider_id = provider.pk
                    consent.recipient_organisation_id = provider.partner_id
                    break
        consent.save(update_fields=["recipient_kind", "recipient_provider",
                                    "recipient_organisation"])


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_lockout_cache_table"),
        ("consent", "0002_encrypt_under_the_new_column_labels"),
        ("referrals", "0004_consent_in_its_own_app"),
    ]

    operations = [
        migrations.AddField(
            model_name="consent",
            name="recipient_kind",
            field=models.CharField(blank=True, choices=[
                ("directory", "Chosen from the service directory"),
                ("named", "Named by hand (not in the directory)"),
                ("any", "Any recipient for this purpose")],
                help_text="Who may receive it. Blank only on rows stored before recipients "
                          "were named: then an empty recipient reads as any (the old rule).",
                max_length=10),
        ),
        migrations.AlterField(
            model_name="consent",
            name="recipient",
            field=models.CharField(blank=True, help_text="The recipient's name as consented "
                                   "(a directory entry's name, or typed by hand).",
                                   max_length=200),
        ),
        migrations.AddField(
            model_name="consent",
            name="recipient_provider",
            field=models.ForeignKey(blank=True, help_text="The directory entry consented to.",
                                    null=True,
                                    on_delete=django.db.models.deletion.SET_NULL,
                                    related_name="consents", to="referrals.serviceprovider"),
        ),
        migrations.AddField(
            model_name="consent",
            name="recipient_organisation",
            field=models.ForeignKey(blank=True, help_text="The partner organisation that "
                                    "entry stands for.", null=True,
                                    on_delete=django.db.models.deletion.SET_NULL,
                                    related_name="+", to="accounts.organisation"),
        ),
        migrations.RunPython(name_recipients, migrations.RunPython.noop),
    ]
