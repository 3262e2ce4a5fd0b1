"""Create the database-backed cache that holds sign-in failure counts (django-axes).

Django creates cache tables with ``createcachetable``, not with migrations; running it
here means every way of migrating (``harborlight migrate``, the demo, the test runner,
benchmark scripts) leaves the lockout counter ready. The command skips tables that exist.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
