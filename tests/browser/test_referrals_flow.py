"""Referrals in the browser: refer a case to a second organisation, which accepts it and
sees only the fields the survivor consented to share; and every directory and referral
page through the page guards (axe-core, no third-party requests, no CSP violations)."""

from __future__ import annotations

import pytest

from harborlight.accounts.models import Role
from harborlight.consent.models import Consent, ConsentMethod, ConsentPurpose
from harborlight.referrals.models import Referral, ServiceProvider

pytestmark = pytest.mark.browser

WITHHELD = ["Quintero-Vance", "555-0143", "Own case summary", "First meeting went well."]


@pytest.fixture
def partner(cast):
    return ServiceProvider.objects.create(
        organisation=cast.own, name="Other Shelter intake", partner=cast.other,
        services=["shelter", "legal"], languages=["en", "es"], populations=["adults"],
        city="Houston", state="TX", postal_code="77002", latitude=29.7594,
        longitude=-95.3594, phone="+1 713-555-0120")


def consent(cast, purpose, fields):
    return Consent.objects.create(
        organisation=cast.own, case=cast.own_case, purpose=purpose, fields_allowed=fields,
        method=ConsentMethod.WRITTEN, retention_explained=True, withdrawal_explained=True,
        recipient_kind="any", recorded_by=cast.role(Role.CASEWORKER))


def choose_provider(site, case, provider_name: str, kind: str = "refer"):
    """Step one of sending: choosing from the directory submits the choice (script), and
    the page that follows says what the consent on file allows."""
    site.goto(f"/directory/cases/{case.reference}/{kind}/")
    select = site.page.locator("select[name=provider]")
    option = select.locator("option", has_text=provider_name).first.get_attribute("value")
    with site.page.expect_navigation():
        select.select_option(option)
    site.check_accessibility()


def send_referral(site, case, provider_name: str):
    choose_provider(site, case, provider_name)
    page = site.page
    page.get_by_label("Reason for referral").select_option("AdditionalServicesRequired")
    page.get_by_label("Shelter and housing").check()
    page.get_by_label("Arrangements and logistics").fill("Arrives by bus at 6 pm.")
    return site.submit("Send the referral")


def test_it_refers_to_a_second_organisation_which_accepts_and_sees_only_consented_fields(
        signed_in, cast, partner):
    consent(cast, ConsentPurpose.REFERRAL, ["prs_FirstName"])
    sender = signed_in(cast.role(Role.CASEWORKER))
    send_referral(sender, cast.own_case, "Other Shelter intake")
    referral = Referral.objects.get()
    assert sender.path == f"/directory/referrals/{referral.reference}/"
    assert "Waiting for an answer" in sender.text() and "First name" in sender.text()

    receiver = signed_in(cast.outsiders[Role.CASEWORKER])
    receiver.goto("/directory/referrals/?box=incoming")
    with receiver.page.expect_navigation():
        receiver.page.get_by_role("link", name=referral.reference).click()
    receiver.check_accessibility()
    shown = receiver.page.content()
    assert "Marisol" in receiver.text() and "Own Hotline" in receiver.text()
    for value in WITHHELD + [cast.own_case.reference]:
        assert value not in shown, f"{value!r} was not consented but reached the receiver"
    receiver.page.get_by_label("Accept").check()
    receiver.page.get_by_label("Note to the sender").fill("Bed ready from 6 pm.")
    receiver.submit("Save the answer", status=200)
    assert "Accepted" in receiver.text()
    receiver.goto(f"/cases/{cast.own_case.reference}/", status=404)
    receiver.goto(f"/directory/referrals/{referral.reference}/")
    receiver.submit("Open a case from this referral", status=200)
    referral.refresh_from_db()
    assert receiver.path == f"/cases/{referral.received_case.reference}/"
    assert "Marisol" in receiver.text()
    for value in WITHHELD:
        assert value not in receiver.page.content()

    sender.goto(f"/directory/referrals/{referral.reference}/")
    assert "Accepted" in sender.text() and "Bed ready from 6 pm." in sender.text()
    sender.goto("/directory/referrals/")
    assert "Accepted" in sender.text()


