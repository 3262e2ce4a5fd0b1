"""Encrypted model fields, blind indexes and encrypted attachments, on the real models."""

from __future__ import annotations

import datetime
import os
import stat
from pathlib import Path

import pytest
from django.core.exceptions import FieldError, ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction

from harborlight.accounts.models import Organisation
from harborlight.cases.models import Case, CaseNote, Person, PersonRole
from harborlight.intake.models import Channel, Tip
from harborlight.security.crypto import DecryptionFailed, get_keyring, key_id_of
from harborlight.security.fields import (EncryptedFileField, EncryptedFileSystemStorage,
                                         EncryptedJSONField, blind_lookup, encrypted_fields)

pytestmark = pytest.mark.django_db


@pytest.fixture
def case() -> Case:
    organisation = Organisation.objects.create(name="Harbor Test", slug="harbor-test")
    return Case.objects.create(organisation=organisation, reference="C-FLD-0001")


def make_person(case: Case, **fields) -> Person:
    return Person.objects.create(organisation=case.organisation, case=case,
                                 role=PersonRole.VICTIM, **fields)


def raw_row(model, pk, *columns: str) -> tuple:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(quote(c) for c in columns)} FROM "
                       f"{quote(model._meta.db_table)} WHERE id = %s", [pk])
        return cursor.fetchone()


def test_it_stores_tokens_and_returns_plaintext(case):
    person = make_person(case, first_name="Marisol", second_name="García Núñez",
                         birthdate=datetime.date(1990, 4, 17), email="m.garcia@example.org")
    first, birthdate, email = raw_row(Person, person.pk, "first_name", "birthdate", "email")
    for token in (first, birthdate, email):
        assert token.startswith(f"hl1:{get_keyring().primary_key_id}:")
    assert "Marisol" not in first and "1990" not in birthdate and "garcia" not in email
    loaded = Person.objects.get(pk=person.pk)
    assert loaded.first_name == "Marisol"
    assert loaded.second_name == "García Núñez"
    assert loaded.birthdate == datetime.date(1990, 4, 17)
    assert loaded.email == "m.garcia@example.org"
    values = Person.objects.filter(pk=person.pk).values_list("first_name", "birthdate").get()
    assert values == ("Marisol", datetime.date(1990, 4, 17))


def test_it_encrypts_each_save_with_a_fresh_nonce(case):
    first = make_person(case, first_name="Ana")
    second = make_person(case, first_name="Ana")
    assert raw_row(Person, first.pk, "first_name") != raw_row(Person, second.pk, "first_name")


def test_it_keeps_empty_values_empty(case):
    person = make_person(case, first_name="", birthdate=None)
    first_name, birthdate, index = raw_row(Person, person.pk, "first_name", "birthdate",
                                           "second_name_index")
    assert (first_name, birthdate, index) == ("", None, None)
    loaded = Person.objects.get(pk=person.pk)
    assert loaded.first_name == "" and loaded.birthdate is None


def test_it_refuses_a_token_moved_to_another_column(case):
    person = make_person(case, first_name="Marisol", second_name="Quintero")
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {quote(Person._meta.db_table)} SET second_name = first_name "
                       "WHERE id = %s", [person.pk])
    with pytest.raises(DecryptionFailed):
        Person.objects.get(pk=person.pk)


def test_it_refuses_a_token_moved_to_another_table(case):
    note = CaseNote.objects.create(organisation=case.organisation, case=case, body="note text")
    case.summary = "summary"
    case.save()
    (body,) = raw_row(CaseNote, note.pk, "body")
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {connection.ops.quote_name(Case._meta.db_table)} "
                       "SET summary = %s WHERE id = %s", [body, case.pk])
    with pytest.raises(DecryptionFailed):
        Case.objects.get(pk=case.pk)


@pytest.mark.parametrize("stored", ["Marisol", "hl1:k1:AAAA", "hl1:zz:" + "A" * 40])
def test_it_never_returns_stored_plaintext_or_garbage(case, stored):
    person = make_person(case, first_name="Marisol")
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {connection.ops.quote_name(Person._meta.db_table)} "
                       "SET first_name = %s WHERE id = %s", [stored, person.pk])
    with pytest.raises(DecryptionFailed):
        Person.objects.get(pk=person.pk)


def test_it_refuses_to_filter_on_encrypted_columns(case):
    make_person(case, first_name="Marisol")
    with pytest.raises(FieldError, match="blind_lookup"):
        list(Person.objects.filter(first_name="Marisol"))
    with pytest.raises(FieldError):
        list(Person.objects.filter(first_name__icontains="mari"))
    assert Person.objects.filter(birthdate__isnull=True).count() == 1


def test_it_finds_people_through_blind_indexes(case):
    garcia = make_person(case, second_name="García", email="Ana.Garcia@Example.org",
                         mobile_phone="(202) 555-0143", birthdate=datetime.date(1990, 4, 17))
    make_person(case, second_name="Garcias", email="other@example.org",
                mobile_phone="202 555 0199", birthdate=datetime.date(1990, 4, 18))
    for source, query in [("second_name", "  GARCIA "), ("email", "ana.garcia@example.ORG"),
                          ("mobile_phone", "+1 202 555 0143"), ("birthdate", "1990-04-17"),
                          ("birthdate", datetime.date(1990, 4, 17))]:
        found = Person.objects.filter(**blind_lookup(Person, source, query))
        assert list(found) == [garcia], source


