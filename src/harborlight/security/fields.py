"""Model fields that encrypt identifying data at rest, and keyed blind indexes on them.

An encrypted field stores a token from :mod:`harborlight.security.crypto` in a text
column and hands the model plaintext: values are encrypted on save and decrypted on load.
The associated data is the column's label, ``"<app_label>.<model>.<field>"``, so a token
copied into another column does not decrypt. Renaming a model or field changes that label:
such a rename needs a data migration that decrypts under the old label and re-encrypts.

What the database still shows: whether a value is present (None stays NULL and an empty
string stays ``""``), and roughly how long it is (GCM does not pad). What it does not show:
the content. A value that fails to decrypt raises :class:`DecryptionFailed`; a field never
returns ciphertext, and never accepts stored plaintext, in its place.

Encrypted columns cannot be filtered, except with ``isnull``: tokens use random nonces, so
equal values never compare equal. Exact-match search goes through a
:class:`BlindIndexField` and :func:`blind_lookup`::

    class Person(models.Model):
        second_name = EncryptedCharField(max_length=200, blank=True)
        second_name_index = BlindIndexField(source="second_name", normalizer="name")

    Person.objects.filter(**blind_lookup(Person, "second_name", "García"))

A blind index is refreshed in ``pre_save``; ``save(update_fields=[...])`` must list the
index with its source, and ``QuerySet.update()`` on a source field leaves the index stale.
Ordering by an encrypted column orders by ciphertext, which means nothing.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import phonenumbers
from django import forms
from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldError, ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property

from harborlight.security.crypto import DecryptionFailed, get_keyring

__all__ = [
    "BlindIndexField", "DecryptionFailed", "EncryptedCharField", "EncryptedDateField",
    "EncryptedFileField", "EncryptedFileSystemStorage", "EncryptedJSONField",
    "EncryptedTextField", "blind_lookup", "column_label", "encrypted_fields", "normalise",
]


def column_label(model: type[models.Model], field_name: str) -> str:
    """The AAD and blind-index purpose of a column: ``"<app_label>.<model>.<field>"``."""
    return f"{model._meta.label_lower}.{field_name}"


class EncryptedMixin:
    """Encrypt on the way to the database, decrypt on the way back.

    Subclasses convert between the Python value and bytes with ``_to_bytes`` and
    ``_from_bytes``; the column is always ``text``.
    """

    empty_strings_allowed = True

    def get_internal_type(self) -> str:
        return "TextField"

    def db_type(self, connection) -> str | None:
        return connection.data_types["TextField"]

    def cast_db_type(self, connection) -> str | None:
        return self.db_type(connection)

    @property
    def aad(self) -> bytes:
        return column_label(self.model, self.name).encode()

    def get_lookup(self, lookup_name: str):
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise FieldError(
            f"{column_label(self.model, self.name)} is encrypted and cannot be filtered with "
            f"'{lookup_name}'; search through its BlindIndexField with blind_lookup()")

    def get_transform(self, lookup_name: str):
        return None

    def get_db_prep_value(self, value: Any, connection, prepared: bool = False) -> Any:
        if not prepared:
            value = self.get_prep_value(value)
        if value is None:
            return None
        if value == "" and self.empty_strings_allowed:
            return ""
        return get_keyring().encrypt(self._to_bytes(value), self.aad)

    def from_db_value(self, value: Any, expression, connection) -> Any:
        if value is None:
            return None
        if value == "":
            return "" if self.empty_strings_allowed else None
        return self._from_bytes(get_keyring().decrypt(value, self.aad))

    def _to_bytes(self, value: Any) -> bytes:
        return str(value).encode("utf-8")

    def _from_bytes(self, data: bytes) -> Any:
        return data.decode("utf-8")


class EncryptedTextField(EncryptedMixin, models.TextField):
    """Free text (notes, narratives, addresses), encrypted at rest."""


class EncryptedCharField(EncryptedMixin, models.CharField):
    """Short text whose ``max_length`` applies to the plaintext; the column is ``text``.

    The length is checked by form and model validation, and again on save so that an
    over-long value fails the same way on SQLite and PostgreSQL.
    """

    def get_db_prep_value(self, value: Any, connection, prepared: bool = False) -> Any:
        if not prepared:
            value = self.get_prep_value(value)
        if value is not None and self.max_length is not None and len(value) > self.max_length:
            raise ValueError(f"{column_label(self.model, self.name)} holds at most "
                             f"{self.max_length} characters, got {len(value)}")
        return super().get_db_prep_value(value, connection, prepared=True)


class EncryptedDateField(EncryptedMixin, models.DateField):
    """A date (such as a date of birth), stored as an encrypted ISO 8601 string."""

    empty_strings_allowed = False

    def _to_bytes(self, value: datetime.date) -> bytes:
        return value.isoformat().encode("ascii")

    def _from_bytes(self, data: bytes) -> datetime.date:
        try:
            return datetime.date.fromisoformat(data.decode("ascii"))
        except (UnicodeDecodeError, ValueError):
            raise DecryptionFailed() from None


class EncryptedJSONField(EncryptedMixin, models.Field):
    """A JSON document encrypted as one value (its keys and structure are hidden too)."""

    empty_strings_allowed = False
    description = "A JSON document, encrypted at rest"

    def __init__(self, *args: Any, encoder: type[json.JSONEncoder] = DjangoJSONEncoder,
                 **kwargs: Any) -> None:
        self.encoder = encoder
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.encoder is not DjangoJSONEncoder:
            kwargs["encoder"] = self.encoder
        return name, path, args, kwargs

    def _to_bytes(self, value: Any) -> bytes:
        return json.dumps(value, cls=self.encoder, sort_keys=True,
                          separators=(",", ":")).encode("utf-8")

    def _from_bytes(self, data: bytes) -> Any:
        try:
            return json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise DecryptionFailed() from None

    def validate(self, value: Any, model_instance) -> None:
        super().validate(value, model_instance)
        try:
            json.dumps(value, cls=self.encoder)
        except TypeError:
            raise ValidationError("Value must be valid JSON.", code="invalid") from None

    def value_to_string(self, obj) -> Any:
        return self.value_from_object(obj)

    def formfield(self, **kwargs: Any):
        return super().formfield(**{"form_class": forms.JSONField, "encoder": self.encoder,
                                    **kwargs})


# -- attachments ----------------------------------------------------------------------

@deconstructible(path="harborlight.security.fields.EncryptedFileSystemStorage")
class EncryptedFileSystemStorage(FileSystemStorage):
    """Files encrypted with the keyring, the AAD bound to the file's storage name.

    Files are written with mode 0600 and never overwritten in place by uploads; they
    have no URL (attachments are served by a view that checks permissions and decrypts).
    The default location is ``<MEDIA_ROOT>/encrypted``.
    """

    def __init__(self, location: str | os.PathLike[str] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("file_permissions_mode", 0o600)
        kwargs.setdefault("directory_permissions_mode", 0o700)
        super().__init__(location=location, **kwargs)

    @cached_property
    def base_location(self):  # type: ignore[override]
        return self._value_or_setting(self._location,
                                      Path(settings.MEDIA_ROOT) / "encrypted")

    @staticmethod
    def aad_for(name: str) -> bytes:
        return b"file:" + name.replace("\\", "/").encode("utf-8")

    def _save(self, name: str, content: File) -> str:
        if hasattr(content, "seek"):
            content.seek(0)
        plaintext = content.read()
        if isinstance(plaintext, str):
            plaintext = plaintext.encode("utf-8")
        while True:
            full_path = self.path(name)
            os.makedirs(os.path.dirname(full_path), mode=0o700, exist_ok=True)
            blob = get_keyring().encrypt_blob(plaintext, self.aad_for(name))
            try:
                fd = os.open(full_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL
                             | getattr(os, "O_BINARY", 0), 0o600)
            except FileExistsError:
                # A concurrent upload took the name; the AAD must follow the final name.
                name = self.get_available_name(name)
                continue
            with os.fdopen(fd, "wb") as handle:
                handle.write(blob)
            return str(name).replace("\\", "/")

    def _open(self, name: str, mode: str = "rb") -> File:
        if any(flag in mode for flag in "wa+"):
            raise ValueError("encrypted attachments are opened for reading only")
        with open(self.path(name), "rb") as handle:
            blob = handle.read()
        return ContentFile(get_keyring().decrypt_blob(blob, self.aad_for(name)), name=name)

    def read_raw(self, name: str) -> bytes:
        with open(self.path(name), "rb") as handle:
            return handle.read()

    def replace_raw(self, name: str, blob: bytes) -> None:
        """Atomically replace a stored file's bytes (used by key rotation)."""
        full_path = self.path(name)
        tmp_path = f"{full_path}.rotating"
        fd = os.open(tmp_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(blob)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_path, full_path)

    def iter_names(self) -> Iterator[str]:
        """Every stored file name, relative to the location."""
        root = Path(self.location)
        if not root.exists():
            return
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.name.endswith(".rotating"):
                yield path.relative_to(root).as_posix()

    def size(self, name: str) -> int:
        return len(self.open(name).read())

    def url(self, name: str | None) -> str:
        raise ValueError("encrypted attachments have no public URL; serve them through a "
                         "view that checks permissions")


