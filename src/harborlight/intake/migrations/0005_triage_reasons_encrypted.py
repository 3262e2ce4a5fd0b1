"""Encrypt every tip's triage reasons: their evidence quotes the narrative's own words,
which were otherwise kept in clear beside the encrypted narrative.

The clear column is renamed, an encrypted one added, every row copied into it (the
keyring encrypts on save) and the clear column dropped, in one transaction. On SQLite,
freed pages may keep old bytes until the file is vacuumed (``VACUUM``).
"""

from django.db import migrations, models

import harborlight.security.fields


def copy(source: str, target: str):
    def run(apps, schema_editor):
        Tip = apps.get_model("intake", "Tip")
        for tip in Tip.objects.only("pk", source).order_by("pk").iterator(chunk_size=500):
            setattr(tip, target, getattr(tip, source) or [])
            tip.save(update_fields=[target])
    return run


class Migration(migrations.Migration):

    dependencies = [
        ("intake", "0004_tip_channel_field"),
    ]

    operations = [
        migrations.RenameField("tip", "triage_reasons", "triage_reasons_clear"),
        migrations.AddField(
            model_name="tip",
            name="triage_reasons",
            field=harborlight.security.fields.EncryptedJSONField(blank=True, default=list),
        ),
        migrations.RunPython(copy("triage_reasons_clear", "triage_reasons"),
                             copy("triage_reasons", "triage_reasons_clear")),
        migrations.RemoveField("tip", "triage_reasons_clear"),
    ]
