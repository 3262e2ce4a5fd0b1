"""An organisation's own picklist values are its own: another organisation's code is
refused on every path that writes a person, with a clear message and nothing written
(issue 17)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from harborlight.cases.models import LocalValue, Person, PersonRole


def _value(organisation, code="x-forced-criminal", maps_to="ForcedLabour"):
    return LocalValue.objects.create(
        organisation=organisation, field="vic_TypeOfExploitation", code=code,
        label_en="Forced criminality", label_es="Criminalidad forzada", maps_to=maps_to)


def _person(cast, organisation=None, case=None, **fields):
    return Person(organisation=organisation or cast.own, case=case or cast.own_case,
                  role=PersonRole.VICTIM, first_name="Mai", **fields)


def test_another_organisations_code_is_refused_by_clean_and_by_save(cast):
    _value(cast.other)  # the other organisation's own value, not ours
    before = Person.objects.count()
    person = _person(cast, types_of_exploitation=["ForcedLabour", "x-forced-criminal"])
    with pytest.raises(ValidationError) as refused:
        person.full_clean()
    assert refused.value.message_dict == {"types_of_exploitation": [
        "not a value of this organisation's vic_TypeOfExploitation picklist: "
        "x-forced-criminal"]}
    with pytest.raises(ValidationError, match="not a value of this organisation"):
        person.save()  # paths that never call full_clean (API, scripts) too
    assert Person.objects.count() == before, "nothing written"
    existing = Person.objects.filter(organisation=cast.own).first()
    existing.types_of_exploitation = ["x-forced-criminal"]
    with pytest.raises(ValidationError):
        existing.save()
    existing.refresh_from_db()
    assert "x-forced-criminal" not in existing.types_of_exploitation


def test_the_organisations_own_code_passes_and_single_values_are_checked_too(cast):
    _value(cast.own)
    person = _person(cast, types_of_exploitation=["x-forced-criminal"])
    person.full_clean()
    person.save()
    assert Person.objects.get(pk=person.pk).types_of_exploitation == ["x-forced-criminal"]
    LocalValue.objects.create(organisation=cast.other, field="prs_Gender", code="x-two",
                              label_en="Two-spirit", label_es="Dos espíritus",
                              maps_to="Other")
    with pytest.raises(ValidationError) as refused:
        _person(cast, gender="x-two").save()
    assert list(refused.value.message_dict) == ["gender"]


def test_a_code_nobody_added_is_still_refused_by_the_field(cast):
    with pytest.raises(ValidationError, match="not a vic_TypeOfExploitation code"):
        _person(cast, types_of_exploitation=["x-made-up"]).full_clean()


def test_the_api_answers_a_refused_person_with_400_naming_the_field(cast, rf):
    """No API endpoint writes a person today (cases are opened, referrals turned into
    cases); any that does answers the model's refusal as the API's one error shape."""
    import json

    from harborlight.web.api import on_model_validation_error

    _value(cast.other)
    try:
        _person(cast, types_of_exploitation=["x-forced-criminal"]).save()
    except ValidationError as refused:
        reply = on_model_validation_error(rf.post("/api/v1/cases"), refused)
    assert reply.status_code == 400
    assert json.loads(reply.content) == {"errors": [{
        "field": "types_of_exploitation",
        "message": "not a value of this organisation's vic_TypeOfExploitation picklist: "
                   "x-forced-criminal"}]}