encrypted_storage = EncryptedFileSystemStorage()


class EncryptedFileField(models.FileField):
    """A FileField whose files are encrypted at rest by :class:`EncryptedFileSystemStorage`."""

    def __init__(self, *args: Any, storage: FileSystemStorage | None = None,
                 **kwargs: Any) -> None:
        storage = storage or encrypted_storage
        if not isinstance(storage, EncryptedFileSystemStorage):
            raise TypeError("EncryptedFileField needs an EncryptedFileSystemStorage")
        super().__init__(*args, storage=storage, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("storage") is encrypted_storage:
            del kwargs["storage"]
        return name, path, args, kwargs


# -- blind indexes --------------------------------------------------------------------

_SPACE = re.compile(r"\s+")


def _normalise_exact(value: Any) -> str:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return unicodedata.normalize("NFC", str(value))


def _normalise_name(value: Any) -> str:
    decomposed = unicodedata.normalize("NFKD", str(value))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACE.sub(" ", stripped.casefold()).strip()


def _normalise_email(value: Any) -> str:
    return unicodedata.normalize("NFC", str(value)).strip().lower()


def _normalise_phone(value: Any, region: str = "US") -> str:
    text = str(value).strip()
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and phonenumbers.is_possible_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    # Not a phone number we understand: still searchable, but only by the same text.
    return "unparsed:" + _normalise_name(text)


def _normalise_date(value: Any) -> str:
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    try:
        return datetime.date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise ValueError(f"{value!r} is not a date in YYYY-MM-DD form") from None


NORMALISERS: dict[str, Callable[[Any], str]] = {
    "exact": _normalise_exact,
    "name": _normalise_name,
    "email": _normalise_email,
    "phone": _normalise_phone,
    "date": _normalise_date,
}


def normalise(normalizer: str, value: Any) -> str:
    """Apply a named normaliser: the same one runs on save and on lookup."""
    try:
        return NORMALISERS[normalizer](value)
    except KeyError:
        raise ValueError(f"unknown normalizer {normalizer!r}; choose one of "
                         f"{', '.join(NORMALISERS)}") from None


class BlindIndexField(models.CharField):
    """An indexed HMAC of another field's normalised plaintext, for exact-match lookup.

    Filled in ``pre_save`` from ``source``; NULL when the source is empty. Equal values
    give equal index values, so the database shows which rows share a (normalised) value.
    """

    def __init__(self, *args: Any, source: str, normalizer: str = "exact",
                 **kwargs: Any) -> None:
        if normalizer not in NORMALISERS:
            raise ValueError(f"unknown normalizer {normalizer!r}; choose one of "
                             f"{', '.join(NORMALISERS)}")
        self.source = source
        self.normalizer = normalizer
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("db_index", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs["normalizer"] = self.normalizer
        for key, default in (("max_length", 64), ("db_index", True), ("editable", False),
                             ("null", True), ("blank", True)):
            if kwargs.get(key, default) == default:
                kwargs.pop(key, None)
        return name, path, args, kwargs

    def index_for(self, value: Any) -> str | None:
        if value is None or value == "":
            return None
        return get_keyring().blind_index(column_label(self.model, self.source),
                                         normalise(self.normalizer, value))

    def pre_save(self, model_instance: models.Model, add: bool) -> str | None:
        value = self.index_for(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


def blind_lookup(model: type[models.Model], source_field: str, value: Any,
                 normalizer: str | None = None) -> dict[str, Any]:
    """Filter kwargs that find rows whose ``source_field`` equals ``value`` (normalised).

    An empty ``value`` finds rows where the source is empty. Raises ValueError if the
    model has no blind index on ``source_field`` (or several, and ``normalizer`` is not
    given to choose).
    """
    candidates = [f for f in model._meta.get_fields()
                  if isinstance(f, BlindIndexField) and f.source == source_field
                  and (normalizer is None or f.normalizer == normalizer)]
    if len(candidates) != 1:
        problem = "no" if not candidates else "more than one"
        raise ValueError(f"{model._meta.label} has {problem} blind index on {source_field!r}")
    field = candidates[0]
    index = field.index_for(value)
    if index is None:
        return {f"{field.name}__isnull": True}
    return {field.name: index}


# -- registry -------------------------------------------------------------------------

def encrypted_fields(include_files: bool = True) -> Iterator[tuple[type[models.Model],
                                                                  models.Field]]:
    """Yield (model, field) for every encrypted column of every installed concrete model.

    Fields are yielded once, on the model whose table holds the column. Attachment
    fields (EncryptedFileField) are included unless ``include_files`` is False.
    """
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.local_fields:
            if isinstance(field, EncryptedMixin) or (
                    include_files and isinstance(field, EncryptedFileField)):
                yield model, field
