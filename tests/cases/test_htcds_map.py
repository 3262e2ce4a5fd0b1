"""Every HTCDS v2.0 field has a home in the models, read from the package's own data."""

from __future__ import annotations

import json

import pytest
from django.apps import apps

from harborlight.cases.htcds_map import htcds_map, parse_map
from harborlight.security.fields import EncryptedMixin
from harborlight.vocab.loader import VocabularyError, htcds_fields

IDENTIFYING = {"prs_FirstName", "prs_MiddleName", "prs_SecondName", "prs_Birthdate",
               "prs_IdentityNumber", "prs_Email", "prs_HomePhone", "prs_MobilePhone",
               "prs_MailingStreet", "prs_MailingCity", "prs_MailingPostalCode",
               "prs_MailingLatitude", "prs_MailingLongitude", "vic_LocationOfRecruitment",
               "vic_LocationOfExploitation", "cco_CaseComment", "hte_Street",
               "hte_Description", "spl_Objectives", "cas_ReferringPrimaryCaseWorker"}


def test_it_lists_all_83_fields_of_the_standard_in_ten_sections():
    fields = htcds_fields()
    assert len(fields) == 83
    assert len({f["section"] for f in fields}) == 10


@pytest.mark.parametrize("field", [f["field"] for f in htcds_fields()])
def test_it_gives_every_htcds_field_a_home(field):
    home = htcds_map().get(field)
    assert home is not None, f"{field} has no home in cases/data/htcds_map.json"
    model = apps.get_model(home.model)
    model._meta.get_field(home.field)  # raises FieldDoesNotExist if the home is missing


def test_it_gives_no_two_fields_the_same_home():
    homes = [(h.model, h.field) for h in htcds_map().values()]
    duplicates = {h for h in homes if homes.count(h) > 1}
    assert not duplicates


@pytest.mark.parametrize("field", sorted(IDENTIFYING))
def test_it_encrypts_identifying_fields(field):
    home = htcds_map()[field]
    assert isinstance(apps.get_model(home.model)._meta.get_field(home.field), EncryptedMixin)


def test_it_rejects_a_map_naming_a_field_that_is_not_in_the_standard():
    text = json.dumps({"format": "harborlight-htcds-map", "version": 1,
                       "map": {"prs_ShoeSize": {"model": "cases.Person", "field": "gender",
                                                "kind": "text"}}})
    with pytest.raises(VocabularyError, match="prs_ShoeSize"):
        parse_map(text)


def test_it_rejects_an_unknown_kind():
    text = json.dumps({"format": "harborlight-htcds-map", "version": 1,
                       "map": {"prs_Gender": {"model": "cases.Person", "field": "gender",
                                              "kind": "colour"}}})
    with pytest.raises(VocabularyError, match="unknown kind"):
        parse_map(text)
