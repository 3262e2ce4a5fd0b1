"""The referral's consent now points at ``consent.Consent`` (the same table,
``cases_consent``: see ``consent.0001``). Only Django's picture changes; the column and its
foreign key constraint stay as they are."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("consent", "0001_initial"),
        ("referrals", "0003_one_waiting_transfer_per_case"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="referral",
                    name="consent",
                    field=models.ForeignKey(blank=True, help_text="The consent the disclosure relied on", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="referrals", to="consent.consent"),
                ),
            ],
            database_operations=[],
        ),
    ]
