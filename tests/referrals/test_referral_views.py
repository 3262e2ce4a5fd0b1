"""Referral pages: send from a case, receive, answer, status back to the sender, letter."""

from __future__ import annotations

import pytest

from harborlight.accounts.models import Role
from harborlight.cases.models import Case, CaseStatus
from harborlight.consent.models import ConsentPurpose
from harborlight.referrals.models import Referral, ReferralStatus
from tests_support import assert_audited, assert_trail, audit_mark


def post_referral(client, case, entry, **extra):
    data = {"provider": entry.pk, "reason": "AdditionalServicesRequired",
            "services": ["shelter"], "details": "Arrives by bus at 6 pm.", **extra}
    return client.post(f"/directory/cases/{case.reference}/refer/", data)


def test_it_shows_the_consent_on_file_before_sending(cast, signed_in_client, partner_entry,
                                                     give_consent):
    give_consent(ConsentPurpose.REFERRAL, ["prs_FirstName"], recipient="Other Shelter")
    client = signed_in_client(cast.role(Role.CASEWORKER))
    mark = audit_mark()
    response = client.get(f"/directory/cases/{cast.own_case.reference}/refer/")
    assert response.status_code == 200
    assert_trail(mark)  # the form is not a read of the case, nor an act
    content = response.content.decode()
    assert "To Other Shelter, recorded" in content and "Who they are: First name." in content
    assert "prs_FirstName" not in content


def test_it_explains_why_a_consent_does_not_cover_the_chosen_provider(
        cast, signed_in_client, partner_entry, give_consent):
    """The dead end of issue 11: a name typed by hand against the directory's entry."""
    give_consent(ConsentPurpose.REFERRAL, ["prs_FirstName"], recipient="Other Shelter intke")
    client = signed_in_client(cast.role(Role.CASEWORKER))
    page = client.get(f"/directory/cases/{cast.own_case.reference}/refer/",
                      {"provider": partner_entry.pk}).content.decode()
    assert "No consent on file covers sending this case to Other Shelter." in page
    assert "typed by hand, not Other Shelter" in page
    assert "Send the referral" not in page
    record = (f"/cases/{cast.own_case.reference}/consents/new/?purpose=referral&amp;"
              f"recipient=provider%3A{partner_entry.pk}&amp;then=send")
    assert record in page


def test_it_records_consent_from_the_referral_page_and_comes_back_covered(
        cast, signed_in_client, partner_entry):
    client = signed_in_client(cast.role(Role.CASEWORKER))
    person = cast.own_case.persons.get()
    address = (f"/cases/{cast.own_case.reference}/consents/new/?purpose=referral&"
               f"recipient=provider%3A{partner_entry.pk}&then=send")
    form = client.get(address).content.decode()
    assert f'value="provider:{partner_entry.pk}" selected' in form
    response = client.post(address, {
        "person": person.pk, "purpose": "referral",
        "recipient_choice": f"provider:{partner_entry.pk}",
        "fields_allowed": ["prs_FirstName", "prs_MobilePhone"], "method": "verbal",
        "retention_explained": "on", "withdrawal_explained": "on"})
    assert response.status_code == 302
    assert response["Location"] == (f"/directory/cases/{cast.own_case.reference}/refer/"
                                    f"?provider={partner_entry.pk}")
    page = client.get(response["Location"]).content.decode()
    assert "Covered: the consent recorded on" in page and "Send the referral" in page
    assert "Who they are: First name. Contact details: Mobile phone." in page


def test_it_refuses_to_send_without_consent_with_a_message_on_the_form(
        cast, signed_in_client, partner_entry):
    client = signed_in_client(cast.role(Role.CASEWORKER))
    mark = audit_mark()
    response = post_referral(client, cast.own_case, partner_entry)
    assert response.status_code == 400
    assert_trail(mark)
    assert "No active consent for referral to another service to Other Shelter" in \
        response.content.decode()
    assert "Record the survivor's consent for Other Shelter" in response.content.decode()
    assert not Referral.objects.exists()


