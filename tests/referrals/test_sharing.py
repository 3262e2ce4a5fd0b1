"""The permission hooks: a receiver reads the referral, never the sender's case."""

from __future__ import annotations

import pytest

from harborlight.accounts.models import Role
from harborlight.cases.models import Case
from harborlight.consent.models import ConsentPurpose
from harborlight.referrals.answering import answer
from harborlight.referrals.models import Referral, ReferralStatus
from harborlight.referrals.sending import send
from harborlight.security.permissions import decide, scope


@pytest.fixture
def accepted(cast, caseworker, receiver, partner_entry, give_consent):
    give_consent(ConsentPurpose.REFERRAL, ["prs_FirstName"])
    referral = send(cast.own_case, by=caseworker, provider=partner_entry,
                    reason="AdditionalServicesRequired")
    answer(referral, ReferralStatus.ACCEPTED, by=receiver)
    return referral


@pytest.mark.parametrize("action", ["case.view", "case.update", "case.export",
                                    "case.transfer"])
def test_it_never_opens_the_senders_case_to_the_receiver(cast, accepted, action):
    for role in (Role.CASEWORKER, Role.SUPERVISOR):
        decision = decide(cast.outsiders[role], action, cast.own_case)
        assert not decision.allowed and decision.status == 404
        assert not scope(cast.outsiders[role], "case.view",
                         Case.objects.all()).filter(pk=cast.own_case.pk).exists()


def test_it_lets_the_receiver_read_and_answer_the_referral_only(cast, accepted):
    outsider = cast.outsiders[Role.CASEWORKER]
    assert decide(outsider, "referral.view", accepted).allowed
    assert decide(outsider, "referral.respond", accepted).allowed
    assert not decide(outsider, "referral.send", accepted).allowed
    assert list(scope(outsider, "referral.view", Referral.objects.all())) == [accepted]


def test_it_keeps_referrals_from_organisations_not_involved(cast, accepted):
    from tests_support import make_user

    from harborlight.accounts.models import Organisation

    third = Organisation.objects.create(name="Third", slug="third")
    stranger = make_user(third, Role.SUPERVISOR, "third-supervisor")
    assert decide(stranger, "referral.view", accepted).status == 404
    assert not scope(stranger, "referral.view", Referral.objects.all()).exists()


def test_it_keeps_the_referral_from_receiver_roles_without_referral_actions(cast, accepted):
    auditor = cast.outsiders[Role.AUDITOR]
    assert decide(auditor, "referral.view", accepted).status == 403


def test_it_opens_a_restricted_cases_referral_to_the_receiver(cast, caseworker, receiver,
                                                              partner_entry, give_consent):
    case = cast.own_restricted_case
    give_consent(ConsentPurpose.REFERRAL, [], case=case)
    referral = send(case, by=caseworker, provider=partner_entry, reason="Other")
    assert decide(receiver, "referral.view", referral).allowed
    assert not decide(cast.teammate, "referral.view", referral).allowed
