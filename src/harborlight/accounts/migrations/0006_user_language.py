"""A user's own choice of language for the staff pages (empty: the browser's)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0005_access_requests_and_token_expiry"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="language",
            field=models.CharField(blank=True, choices=[("en", "English"), ("es", "Español")],
                                   db_default="",
                                   default="", max_length=8),
        ),
    ]