@pytest.mark.parametrize("data, message", [
    ({"provider": ""}, "This field is required"),
    ({"reason": "Whim"}, "Select a valid choice"),
    ({"services": ["teleportation"]}, "Select a valid choice"),
    ({"details": "x" * 5001}, "at most 5000 characters"),
])
def test_it_explains_bad_input_per_field_and_saves_nothing(cast, signed_in_client,
                                                          partner_entry, give_consent,
                                                          data, message):
    give_consent(ConsentPurpose.REFERRAL, [])
    response = post_referral(signed_in_client(cast.role(Role.CASEWORKER)), cast.own_case,
                             partner_entry, **data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Referral.objects.exists()


def test_it_offers_only_the_users_directory(cast, signed_in_client, give_consent):
    from harborlight.referrals.models import ServiceProvider

    foreign = ServiceProvider.objects.create(organisation=cast.other, name="Their entry")
    give_consent(ConsentPurpose.REFERRAL, [])
    response = post_referral(signed_in_client(cast.role(Role.CASEWORKER)), cast.own_case,
                             foreign)
    assert response.status_code == 400
    assert not Referral.objects.exists()


def test_it_sends_and_the_receiver_sees_only_the_consented_fields_and_accepts(
        cast, signed_in_client, partner_entry, give_consent):
    give_consent(ConsentPurpose.REFERRAL, ["prs_FirstName"])
    sender = signed_in_client(cast.role(Role.CASEWORKER))
    mark = audit_mark()
    response = post_referral(sender, cast.own_case, partner_entry)
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/directory/referrals/{referral.reference}/"
    # One POST, one act: the disclosure on the case and the referral it created (this
    # used to write five entries: a read, two creates, the disclosure and an update).
    assert_trail(mark, ("disclose", cast.own_case), ("create", referral))

    receiver = signed_in_client(cast.outsiders[Role.CASEWORKER])
    inbox = receiver.get("/directory/referrals/", {"box": "incoming"}).content.decode()
    assert referral.reference in inbox
    page = receiver.get(f"/directory/referrals/{referral.reference}/").content.decode()
    assert "Marisol" in page and "First name" in page and "prs_FirstName" not in page
    for withheld in ("Quintero-Vance", "555-0143", "Own case summary", "First meeting",
                     cast.own_case.reference):
        assert withheld not in page
    assert receiver.get(f"/cases/{cast.own_case.reference}/").status_code == 404

    mark = audit_mark()
    answer = receiver.post(f"/directory/referrals/{referral.reference}/respond/",
                           {"decision": "accepted", "note": "Bed ready."})
    assert answer.status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    assert_trail(mark, ("update", referral))
    assert_audited("read", referral)  # the receiver's one look at the detail page
    back = sender.get(f"/directory/referrals/{referral.reference}/").content.decode()
    assert "Accepted" in back and "Bed ready." in back and str(cast.outsiders[
        Role.CASEWORKER]) in back


def test_it_does_not_let_the_sender_answer_its_own_internal_referral(
        cast, signed_in_client, partner_entry, give_consent):
    give_consent(ConsentPurpose.REFERRAL, [])
    sender = signed_in_client(cast.role(Role.CASEWORKER))
    post_referral(sender, cast.own_case, partner_entry)
    referral = Referral.objects.get()
    response = sender.post(f"/directory/referrals/{referral.reference}/respond/",
                           {"decision": "accepted"})
    assert response.status_code == 403
    assert Referral.objects.get().status == ReferralStatus.SENT


def test_it_refuses_an_answer_that_does_not_fit_the_status(cast, signed_in_client,
                                                          partner_entry, give_consent):
    give_consent(ConsentPurpose.REFERRAL, [])
    post_referral(signed_in_client(cast.role(Role.CASEWORKER)), cast.own_case, partner_entry)
    referral = Referral.objects.get()
    receiver = signed_in_client(cast.outsiders[Role.CASEWORKER])
    response = receiver.post(f"/directory/referrals/{referral.reference}/respond/",
                             {"decision": "completed"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert Referral.objects.get().status == ReferralStatus.SENT


def test_it_prints_a_letter_for_an_outside_provider_with_consented_fields_only(
        cast, signed_in_client, outside_entry, give_consent):
    give_consent(ConsentPurpose.REFERRAL, ["prs_FirstName"])
    sender = signed_in_client(cast.role(Role.CASEWORKER))
    post_referral(sender, cast.own_case, outside_entry)
    referral = Referral.objects.get()
    detail = sender.get(f"/directory/referrals/{referral.reference}/").content.decode()
    assert "printable letter" in detail and "Record the provider" in detail
    letter = sender.get(f"/directory/referrals/{referral.reference}/letter/")
    content = letter.content.decode()
    assert letter.status_code == 200
    assert "Confidential referral" in content and "Bayou Community Clinic" in content
    assert "Marisol" in content and "Arrives by bus" in content
    assert "Quintero-Vance" not in content and "555-0143" not in content
    assert "referrals/referrals.css" in content
    receiver = signed_in_client(cast.outsiders[Role.CASEWORKER])
    assert receiver.get(f"/directory/referrals/{referral.reference}/letter/").status_code == 404


def test_it_transfers_a_case_through_the_pages(cast, signed_in_client, partner_entry,
                                               give_consent):
    give_consent(ConsentPurpose.TRANSFER, [])
    supervisor = signed_in_client(cast.role(Role.SUPERVISOR))
    response = supervisor.post(f"/directory/cases/{cast.own_case.reference}/transfer/",
                               {"provider": partner_entry.pk, "reason": "Other"})
    assert response.status_code == 302
    referral = Referral.objects.get()
    receiver = signed_in_client(cast.outsiders[Role.SUPERVISOR])
    answer = receiver.post(f"/directory/referrals/{referral.reference}/respond/",
                           {"decision": "accepted"})
    referral.refresh_from_db()
    assert answer["Location"] == f"/cases/{referral.received_case.reference}/"
    assert Case.objects.get(pk=cast.own_case.pk).status == CaseStatus.CLOSED_REFERRED


def test_it_refuses_transfers_to_caseworkers(cast, signed_in_client):
    response = signed_in_client(cast.role(Role.CASEWORKER)).get(
        f"/directory/cases/{cast.own_case.reference}/transfer/")
    assert response.status_code == 403


def test_it_offers_a_panel_for_case_pages(cast, rf, partner_entry, give_consent):
    from django.template import Context, Template

    from harborlight.referrals.sending import send

    give_consent(ConsentPurpose.REFERRAL, [])
    referral = send(cast.own_case, by=cast.role(Role.CASEWORKER), provider=partner_entry,
                    reason="Other")
    request = rf.get("/")
    template = Template("{% load referrals_extras %}{% case_referrals case %}")
    request.user = cast.role(Role.CASEWORKER)
    html = template.render(Context({"request": request, "case": cast.own_case}))
    assert referral.reference in html and "Refer to a service" in html
    assert "Transfer the case" not in html, "caseworkers may not transfer"
    request.user = cast.role(Role.SUPERVISOR)
    html = template.render(Context({"request": request, "case": cast.own_case}))
    assert "Transfer the case" in html


def test_it_stops_showing_the_shared_fields_once_consent_is_withdrawn(
        cast, signed_in_client, partner_entry, give_consent):
    consent = give_consent(ConsentPurpose.REFERRAL, ["prs_FirstName"])
    post_referral(signed_in_client(cast.role(Role.CASEWORKER)), cast.own_case, partner_entry)
    referral = Referral.objects.get()
    receiver = signed_in_client(cast.outsiders[Role.CASEWORKER])
    assert "Marisol" in receiver.get(f"/directory/referrals/{referral.reference}/").content \
        .decode()
    consent.withdraw(by=cast.role(Role.CASEWORKER), note="Asked us to stop.")
    page = receiver.get(f"/directory/referrals/{referral.reference}/").content.decode()
    assert "withdrawn the consent" in page and "Marisol" not in page
    letter = signed_in_client(cast.role(Role.CASEWORKER)).get(
        f"/directory/referrals/{referral.reference}/letter/").content.decode()
    assert "Do not send this letter" in letter


def test_it_keeps_a_restricted_cases_referrals_from_unassigned_teammates(
        cast, signed_in_client, partner_entry, give_consent):
    case = cast.own_restricted_case
    give_consent(ConsentPurpose.REFERRAL, [], case=case)
    post_referral(signed_in_client(cast.role(Role.CASEWORKER)), case, partner_entry)
    referral = Referral.objects.get()
    teammate = signed_in_client(cast.teammate)
    assert referral.reference not in teammate.get("/directory/referrals/?box=outgoing").content.decode()
    assert teammate.get(f"/directory/referrals/{referral.reference}/").status_code == 403
    owner = signed_in_client(cast.role(Role.CASEWORKER))
    assert referral.reference in owner.get("/directory/referrals/?box=outgoing").content.decode()


def test_it_lets_the_receiver_open_a_case_from_an_accepted_referral(
        cast, signed_in_client, partner_entry, give_consent):
    give_consent(ConsentPurpose.REFERRAL, ["prs_FirstName"])
    post_referral(signed_in_client(cast.role(Role.CASEWORKER)), cast.own_case, partner_entry)
    referral = Referral.objects.get()
    receiver_user = cast.outsiders[Role.CASEWORKER]
    receiver = signed_in_client(receiver_user)
    url = f"/directory/referrals/{referral.reference}/open-case/"
    receiver.post(url)
    assert Referral.objects.get().received_case is None, "not before it is accepted"
    receiver.post(f"/directory/referrals/{referral.reference}/respond/",
                  {"decision": "accepted"})
    page = receiver.get(f"/directory/referrals/{referral.reference}/").content.decode()
    assert "Open a case from this referral" in page
    response = receiver.post(url)
    new = Referral.objects.get().received_case
    assert response["Location"] == f"/cases/{new.reference}/"
    assert new.organisation == cast.other and new.owner == receiver_user
    person = new.persons.get()
    assert person.first_name == "Marisol" and person.second_name == ""
    assert new.status == "Active"
    assert Case.objects.get(pk=cast.own_case.pk).status == CaseStatus.ACTIVE, \
        "a referral, unlike a transfer, leaves the sender's case open"
    receiver.post(url)
    assert Case.objects.filter(organisation=cast.other).count() == 2, "only one case"
    sender = signed_in_client(cast.role(Role.CASEWORKER))
    assert sender.post(url).status_code == 403


def test_it_opens_the_referrals_list_on_what_was_received(cast, signed_in_client,
                                                         partner_entry, give_consent):
    from harborlight.referrals.sending import send

    give_consent(ConsentPurpose.REFERRAL, [])
    referral = send(cast.own_case, by=cast.role(Role.CASEWORKER), provider=partner_entry,
                    reason="Other")
    receiver = signed_in_client(cast.outsiders[Role.CASEWORKER])
    page = receiver.get("/directory/referrals/").content.decode()
    assert "Referrals received" in page and referral.reference in page
    sender = signed_in_client(cast.role(Role.CASEWORKER))
    assert referral.reference not in sender.get("/directory/referrals/").content.decode()
    assert referral.reference in sender.get("/directory/referrals/",
                                            {"box": "outgoing"}).content.decode()


@pytest.mark.parametrize("provider", ["999999", "not-a-number"])
def test_it_refuses_a_recipient_outside_the_directory_beside_the_choice(
        cast, signed_in_client, provider):
    from harborlight.referrals.models import ServiceProvider

    theirs = ServiceProvider.objects.create(organisation=cast.other, name="Their entry")
    client = signed_in_client(cast.role(Role.CASEWORKER))
    for chosen in (provider, str(theirs.pk)):
        response = client.get(f"/directory/cases/{cast.own_case.reference}/refer/",
                              {"provider": chosen})
        assert response.status_code == 400
        assert "Select a valid choice" in " ".join(
            response.context["chooser"].errors["provider"])
        assert "Their entry" not in response.content.decode()
