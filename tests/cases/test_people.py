"""People: duplicates through blind and phonetic indexes, undoable merge, data-subject
export and erasure."""

from __future__ import annotations

import datetime
import json

import pytest
from django.db import connection

from harborlight.accounts.models import Role
from harborlight.cases.duplicates import find_duplicates
from harborlight.cases.erasure import erase_person
from harborlight.cases.models import (Case, Person, PersonMerge, PersonRole, SafetyPlan,
                                      WorkflowError)
from harborlight.consent.models import Consent, ConsentMethod, ConsentPurpose
from tests_support import assert_audited, assert_trail, audit_mark


def make_person(case, **values):
    return Person.objects.create(organisation=case.organisation, case=case,
                                 role=PersonRole.VICTIM, **values)


@pytest.fixture
def second_case(cast):
    return Case.objects.create(organisation=cast.own, reference="C-OWN3-0003",
                               owner=cast.role(Role.CASEWORKER))


def test_it_finds_a_sound_alike_name_in_another_case(cast, second_case):
    original = make_person(cast.own_case, first_name="Yesenia", second_name="Villalobos",
                           birthdate=datetime.date(1998, 3, 4))
    twin = make_person(second_case, first_name="Jesenia", second_name="Bilalobos",
                       birthdate=datetime.date(1998, 3, 4))
    make_person(second_case, first_name="Tomasz", second_name="Nowak")
    found = find_duplicates(twin)
    assert [c.person for c in found] == [original]
    assert "same date of birth" in found[0].reasons


def test_it_finds_a_changed_first_name_by_second_name_and_birth_year(cast, second_case):
    original = make_person(cast.own_case, first_name="Ana", second_name="Ferreira",
                           birthdate=datetime.date(2001, 1, 9))
    other = make_person(second_case, first_name="Luisa", second_name="Fereira",
                        birthdate=datetime.date(2001, 12, 30))
    assert original in [c.person for c in find_duplicates(other)]


def test_it_never_finds_duplicates_in_another_organisation(cast):
    make_person(cast.other_case, first_name="Marisol", second_name="Quintero-Vance",
                mobile_phone="+1 202-555-0143")
    mine = cast.own_case.persons.get()
    assert find_duplicates(mine) == []


def test_it_keeps_phonetic_keys_out_of_the_database_in_the_clear(cast):
    person = cast.own_case.persons.get()
    with connection.cursor() as cursor:
        cursor.execute("SELECT phonetic_name_index FROM cases_person WHERE id = %s", [person.pk])
        stored = cursor.fetchone()[0]
    key = person.phonetic_name_key
    assert key == "n:MRSL|KNTR BNS"
    assert stored == Person._meta.get_field("phonetic_name_index").index_for(key)
    assert "MRSL" not in stored and "KNTR" not in stored


def test_it_merges_keeping_both_histories_and_undoes(cast, second_case, signed_in_client):
    kept = cast.own_case.persons.get()
    duplicate = make_person(second_case, first_name="Marisol", second_name="Quintero Vance",
                            mobile_phone="202 555 0143")
    SafetyPlan.objects.create(organisation=cast.own, case=second_case, person=duplicate,
                              code_words="green scarf", review_on=datetime.date(2027, 1, 1))
    client = signed_in_client(cast.role(Role.CASEWORKER))
    page = client.get(f"/cases/{cast.own_case.reference}/people/{kept.pk}/").content.decode()
    assert "same mobile phone" in page
    mark = audit_mark()
    client.post(f"/cases/{cast.own_case.reference}/people/{kept.pk}/merge/",
                {"duplicate": duplicate.pk})
    duplicate.refresh_from_db()
    assert duplicate.merged_into == kept
    assert_trail(mark, ("update", kept))  # one act on the record kept, naming the other
    assert SafetyPlan.objects.filter(person=duplicate).count() == 1  # history kept
    assert duplicate not in Person.objects.current()
    export = signed_in_client(cast.role(Role.SUPERVISOR)).get(
        f"/cases/{cast.own_case.reference}/people/{kept.pk}/export/?format=json")
    assert "green scarf" in export.content.decode()
    merge = PersonMerge.objects.get(kept=kept)
    mark = audit_mark()
    client.post(f"/cases/{cast.own_case.reference}/merges/{merge.pk}/undo/")
    duplicate.refresh_from_db()
    merge.refresh_from_db()
    assert duplicate.merged_into is None and merge.undone_at is not None
    assert_trail(mark, ("update", kept))
    with pytest.raises(WorkflowError):
        merge.undo(by=cast.role(Role.CASEWORKER))


def test_it_refuses_to_merge_across_organisations(cast):
    mine = cast.own_case.persons.get()
    theirs = make_person(cast.other_case, first_name="X", second_name="Y")
    with pytest.raises(WorkflowError):
        PersonMerge.merge(mine, theirs, by=cast.role(Role.CASEWORKER))


