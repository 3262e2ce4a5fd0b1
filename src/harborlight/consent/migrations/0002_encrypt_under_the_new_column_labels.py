"""Re-encrypt consent wording and withdrawal notes under the columns' new labels.

Encrypted values are bound to their column's label, ``<app_label>.<model>.<field>``
(``harborlight.security.fields``), so a token cannot be copied into another column. The
model moved from ``cases`` to ``consent`` (``0001``): every stored value is decrypted
under ``cases.consent.<field>`` and encrypted again under ``consent.consent.<field>``,
row by row, in this migration's transaction. Reversing does the opposite. Rows are read
and written with plain SQL on the one table, which keeps its name.
"""

from django.db import migrations

from harborlight.security.crypto import get_keyring

TABLE = "cases_consent"
FIELDS = ("wording", "withdrawal_note")
BATCH = 500


def _relabel(schema_editor, old_app: str, new_app: str) -> None:
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    columns = ", ".join(quote(name) for name in FIELDS)
    last = 0
    keyring = None
    while True:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id, {columns} FROM {quote(TABLE)} WHERE id > %s "
                           f"ORDER BY id LIMIT {BATCH}", [last])
            rows = cursor.fetchall()
        if not rows:
            return
        keyring = keyring or get_keyring()
        for pk, *values in rows:
            fresh = [_moved(keyring, value, f"{old_app}.consent.{name}",
                            f"{new_app}.consent.{name}") for name, value in zip(FIELDS, values)]
            assignments = ", ".join(f"{quote(name)} = %s" for name in FIELDS)
            with connection.cursor() as cursor:
                cursor.execute(f"UPDATE {quote(TABLE)} SET {assignments} WHERE id = %s",
                               [*fresh, pk])
        last = rows[-1][0]


def _moved(keyring, token, old_label: str, new_label: str):
    if not token:  # NULL and empty values are stored as they are, unencrypted
        return token
    return keyring.encrypt(keyring.decrypt(token, old_label.encode()), new_label.encode())


def forwards(apps, schema_editor):
    _relabel(schema_editor, "cases", "consent")


def backwards(apps, schema_editor):
    _relabel(schema_editor, "consent", "cases")


class Migration(migrations.Migration):

    dependencies = [
        ("consent", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
