"""Identifying data is unreadable at rest: scan every column of every table for plaintext."""

from __future__ import annotations

import datetime
import json
import unicodedata
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.urls import reverse

from harborlight.accounts.models import Role
from harborlight.cases.models import Case, CaseNote, Person, PersonRole
from harborlight.intake.models import Channel, Tip
from harborlight.intake.triage import create_tip
from harborlight.security.fields import EncryptedFileSystemStorage, blind_lookup

pytestmark = pytest.mark.django_db

# Distinctive values, so that a hit can only be a leak.
PERSON = {
    "first_name": "Zephyrine",
    "second_name": "Oakhollow-Brandvik",
    "birthdate": datetime.date(1987, 3, 9),
    "email": "zephyrine.oakhollow@example.org",
    "mobile_phone": "(202) 555-0176",
    "mailing_street": "4417 Calle Falsa Riverside",
    "mailing_city": "Quillbridge",
    "identity_number": "XK4471QZ9",
}
SECRETS = [
    "Zephyrine", "Oakhollow", "Brandvik", "1987-03-09", "zephyrine.oakhollow",
    "555-0176", "5550176", "4417 Calle Falsa", "Quillbridge", "XK4471QZ9",
    "blue warehouse on Pier 9", "Marisol", "Quintero-Vance", "Ruelle des Saules",
    "motel on Route 66 room 12", "ask for Dariusz", "Velmorrow", "passport-Velmorrow",
    "Thornquist",
]


def all_cells() -> list[tuple[str, str, object]]:
    """(table, column, value) for every cell of every table in the test database."""
    cells = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {quote(table)}")
            columns = [column[0] for column in cursor.description]
            for row in cursor.fetchall():
                cells.extend((table, column, value) for column, value in zip(columns, row))
    return cells


def as_text(value: object) -> str:
    if isinstance(value, memoryview):
        value = value.tobytes()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace") + value.decode("latin-1")
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def folded(text: str) -> str:
    stripped = unicodedata.normalize("NFKD", text)
    return "".join(c for c in stripped if not unicodedata.combining(c)).casefold()


@pytest.fixture
def records(cast, signed_in_client, settings, tmp_path):
    """Sensitive records written through the models, a view and attachment storage."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    case = Case.objects.create(organisation=cast.own, reference="C-REST-0001",
                               summary="Met at the blue warehouse on Pier 9",
                               reason_for_closure="")
    person = Person.objects.create(organisation=cast.own, case=case, role=PersonRole.VICTIM,
                                   **PERSON)
    Tip.objects.create(organisation=cast.own, reference="T-REST-0001", channel=Channel.CALL,
                       narrative="Two girls at the motel on Route 66 room 12",
                       location="Ruelle des Saules", reporter_contact="ask for Dariusz")
    # Through the intake service, as every tip arrives: triage quotes the narrative's
    # words as its evidence, and those quotes are the narrative too.
    tip, _ = create_tip(cast.own, channel=Channel.WEB, public=True,
                        narrative="Mr Thornquist keeps their passports and they cannot leave "
                                  "the farm; a 15 year old works there right now")
    assert any("Thornquist" in json.dumps(reason) for reason in tip.triage_reasons)
    client = signed_in_client(cast.role(Role.CASEWORKER))
    response = client.post(reverse("cases:add_note", args=[cast.own_case.reference]),
                           {"body": "Velmorrow called from a new number"})
    assert response.status_code == 302
    storage = EncryptedFileSystemStorage()
    stored = storage.save("case-rest/id.txt", ContentFile(b"passport-Velmorrow XK4471QZ9"))
    return {"case": case, "person": person, "storage": storage, "file": stored}


def test_it_leaves_no_identifying_plaintext_in_any_column(records):
    cells = all_cells()
    text = "\n".join(as_text(value) for _table, _column, value in cells)
    # The scan sees real rows: unencrypted values are there (a scan of nothing passes).
    assert "C-REST-0001" in text and "T-REST-0001" in text
    assert CaseNote.objects.filter(case__reference="C-OWN1-0001").count() == 2
    haystack = folded(text)
    leaks = sorted({(table, column, secret) for table, column, value in cells
                    for secret in SECRETS if folded(secret) in folded(as_text(value))})
    assert leaks == []
    assert all(folded(secret) not in haystack for secret in SECRETS)


def test_it_still_reads_everything_back(records):
    person = Person.objects.get(pk=records["person"].pk)
    assert {name: getattr(person, name) for name in PERSON} == PERSON
    assert Case.objects.get(reference="C-REST-0001").summary == \
        "Met at the blue warehouse on Pier 9"
    note = CaseNote.objects.filter(case__reference="C-OWN1-0001").order_by("-pk").first()
    assert note.body == "Velmorrow called from a new number"
    assert records["storage"].open(records["file"]).read() == b"passport-Velmorrow XK4471QZ9"
    found = Person.objects.filter(**blind_lookup(Person, "second_name", "oakhollow-brandvik"))
    assert list(found) == [person]


def test_it_leaves_no_plaintext_in_attachment_files(records):
    root = records["storage"].path("")
    blobs = [p.read_bytes() for p in Path(root).rglob("*") if p.is_file()]
    assert len(blobs) == 1
    assert b"Velmorrow" not in blobs[0] and b"XK4471QZ9" not in blobs[0]



MARK = "zqxmark"


def mark_every_encrypted_value() -> int:
    """Overwrite every encrypted value of every row with a unique marker, through save()."""
    from django.db import models, transaction

    from harborlight.security.fields import EncryptedMixin, encrypted_fields

    by_model: dict = {}
    for model, field in encrypted_fields(include_files=False):
        by_model.setdefault(model, []).append(field)
    written = 0
    for model, fields in by_model.items():
        for obj in model._base_manager.all():
            for field in fields:
                assert isinstance(field, EncryptedMixin)
                written += 1
                if isinstance(field, models.DateField):
                    value = datetime.date(1901, 2, 3) + datetime.timedelta(days=written % 300)
                elif isinstance(field, models.CharField):
                    value = f"{MARK}{written}"[:field.max_length]
                elif isinstance(field, models.TextField):
                    value = f"{MARK}{written} with more text"
                else:
                    value = {MARK: written}
                setattr(obj, field.attname, value)
            with transaction.atomic():
                obj.save()
    return written


@pytest.mark.slow
def test_it_leaves_no_plaintext_of_any_encrypted_column_of_any_model(db):
    """Every model with encrypted fields, filled by the demo generator, then marked."""
    from harborlight.demo.records import load_demo_data

    load_demo_data(cases_per_organisation=4, tips_per_organisation=4)
    written = mark_every_encrypted_value()
    assert written > 100
    cells = all_cells()
    assert any("C-" in as_text(value) for _t, _c, value in cells)  # the scan sees rows
    leaks = sorted({(table, column) for table, column, value in cells
                    if MARK in as_text(value).lower() or "1901-0" in as_text(value)})
    assert leaks == []