def test_it_exports_a_persons_data_as_json_and_audits_it(cast, signed_in_client):
    person = cast.own_case.persons.get()
    client = signed_in_client(cast.role(Role.SUPERVISOR))
    mark = audit_mark()
    response = client.get(f"/cases/{cast.own_case.reference}/people/{person.pk}/export/",
                          {"format": "json"})
    document = json.loads(response.content)
    record = document["records"][0]
    assert record["person"]["prs_SecondName"] == "Quintero-Vance"
    assert record["case"]["cco_CaseComment"] == ["First meeting went well."]
    assert response["Cache-Control"] == "no-store"
    assert_trail(mark, ("export", person))  # the export is the read: one entry, not two
    page = client.get(f"/cases/{cast.own_case.reference}/people/{person.pk}/export/")
    assert b"Quintero-Vance" in page.content


def test_it_refuses_the_export_to_a_caseworker(cast, signed_in_client):
    person = cast.own_case.persons.get()
    response = signed_in_client(cast.role(Role.CASEWORKER)).get(
        f"/cases/{cast.own_case.reference}/people/{person.pk}/export/")
    assert response.status_code == 403


def test_it_erases_a_person_and_audits_without_values(cast, signed_in_client):
    person = cast.own_case.persons.get()
    SafetyPlan.objects.create(organisation=cast.own, case=cast.own_case, person=person,
                              code_words="red door", review_on=datetime.date(2027, 1, 1))
    Consent.objects.create(organisation=cast.own, case=cast.own_case, person=person,
                           purpose=ConsentPurpose.REFERRAL, method=ConsentMethod.VERBAL,
                           retention_explained=True, withdrawal_explained=True,
                           wording="Yes to the shelter", recorded_by=cast.role(Role.CASEWORKER))
    client = signed_in_client(cast.role(Role.SUPERVISOR))
    mark = audit_mark()
    response = client.post(f"/cases/{cast.own_case.reference}/people/{person.pk}/erase/",
                           {"reason": "The person asked us to erase their data.",
                            "confirm": "on"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.erased_at and person.first_name == "" and person.mobile_phone == ""
    assert person.mobile_phone_index is None and person.phonetic_name_index is None
    assert not SafetyPlan.objects.filter(person=person).exists()
    assert Consent.objects.get(person=person).wording == ""
    assert_trail(mark, ("delete", person))  # the plan deleted and the saves: part of the act
    [entry] = assert_audited("delete", person)
    assert entry.details["erasure"] and "Marisol" not in json.dumps(entry.details)
    with connection.cursor() as cursor:
        cursor.execute("SELECT first_name, mobile_phone FROM cases_person WHERE id = %s",
                       [person.pk])
        assert cursor.fetchone() == ("", "")


def test_it_needs_a_reason_to_erase(cast):
    person = cast.own_case.persons.get()
    with pytest.raises(WorkflowError):
        erase_person(person, by=cast.role(Role.SUPERVISOR), reason="")
    assert_audited("delete", person, times=0)


def test_it_refuses_erasure_to_a_caseworker(cast, signed_in_client):
    person = cast.own_case.persons.get()
    response = signed_in_client(cast.role(Role.CASEWORKER)).post(
        f"/cases/{cast.own_case.reference}/people/{person.pk}/erase/",
        {"reason": "Because I was asked to", "confirm": "on"})
    assert response.status_code == 403
    person.refresh_from_db()
    assert person.erased_at is None


def test_it_adds_a_perpetrator_with_htcds_roles(cast, signed_in_client):
    client = signed_in_client(cast.role(Role.CASEWORKER))
    mark = audit_mark()
    response = client.post(f"/cases/{cast.own_case.reference}/people/new/", {
        "role": "perpetrator", "first_name": "Unknown", "second_name": "Recruiter",
        "roles_in_process": ["RecruiterOrIntermediary", "Transporter"]})
    assert response.status_code == 302
    person = Person.objects.get(case=cast.own_case, role="perpetrator")
    assert_trail(mark, ("create", person))
    assert person.roles_in_process == ["RecruiterOrIntermediary", "Transporter"]
    bad = client.post(f"/cases/{cast.own_case.reference}/people/new/", {
        "role": "perpetrator", "roles_in_process": ["Wizard"]})
    assert bad.status_code == 400


def test_it_reads_once_on_the_edit_form_and_updates_once_on_save(cast, signed_in_client):
    person = cast.own_case.persons.get()
    client = signed_in_client(cast.role(Role.CASEWORKER))
    edit = f"/cases/{cast.own_case.reference}/people/{person.pk}/edit/"
    mark = audit_mark()
    assert b"Quintero-Vance" in client.get(edit).content
    assert_trail(mark, ("read", person))  # the form shows the record's values
    mark = audit_mark()
    response = client.post(edit, {"role": "victim", "first_name": "Marisol",
                                  "second_name": "Quintero"})
    assert response.status_code == 302
    assert_trail(mark, ("update", person))
