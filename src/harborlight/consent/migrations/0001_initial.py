"""Consent moves from the cases app to its own app, keeping its table and every row.

Only Django's picture of the models changes (``SeparateDatabaseAndState``): the table
``cases_consent`` stays as it is, so an existing database loses nothing and no row is
copied. The content type row moves with the model, so records that point at a consent by
content type (break-glass grants) still find it. ``referrals.0004`` then points the
referral's consent at this model, and ``cases.0006`` forgets the old one.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import harborlight.security.fields


def move_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="consent", model="consent").exists():
        ContentType.objects.filter(app_label="cases", model="consent").update(
            app_label="consent")


def restore_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="cases", model="consent").exists():
        ContentType.objects.filter(app_label="consent", model="consent").update(
            app_label="cases")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("accounts", "0001_initial"),
        ("cases", "0005_person_search_indexes"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("intake", "0002_tip_workflow"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Consent",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("purpose", models.CharField(choices=[("referral", "Referral to another service"), ("transfer", "Transfer of the case to another organisation"), ("law_enforcement", "Passing information to law enforcement"), ("deidentified_sharing", "De-identified data sharing (e.g. CTDC)")], max_length=30)),
                        ("recipient", models.CharField(blank=True, help_text="Who may receive it; empty means any recipient for this purpose.", max_length=200)),
                        ("fields_allowed", models.JSONField(blank=True, default=list, help_text="HTCDS field names that may be disclosed; empty means only the minimum necessary.")),
                        ("method", models.CharField(choices=[("verbal", "Verbal, recorded by staff"), ("written", "Written and signed"), ("electronic", "Electronic")], max_length=20)),
                        ("retention_explained", models.BooleanField()),
                        ("withdrawal_explained", models.BooleanField()),
                        ("wording", harborlight.security.fields.EncryptedTextField(blank=True, help_text="What was agreed, in the person's own words where they chose.")),
                        ("given_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("expires_at", models.DateTimeField(blank=True, null=True)),
                        ("withdrawn_at", models.DateTimeField(blank=True, null=True)),
                        ("withdrawal_note", harborlight.security.fields.EncryptedTextField(blank=True)),
                        ("case", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="consents", to="cases.case")),
                        ("organisation", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="consents", to="accounts.organisation")),
                        ("person", models.ForeignKey(blank=True, help_text="Who gave the consent.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="consents", to="cases.person")),
                        ("recorded_by", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("tip", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="consents", to="intake.tip")),
                        ("withdrawn_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "db_table": "cases_consent",
                        "ordering": ["-given_at"],
                        "constraints": [models.CheckConstraint(condition=models.Q(("case__isnull", False), ("tip__isnull", False), _connector="OR"), name="consent_belongs_to_case_or_tip")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, restore_content_type),
    ]