def test_it_refuses_to_refer_without_consent_and_says_why(signed_in, cast, partner):
    site = signed_in(cast.role(Role.CASEWORKER))
    choose_provider(site, cast.own_case, "Other Shelter intake")
    assert "No consent on file covers sending this case to Other Shelter" in site.text()
    assert site.page.get_by_role("button", name="Send the referral").count() == 0
    assert site.page.get_by_role("link", name="Record the survivor's consent for Other "
                                               "Shelter").is_visible()
    assert not Referral.objects.exists()


def test_it_prints_a_letter_for_an_outside_provider(signed_in, cast):
    ServiceProvider.objects.create(organisation=cast.own, name="Bayou Community Clinic",
                                   services=["medical"], city="Houston", state="TX",
                                   postal_code="77004", phone="+1 713-555-0155")
    consent(cast, ConsentPurpose.REFERRAL, ["prs_FirstName"])
    site = signed_in(cast.role(Role.CASEWORKER))
    send_referral(site, cast.own_case, "Bayou Community Clinic")
    with site.page.expect_navigation():
        site.page.get_by_role("link", name="printable letter").click()
    site.check_accessibility()
    site.page.emulate_media(media="print")
    assert not site.page.locator("header.site-header").is_visible(), "print hides navigation"
    letter = site.text(".letter")
    assert "CONFIDENTIAL REFERRAL" in letter.upper() and "Marisol" in letter
    for value in WITHHELD:
        assert value not in letter


def test_it_serves_the_directory_pages_accessibly(signed_in, cast, partner):
    admin = signed_in(cast.role(Role.ADMINISTRATOR))
    admin.goto("/directory/?near=Houston%2C+TX&radius=25&service=shelter")
    assert "Other Shelter intake" in admin.text() and " mi" in admin.text()
    admin.goto("/directory/?near=Qwertyville", status=400)
    assert "No US city called" in admin.text()
    admin.goto("/directory/providers/new/")
    admin.submit("Save", status=400, Name="", Email="not-an-email")
    assert "This field is required" in admin.text()
    admin.goto(f"/directory/providers/{partner.pk}/")
    admin.goto(f"/directory/providers/{partner.pk}/delete/")
    admin.goto("/directory/providers/import/")
    admin.page.get_by_label("CSV file").set_input_files(files=[{
        "name": "d.csv", "mimeType": "text/csv",
        "buffer": b"name,services\nGood,shelter\n,flying\n"}])
    admin.submit("Import", status=400)
    assert "Nothing was imported" in admin.text()

    consent(cast, ConsentPurpose.TRANSFER, [])
    supervisor = signed_in(cast.role(Role.SUPERVISOR))
    choose_provider(supervisor, cast.own_case, "Other Shelter intake", kind="transfer")
    supervisor.page.get_by_label("Reason for referral").select_option("Other")
    supervisor.submit("Send the transfer", status=200)
    assert "Transfer of the whole case" in supervisor.text()
    supervisor.goto("/directory/referrals/?box=outgoing")

    partner_supervisor = signed_in(cast.outsiders[Role.SUPERVISOR])
    transfer = Referral.objects.get(kind="transfer")
    partner_supervisor.goto(f"/directory/referrals/{transfer.reference}/")
    assert "Quintero-Vance" in partner_supervisor.text(), "a transfer carries the whole case"
    partner_supervisor.page.get_by_label("Accept").check()
    partner_supervisor.submit("Save the answer", status=200)
    transfer.refresh_from_db()
    assert partner_supervisor.path == f"/cases/{transfer.received_case.reference}/"
    assert "Marisol" in partner_supervisor.text()
    supervisor.goto(f"/cases/{cast.own_case.reference}/")
    assert "Closed, referred" in supervisor.text(), "the sender keeps a closed record"
