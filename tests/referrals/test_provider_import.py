"""CSV import of the directory: atomic, row-level errors, offline placement, re-import."""

from __future__ import annotations

import pytest

from harborlight.referrals.importing import ImportFailed, import_providers
from harborlight.referrals.models import ServiceProvider

HEADER = "name,external_id,services,populations,languages,open_24_7,city,state,postal_code," \
         "latitude,longitude,phone,email\n"
GOOD = (HEADER
        + "Gulf Coast Shelter,GC-1,shelter;Legal aid,adults;lgbtq,en;es,yes,Houston,TX,77002,"
          ",,+1 713-555-0101,intake@example.org\n"
        + "Peachtree Clinic,PC-2,medical,youth,en,no,Atlanta,GA,,33.75,-84.39,,\n")


def test_it_imports_every_row_with_codes_from_codes_or_labels(cast):
    result = import_providers(cast.own, GOOD.encode())
    assert (result.created, result.updated, result.geocoded) == (2, 0, 1)
    shelter = ServiceProvider.objects.get(external_id="GC-1")
    assert shelter.organisation == cast.own
    assert shelter.services == ["legal", "shelter"]
    assert shelter.populations == ["adults", "lgbtq"]
    assert shelter.open_24_7 is True
    assert shelter.latitude == pytest.approx(29.76, abs=0.05), "placed at its ZIP centroid"
    clinic = ServiceProvider.objects.get(external_id="PC-2")
    assert (clinic.latitude, clinic.longitude) == (33.75, -84.39)


def test_it_changes_nothing_when_the_same_file_is_imported_again(cast):
    import_providers(cast.own, GOOD.encode())
    result = import_providers(cast.own, GOOD.encode())
    assert (result.created, result.updated) == (0, 2)
    assert ServiceProvider.objects.filter(organisation=cast.own).count() == 2


def test_it_reports_every_problem_by_row_and_field_and_saves_nothing(cast):
    bad = (HEADER
           + "Fine Row,F-1,shelter,,en,no,Houston,TX,77002,,,,\n"
           + ",F-2,teleportation,,xx,maybe,,,,91,,,not-an-email\n"
           + "Dup,F-1,,,,,,,,,,,\n")
    with pytest.raises(ImportFailed) as failure:
        import_providers(cast.own, bad.encode())
    problems = {(error.row, error.field) for error in failure.value.errors}
    assert {(3, "name"), (3, "services"), (3, "languages"), (3, "open_24_7"),
            (3, "latitude"), (3, "email"), (4, "external_id")} <= problems
    assert not any(row == 2 for row, _ in problems)
    assert not ServiceProvider.objects.exists(), "an import is all rows or none"


@pytest.mark.parametrize("data, field, reason", [
    (b"", "", "empty"),
    (b"title,city\nX,Y\n", "title", "unknown column"),
    (b"city\nHouston\n", "name", "missing"),
    (b"name\n", "", "no rows"),
    ("name\nCaf\u00e9\n".encode("latin-1"), "", "not UTF-8"),
    (b"name,city\nA,B,C\n", "", "more values"),
])
def test_it_refuses_a_malformed_file(cast, data, field, reason):
    with pytest.raises(ImportFailed) as failure:
        import_providers(cast.own, data)
    assert any(error.field == field and reason in error.reason
               for error in failure.value.errors), failure.value.errors


def test_it_accepts_a_byte_order_mark_and_keeps_unknown_places_without_coordinates(cast):
    data = "\ufeffname,city,state\nNowhere Help,Qwertyville,ZZ\n".encode("utf-8")
    result = import_providers(cast.own, data)
    assert (result.created, result.geocoded) == (1, 0)
    entry = ServiceProvider.objects.get()
    assert entry.latitude is None and entry.longitude is None