def test_it_updates_the_blind_index_when_the_source_changes(case):
    person = make_person(case, second_name="Quintero")
    person.second_name = "Vance"
    person.save()
    assert not Person.objects.filter(**blind_lookup(Person, "second_name", "Quintero")).exists()
    assert Person.objects.filter(**blind_lookup(Person, "second_name", "vance")).get() == person


def test_it_stores_blind_indexes_not_normalised_plaintext(case):
    person = make_person(case, second_name="García")
    (index,) = raw_row(Person, person.pk, "second_name_index")
    assert index and "garcia" not in index.lower()
    assert index == get_keyring().blind_index("cases.person.second_name", "garcia")


def test_it_names_a_missing_blind_index():
    with pytest.raises(ValueError, match="no blind index on 'first_name'"):
        blind_lookup(Person, "first_name", "Marisol")


def test_it_checks_max_length_on_the_plaintext(case):
    person = Person(organisation=case.organisation, case=case, role=PersonRole.VICTIM,
                    mobile_phone="1" * 41)
    with pytest.raises(ValidationError) as caught:
        person.full_clean()
    assert "mobile_phone" in caught.value.message_dict
    with pytest.raises(ValueError, match="at most 40 characters"), transaction.atomic():
        person.save()
    assert not Person.objects.exists()
    # A 40-character value is longer than 40 once encrypted, and still fits.
    make_person(case, mobile_phone="1" * 40)


def test_it_uses_text_columns_for_encrypted_fields():
    field = Person._meta.get_field("first_name")
    assert field.db_type(connection) == connection.data_types["TextField"]


def test_it_registers_every_encrypted_column():
    found = {f"{model._meta.label_lower}.{field.name}" for model, field in encrypted_fields()}
    assert {"cases.person.first_name", "cases.person.birthdate", "cases.casenote.body",
            "cases.case.summary", "intake.tip.narrative"} <= found
    assert "cases.person.second_name_index" not in found
    assert "cases.person.gender" not in found


def test_it_encrypts_json_values():
    field = EncryptedJSONField()
    field.set_attributes_from_name("details")
    field.model = Tip  # any model: the AAD only needs a label
    token = field.get_db_prep_value({"b": [1, "é"], "a": None}, connection)
    assert token.startswith("hl1:") and "é" not in token
    assert field.from_db_value(token, None, connection) == {"a": None, "b": [1, "é"]}
    assert field.get_db_prep_value(None, connection) is None


def test_it_encrypts_tips_and_notes(case):
    tip = Tip.objects.create(organisation=case.organisation, reference="T-FLD-1",
                             channel=Channel.CALL, narrative="Saw a van at the motel",
                             reporter_contact="call back 202 555 0100")
    narrative, contact = raw_row(Tip, tip.pk, "narrative", "reporter_contact")
    assert "motel" not in narrative and "555" not in contact
    assert Tip.objects.get(pk=tip.pk).narrative == "Saw a van at the motel"


# -- attachments ----------------------------------------------------------------------

@pytest.fixture
def storage(tmp_path) -> EncryptedFileSystemStorage:
    return EncryptedFileSystemStorage(location=tmp_path / "attachments")


def test_it_encrypts_attachments_at_rest(storage):
    name = storage.save("case-1/passport.txt", ContentFile(b"PASSPORT X1234567 Marisol"))
    path = Path(storage.path(name))
    raw = path.read_bytes()
    assert b"Marisol" not in raw and b"X1234567" not in raw
    assert raw.startswith(f"hlf1:{get_keyring().primary_key_id}:".encode())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert storage.open(name).read() == b"PASSPORT X1234567 Marisol"
    assert storage.size(name) == len(b"PASSPORT X1234567 Marisol")


def test_it_binds_attachments_to_their_name(storage):
    first = storage.save("a.txt", ContentFile(b"first secret"))
    second = storage.save("b.txt", ContentFile(b"second secret"))
    os.replace(storage.path(first), storage.path(second))  # swap content under another name
    with pytest.raises(DecryptionFailed):
        storage.open(second)


def test_it_never_overwrites_an_attachment_and_rebinds_the_new_name(storage):
    first = storage.save("scan.txt", ContentFile(b"one"))
    second = storage.save("scan.txt", ContentFile(b"two"))
    assert first != second
    assert storage.open(first).read() == b"one"
    assert storage.open(second).read() == b"two"


def test_it_gives_attachments_no_public_url(storage):
    name = storage.save("a.txt", ContentFile(b"x"))
    with pytest.raises(ValueError, match="no public URL"):
        storage.url(name)
    with pytest.raises(ValueError, match="reading only"):
        storage.open(name, "wb")


def test_it_requires_encrypted_storage_for_encrypted_file_fields(tmp_path):
    from django.core.files.storage import FileSystemStorage

    with pytest.raises(TypeError):
        EncryptedFileField(storage=FileSystemStorage(location=tmp_path))
    assert isinstance(EncryptedFileField().storage, EncryptedFileSystemStorage)


def test_it_keeps_key_ids_in_tokens(case):
    person = make_person(case, first_name="Ana")
    (token,) = raw_row(Person, person.pk, "first_name")
    assert key_id_of(token) == get_keyring().primary_key_id
