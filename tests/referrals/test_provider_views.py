"""Directory pages for administrators: add, edit and import, with per-field messages."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from harborlight.accounts.models import Role
from harborlight.referrals.models import ServiceProvider
from tests_support import assert_audited, assert_trail, audit_mark


def test_it_adds_a_provider_and_places_it_by_zip_code(cast, signed_in_client):
    client = signed_in_client(cast.role(Role.ADMINISTRATOR))
    response = client.post("/directory/providers/new/", {
        "name": "Lone Star Legal", "services": ["legal", "immigration"], "languages": ["es"],
        "postal_code": "77002", "partner": cast.other.pk})
    assert response.status_code == 302
    entry = ServiceProvider.objects.get()
    assert entry.organisation == cast.own and entry.partner == cast.other
    assert sorted(entry.services) == ["immigration", "legal"]
    assert entry.latitude is not None and 29 < entry.latitude < 30
    assert_audited("create", entry)


def test_it_explains_bad_input_per_field_and_saves_nothing(cast, signed_in_client):
    client = signed_in_client(cast.role(Role.ADMINISTRATOR))
    response = client.post("/directory/providers/new/", {
        "name": "", "email": "nope", "latitude": "95", "services": ["teleportation"],
        "partner": cast.own.pk})
    assert response.status_code == 400
    content = response.content.decode()
    for message in ("This field is required", "Enter a valid email address",
                    "Give both latitude and longitude", "Select a valid choice"):
        assert message in content
    assert not ServiceProvider.objects.exists()


def test_it_edits_only_the_organisations_own_entries(cast, signed_in_client):
    theirs = ServiceProvider.objects.create(organisation=cast.other, name="Theirs")
    ours = ServiceProvider.objects.create(organisation=cast.own, name="Ours")
    client = signed_in_client(cast.role(Role.ADMINISTRATOR))
    assert client.get(f"/directory/providers/{theirs.pk}/").status_code == 404
    response = client.post(f"/directory/providers/{ours.pk}/", {"name": "Ours, renamed"})
    assert response.status_code == 302
    assert ServiceProvider.objects.get(pk=ours.pk).name == "Ours, renamed"
    assert_audited("update", ours)


def test_it_keeps_caseworkers_out_of_directory_editing(cast, signed_in_client):
    client = signed_in_client(cast.role(Role.CASEWORKER))
    assert client.get("/directory/providers/new/").status_code == 403
    assert client.get("/directory/providers/import/").status_code == 403


def test_it_imports_a_file_and_lists_row_errors_on_the_page(cast, signed_in_client):
    client = signed_in_client(cast.role(Role.ADMINISTRATOR))
    bad = SimpleUploadedFile("d.csv", b"name,services\nGood,shelter\n,flying\n", "text/csv")
    response = client.post("/directory/providers/import/", {"file": bad})
    assert response.status_code == 400
    content = response.content.decode()
    assert "Nothing was imported" in content and "<td>3</td><td>services</td>" in content
    assert not ServiceProvider.objects.exists()
    good = SimpleUploadedFile("d.csv", b"name,services,postal_code\nGood,shelter,77002\n",
                              "text/csv")
    mark = audit_mark()
    response = client.post("/directory/providers/import/", {"file": good})
    assert response.status_code == 302
    assert ServiceProvider.objects.get().name == "Good"
    [entry] = assert_audited("create", object_type="referrals.serviceprovider", since=mark)
    assert entry.details == {"import": True, "created": 1, "updated": 0}


def test_it_removes_an_entry_and_keeps_the_referrals_sent_to_it(cast, signed_in_client,
                                                                give_consent):
    from harborlight.consent.models import ConsentPurpose
    from harborlight.referrals.models import Referral
    from harborlight.referrals.sending import send

    entry = ServiceProvider.objects.create(organisation=cast.own, name="Closing Clinic")
    give_consent(ConsentPurpose.REFERRAL, [])
    referral = send(cast.own_case, by=cast.role(Role.CASEWORKER), provider=entry,
                    reason="Other")
    client = signed_in_client(cast.role(Role.ADMINISTRATOR))
    assert client.get(f"/directory/providers/{entry.pk}/delete/").status_code == 200
    assert ServiceProvider.objects.filter(pk=entry.pk).exists(), "GET only asks"
    mark = audit_mark()
    response = client.post(f"/directory/providers/{entry.pk}/delete/")
    assert response.status_code == 302
    assert_trail(mark, ("delete", entry))
    assert not ServiceProvider.objects.filter(pk=entry.pk).exists()
    kept = Referral.objects.get(pk=referral.pk)
    assert kept.provider is None and kept.recipient_name == "Closing Clinic"
    theirs = ServiceProvider.objects.create(organisation=cast.other, name="Theirs")
    assert client.post(f"/directory/providers/{theirs.pk}/delete/").status_code == 404
