"""Consent left the cases app for its own (``consent.0001``): forget the old model.

State only: the table ``cases_consent`` now belongs to ``consent.Consent`` and keeps its
rows."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0005_person_search_indexes"),
        ("consent", "0001_initial"),
        ("referrals", "0004_consent_in_its_own_app"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Consent")],
            database_operations=[],
        ),
    ]
