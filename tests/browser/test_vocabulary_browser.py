"""An administrator adds a picklist value in Chromium, a caseworker uses it on a person of
a case, and the HTCDS export writes it as the HTCDS value it maps to, saying so. With
HARBORLIGHT_TOUR_DIR set, the pages are saved as screenshots (docs/vocabularies.md)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from harborlight.accounts.models import Role
from harborlight.cases.models import LocalValue, Person, PersonRole
from harborlight.cli import app

pytestmark = pytest.mark.browser


def _save(site, name: str, part: str = "") -> None:
    folder = os.environ.get("HARBORLIGHT_TOUR_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        path = str(Path(folder) / f"{name}.png")
        if part:  # one field of a long form
            site.page.locator("div.field", has_text=part).first.screenshot(path=path)
        else:
            site.page.screenshot(path=path, full_page=True)


def test_a_value_added_is_used_on_a_case_and_exported_mapped(signed_in, cast, tmp_path):
    admin = signed_in(cast.role(Role.ADMINISTRATOR))
    admin.goto("/vocabularies/")
    admin.page.get_by_label("Picklist").select_option("vic_TypeOfExploitation")
    admin.page.get_by_label("Nearest HTCDS value (written by exports)").select_option(
        "Other")
    admin.submit("Add value", status=200, Words_in_English="Forced criminality (scam "
                 "compounds)", Words_in_Spanish="Criminalidad forzada (centros de estafa)")
    assert "Added “Forced criminality (scam compounds)”" in admin.text()
    value = LocalValue.objects.get()
    _save(admin, "vocabulary")

    person = Person.objects.create(organisation=cast.own, case=cast.own_case,
                                   role=PersonRole.VICTIM, first_name="Mai",
                                   second_name="Example")
    caseworker = signed_in(cast.role(Role.CASEWORKER))
    caseworker.goto(f"/cases/{cast.own_case.reference}/people/{person.pk}/edit/")
    caseworker.page.get_by_label("Forced criminality (scam compounds)").check()
    caseworker.page.get_by_label("Forced labour", exact=True).check()
    _save(caseworker, "vocabulary-person-form", part="Types of exploitation")
    caseworker.submit("Save", status=200)
    person.refresh_from_db()
    assert sorted(person.types_of_exploitation) == sorted(["ForcedLabour", value.code])
    caseworker.goto(f"/cases/{cast.own_case.reference}/people/{person.pk}/")
    assert "Forced criminality (scam compounds)" in caseworker.text()
    assert value.code not in caseworker.text()  # words, never the code

    out = tmp_path / "cases.json"
    result = CliRunner().invoke(app, ["export", "htcds", "--out", str(out),
                                      "--organisation", "own", "--reason", "test"])
    assert result.exit_code == 0, result.output
    assert "mapped vic_TypeOfExploitation: “Forced criminality (scam compounds)” " \
           "(x-forced-criminal) written as Other, 1 time" in result.output
    (mai,) = [r for r in json.loads(out.read_text())["records"] if r["prs_FirstName"] == "Mai"]
    assert sorted(mai["vic_TypeOfExploitation"].split(";")) == ["ForcedLabour", "Other"]
