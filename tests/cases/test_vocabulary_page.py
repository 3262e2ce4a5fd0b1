"""Administrators extend the person record's picklists with their organisation's own
values: EN/ES words, the nearest HTCDS value for exports, versions, retire not delete."""

from __future__ import annotations

import json

from harborlight.cases.htcds_io import write_file
from harborlight.cases.models import Case, LocalValue, Person, PersonRole
from harborlight.cases.subject_export import labelled_values
from harborlight.cases.vocabulary import ExportMapping
from harborlight.security.audit.log import audited
from tests_support import assert_trail, audit_mark

PAGE = "/vocabularies/"
CRIMINALITY = {"field": "vic_TypeOfExploitation", "label_en": "Forced criminality (scam "
               "compounds)", "label_es": "Criminalidad forzada (centros de estafa)",
               "maps_to": "Other"}


def _add(client, **changes):
    return client.post(PAGE, {**CRIMINALITY, **changes})


def test_it_adds_a_value_versioned_and_audited(cast, signed_in_client):
    admin = signed_in_client(cast.role("administrator"))
    assert admin.get(PAGE).status_code == 200
    mark = audit_mark()
    assert _add(admin).status_code == 302
    value = LocalValue.objects.get()
    assert (value.organisation, value.code, value.version, value.maps_to) == (
        cast.own, "x-forced-criminal", 1, "Other")
    assert_trail(mark, ("create", value))
    page = admin.get(f"/vocabularies/{value.pk}/").content.decode()
    assert "Criminalidad forzada (centros de estafa)" in page and "x-forced-criminal" in page
    mark = audit_mark()
    reply = admin.post(f"/vocabularies/{value.pk}/", {
        "label_en": "Forced criminality", "label_es": "Criminalidad forzada",
        "maps_to": "ForcedLabour"})
    assert reply.status_code == 302
    value.refresh_from_db()
    assert (value.version, value.label_en, value.maps_to) == (2, "Forced criminality",
                                                              "ForcedLabour")
    assert [v.version for v in value.versions.all()] == [2, 1]
    assert value.versions.get(version=1).label_en == CRIMINALITY["label_en"]
    assert_trail(mark, ("update", value))


def test_it_refuses_bad_values_with_a_message_and_saves_nothing(cast, signed_in_client):
    admin = signed_in_client(cast.role("administrator"))
    for changes, words in (({"maps_to": "ForcedBegging2"}, "Select a valid choice"),
                           ({"maps_to": "DebtBondage"}, "is not an HTCDS value of this"),
                           ({"label_es": ""}, "This field is required"),
                           ({"field": "prs_FirstName"}, "Select a valid choice")):
        reply = _add(admin, **changes)
        assert reply.status_code == 400 and words in reply.content.decode(), words
    assert _add(admin).status_code == 302
    again = _add(admin)
    assert again.status_code == 400 and "already has a value with these words" in \
        again.content.decode()
    assert LocalValue.objects.count() == 1


def test_a_value_in_use_is_retired_not_deleted_and_stays_on_the_record(
        cast, signed_in_client, tmp_path):
    admin = signed_in_client(cast.role("administrator"))
    _add(admin)
    value = LocalValue.objects.get()
    person = Person.objects.create(organisation=cast.own, case=cast.own_case,
                                   role=PersonRole.VICTIM, first_name="Mai",
                                   types_of_exploitation=["ForcedLabour", value.code])
    person.full_clean()  # the organisation's code passes the model's HTCDS validator
    mark = audit_mark()
    refused = admin.post(f"/vocabularies/{value.pk}/delete/", follow=True)
    assert "held by 1 record: retire it instead" in refused.content.decode()
    assert LocalValue.objects.filter(pk=value.pk).exists()
    assert_trail(mark)
    assert admin.post(f"/vocabularies/{value.pk}/retire/").status_code == 302
    value.refresh_from_db()
    assert value.retired_at is not None and value.version == 2
    assert_trail(mark, ("update", value))
    # Shown in words on the person's page, exported as the HTCDS value it maps to.
    shown = dict((name, words) for name, _label, words in labelled_values(person,
                                                                          "cases.Person"))
    assert shown["vic_TypeOfExploitation"] == "Forced labour, Forced criminality (scam " \
                                              "compounds)"
    mapping = ExportMapping.for_organisations([cast.own.pk])
    out = tmp_path / "out.json"
    write_file(out, Case.objects.filter(pk=cast.own_case.pk), mapping)
    (exported,) = [r for r in json.loads(out.read_text())["records"]
                   if r["prs_FirstName"] == "Mai"]
    assert exported["vic_TypeOfExploitation"] == "ForcedLabour;Other"
    assert mapping.lines() == ["vic_TypeOfExploitation: “Forced criminality (scam compounds)”"
                               " (x-forced-criminal) written as Other, 1 time"]
    with audited():
        person.delete()
    mark = audit_mark()
    assert admin.post(f"/vocabularies/{value.pk}/delete/").status_code == 302
    assert not LocalValue.objects.exists()


def test_another_organisation_and_other_roles_are_refused(cast, signed_in_client):
    admin = signed_in_client(cast.role("administrator"))
    _add(admin)
    value = LocalValue.objects.get()
    outsider = signed_in_client(cast.outsiders["administrator"])
    assert outsider.get(f"/vocabularies/{value.pk}/").status_code == 404
    assert outsider.post(f"/vocabularies/{value.pk}/delete/").status_code == 404
    assert "Forced criminality" not in outsider.get(PAGE).content.decode()
    for role in ("caseworker", "supervisor", "hotline_operator", "analyst", "auditor"):
        member = signed_in_client(cast.role(role))
        assert member.get(PAGE).status_code == 403
        assert _add(member).status_code == 403
    assert LocalValue.objects.count() == 1


def test_the_person_form_offers_the_value_in_the_readers_language(cast, signed_in_client):
    from django.utils import translation

    from harborlight.cases.forms import PersonForm

    _add(signed_in_client(cast.role("administrator")))
    person = Person(organisation=cast.own, case=cast.own_case)
    with translation.override("es"):
        offered = dict(PersonForm(instance=person).fields["types_of_exploitation"].choices)
    assert offered["x-forced-criminal"] == "Criminalidad forzada (centros de estafa)"
    other = Person(organisation=cast.other, case=cast.other_case)
    assert "x-forced-criminal" not in dict(
        PersonForm(instance=other).fields["types_of_exploitation"].choices)


def test_de_identified_records_carry_the_mapped_htcds_value(cast, signed_in_client):
    from harborlight.insights.records import victim_records

    _add(signed_in_client(cast.role("administrator")))
    code = LocalValue.objects.get().code
    Person.objects.create(organisation=cast.own, case=cast.own_case, role=PersonRole.VICTIM,
                          first_name="Mai", types_of_exploitation=[code, "ForcedLabour"])
    kinds = [r["vic_TypeOfExploitation"] for r in victim_records(cast.own)]
    assert ["Other", "ForcedLabour"] in kinds and not any(code in k for k in kinds)
