"""Administrators add their organisation's own XLSForms (checked with pyxform, every
problem by sheet and row, every version kept) and choose what interviews become."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from harborlight.accounts.tokens import create_token
from harborlight.fieldintake.models import Arrival, IntakeSetting, OrganisationForm
from harborlight.intake.models import Tip
from openrosa_client import instance_xml
from tests_support import assert_trail, audit_mark
from xlsform_support import SURVEY, xlsform

PAGE = "/field-intake/"
def _zip_without_workbook() -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "a zip, not a workbook")
    return buffer.getvalue()


def _form_list(client, cast, user) -> str:
    token = create_token(user)
    reply = client.get(f"/openrosa/{cast.own.slug}/formList",
                       HTTP_AUTHORIZATION=f"Bearer {token}")
    assert reply.status_code == 200
    return reply.content.decode()


def test_it_adds_a_form_then_a_new_version_and_serves_the_newest(cast, signed_in_client,
                                                                   client):
    administrator = cast.role("administrator")
    admin = signed_in_client(administrator)
    page = admin.get(PAGE)
    assert page.status_code == 200
    assert f"/openrosa/{cast.own.slug}" in page.content.decode()
    mark = audit_mark()
    assert admin.post(PAGE, {"file": xlsform()}).status_code == 302
    first = OrganisationForm.objects.get()
    assert (first.form_id, first.version, first.title, first.uploaded_by) == (
        "shelter_walk", "2026120701", "Shelter outreach walk", administrator)
    assert "<prs_First_Name/>" in first.xform and 'version="2026120701"' in first.xform
    assert_trail(mark, ("create", first))
    assert admin.post(PAGE, {"file": xlsform(version="2026120702")}).status_code == 302
    assert OrganisationForm.objects.count() == 2  # the first version is kept
    listing = _form_list(client, cast, cast.role("hotline_operator"))
    assert "<formID>shelter_walk</formID>" in listing and "2026120702" in listing
    assert "2026120701" not in listing and "<formID>htcds_intake</formID>" in listing
    text = admin.get(PAGE).content.decode()
    assert "2026120701" in text and "Kept: submissions made with it are still taken" in text

    # A phone that still holds the first version sends an interview: it is taken.
    operator = cast.role("hotline_operator")
    instance = instance_xml(form_id="shelter_walk", version="2026120701",
                            instance_id="uuid:walk-1", narrative="Two girls sleep in the van.",
                            danger_now="no", prs_First_Name="Lia")
    reply = client.post(f"/openrosa/{cast.own.slug}/submission",
                        {"xml_submission_file": SimpleUploadedFile("s.xml", instance)},
                        HTTP_AUTHORIZATION=f"Bearer {create_token(operator)}")
    assert reply.status_code == 201, reply.content
    assert Tip.objects.get(logged_by=operator).narrative == "Two girls sleep in the van."


def test_it_lists_every_problem_by_sheet_and_row_and_adds_nothing(cast, signed_in_client):
    admin = signed_in_client(cast.role("administrator"))
    survey = [["type", "name", "label"],
              ["text", "what happened", "What happened?"],
              ["select_one colours", "colour", "Colour"],
              ["integer", "", "How many?"],
              ["text", "colour", "Colour again"]]
    mark = audit_mark()
    reply = admin.post(PAGE, {"file": xlsform(survey, version="")})
    text = reply.content.decode()
    assert reply.status_code == 400
    assert "the file has 6 problems" in text
    for sheet, row, words in (
            ("survey", 2, "cannot be a question name"),
            ("survey", 3, "The list “colours” is not on the choices sheet."),
            ("survey", 4, "row has no name"),
            ("survey", 5, "already used on row 3"),
            ("survey", "", "needs a text question named “narrative”"),
            ("settings", 2, "Give the form a version")):
        assert f"<tr><td>{sheet}</td><td>{row}</td><td>" in text and words in text, words
    assert not OrganisationForm.objects.exists()
    assert_trail(mark)


def test_it_shows_pyxforms_own_error_with_its_row_and_refuses_other_files(
        cast, signed_in_client):
    admin = signed_in_client(cast.role("administrator"))
    unclosed = SURVEY[:-1]  # begin group without its end group: pyxform finds it
    reply = admin.post(PAGE, {"file": xlsform(unclosed)})
    assert reply.status_code == 400
    assert "<tr><td>survey</td><td>5</td><td>Unmatched &#x27;begin_group&#x27;" in \
        reply.content.decode()
    for upload, words in (
            (SimpleUploadedFile("form.csv", b"type,name\n"), "as an .xlsx file"),
            (SimpleUploadedFile("form.xlsx", b"not a zip"), "not a readable .xlsx"),
            (SimpleUploadedFile("form.xlsx", _zip_without_workbook()), "not a readable .xlsx"),
            (xlsform(form_id="htcds_intake"), "own HTCDS form; give yours another")):
        reply = admin.post(PAGE, {"file": upload})
        assert reply.status_code == 400 and words in reply.content.decode(), words
    assert admin.post(PAGE, {"file": xlsform()}).status_code == 302
    again = admin.post(PAGE, {"file": xlsform()})
    assert again.status_code == 400 and "is already here; raise the version" in \
        again.content.decode()
    assert OrganisationForm.objects.count() == 1


def test_it_sets_what_interviews_become_audited(cast, signed_in_client):
    admin = signed_in_client(cast.role("administrator"))
    mark = audit_mark()
    reply = admin.post("/field-intake/arrival/", {"arrives_as": Arrival.CASE})
    assert reply.status_code == 302
    setting = IntakeSetting.objects.get(organisation=cast.own)
    assert setting.arrives_as == Arrival.CASE
    assert IntakeSetting.arrival_for(cast.other) == Arrival.TIP
    assert_trail(mark, ("update", setting))
    assert admin.post("/field-intake/arrival/", {"arrives_as": "parcel"}).status_code == 400


def test_it_refuses_the_page_to_roles_without_catalog_manage(cast, signed_in_client):
    for role in ("caseworker", "supervisor", "hotline_operator", "analyst", "auditor"):
        member = signed_in_client(cast.role(role))
        assert member.get(PAGE).status_code == 403
        assert member.post(PAGE, {"file": xlsform()}).status_code == 403
        assert member.post("/field-intake/arrival/", {"arrives_as": "case"}).status_code == 403
    assert not OrganisationForm.objects.exists() and not IntakeSetting.objects.exists()
